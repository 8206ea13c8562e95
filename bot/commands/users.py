"""``guidebot user add NAME --role editor|reviewer|admin [--password-stdin]``: console accounts."""

import sys

import click
from sqlalchemy import Engine
from sqlmodel import Session

from bot.commands import script_app
from knowledge.console_tables import ROLES


def _engine() -> Engine:
    from knowledge.db import display_url, get_engine, schema_status

    engine = get_engine(script_app())
    status = schema_status(engine)  # never creates a missing SQLite file
    if not status.ok:
        raise click.ClickException(f"{status.problem()}。数据库：{display_url(engine)}")
    return engine


@click.group(help="管理后台账号")
def user() -> None:
    """``guidebot user``."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(ROLES), required=True, help="editor=编辑，reviewer=审核员，admin=管理员"
)
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（第一行），不提示")
def add(name: str, role: str, password_stdin: bool) -> None:
    """创建账号；不加 --password-stdin 时提示输入两次密码。"""
    from knowledge.accounts import UserError, create_user
    from knowledge.audit import audit

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    with Session(_engine()) as session:
        try:
            username = create_user(session=session, username=name, role=role, password=password).username
        except UserError as exc:
            raise click.ClickException(exc.message) from exc
        audit(session=session, username="(命令行)", action="user_add", target=username, detail={"role": role})
    click.echo(f"已创建账号 {username}（角色：{role}），可在 /admin/login 登录。")
