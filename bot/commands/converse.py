"""``guidebot converse``: whole conversations in, one line of replies per conversation out.

Contract (``../shared/eval/dialogue_score.py``; keep it exactly): stdin lines ``{"id", "at", "turns":
[{"text" | "voice" | "event": ...}, ...]}``; each conversation is one citizen with a fresh state, the clock
fixed at ``at`` (ISO 8601, China time when it has no offset); stdout lines ``{"id", "replies": [{"text",
"action", "item", "field", "situation", "choices"}, ...]}``, one reply per turn. Nothing else goes to stdout:
a line that cannot be read gets ``{"id", "error", "replies": []}`` and a Chinese message on stderr.
"""

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import click

from bot.commands import script_app, utf8_streams
from bot.conversation.engine import Context, respond
from bot.conversation.hours import CHINA
from bot.conversation.messages import Message
from bot.conversation.records import MemoryRecorder
from bot.conversation.state import MemoryStore

DEFAULT_AT = "2026-12-08T10:30:00+08:00"


class TurnError(ValueError):
    """A turn that is neither text, voice nor event."""


def _message(openid: str, number: int, turn: Any) -> Message:
    if not isinstance(turn, dict):
        raise TurnError(f"第{number}轮不是 JSON 对象")
    msg_id = f"converse-{openid}-{number}"
    if isinstance(turn.get("text"), str):
        return Message(kind="text", openid=openid, text=turn["text"], msg_id=msg_id)
    if isinstance(turn.get("voice"), str):
        return Message(kind="voice", openid=openid, recognition=turn["voice"], msg_id=msg_id)
    if isinstance(turn.get("event"), str):
        event, _, key = turn["event"].partition(":")
        return Message(
            kind="event", openid=openid, event=event.lower(), event_key=key or None, create_time=number
        )
    raise TurnError(f"第{number}轮缺少 text、voice 或 event")


def _moment(value: Any) -> dt.datetime:
    moment = dt.datetime.fromisoformat(str(value or DEFAULT_AT))
    return moment.replace(tzinfo=CHINA) if moment.tzinfo is None else moment


def _fixed(moment: dt.datetime) -> Callable[[], dt.datetime]:
    return lambda: moment


def play(base: Context, lines: Iterable[str], errors: IO[str]) -> Iterator[dict[str, object]]:
    """One output object per non-blank input line: each dialogue played with a fresh state."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        dialogue_id: object = None
        try:
            dialogue = json.loads(line)
            if not isinstance(dialogue, dict) or not isinstance(dialogue.get("turns"), list):
                raise ValueError("不是带 turns 列表的 JSON 对象")
            dialogue_id = dialogue.get("id")
            at = _moment(dialogue.get("at"))
            context = Context(
                knowledge=base.knowledge,
                store=MemoryStore(),
                recorder=MemoryRecorder(),
                service_hours=base.service_hours,
                clock=_fixed(at),
                calendar=base.calendar,
                subscribe_page=base.subscribe_page,
            )
            openid = f"converse-{number}"
            messages = [
                _message(openid, turn_number, turn)
                for turn_number, turn in enumerate(dialogue["turns"], start=1)
            ]
        except (ValueError, TypeError) as exc:
            print(f"第{number}行无法读取：{exc}", file=errors)
            yield {"id": dialogue_id, "error": str(exc), "replies": []}
            continue
        yield {"id": dialogue_id, "replies": [respond(message, context).as_json() for message in messages]}


@click.command("converse")
@click.option(
    "--kb",
    "kb_path",
    type=click.Path(exists=True, dir_okay=False),
    help="guidebot-kb/1 文件；不给则使用已配置数据库中已发布的事项",
)
def converse(kb_path: str | None) -> None:
    """逐行读取 JSON 对话，逐行输出每一轮的回复（JSON），供对话评测使用。"""
    from bot.serving import runtime

    base = runtime.trial_context(script_app(), kb_file=kb_path)
    utf8_streams()
    for result in play(base, sys.stdin, sys.stderr):
        click.echo(json.dumps(result, ensure_ascii=False))
