"""``guidebot doctor [--online]``: every setting and dependency checked, one Chinese line each.

Run it after installing, after changing ``/etc/guidebot.env`` and before reloading an upgrade. Exit
status 0 when nothing blocks serving, 1 otherwise (problems that only degrade service, such as Redis
down or an incomplete hall record, are reported but do not fail it). Nothing is changed.
"""

import os
from collections.abc import Iterator
from typing import Any

import click

from bot.commands import checks, kbchecks, script_app
from bot.commands.checks import Finding, note, problem


def _settings_findings() -> tuple[Any, list[Finding]]:
    """The app, or the settings errors that kept it from being built."""
    from bot.serving.settings import SettingsError

    try:
        return script_app(), []
    except SettingsError as exc:
        return None, [
            problem(
                f"设置 GUIDEBOT_{error.name}",
                f"应为{error.expected}，当前的值无法识别",
                "在环境文件中改正后重新运行",
            )
            for error in exc.errors
        ]


def _unknown(app: Any) -> Iterator[Finding]:
    from bot.serving.settings import unknown_variables

    settings = app.extensions.get("guidebot.settings", ())
    for name in unknown_variables(settings, os.environ):
        yield note(
            f"设置 {name}",
            "guidebot 没有这个设置（拼写错误？），它不起作用",
            "对照 README「Configuration」改正或删除",
        )


def _security(app: Any, *, default_database: bool) -> Iterator[Finding]:
    window = int(app.config.get("TIMESTAMP_WINDOW", 300))
    if window == 0:
        yield note(
            "时间戳检查（GUIDEBOT_TIMESTAMP_WINDOW）", "已关闭：截获的旧消息可以重放", "生产环境设为 300"
        )
    if not default_database and not app.config.get("SECURE_COOKIES"):
        yield note(
            "管理后台 Cookie（GUIDEBOT_SECURE_COOKIES）", "未限定 HTTPS", "在 nginx 的 HTTPS 之后设为 true"
        )


def findings(app: Any, *, online: bool) -> Iterator[Finding]:
    """Every finding for ``app``, in the order an administrator fixes them."""
    default_database = checks._default_database(app)
    yield from _unknown(app)
    for check in (checks.wechat_token, checks.aes_keys, checks.app_id, checks.app_secret, checks.secret_key):
        yield from check(app)
    yield from _security(app, default_database=default_database)
    from bot.serving import runtime

    database_ok = True
    if runtime.uses_database(app.config):
        found = list(checks.database(app))
        database_ok = not any(finding.blocking for finding in found)
        yield from found
    yield from checks.redis(app)
    yield from checks.state_store(app)
    yield from checks.spool(app)
    if runtime.uses_database(app.config) and database_ok:
        yield from kbchecks.knowledge(app, default_database=default_database)
    yield from kbchecks.semantic(app)
    if online:
        yield from kbchecks.online(app)


@click.command()
@click.option(
    "--online", is_flag=True, help="同时向微信获取一次 access_token（检查 AppID、AppSecret 和 IP 白名单）"
)
def doctor(online: bool) -> None:
    """检查每项设置和依赖：正常 / 问题（附处理办法）。有妨碍服务的问题时退出码为 1。"""
    app, found = _settings_findings()
    if app is not None:
        found.extend(findings(app, online=online))
    for finding in found:
        click.echo(finding.line())
    problems = [finding for finding in found if finding.status == checks.PROBLEM]
    blocking = [finding for finding in problems if finding.blocking]
    if blocking:
        click.echo(f"\n结论：{len(problems)} 个问题，其中 {len(blocking)} 个会妨碍服务，请先处理。")
        raise SystemExit(1)
    if problems:
        click.echo(f"\n结论：可以提供服务；{len(problems)} 个问题会影响部分功能，请尽快处理。")
    else:
        click.echo("\n结论：一切正常，可以提供服务。")
