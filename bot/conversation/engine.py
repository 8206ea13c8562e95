"""respond(): one citizen message in, one reply out: answer, ask, or hand off to people.

No HTTP here (WeRoBot-style): ``bot.wechat.protocol`` makes the :class:`Message`, this module decides the
:class:`Reply`, and ``guidebot ask/chat`` and the tests call :func:`respond` directly.

A citizen's state between messages (in the :class:`~bot.conversation.state.StateStore`, under the openid):
``turn`` (the matcher's Turn: last item, pending candidates, field, topic), ``situation`` (an item
waiting for "which situation?"), ``pages`` (the rest of a long answer, one per "1"), ``streak``
(unanswered questions in a row) and ``rated`` (the item a "评价 N" refers to).

Menu keys (``CLICK`` events): ``ITEM:<code>`` answers that item, ``HUMAN`` hands off to people,
``COMMON`` lists the most asked items by number. Other keys get the help text.
"""

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.conversation import answers, consent
from bot.conversation.hours import CHINA, HoursError, Schedule, describe_opening, parse_hours
from bot.conversation.knowledge import Knowledge, KnowledgeSource, common_codes
from bot.conversation.messages import Message, Reply
from bot.conversation.records import MemoryRecorder, Question, Recorder
from bot.conversation.state import MemoryStore, StateStore
from bot.matching.decision import Decision, Turn
from bot.matching.normalize import to_halfwidth
from knowledge.schema import Item, Situation

log = logging.getLogger(__name__)

_RATING = re.compile(r"^(?:评价|打分|评分|满意度)\s*[:：]?\s*(\d+)\s*(?:分|星)?$")
_MORE = {"1", "更多", "下一页", "继续", "完整清单", "完整材料清单"}
_SITUATION_SPLIT = re.compile(r"[（）()、，,；;/及和或的]+")
#: Reasons that count as "unanswered": the second in a row goes to people.
_UNANSWERED = {"out_of_scope"}
#: Reasons that go to people at once.
_HANDOFF_NOW = {"human", "complaint", "low_confidence"}

EXAMPLES = "比如“身份证丢了怎么补办”“社保卡在哪办”"
HELP = f"您好，请直接用文字描述要办理的事项，{EXAMPLES}。回复“人工”联系工作人员。"
NOT_TEXT = f"抱歉，我暂时只能看懂文字消息。请用文字描述您要办理的事项，{EXAMPLES}。"
VOICE_NOT_RECOGNISED = f"抱歉，暂时听不懂语音，请打字提问，{EXAMPLES}。"
NO_CHOICE = f"现在没有待选择的编号。请直接用文字提问，{EXAMPLES}。"
NOT_FOUND = f"抱歉，没有找到与您的问题相关的办事指南。请换个说法再试试，{EXAMPLES}；也可以回复“人工”。"


@dataclass
class Context:
    """What :func:`respond` needs: the knowledge, the state store, the recorder and the clock."""

    knowledge: KnowledgeSource
    store: StateStore = field(default_factory=MemoryStore)
    recorder: Recorder = field(default_factory=MemoryRecorder)
    #: When people answer handoffs: a schedule, "hall" for the hall's own hours, or None for nobody
    #: online (handoffs then give the phone number).
    service_hours: Schedule | str | None = "hall"
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(CHINA)
    #: Where subscription-notification consent is recorded (``bot.conversation.consent``); None keeps none.
    consents: consent.ConsentBook | None = None
    #: A page with the 订阅通知 button, named at handoff so staff can reply after 48 h ("" = none).
    subscribe_page: str = ""


# -- state --------------------------------------------------------------------------------------


def _turn(state: dict[str, Any]) -> Turn | None:
    data = state.get("turn")
    if not data:
        return None
    return Turn(
        item=data.get("item"),
        candidates=tuple(data.get("candidates") or ()),
        field=data.get("field"),
        extra=dict(data.get("extra") or {}),
    )


def _turn_data(turn: Turn) -> dict[str, Any]:
    return {
        "item": turn.item,
        "candidates": list(turn.candidates),
        "field": turn.field,
        "extra": dict(turn.extra),
    }


# -- helpers ------------------------------------------------------------------------------------


def _number(text: str) -> int | None:
    text = text.strip().rstrip("。.").strip()
    return int(text) if text.isdigit() and len(text) <= 2 else None


def _infer_situation(item: Item, text: str, prepare: Callable[[str], str]) -> Situation | None:
    """The one situation the question names itself ("租房落户怎么办", "身份证丢了"), or None.

    Parts of situation names are compared raw and in the matcher's canonical form (丢了 → 遗失).
    """
    if not text:
        return None
    prepared = prepare(text).replace(" ", "")
    found = []
    for situation in item.situations or ():
        for part in _SITUATION_SPLIT.split(situation.name):
            canonical = prepare(part).replace(" ", "") if len(part) >= 2 else ""
            if len(part) >= 2 and (part in text or (len(canonical) >= 2 and canonical in prepared)):
                found.append(situation)
                break
    return found[0] if len(found) == 1 else None


@functools.lru_cache(maxsize=8)
def _hall_hours(text: str) -> Schedule | None:
    try:
        return parse_hours(text)
    except HoursError:
        return None


def _phone(knowledge: Knowledge, item: Item | None = None) -> str:
    return (item.phone if item and item.phone else None) or knowledge.hall.phone or ""


class _Conversation:
    """One message's worth of work; keeps the state dict and saves it at the end."""

    def __init__(self, message: Message, context: Context) -> None:
        self.message, self.context = message, context
        self.knowledge = context.knowledge()
        try:
            self.state: dict[str, Any] = context.store.load(message.openid) or {}
        except Exception:
            # Answering without memory beats not answering: the store may be down for a moment.
            log.exception("cannot load the conversation state for %s", message.log_ref)
            self.state = {}
        self._was_empty = not self.state

    def save(self) -> None:
        if self._was_empty and not self.state:
            return  # nothing stored before, nothing to store now: spare the store a write
        try:
            self.context.store.save(self.message.openid, self.state)
        except Exception:
            log.exception("cannot save the conversation state for %s", self.message.log_ref)

    # -- replies --

    def answer(self, item: Item, field: str | None, situation: Situation | None) -> Reply:
        hall = self.knowledge.hall
        rendered = (
            answers.overview(item, hall, situation)
            if field is None
            else answers.field_answer(item, field, hall, situation)
        )
        self.state["pages"] = list(rendered.pages)
        self.state["rated"] = item.code
        self.state["streak"] = 0
        return Reply.say(rendered.text)

    def answer_or_ask_situation(self, item: Item, field: str | None, text: str) -> Reply:
        if field in (None, "materials") and len(item.situations or ()) >= 2:
            situation = _infer_situation(item, text, self.knowledge.matcher.prepare)
            if situation is None:
                self.state["situation"] = {"item": item.code, "field": field}
                self.state["rated"] = item.code
                self.state["streak"] = 0
                return Reply.say(answers.situation_question(item))
            return self.answer(item, field, situation)
        only = item.situations[0] if field in (None, "materials") and item.situations else None
        return self.answer(item, field, only)

    def handoff(self, reason: str, item: Item | None = None) -> Reply:
        self.state["streak"] = 0
        hours, now = self.hours(), self.context.clock()
        if hours is not None and hours.is_open(now):
            return Reply.transfer()
        phone = _phone(self.knowledge, item)
        lines = []
        if reason == "complaint":
            complaint = self.knowledge.hall.complaint_phone or phone
            lines.append(f"您的意见我们已记录。投诉请拨打 {complaint}。")
        elif reason == "out_of_scope":
            lines.append("抱歉，这个问题我暂时回答不了，已记录下来请工作人员处理。")
        elif reason == "low_confidence":
            lines.append("抱歉，我不太确定您要办理的事项，已记录下来请工作人员处理。")
        else:
            lines.append("好的，为您联系工作人员。")
        if hours is not None:
            opening = hours.next_opening(now)
            when = f"，下次在线时间：{describe_opening(opening)}" if opening else ""
            lines.append(f"现在是非工作时间，人工服务时间为{hours.text}{when}。")
        if phone:
            lines.append(f"着急的话请拨打咨询电话 {phone}。")
        if self.context.subscribe_page:
            page = self.context.subscribe_page
            lines.append(f"如希望工作人员稍后回复您，请打开 {page} 允许接收一次回复通知。")
        return Reply.say(answers.fit("\n".join(lines)))

    def hours(self) -> Schedule | None:
        hours = self.context.service_hours
        if isinstance(hours, Schedule) or hours is None:
            return hours
        return _hall_hours(self.knowledge.hall.hours or "")

    def numbered_items(self, title: str, codes: list[str]) -> Reply:
        items = [item for item in (self.knowledge.item(code) for code in codes) if item is not None]
        self.state["turn"] = _turn_data(Turn(candidates=tuple(item.code for item in items)))
        self.state.pop("pages", None)
        self.state.pop("situation", None)
        return Reply.say(answers.item_list(title, [item.name for item in items]))

    def common(self) -> list[str]:
        try:
            asked = self.context.recorder.most_asked(10)
        except Exception:
            log.exception("cannot read the most asked items")
            asked = []
        return common_codes(self.knowledge, asked)

    # -- text --

    def text(self, text: str) -> Reply:
        text = text.strip()
        if not text:
            return Reply.say(HELP)
        compact = to_halfwidth(text).replace(" ", "")
        rating = _RATING.match(compact)
        if rating:
            return self.rate(int(rating.group(1)))
        number = _number(compact)
        pending = self.state.pop("situation", None)
        if pending and number is not None:
            item = self.knowledge.item(pending["item"])
            situations = (item.situations or []) if item else []
            if item is not None and 0 <= number <= len(situations):
                return self.answer(item, pending["field"], situations[number - 1] if number else None)
        pages = self.state.pop("pages", None)
        if pages and compact in _MORE:
            self.state["pages"] = pages[1:]
            return Reply.say(pages[0])
        turn = _turn(self.state)
        if number is not None and not (turn and turn.candidates):
            return Reply.say(NO_CHOICE)  # a stray number is not a question: no streak, no record
        return self.decide(text)

    def decide(self, text: str) -> Reply:
        matcher = self.knowledge.matcher
        previous = _turn(self.state)
        decision = matcher.decide(text, previous)
        try:
            self.context.recorder.question(Question(self.message.openid, text, decision, self.message.msg_id))
        except Exception:
            log.exception("cannot record the question of %s", self.message.log_ref)
        self.state["turn"] = _turn_data(matcher.turn_after(text, decision, previous))
        return self.act(decision, text)

    def act(self, decision: Decision, text: str) -> Reply:
        if decision.action == "answer" and decision.item:
            item = self.knowledge.item(decision.item)
            if item is not None:
                return self.answer_or_ask_situation(item, decision.field, text)
        if decision.action == "clarify" and decision.candidates:
            names = [item.name for item in map(self.knowledge.item, decision.candidates) if item is not None]
            self.state["streak"] = 0
            return Reply.say(answers.clarify_question(names))
        if decision.reason == "empty":
            return Reply.say(HELP)
        if decision.reason in _UNANSWERED:
            streak = int(self.state.get("streak", 0)) + 1
            if streak < 2:
                self.state["streak"] = streak
                return Reply.say(NOT_FOUND)
        previous = _turn(self.state)
        item = self.knowledge.item(previous.item) if previous and previous.item else None
        return self.handoff(decision.reason, item)

    def rate(self, score: int) -> Reply:
        code = self.state.get("rated")
        if not 1 <= score <= 5:
            return Reply.say("请回复“评价”加1到5的数字，例如“评价 5”（5分最满意）。")
        if not code:
            return Reply.say("请在收到办事解答后再评价，例如回复“评价 5”。")
        self.context.recorder.rating(item_code=code, score=score, openid=self.message.openid)
        self.state.pop("rated", None)
        return Reply.say("感谢您的评价！" + ("我们会继续改进。" if score <= 3 else "祝您办事顺利。"))

    # -- events --

    def event(self) -> Reply:
        event, key = self.message.event or "", self.message.event_key or ""
        if event in ("subscribe", "subscribe_scan"):
            title = f"您好，欢迎关注{self.knowledge.hall.name}！\n{HELP}\n常办事项（回复数字查看）："
            return self.numbered_items(title, self.common())
        if event == "click":
            if key.startswith("ITEM:"):
                item = self.knowledge.item(key[len("ITEM:") :])
                if item is not None:
                    self.state.pop("situation", None)
                    self.state["turn"] = _turn_data(Turn(item=item.code))
                    return self.answer_or_ask_situation(item, None, "")
            if key == "HUMAN":
                return self.handoff("human")
            if key == "COMMON":
                return self.numbered_items("常办事项（回复数字查看）：", self.common())
            return Reply.say(HELP)
        return Reply.nothing()


def respond(message: Message, context: Context) -> Reply:
    """The reply to one citizen message or event (state is loaded and saved here)."""
    if message.kind == "event" and message.event == "unsubscribe":
        context.store.forget(message.openid)
        return Reply.nothing()
    if message.kind == "event" and message.event in consent.EVENTS:
        return consent.handle(message, context.consents)
    if message.kind in ("image", "video", "location", "link"):
        return Reply.say(NOT_TEXT)
    if message.kind == "unknown":
        return Reply.nothing()
    if message.kind == "voice" and not message.recognition:
        return Reply.say(VOICE_NOT_RECOGNISED)
    conversation = _Conversation(message, context)
    if message.kind == "event":
        reply = conversation.event()
    else:
        text = message.recognition if message.kind == "voice" else message.text
        reply = conversation.text(text or "")
    conversation.save()
    return reply
