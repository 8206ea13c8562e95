"""Regression questions seeded from the knowledge base: each item's name, aliases and FAQ questions.

The publish gate (``knowledge.console.regression``) asks the bot every labelled question before and
after a change and stops a publish that breaks one that passed. An empty table checks nothing, so
every import adds the questions the knowledge base itself says belong to an item: its name, its
aliases and its FAQ questions. A question that belongs to two items says nothing about either and is
left out; questions already in the table (staff's own included) are never changed.
"""

from collections.abc import Iterable

from sqlmodel import Session, col, select

from knowledge import schema
from knowledge.console_tables import RegressionCase

SEED_AUTHOR = "导入时自动生成"
#: The question column's length.
MAX_QUESTION = 500


def seed_questions(items: Iterable[schema.Item]) -> dict[str, str]:
    """Question → item code, for every name, alias and FAQ question that names exactly one item."""
    owners: dict[str, set[str]] = {}
    for item in items:
        texts = [item.name, *(item.aliases or []), *(entry.q for entry in item.faq or [])]
        for text in texts:
            question = " ".join(text.split())[:MAX_QUESTION]
            if len(question) >= 2:
                owners.setdefault(question, set()).add(item.code)
    return {question: next(iter(codes)) for question, codes in owners.items() if len(codes) == 1}


def seed_cases(*, session: Session, items: Iterable[schema.Item], author: str = SEED_AUTHOR) -> int:
    """Add the seed questions of ``items`` that the table lacks; returns how many. The caller commits."""
    wanted = seed_questions(items)
    if not wanted:
        return 0
    known = set(session.exec(select(RegressionCase.question).where(col(RegressionCase.question).in_(wanted))))
    added = 0
    for question, code in wanted.items():
        if question not in known:
            session.add(RegressionCase(question=question, item_code=code, field=None, created_by=author))
            added += 1
    return added
