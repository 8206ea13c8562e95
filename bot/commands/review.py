"""``guidebot review list [--json] [--state S]``: the unanswered-question queue on the command line."""

import json

import click
from sqlmodel import Session

from knowledge.models import QUESTION_STATES


@click.group(help="未答问题审核队列")
def review() -> None:
    """``guidebot review``."""


@review.command("list")
@click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象")
@click.option(
    "--state",
    type=click.Choice([*QUESTION_STATES, "all"]),
    default="open",
    show_default=True,
    help="只列出此状态的问题组（all = 全部）",
)
def list_(as_json: bool, state: str) -> None:
    """列出相似问法合并后的未答问题：最常问的在前。"""
    from bot.commands.users import _engine
    from knowledge.queries import STATE_LABELS, review_queue

    with Session(_engine()) as session:
        groups = review_queue(session=session, state=None if state == "all" else state)
    for group in groups:
        if as_json:
            click.echo(json.dumps(group.as_json(), ensure_ascii=False))
            continue
        top = "、".join(f"{code}({score:.2f})" for code, score in group.candidates[:3]) or "无"
        click.echo(
            f"#{group.id} [{STATE_LABELS[group.state]}] ×{group.count} {group.text}"
            f"  最近 {group.last_seen:%Y-%m-%d %H:%M} UTC  候选：{top}"
        )
    if not groups and not as_json:
        click.echo("没有符合条件的问题。")
