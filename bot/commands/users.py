"""``guidebot user add | list | disable | enable | reset-password | unlock``: console accounts on the server.

What an administrator can do on the 账号 page, for the first account, scripts, and an administrator who
locked themselves out. Every change is audited as done from the command line.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Engine
from sqlmodel import Session

from bot.commands import hall_zone, script_app
from bot.commands.options import LabelledChoice
from knowledge.labels import ROLE_LABELS

CLI_ACTOR = "(命令行)"


def _engine() -> Engine:
    from knowledge.db import display_url, get_engine, schema_status

    engine = get_engine(script_app())
    status = schema_status(engine)  # never creates a missing SQLite file
    if not status.ok:
        raise click.ClickException(f"{status.problem()}。数据库：{display_url(engine)}")
    return engine


@contextmanager
def _session() -> Iterator[Session]:
    """A session whose account errors stop the command with their Chinese message."""
    from knowledge.accounts import UserError

    with Session(_engine(), expire_on_commit=False) as session:
        try:
            yield session
        except UserError as exc:
            raise click.ClickException(exc.message) from exc


def _audit(session: Session, action: str, target: str, detail: object = None) -> None:
    from knowledge.audit import audit

    audit(session=session, username=CLI_ACTOR, action=action, target=target, detail=detail)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码"))


@click.group(help="管理后台账号：新建、列出、停用、启用、重设密码、解除登录限制")
def user() -> None:
    """``guidebot user``."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=LabelledChoice(ROLE_LABELS), required=True,
              help="编辑（editor）、审核员（reviewer）或管理员（admin）")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（第一行），不提示")
def add(name: str, role: str, password_stdin: bool) -> None:
    """创建账号；不加 --password-stdin 时提示输入两次密码。"""
    from knowledge.accounts import create_user

    password = _read_password(password_stdin)
    with _session() as session:
        username = create_user(session=session, username=name, role=role, password=password).username
        _audit(session, "user_add", username, {"role": role})
    click.echo(f"已创建账号 {username}（角色：{ROLE_LABELS[role]}），可在 /admin/login 登录。")


@user.command("list")
def list_users() -> None:
    """列出账号：用户名、角色、状态、上次登录时间。"""
    from sqlmodel import col, select

    from knowledge.accounts import FAILURE_WINDOW, lock_states
    from knowledge.console_tables import ConsoleUser
    from knowledge.hall_time import format_time, zone_label

    zone = hall_zone()
    minutes = int(FAILURE_WINDOW.total_seconds() // 60)
    with _session() as session:
        users = list(session.exec(select(ConsoleUser).order_by(col(ConsoleUser.username))))
        locks = lock_states(session=session)
    if not users:
        click.echo("还没有账号。创建管理员：guidebot user add 用户名 --role admin")
        return
    click.echo(f"用户名\t角色\t状态\t上次登录（{zone_label(zone)}）")
    for account in users:
        state = "启用" if account.active else "已停用"
        lock = locks.get(account.username)
        if lock is not None and lock.locked:
            state += f"，登录受限（{minutes}分钟内失败 {lock.failures} 次）"
        last = format_time(account.last_login_at, zone) if account.last_login_at else "从未登录"
        click.echo(f"{account.username}\t{ROLE_LABELS.get(account.role, account.role)}\t{state}\t{last}")
    click.echo(f"共 {len(users)} 个账号")


def _set_active(name: str, *, active: bool, action: str, state: str, done: str) -> None:
    """Disable or enable ``name``: ``state`` names the state when nothing changes, ``done`` what was done."""
    from knowledge.accounts import find_user, set_active

    with _session() as session:
        account = find_user(session=session, username=name)
        if not set_active(session=session, user=account, active=active):
            click.echo(f"账号 {account.username} 已是{state}状态。")
            return
        _audit(session, action, account.username)
    click.echo(done.format(account.username))


@user.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """停用账号：不能再登录，已登录的会话立即失效。"""
    done = "已停用账号 {}，其已登录的会话已全部失效。"
    _set_active(name, active=False, action="user_deactivate", state="停用", done=done)


@user.command("enable")
@click.argument("name")
def enable(name: str) -> None:
    """重新启用一个停用的账号。"""
    _set_active(name, active=True, action="user_activate", state="启用", done="已启用账号 {}。")


@user.command("reset-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码（第一行），不提示")
def reset_password(name: str, password_stdin: bool) -> None:
    """重设密码：已登录的会话全部失效，登录限制一并解除。"""
    from knowledge.accounts import find_user, set_password

    with _session() as session:
        account = find_user(session=session, username=name)
        set_password(session=session, user=account, password=_read_password(password_stdin))
        _audit(session, "user_password", account.username)
    click.echo(f"已重设 {account.username} 的密码；其已登录的会话已全部失效，登录限制已解除。")


@user.command("unlock")
@click.argument("name")
def unlock(name: str) -> None:
    """解除登录限制（连续输错密码后），不必等待15分钟。"""
    from knowledge.accounts import find_user
    from knowledge.accounts import unlock as lift

    with _session() as session:
        account = find_user(session=session, username=name)
        forgotten = lift(session=session, user=account)
        _audit(session, "user_unlock", account.username, {"unlocked_failures": forgotten})
    if forgotten:
        click.echo(f"已解除 {account.username} 的登录限制（清除了 {forgotten} 次失败记录）。")
    else:
        click.echo(f"账号 {account.username} 没有登录限制，无需解除。")
