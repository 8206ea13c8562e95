"""The regression gate: labelled questions that must keep their answers when an item is published.

Every import seeds the table with each item's name, aliases and FAQ questions
(``knowledge.regression_cases``), so a hall has hundreds to thousands of cases. Asking all of them
twice on every review page would take seconds, so: the answers over the live knowledge base are kept
per knowledge-base version (they change only when something is published), and over the would-be
knowledge base only the cases a change of one item can reach are asked again: those labelled with
it, those the bot answered with it or offered it for, and those sharing a two-character piece of
text with its name, aliases, FAQ questions or department, old or new (what the matcher scores). The
other cases keep their live result.
"""

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from sqlmodel import Session, col, select

from knowledge import lifecycle, storage
from knowledge.console_tables import RegressionCase
from knowledge.models import ServiceItem, china_today
from knowledge.schema import ASKABLE_FIELDS, Item


class CaseError(ValueError):
    """A labelled question is not valid; ``message`` is Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CaseResult:
    case: RegressionCase
    passed: bool
    action: str
    item: str | None
    field: str | None
    candidates: tuple[str, ...] = dataclass_field(default=())


def passes(case: RegressionCase, decision: Any) -> bool:
    """Right item and field (field None = any); an out-of-scope case passes when the bot does not answer."""
    action = getattr(decision, "action", None)
    if case.item_code is None:
        return action != "answer"
    if action != "answer" or getattr(decision, "item", None) != case.item_code:
        return False
    return case.field is None or getattr(decision, "field", None) == case.field


def run_cases(cases: Sequence[RegressionCase], answer: Any, items: Sequence[Item] | None) -> list[CaseResult]:
    """Ask every case of ``cases`` against ``items`` (None = the live knowledge base).

    The same ``items`` object is passed for every case, so the bot can index it once.
    """
    results = []
    for case in cases:
        decision, _reply = answer(case.question, items)
        results.append(
            CaseResult(
                case,
                passes(case, decision),
                getattr(decision, "action", ""),
                getattr(decision, "item", None),
                getattr(decision, "field", None),
                tuple(getattr(decision, "candidates", ()) or ()),
            )
        )
    return results


def list_cases(*, session: Session) -> list[RegressionCase]:
    return list(session.exec(select(RegressionCase).order_by(col(RegressionCase.id))))


def add_case(
    *, session: Session, question: str, item_code: str | None, field: str | None, created_by: str
) -> RegressionCase:
    question = question.strip()
    if not question:
        raise CaseError("问题不能为空")
    if field and field not in ASKABLE_FIELDS:
        raise CaseError(f"字段必须是 {' / '.join(ASKABLE_FIELDS)} 之一，或留空表示总览")
    if field and not item_code:
        raise CaseError("超出范围的问题（不填事项）不能指定字段")
    case = RegressionCase(
        question=question[:500], item_code=item_code or None, field=field or None, created_by=created_by
    )
    session.add(case)
    if case.item_code:
        lifecycle.bump_version(session)  # the question becomes a passage of its item: re-index
    session.commit()
    session.refresh(case)
    return case


def delete_case(*, session: Session, case_id: int) -> bool:
    case = session.get(RegressionCase, case_id)
    if case is None:
        return False
    session.delete(case)
    session.commit()
    return True


def record(*, session: Session, results: Sequence[CaseResult]) -> None:
    """Remember which cases pass now (shown in the table)."""
    for result in results:
        case = session.get(RegressionCase, result.case.id)
        if case is not None:
            case.last_passed = result.passed
            session.add(case)
    session.commit()


_LIVE_LOCK = threading.Lock()
#: (engine, knowledge-base version, date, the cases asked) → their results over the live knowledge base.
_LIVE: dict[tuple[Any, ...], dict[int, CaseResult]] = {}


def _case_key(case: RegressionCase) -> tuple[Any, ...]:
    return (case.id, case.question, case.item_code, case.field)


def live_results(*, session: Session, cases: Sequence[RegressionCase], answer: Any) -> dict[int, CaseResult]:
    """Every case's result over the live knowledge base, reused until something is published."""
    key = (
        id(session.get_bind()),
        storage.kb_version(session=session),
        china_today(),  # effective dates: what is live changes at midnight too
        tuple(_case_key(case) for case in cases),
    )
    with _LIVE_LOCK:
        found = _LIVE.get(key)
    if found is None:
        # The published items as a list, not None (= "live"): the bot indexes a list once, where the
        # live path checks the knowledge base's version for every question.
        published = storage.published_items(session=session, today=china_today())
        found = {result.case.id or 0: result for result in run_cases(cases, answer, published)}
        with _LIVE_LOCK:
            if len(_LIVE) >= 8:
                _LIVE.clear()
            _LIVE[key] = found
    return found


def _grams(texts: Iterable[str]) -> set[str]:
    grams: set[str] = set()
    for text in texts:
        text = "".join(text.lower().split())
        if len(text) == 1:
            grams.add(text)
        grams.update(text[i : i + 2] for i in range(len(text) - 1))
    return grams


def _item_texts(data: dict[str, Any] | None) -> list[str]:
    if not data:
        return []
    faq = [entry.get("q", "") for entry in data.get("faq") or [] if isinstance(entry, dict)]
    return [data.get("name", ""), data.get("department", ""), *(data.get("aliases") or []), *faq]


def reachable(
    *, session: Session, code: str, cases: Sequence[RegressionCase], live: dict[int, CaseResult]
) -> list[RegressionCase]:
    """The cases a change of item ``code`` can change the answer to (see the module's docstring)."""
    row = session.exec(select(ServiceItem).where(ServiceItem.code == code)).first()
    if row is None:
        return list(cases)
    grams = _grams(_item_texts(row.data) + _item_texts(row.live_data))
    found = []
    for case in cases:
        result = live.get(case.id or 0)
        if (
            case.item_code == code
            or result is None
            or result.item == code
            or code in result.candidates
            or not grams.isdisjoint(_grams([case.question]))
        ):
            found.append(case)
    return found


def gate(
    *, session: Session, answer: Any, would_be: Callable[[], Sequence[Item]], code: str | None = None
) -> tuple[list[CaseResult], list[CaseResult]]:
    """Results on the would-be knowledge base, and the cases that pass now but would fail after publishing.

    ``code``: the item being published; only the cases its change can reach are asked again (all
    of them without it). ``would_be`` is only called when there are cases to ask.
    """
    cases = list_cases(session=session)
    if not cases:
        return [], []
    live = live_results(session=session, cases=cases, answer=answer)
    asked = cases if code is None else reachable(session=session, code=code, cases=cases, live=live)
    fresh = {result.case.id: result for result in run_cases(asked, answer, would_be())} if asked else {}
    after = [fresh.get(case.id) or live[case.id or 0] for case in cases]
    broken = [result for result in after if live[result.case.id or 0].passed and not result.passed]
    return after, broken
