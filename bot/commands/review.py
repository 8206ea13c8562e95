"""``guidebot review list [--json] [--state S]``: the unanswered-question queue on the command line."""

import json

import click
from sqlmodel import Session

from bot.commands import hall_zone
from bot.commands.options import LabelledChoice
from knowledge.queries import STATE_LABELS


@click.group(help="未答问题审核队列")
def review() -> None:
    """``guidebot review``."""


@review.command("list")
@click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象")
@click.option(
    "--state",
    type=LabelledChoice({**STATE_LABELS, "all": "全部"}),
    default="open",
    show_default=True,
    help="只列出此状态的问题组：待处理、已回复、已加别名、已建事项、已忽略、全部（也可写英文代码）",
)
def list_(as_json: bool, state: str) -> None:
    """列出相似问法合并后的未答问题：最常问的在前。"""
    from bot.commands.users import _engine
    from knowledge.hall_time import format_time, zone_label
    from knowledge.labels import reason_label
    from knowledge.queries import review_queue

    zone = hall_zone()
    with Session(_engine()) as session:
        groups = review_queue(session=session, state=None if state == "all" else state)
    for group in groups:
        if as_json:
            click.echo(json.dumps(group.as_json(), ensure_ascii=False))
            continue
        top = "、".join(f"{code}({score:.2f})" for code, score in group.candidates[:3]) or "无"
        reasons = "、".join(reason_label(reason) for reason in group.reasons)
        click.echo(
            f"#{group.id} [{STATE_LABELS[group.state]}] ×{group.count} {group.text}"
            f"  最近 {format_time(group.last_seen, zone)}（{zone_label(zone)}）  原因：{reasons}  候选：{top}"
        )
    if not groups and not as_json:
        click.echo("没有符合条件的问题。")
