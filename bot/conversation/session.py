"""One citizen's conversation while a message is answered: the context it runs in, the state it keeps.

:class:`Context` is what :func:`bot.conversation.engine.respond` needs (knowledge, state store, recorder,
clock, calendar); :class:`Session` loads the citizen's state, keeps it while the message is answered and
saves it at the end. The reply logic builds on it in layers: ``itemturn`` (answers about one item),
``pending`` (numbered questions) and ``engine`` (reading a message).

State kept under the openid: ``turn`` (the matcher's Turn), ``pending`` (a numbered question: item codes or
situation names), ``situation`` (the situation of the item under discussion), ``pages`` (the rest of a long
answer, one per "1"), ``streak`` (unanswered questions in a row), ``rated`` (the item a "评价 N" refers
to) and ``told`` (the citizen's last messages, masked, for the situations they tell).
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.conversation import consent
from bot.conversation.holidays import Calendar
from bot.conversation.hours import CHINA, HoursError, Schedule, parse_hours
from bot.conversation.knowledge import Knowledge, KnowledgeSource
from bot.conversation.messages import Message, Reply
from bot.conversation.records import MemoryRecorder, Question, Recorder
from bot.conversation.state import MemoryStore, StateStore
from bot.matching.decision import Decision, Turn
from bot.matching.pii import mask_personal_data
from knowledge.schema import Item, Situation

log = logging.getLogger(__name__)

#: Earlier messages kept for the situations they tell, and how much of each.
TOLD_KEPT = 5
TOLD_CHARS = 200
#: Items answered about that a conversation keeps, for 刚才那个… (latest first).
SEEN_KEPT = 4

EXAMPLES = "比如“身份证丢了怎么补办”“社保卡在哪办”"
HELP = f"您好，请直接用文字描述要办理的事项，{EXAMPLES}。回复“人工”联系工作人员。"


@dataclass
class Context:
    """What :func:`~bot.conversation.engine.respond` needs: the knowledge, the state store, the recorder and
    the clock."""

    knowledge: KnowledgeSource
    store: StateStore = field(default_factory=MemoryStore)
    recorder: Recorder = field(default_factory=MemoryRecorder)
    #: When people answer handoffs: a schedule, "hall" for the hall's own hours, or None for nobody
    #: online (handoffs then give the phone number).
    service_hours: Schedule | str | None = "hall"
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(CHINA)
    #: Public holidays and make-up working days (``bot.conversation.holidays``); None: weekdays only.
    calendar: Calendar | None = None
    #: Where subscription-notification consent is recorded (``bot.conversation.consent``); None keeps none.
    consents: consent.ConsentBook | None = None
    #: A page with the 订阅通知 button, named at handoff so staff can reply after 48 h ("" = none).
    subscribe_page: str = ""


def turn_of(state: dict[str, Any]) -> Turn | None:
    """The matcher's Turn kept in a citizen's state, or None."""
    data = state.get("turn")
    if not data:
        return None
    return Turn(
        item=data.get("item"),
        candidates=tuple(data.get("candidates") or ()),
        field=data.get("field"),
        extra=dict(data.get("extra") or {}),
    )


def turn_data(turn: Turn) -> dict[str, Any]:
    """A Turn as kept in the state (JSON)."""
    return {
        "item": turn.item,
        "candidates": list(turn.candidates),
        "field": turn.field,
        "extra": dict(turn.extra),
    }


def schedule_of(text: str, calendar: Calendar | None) -> Schedule | None:
    """Opening hours as a schedule, or None when they cannot be read."""
    try:
        return parse_hours(text).with_calendar(calendar)
    except HoursError:
        return None


class Session:
    """One message's worth of work; keeps the state dict and saves it at the end."""

    def __init__(self, message: Message, context: Context) -> None:
        self.message, self.context = message, context
        self.knowledge: Knowledge = context.knowledge()
        self.hall = self.knowledge.hall
        self.now = context.clock()
        try:
            self.state: dict[str, Any] = context.store.load(message.openid) or {}
        except Exception:
            # Answering without memory beats not answering: the store may be down for a moment.
            log.exception("cannot load the conversation state for %s", message.log_ref)
            self.state = {}
        self._was_empty = not self.state

    def save(self) -> None:
        """Store the state (not when there was none and is none: a greeting costs the store nothing)."""
        if self._was_empty and not self.state:
            return  # nothing stored before, nothing to store now: spare the store a write
        try:
            self.context.store.save(self.message.openid, self.state)
        except Exception:
            log.exception("cannot save the conversation state for %s", self.message.log_ref)

    def saw(self, reply: Reply) -> None:
        """Keep the item a reply answered about among the last SEEN_KEPT (latest first)."""
        if reply.action == "answer" and reply.item:
            seen = [str(code) for code in self.state.get("seen") or () if code != reply.item]
            self.state["seen"] = [reply.item, *seen][:SEEN_KEPT]

    def current_item(self) -> Item | None:
        """The item of the last answer, or None."""
        turn = turn_of(self.state)
        return self.knowledge.item(turn.item) if turn and turn.item else None

    def current_situation(self, item: Item) -> Situation | None:
        """The situation of ``item`` told or chosen earlier in the conversation, or None."""
        kept = self.state.get("situation") or {}
        if kept.get("item") != item.code:
            return None
        return next((s for s in item.situations or () if s.name == kept.get("name")), None)

    def remember_told(self, text: str) -> None:
        """Keep what the citizen told (masked, short), for the situations of items asked about later: 我爸爸
        上个月走了 still holds when 他公积金我们当子女的咋个取 comes next."""
        told = [*(self.state.get("told") or []), mask_personal_data(text)[:TOLD_CHARS]]
        self.state["told"] = told[-TOLD_KEPT:]

    def earlier_told(self) -> str:
        """The citizen's earlier messages, joined (the message being answered not among them)."""
        return " ".join((self.state.get("told") or [])[:-1])

    def topic_extra(self) -> dict[str, Any]:
        """What the matcher remembers of the topic (``Turn.extra``), carried into the next turn."""
        turn = turn_of(self.state)
        return dict(turn.extra) if turn else {}

    def record(self, text: str, decision: Decision) -> None:
        """The question and what the matcher decided, for the administrators' review (never fails)."""
        try:
            self.context.recorder.question(Question(self.message.openid, text, decision, self.message.msg_id))
        except Exception:
            log.exception("cannot record the question of %s", self.message.log_ref)

    def field_of(self, text: str) -> str | None:
        """The field a message asks about (fee, location…), or None for the whole item."""
        return self.knowledge.matcher.surface(text).field
