"""``guidebot serve``: create the default database on a first run, then start gunicorn."""

import errno
import os
import socket
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo

from bot.commands import script_app
from bot.serving import gunicorn_conf


def _factory() -> Callable[[], Flask]:
    """The app factory of this command (gunicorn's workers each build their own app)."""
    info = click.get_current_context().find_object(ScriptInfo)
    assert info is not None and info.create_app is not None
    return info.create_app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=5000, show_default=True, type=int, help="监听端口")
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="gunicorn 工作进程数（默认：每个 CPU 核 2 个，至少 2 个、最多 8 个；"
    "会话状态只在进程内存中时为 1 个）",
)
def serve(host: str, port: int, workers: int | None) -> None:
    """启动服务：首次运行时创建默认的 SQLite 数据库并载入示范大厅。"""
    from bot.serving.runtime import state_store_kind
    from knowledge.db import get_engine, is_up_to_date, upgrade

    _check_address(host, port)  # before anything is created or printed as if started
    app = script_app()
    kind = state_store_kind(app)
    workers = workers or default_workers(kind, os.cpu_count())
    engine = get_engine(app)
    url = engine.url.render_as_string(hide_password=True)
    fresh = _is_new_sqlite_file(url)
    if fresh:
        upgrade(engine)
        click.echo(f"已创建数据库：{url}")
    elif not is_up_to_date(engine):
        raise click.ClickException(f"数据库 {url} 的结构不是最新版本，请先运行 `guidebot db upgrade`。")
    _load_demo(app, engine, fresh=fresh)
    for hint in _first_run_hints(app, engine):
        click.echo(hint)
    engine.dispose()  # workers open their own connections after the fork
    click.echo(f"微信接口：http://{host}:{port}/wechat   管理后台：http://{host}:{port}/admin")
    click.echo(f"工作进程：{workers} 个")
    _run_gunicorn(host=host, port=port, workers=workers, factory=_factory())


def demo_wanted(app: Flask, *, fresh: bool) -> bool:
    """Whether ``guidebot serve`` loads the demo hall (``LOAD_DEMO``; it also needs an empty database).

    auto: only into the default SQLite database created by this first run. A configured
    ``DATABASE_URL`` is a real hall's database: fictional items there would answer citizens.
    """
    from knowledge.db import default_database_url

    choice = str(app.config["LOAD_DEMO"]).lower()
    if choice in ("true", "1"):
        return True
    if choice != "auto":
        return False
    return fresh and app.config["DATABASE_URL"] == default_database_url(app.instance_path)


def _load_demo(app: Flask, engine: Any, *, fresh: bool) -> None:
    from sqlmodel import Session

    from knowledge.storage import is_empty, load_demo_if_empty

    with Session(engine) as session:
        if demo_wanted(app, fresh=fresh):
            if load_demo_if_empty(session=session):
                click.echo("数据库为空，已载入示范大厅（虚构的青溪县政务服务中心）的服务事项。")
        elif is_empty(session=session):
            click.echo(
                "提示：数据库中还没有服务事项，请用 `guidebot kb import 文件` 导入本大厅的事项"
                "（只想试用时可设置 GUIDEBOT_LOAD_DEMO=true 载入虚构的示范大厅）。"
            )


def default_workers(store: str, cpus: int | None) -> int:
    """Workers ``guidebot serve`` starts unless told: two per CPU core, at least 2 and at most 8.

    One slow request (a console import, a slow sender) then never holds up every push. With the
    ``memory`` state store (a KB file, or chosen) dedup and conversation state live in one process,
    so one worker: several would each answer a retry they have not seen.
    """
    if store == "memory":
        return 1
    return max(2, min(8, 2 * (cpus or 1)))


def _first_run_hints(app: Flask, engine: Any) -> list[str]:
    """What a hall still has to do before citizens and staff can use this instance."""
    from sqlmodel import Session, select

    from knowledge.console_tables import ConsoleUser

    hints = []
    if not app.config["WECHAT_TOKEN"]:
        hints.append(
            "注意：未设置 GUIDEBOT_WECHAT_TOKEN，微信接口 /wechat 不会响应任何请求（管理后台照常可用）。"
            "连接公众号前请按 README「连接微信公众号」设置 Token 后重启；"
            "也可以先用 `guidebot ask` 或 `guidebot chat` 试问。"
        )
    with Session(engine) as session:
        if session.exec(select(ConsoleUser).limit(1)).first() is None:
            hints.append(
                "提示：还没有管理后台账号，请运行 `guidebot user add 用户名 --role admin` 创建管理员。"
            )
    return hints


class AddressUnavailable(click.ClickException):
    """The address to serve on cannot be bound; the message says why and what to do, in Chinese."""

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def _check_address(host: str, port: int) -> None:
    """Bind ``host:port`` as gunicorn will (SO_REUSEADDR), then let it go; raise when that fails.

    Otherwise a busy port would print the URLs as if the server had started, then gunicorn's own
    retries in English, and exit only after several seconds.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise AddressUnavailable(f"无法启动：监听地址「{host}」无法识别（{exc.strerror}）。"
                                 "请用本机的 IP 地址，例如 --host 127.0.0.1 或 --host 0.0.0.0。") from exc
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise AddressUnavailable(_bind_hint(host, port, exc)) from exc


def _bind_hint(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (f"无法启动：端口 {port} 已被占用（可能已有一个 guidebot 或其他程序在运行）。"
                f"请先停止占用该端口的程序，或换一个端口，例如：guidebot serve --port {port + 1}")
    if error.errno in (errno.EACCES, errno.EPERM):
        return (f"无法启动：没有权限监听端口 {port}（1024 以下的端口需要管理员权限）。"
                "请改用 1024 以上的端口，由 nginx 转发 80/443 端口。")
    if error.errno == errno.EADDRNOTAVAIL:
        return f"无法启动：本机没有地址 {host}。请用本机的 IP 地址，例如 --host 127.0.0.1 或 --host 0.0.0.0。"
    return f"无法启动：不能监听 {host}:{port}（{error.strerror}）。"


def _is_new_sqlite_file(url: str) -> bool:
    """True for an SQLite file URL whose file does not exist yet (the first run)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return False
    path = url[len(prefix):]
    return bool(path) and path != ":memory:" and not os.path.exists(path)


def _run_gunicorn(*, host: str, port: int, workers: int, factory: Callable[[], Flask]) -> None:
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("timeout", 30)
            # No gunicorn access log: WeChat's query strings carry the citizen's openid. Each push gets
            # its own log line instead (openid hashed), see bot/serving/observe.py.

            # The same settings as `gunicorn -c python:bot.serving.gunicorn_conf`: schema check and
            # warm-up, metrics folder, reload handover, log format, backlog, no shared control socket.
            for name in (
                "on_starting",
                "post_worker_init",
                "worker_exit",
                "child_exit",
                "on_exit",
                "logconfig_dict",
                "backlog",
                "graceful_timeout",
                "control_socket_disable",
            ):
                self.cfg.set(name, getattr(gunicorn_conf, name))

        def load(self) -> Flask:
            return factory()

    _Server().run()
