"""``guidebot match``: JSON lines of questions in, one JSON decision line out per question.

Contract (used by benchmarks outside the project; keep it exactly):
stdin lines ``{"id", "question", "context"?}`` (``context`` = the citizen's earlier messages, oldest first);
stdout lines ``{"id", "action", "item", "candidates", "field", "score"}``. Nothing else goes to stdout:
problems with a line are reported on stderr and that line gets a handoff decision.
With ``--kb PATH`` the guidebot-kb/1 file is indexed in memory (no database); without it the published
items and staff synonyms of the configured database are used.
"""

import json
import sys
from collections.abc import Iterable, Iterator
from typing import IO

import click

from bot.commands import script_app, utf8_streams
from bot.matching.decision import Decision
from bot.matching.matcher import Matcher


def _matcher(kb_path: str | None) -> Matcher:
    """The matcher the webhook would use (semantic stage included, its passages embedded first)."""
    from bot.serving import runtime
    from bot.serving.kbcache import DatabaseKnowledge

    source = runtime.knowledge_source(script_app(), kb_file=kb_path)
    if isinstance(source, DatabaseKnowledge):
        source()
        source.wait_for_semantic()
    return source().matcher


def run(matcher: Matcher, lines: Iterable[str], errors: IO[str]) -> Iterator[dict[str, object]]:
    """One output object per non-blank input line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            message = json.loads(line)
            if not isinstance(message, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            print(f"第{number}行不是有效的 JSON 对象：{exc}", file=errors)
            yield Decision("handoff", reason="empty").as_json(None)
            continue
        question = message.get("question")
        context = message.get("context") or []
        if not isinstance(question, str) or not isinstance(context, list):
            print(f"第{number}行缺少 question 文本或 context 不是列表", file=errors)
            yield Decision("handoff", reason="empty").as_json(message.get("id"))
            continue
        previous = matcher.replay([str(m) for m in context]) if context else None
        yield matcher.decide(question, previous).as_json(message.get("id"))


@click.command("match")
@click.option(
    "--kb",
    "kb_path",
    type=click.Path(exists=True, dir_okay=False),
    help="guidebot-kb/1 文件；不给则使用已配置数据库中已发布的事项",
)
def match(kb_path: str | None) -> None:
    """逐行读取 JSON 问题，逐行输出匹配结果（JSON）。"""
    matcher = _matcher(kb_path)
    utf8_streams()
    for result in run(matcher, sys.stdin, sys.stderr):
        click.echo(json.dumps(result, ensure_ascii=False))
