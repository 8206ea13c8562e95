"""The ``guidebot`` verbs: what staff and operators type, in Chinese.

Commands get the app from Flask's CLI machinery (the ``ScriptInfo`` that ``webhook.cli`` puts on the click
context, see :func:`script_app`), so none imports ``webhook.py``. They may import every room of ``bot`` and
the store (``knowledge``); ``webhook.py`` only registers them.
"""

import datetime as dt
import io
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click
from flask import Flask
from flask.cli import ScriptInfo


def utf8_streams() -> None:
    """Read stdin and write stdout as UTF-8 whatever the locale says (the JSON-lines verbs)."""
    for stream in (sys.stdin, sys.stdout):
        if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8")


def script_app() -> Flask:
    """The app of the running ``guidebot`` command, built once by the command's ``ScriptInfo``."""
    info = click.get_current_context().find_object(ScriptInfo)
    if info is None:  # a command invoked outside ``webhook.cli`` (a programming error, not a user's)
        raise RuntimeError("guidebot commands run under webhook.cli, which provides the app factory")
    from knowledge.hall_time import TimezoneError

    try:
        return info.load_app()
    except TimezoneError as exc:  # a setting staff can fix: say which, in Chinese
        raise click.ClickException(exc.message) from exc


def hall_zone() -> dt.tzinfo:
    """The hall's time zone (``GUIDEBOT_TIMEZONE``) of the running command; a bad name stops it in Chinese."""
    from knowledge.hall_time import TimezoneError
    from knowledge.hall_time import hall_zone as zone_named

    try:
        return zone_named(script_app().config.get("TIMEZONE"))
    except TimezoneError as exc:
        raise click.ClickException(exc.message) from exc


def _hint(error: click.UsageError) -> str:
    param = getattr(error, "param", None)
    if param is not None:
        return str(param.get_error_hint(error.ctx)) if error.ctx is not None else str(param.name)
    return str(getattr(error, "param_hint", None) or "")


def usage_error_text(error: click.UsageError) -> str:
    """A command-line mistake told in Chinese: what was wrong, and how to see the command's help."""
    if isinstance(error, click.NoSuchOption):
        found = f"没有这个选项：{error.option_name}"
        if error.possibilities:
            found += f"（您是不是想用 {' 或 '.join(sorted(error.possibilities))}？）"
    elif isinstance(error, click.MissingParameter):
        kind = "参数" if error.param_type == "argument" or error.param is not None and isinstance(
            error.param, click.Argument) else "选项"
        found = f"缺少必填的{kind} {_hint(error)}"
    elif isinstance(error, click.BadParameter):
        found = f"{_hint(error)} 的值不正确：{error.message}"
    elif error.message.startswith("No such command"):
        found = f"没有这个命令：{error.message.removeprefix('No such command').strip(' .')}"
    else:
        found = error.format_message()
    lines = []
    if error.ctx is not None:
        lines.append(f"用法：{error.ctx.get_usage().removeprefix('Usage: ')}")
        lines.append(f"运行 {error.ctx.command_path} --help 查看说明。")
        lines.append("")
    lines.append(f"错误：{found}")
    return "\n".join(lines)


def run_standalone(call: Callable[[], Any]) -> NoReturn:
    """Run a click ``main`` with ``standalone_mode=False`` and exit as click would, in Chinese."""
    try:
        result = call()
    except click.UsageError as error:
        click.echo(usage_error_text(error), err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
