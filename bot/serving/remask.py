"""``guidebot purge --remask``: mask again the citizens' text stored before masking improved.

Masking by character class (``bot.matching.pii``) catches numbers an earlier version let through
(``sfz4101…``, ``tel139…``, ``139.1234.5678``). Rows stored then still hold them: the question log
(masked text, the raw text kept when masking changed nothing, the grouping key), the audit rows that
quote citizens (aliases added from questions, items created from them, regression questions), the
regression table, and item aliases copied from questions by 加为别名 (with their revisions). This goes
over them in batches of short transactions, safe while serving. Hall and item content other than
aliases is staff-written and left alone (a hall's mobile number is not personal data to mask).
"""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.matching.pii import mask_personal_data

#: Audit actions whose detail quotes a citizen's question.
CITIZEN_AUDITS = ("alias_add", "item_from_question", "regression_add")
_TOKEN = re.compile(r"〔[^〕]*〕")


@dataclass
class RemaskReport:
    """How many rows masking changed (or would change, for a dry run)."""

    questions: int = 0
    audits: int = 0
    cases: int = 0
    items: int = 0
    revisions: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        return (
            f"{verb}重新脱敏：提问记录 {self.questions} 条，操作日志 {self.audits} 条，"
            f"回归测试问题 {self.cases} 条，事项别名 {self.items} 个事项（修订记录 {self.revisions} 条）。"
        )


def _alias(text: str) -> str:
    """An alias after masking: the tokens dropped, as 加为别名 does."""
    return _TOKEN.sub("", mask_personal_data(text)).strip(" ，。？！?!,.、")


def _aliases(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """``data`` with its aliases masked, or None when nothing changes."""
    if not data or not data.get("aliases"):
        return None
    aliases: list[str] = []
    for alias in data["aliases"]:
        masked = _alias(alias)
        if masked and masked not in aliases and masked != data.get("name"):
            aliases.append(masked)
    if aliases == data["aliases"]:
        return None
    changed = dict(data)
    if aliases:
        changed["aliases"] = aliases
    else:
        changed.pop("aliases")
    return changed


def _rows(engine: Engine, model: Any, batch: int, where: Any = None) -> Iterator[list[Any]]:
    """The rows of ``model`` in id order, ``batch`` at a time (each batch read in its own session)."""
    last = 0
    while True:
        with Session(engine) as session:
            query = select(model).where(col(model.id) > last).order_by(col(model.id)).limit(batch)
            if where is not None:
                query = query.where(where)
            rows = list(session.exec(query))
        if not rows:
            return
        last = rows[-1].id
        yield rows


def _apply(engine: Engine, model: Any, updates: dict[int, dict[str, Any]], dry_run: bool) -> int:
    if dry_run or not updates:
        return len(updates)
    from knowledge.db import write_session

    with write_session(engine) as session:
        for row_id, values in updates.items():
            row = session.get(model, row_id)
            if row is not None:
                for name, value in values.items():
                    setattr(row, name, value)
                session.add(row)
    return len(updates)


def _sweep(
    engine: Engine,
    model: Any,
    change: Callable[[Any], dict[str, Any] | None],
    *,
    dry_run: bool,
    batch: int,
    where: Any = None,
) -> int:
    total = 0
    for rows in _rows(engine, model, batch, where):
        updates = {row.id: values for row in rows if (values := change(row))}
        total += _apply(engine, model, updates, dry_run)
    return total


def _question(row: Any) -> dict[str, Any] | None:
    text = mask_personal_data(row.text)
    raw = row.raw_text
    if raw is not None and mask_personal_data(raw) != raw:
        raw = None  # raw text is kept only when masking changes nothing
    if text == row.text and raw == row.raw_text:
        return None
    return {"text": text, "raw_text": raw, "group_key": text.strip().lower()[:200] or None}


def _audit(row: Any) -> dict[str, Any] | None:
    try:
        detail = json.loads(row.detail) if row.detail else None
    except ValueError:
        detail = None
    if isinstance(detail, dict):
        masked = {
            key: (_alias(value) if key == "alias" else mask_personal_data(value))
            if isinstance(value, str)
            else value
            for key, value in detail.items()
        }
        text = json.dumps(masked, ensure_ascii=False)
        return {"detail": text} if masked != detail else None
    text = mask_personal_data(row.detail or "")
    return {"detail": text} if text != (row.detail or "") else None


def _case(row: Any) -> dict[str, Any] | None:
    question = mask_personal_data(row.question)
    return {"question": question} if question != row.question else None


def _item(row: Any) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    data = _aliases(row.data)
    if data is not None:
        from knowledge.lifecycle import search_text

        values.update(data=data, search_text=search_text(data))
    live = _aliases(row.live_data)
    if live is not None:
        values["live_data"] = live
    return values or None


def _revision(row: Any) -> dict[str, Any] | None:
    snapshot = _aliases(row.snapshot)
    return {"snapshot": snapshot} if snapshot is not None else None


def remask(engine: Engine, *, dry_run: bool = False, batch: int = 500) -> RemaskReport:
    """Mask the stored citizens' text again with the current rules."""
    from knowledge.console_tables import AuditLog, RegressionCase
    from knowledge.models import ItemRevision, QuestionLog, ServiceItem

    report = RemaskReport(dry_run=dry_run)
    report.questions = _sweep(engine, QuestionLog, _question, dry_run=dry_run, batch=batch)
    report.audits = _sweep(
        engine, AuditLog, _audit, dry_run=dry_run, batch=batch, where=col(AuditLog.action).in_(CITIZEN_AUDITS)
    )
    report.cases = _sweep(engine, RegressionCase, _case, dry_run=dry_run, batch=batch)
    report.items = _sweep(engine, ServiceItem, _item, dry_run=dry_run, batch=batch)
    report.revisions = _sweep(engine, ItemRevision, _revision, dry_run=dry_run, batch=batch)
    if report.items and not dry_run:
        from knowledge.db import write_session
        from knowledge.lifecycle import bump_version

        with write_session(engine) as session:
            bump_version(session)  # the matchers index the aliases
    return report
