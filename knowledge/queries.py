"""Read-side queries of the console: the unanswered-question queue, dashboard figures, staleness.

The queue groups similar masked questions (rapidfuzz over a punctuation-free form of the text), so
"社保卡丢了咋办" and "社保卡丢了怎么办？" are one line for the administrator. It is shared by the
console page and ``guidebot review list``.
"""

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlmodel import Session, col, select

from knowledge.models import QUESTION_STATES, QuestionLog, Rating, ServiceItem
from knowledge.retention import RAW_KEEP, raw_data_expired

#: Questions the bot did not answer with confidence: every handoff except an empty message.
UNANSWERED_REASONS = ("out_of_scope", "low_confidence", "human", "complaint")
GROUP_SIMILARITY = 78.0
#: Raw openids are kept only while a customer-service reply is possible.
STATE_LABELS = {
    "open": "待处理",
    "answered": "已回复",
    "alias_added": "已加别名",
    "item_created": "已建事项",
    "ignored": "已忽略",
}

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def _key(text: str) -> str:
    return _PUNCT.sub("", text).lower()


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@dataclass
class QuestionGroup:
    """Similar unanswered questions: the newest phrasing stands for the group."""

    id: int
    text: str
    questions: list[QuestionLog] = field(default_factory=list)
    candidates: list[tuple[str, float]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def first_seen(self) -> dt.datetime:
        return min(_utc(q.created_at) for q in self.questions)

    @property
    def last_seen(self) -> dt.datetime:
        return max(_utc(q.created_at) for q in self.questions)

    @property
    def state(self) -> str:
        states = {q.state for q in self.questions}
        if "open" in states:
            return "open"
        return Counter(q.state for q in self.questions).most_common(1)[0][0]

    @property
    def ids(self) -> list[int]:
        return [q.id for q in self.questions if q.id is not None]

    @property
    def reasons(self) -> list[str]:
        return sorted({q.reason for q in self.questions})

    def as_json(self) -> dict[str, Any]:
        """One line of ``guidebot review list --json``."""
        return {
            "id": self.id,
            "state": self.state,
            "text": self.text,
            "count": self.count,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "candidates": [{"code": code, "score": round(score, 4)} for code, score in self.candidates],
        }


def _candidates(question: QuestionLog) -> list[tuple[str, float]]:
    try:
        raw = json.loads(question.candidates or "[]")
    except ValueError:
        return []
    found = []
    for entry in raw:
        if isinstance(entry, list | tuple) and entry and isinstance(entry[0], str):
            found.append((entry[0], float(entry[1]) if len(entry) > 1 else 0.0))
        elif isinstance(entry, str):
            found.append((entry, 0.0))
        elif isinstance(entry, dict) and "code" in entry:
            found.append((str(entry["code"]), float(entry.get("score", 0.0))))
    if question.item_code and question.item_code not in {code for code, _ in found}:
        found.append((question.item_code, question.score))
    return found


def unanswered_questions(*, session: Session, limit: int = 5000) -> list[QuestionLog]:
    """The newest unanswered, low-confidence and handed-off questions (masked), newest first."""
    query = (
        select(QuestionLog)
        .where(
            (col(QuestionLog.action) == "handoff") & col(QuestionLog.reason).in_(UNANSWERED_REASONS)
            | (col(QuestionLog.reason) == "low_confidence")
        )
        .order_by(col(QuestionLog.created_at).desc(), col(QuestionLog.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def group_questions(
    questions: Sequence[QuestionLog], *, similarity: float = GROUP_SIMILARITY
) -> list[QuestionGroup]:
    """Greedy grouping by text similarity; groups sorted most frequent first, then newest first."""
    groups: list[QuestionGroup] = []
    keys: list[str] = []
    for question in questions:  # newest first, so a group's text is its newest phrasing
        key = _key(question.text)
        best, best_score = -1, 0.0
        for index, other in enumerate(keys):
            score = 100.0 if key == other else fuzz.ratio(key, other)
            if score > best_score:
                best, best_score = index, score
        if best >= 0 and best_score >= similarity:
            groups[best].questions.append(question)
        else:
            groups.append(QuestionGroup(id=question.id or 0, text=question.text, questions=[question]))
            keys.append(key)
    for group in groups:
        group.id = min(group.ids) if group.ids else group.id
        top: dict[str, float] = defaultdict(float)
        for question in group.questions:
            for code, score in _candidates(question):
                top[code] = max(top[code], score)
        group.candidates = sorted(top.items(), key=lambda pair: -pair[1])[:5]
    groups.sort(key=lambda g: (-g.count, -g.last_seen.timestamp()))
    return groups


def review_queue(*, session: Session, state: str | None = "open") -> list[QuestionGroup]:
    """The review queue as the console and ``guidebot review list`` show it (``state`` None = all)."""
    if state is not None and state not in QUESTION_STATES:
        raise ValueError(f"状态必须是 {' / '.join(QUESTION_STATES)} 之一")
    purge_raw_openids(session=session)  # the retention job: runs whenever the queue is read
    groups = group_questions(unanswered_questions(session=session))
    return [group for group in groups if state is None or group.state == state]


def set_question_state(*, session: Session, ids: Sequence[int], state: str) -> int:
    """Set the review state of these questions; returns how many rows changed."""
    if state not in QUESTION_STATES:
        raise ValueError(state)
    rows = list(session.exec(select(QuestionLog).where(col(QuestionLog.id).in_(list(ids)))))
    for row in rows:
        row.state = state
        session.add(row)
    session.commit()
    return len(rows)


def purge_raw_openids(
    *, session: Session, now: dt.datetime | None = None, keep: dt.timedelta = RAW_KEEP
) -> int:
    """Forget raw openids and texts older than ``keep`` (48 h, WeChat's reply window); returns the count."""
    before = (now or dt.datetime.now(dt.UTC)) - keep
    rows = list(session.exec(select(QuestionLog).where(raw_data_expired(before))))
    for row in rows:
        row.openid, row.raw_text = None, None
        session.add(row)
    session.commit()
    return len(rows)


def questions_by_ids(*, session: Session, ids: Sequence[int]) -> list[QuestionLog]:
    query = (
        select(QuestionLog)
        .where(col(QuestionLog.id).in_(list(ids)))
        .order_by(col(QuestionLog.created_at).desc())
    )
    return list(session.exec(query))


# --- staleness -------------------------------------------------------------------------------


def check_due(item: ServiceItem, *, stale_days: int) -> dt.date:
    """When the item must be checked again: ``stale_days`` after its check date.

    An item that never had a check date counts from the day it entered the knowledge base, so a
    new item is not flagged at once, and one nobody ever checks is still flagged in time.
    """
    checked = item.updated if item.updated is not None else _utc(item.created_at).date()
    return checked + dt.timedelta(days=stale_days)


def is_stale(item: ServiceItem, *, today: dt.date, stale_days: int) -> bool:
    """Its check is overdue: more than ``stale_days`` since the check date (or since it was added)."""
    return today > check_due(item, stale_days=stale_days)


# --- dashboard ------------------------------------------------------------------------------


@dataclass
class Dashboard:
    days: list[tuple[str, int]]
    actions: dict[str, int]
    total: int
    top_items: list[tuple[str, int]]
    top_groups: list[QuestionGroup]
    satisfaction: list[tuple[str, float, int]]
    hours: list[tuple[int, int]]
    stale: list[ServiceItem]


#: Handoffs because the bot could not answer (the rest were asked for: 人工, 投诉, or an empty message).
UNANSWERED_HANDOFFS = ("out_of_scope", "low_confidence")
_CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def dashboard(
    *, session: Session, today: dt.date, stale_days: int, days: int = 30, zone: dt.tzinfo = _CHINA
) -> Dashboard:
    """Figures for the dashboard over the last ``days`` days (dates and hours in the hall's ``zone``).

    ``actions``: answer, clarify and handoff add up to the total; ``unanswered`` is the part of the
    handoffs the bot could not answer (out of scope or low confidence).
    """
    since = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time(), tzinfo=zone)
    logs = list(session.exec(select(QuestionLog).where(col(QuestionLog.created_at) >= since)))
    per_day: Counter[str] = Counter()
    per_hour: Counter[int] = Counter()
    actions: Counter[str] = Counter()
    items: Counter[str] = Counter()
    for log in logs:
        local = _utc(log.created_at).astimezone(zone)
        per_day[local.date().isoformat()] += 1
        per_hour[local.hour] += 1
        actions[log.action] += 1
        if log.action == "handoff" and log.reason in UNANSWERED_HANDOFFS:
            actions["unanswered"] += 1
        if log.action == "answer" and log.item_code:
            items[log.item_code] += 1
    day_list = [((today - dt.timedelta(days=offset)).isoformat()) for offset in range(days - 1, -1, -1)]
    ratings: dict[str, list[int]] = defaultdict(list)
    for rating in session.exec(select(Rating)):
        ratings[rating.item_code].append(rating.score)
    satisfaction = sorted(
        ((code, sum(s) / len(s), len(s)) for code, s in ratings.items()), key=lambda row: (-row[2], row[0])
    )[:10]
    stale = [
        item
        for item in session.exec(select(ServiceItem).where(ServiceItem.status != "archived"))
        if is_stale(item, today=today, stale_days=stale_days)
    ]
    return Dashboard(
        days=[(day, per_day.get(day, 0)) for day in day_list],
        actions={key: actions.get(key, 0) for key in ("answer", "clarify", "handoff", "unanswered")},
        total=len(logs),
        top_items=items.most_common(10),
        top_groups=review_queue(session=session, state="open")[:10],
        satisfaction=satisfaction,
        hours=[(hour, per_hour.get(hour, 0)) for hour in range(24)],
        stale=sorted(stale, key=lambda item: (check_due(item, stale_days=stale_days), item.code)),
    )
