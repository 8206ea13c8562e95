"""The regression gate: labelled questions that must keep their answers when an item is published."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from knowledge import lifecycle
from knowledge.console_tables import RegressionCase
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


def gate(
    *, session: Session, answer: Any, would_be: Callable[[], Sequence[Item]]
) -> tuple[list[CaseResult], list[CaseResult]]:
    """Results on the would-be knowledge base, and the cases that pass now but would fail after publishing.

    ``would_be`` is only called when there are cases (building it reads every item).
    """
    cases = list_cases(session=session)
    if not cases:
        return [], []
    before = {result.case.id: result.passed for result in run_cases(cases, answer, None)}
    after = run_cases(cases, answer, would_be())
    broken = [result for result in after if before.get(result.case.id) and not result.passed]
    return after, broken
