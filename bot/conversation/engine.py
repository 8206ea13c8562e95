"""respond(): one citizen message in, one reply out, with what it did (answer / clarify / handoff / hall /
smalltalk).

No HTTP here (WeRoBot-style): ``bot.wechat.protocol`` makes the :class:`Message`, this module decides the
:class:`Reply`, and ``guidebot ask/chat/converse`` and the tests call :func:`respond` directly.

A message is read in this order: a rating or "1" for the next page; 人工 and 投诉; an emergency; an answer to
the pending numbered question (a number, or the option's words); thanks, greetings and English; a question
about the hall itself; otherwise the matcher decides (with the previous turn, for follow-ups). A side
question (the hall's hours, thanks) is answered without losing a pending numbered question.

A citizen's state between messages (in the :class:`~bot.conversation.state.StateStore`, under the openid):
``turn`` (the matcher's Turn), ``pending`` (a numbered question: item codes or situation names), ``situation``
(the situation of the item under discussion), ``pages`` (the rest of a long answer, one per "1"), ``streak``
(unanswered questions in a row) and ``rated`` (the item a "评价 N" refers to).

Menu keys (``CLICK`` events): ``ITEM:<code>`` answers that item, ``HUMAN`` hands off to people,
``COMMON`` lists the most asked items by number. Other keys get the help text.
"""

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.conversation import answers, choices, consent, details, handoff, itemreply, smalltalk
from bot.conversation.hall import Ask, day_asked, hall_question
from bot.conversation.hallreply import hall_reply
from bot.conversation.holidays import Calendar
from bot.conversation.hours import CHINA, HoursError, Schedule, parse_hours
from bot.conversation.knowledge import Knowledge, KnowledgeSource, common_codes
from bot.conversation.messages import Message, Reply
from bot.conversation.records import MemoryRecorder, Question, Recorder
from bot.conversation.state import MemoryStore, StateStore
from bot.matching.decision import Decision, Turn
from bot.matching.normalize import normalize, to_halfwidth
from bot.matching.options import by_hint, by_words
from bot.matching.pii import mask_personal_data
from knowledge.schema import Item, Situation

log = logging.getLogger(__name__)

_RATING = re.compile(r"^(?:评价|打分|评分|满意度)\s*[:：]?\s*(\d+)\s*(?:分|星)?$")
_MORE = {"1", "更多", "下一页", "继续", "完整清单", "完整材料清单"}
#: Reasons that count as "unanswered": the second in a row goes to people.
_UNANSWERED = {"out_of_scope", "low_confidence", "empty"}
#: Asks about opening times: an item with its own hours answers them itself.
_HOURS_ASKS = {Ask.HOURS, Ask.OPEN, Ask.LUNCH, Ask.HOLIDAYS}
#: Field questions about a day ("今天能办不", "周六开门吗") are answered from the hours.
_DAY_FIELDS = {None, "conditions", "hours", "online"}

EXAMPLES = "比如“身份证丢了怎么补办”“社保卡在哪办”"
HELP = f"您好，请直接用文字描述要办理的事项，{EXAMPLES}。回复“人工”联系工作人员。"
NOT_TEXT = f"抱歉，我暂时只能看懂文字消息。请用文字描述您要办理的事项，{EXAMPLES}。"
VOICE_NOT_RECOGNISED = f"抱歉，暂时听不懂语音，请打字提问，{EXAMPLES}。"
#: Characters of the message before a numbered question kept with it (a story's situation is near its ask).
STORY_KEPT = 200
NO_CHOICE = f"现在没有待选择的编号。请直接用文字提问，{EXAMPLES}。"


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
    #: Public holidays and make-up working days (``bot.conversation.holidays``); None: weekdays only.
    calendar: Calendar | None = None
    #: Where subscription-notification consent is recorded (``bot.conversation.consent``); None keeps none.
    consents: consent.ConsentBook | None = None
    #: A page with the 订阅通知 button, named at handoff so staff can reply after 48 h ("" = none).
    subscribe_page: str = ""


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


def _schedule(text: str, calendar: Calendar | None) -> Schedule | None:
    try:
        return parse_hours(text).with_calendar(calendar)
    except HoursError:
        return None


class _Conversation:
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
        if self._was_empty and not self.state:
            return  # nothing stored before, nothing to store now: spare the store a write
        try:
            self.context.store.save(self.message.openid, self.state)
        except Exception:
            log.exception("cannot save the conversation state for %s", self.message.log_ref)

    # -- the item under discussion --

    def current_item(self) -> Item | None:
        turn = _turn(self.state)
        return self.knowledge.item(turn.item) if turn and turn.item else None

    def current_situation(self, item: Item) -> Situation | None:
        kept = self.state.get("situation") or {}
        if kept.get("item") != item.code:
            return None
        return next((s for s in item.situations or () if s.name == kept.get("name")), None)

    # -- replies --

    def answer_item(self, item: Item, field: str | None, text: str, *, fresh: bool, story: str = "") -> Reply:
        """About ``item``: the situation from the story, an FAQ or item sentence first, then the field or
        the one-trip block. ``fresh``: the first answer about this item (the one-trip block is due);
        ``story``: what the citizen told before a numbered question, read for the situation too."""
        if field == "materials":
            field = None  # 要带什么 gets the whole one-trip block, materials first
        matcher = self.knowledge.matcher
        normal = normalize(matcher.reader.read(text)) if text else ""
        passages = details.passages_for(matcher, item, normal)
        situation = details.situation_from_story(matcher, item, text, passages) if text else None
        if situation is None and story:
            told = details.passages_for(matcher, item, normalize(matcher.reader.read(story)))
            situation = details.situation_from_story(matcher, item, story, told)
        if situation is None:
            situation = self.current_situation(item)
        if situation is not None:
            if field == "conditions" and situation != self.current_situation(item):
                field = None  # "能让我老公去办吗" tells a situation: what that situation takes, in full
            self.state["situation"] = {"item": item.code, "name": situation.name}
        else:
            self.state.pop("situation", None)
        entry = details.faq_for(item, text, field, passages) if text else None
        lead = itemreply.faq_lead(entry) if entry else None
        if lead is None and text and not fresh and field is None:
            lead = itemreply.best_sentence(item, text, situation)
        day_answer = self.day_answer(item, text, field, fresh=fresh)
        if isinstance(day_answer, Reply):
            return day_answer
        if day_answer is not None and lead is None:
            lead, field = (
                day_answer,
                None,
            )  # "今天可以办护照吗", first time: that day, then the one-trip block
        open_situations = (
            list(item.situations or ()) if situation is None and field in (None, "materials") else []
        )
        if len(open_situations) >= 2:
            self.state["pending"] = {
                "kind": "situations",
                "item": item.code,
                "options": [s.name for s in open_situations],
                "field": field,
            }
        else:
            open_situations = []
            self.state.pop("pending", None)
        full = fresh or field is None and lead is None
        rendered = itemreply.compose(
            item,
            self.hall,
            field=field,
            situation=situation,
            lead=lead,
            full=full,
            open_situations=open_situations,
        )
        self.state["pages"] = list(rendered.pages)
        self.state["rated"] = item.code
        self.state["streak"] = 0
        self.state["turn"] = _turn_data(Turn(item=item.code, field=field, extra=self._topic()))
        choices_ = tuple(s.name for s in open_situations)
        return Reply.say(
            rendered.text,
            "answer",
            item=item.code,
            field=field,
            situation=situation.name if situation else None,
            choices=choices_,
        )

    def _topic(self) -> dict[str, Any]:
        turn = _turn(self.state)
        return dict(turn.extra) if turn else {}

    def day_answer(
        self, item: Item, text: str, field: str | None, *, fresh: bool = False
    ) -> Reply | str | None:
        """A question about a day ("今天能办不", "周六开门吗") about ``item``: its hours that day; on a first
        answer only the line (the one-trip block follows it)."""
        if not text or field not in _DAY_FIELDS:
            return None
        asked = hall_question(text, self.hall.name) or day_asked(text)
        if asked is None or not asked.days:
            return None
        body = hall_reply(asked, self.hall, self.now, self.context.calendar, item=item)
        if fresh:
            return body
        text_ = f"【{item.name}】\n{body}"
        self.state["turn"] = _turn_data(Turn(item=item.code, field="hours", extra=self._topic()))
        return Reply.say(answers.fit(text_), "answer", item=item.code, field="hours")

    def day_lead(self, text: str, decision: Decision) -> str | None:
        """For a numbered question on a message that asks about a day ("现在能去办社保卡吗"): the hall's
        hours that day, said first, when no offered item keeps hours of its own."""
        asked = day_asked(text)
        offered = [self.knowledge.item(code) for code in decision.candidates]
        if asked is None or any(item is None or item.hours for item in offered):
            return None
        return hall_reply(asked, self.hall, self.now, self.context.calendar)

    def clarify(
        self, codes: tuple[str, ...], field: str | None, story: str = "", lead: str | None = None
    ) -> Reply:
        """A numbered question (after ``lead``, what is already certain); the message that led to it is kept
        (masked) so that the situation it told (被偷了, 卖家房贷没还完) is not asked again once the citizen
        picks."""
        items = [item for item in (self.knowledge.item(code) for code in codes) if item is not None]
        self.state["pending"] = {"kind": "items", "options": [i.code for i in items], "field": field}
        if story:
            self.state["pending"]["story"] = mask_personal_data(story)[:STORY_KEPT]
        self.state["streak"] = 0
        self.state.pop("pages", None)
        question = answers.clarify_question([item.name for item in items])
        return Reply.say(
            answers.fit(f"{lead}\n\n{question}") if lead else question,
            "clarify",
            choices=tuple(item.code for item in items),
            field=field,
        )

    def out_of_range(self, pending: dict[str, Any], number: int) -> Reply:
        options = list(pending["options"])
        names = (
            options
            if pending["kind"] == "situations"
            else [item.name for item in (self.knowledge.item(c) for c in options) if item is not None]
        )
        lines = [f"没有第{number}项，请回复1–{len(options)}中的数字："]
        lines += [f"{n}. {name}" for n, name in enumerate(names, 1)]
        return Reply.say(
            answers.fit("\n".join(lines)), "clarify", choices=tuple(options), field=pending.get("field")
        )

    def choose(self, pending: dict[str, Any], index: int, text: str) -> Reply:
        self.state.pop("pending", None)
        option = pending["options"][index]
        if pending["kind"] == "situations":
            item = self.knowledge.item(pending["item"])
            if item is None:
                return Reply.say(HELP, "smalltalk")
            self.state["situation"] = {"item": item.code, "name": option}
            situation = self.current_situation(item)
            # A number keeps the question's field; words settle the situation and ask their own (or all).
            field = pending.get("field") if choices.number_in(text, 99) else self._field_of(text)
            if field == "materials":
                field = None
            rendered = itemreply.compose(item, self.hall, field=field, situation=situation)
            self.state["pages"] = list(rendered.pages)
            self.state["turn"] = _turn_data(Turn(item=item.code, field=field, extra=self._topic()))
            return Reply.say(rendered.text, "answer", item=item.code, field=field, situation=option)
        item = self.knowledge.item(option)
        if item is None:
            return Reply.say(HELP, "smalltalk")
        by_number = choices.number_in(text, 99) is not None
        # Words that settle the choice may ask a field of their own (那补一个要多少钱): theirs comes first.
        field = pending.get("field") if by_number else self._field_of(text) or pending.get("field")
        self._record(text, Decision("answer", item=item.code, field=field, score=1.0, reason="picked"))
        return self.answer_item(
            item,
            field,
            text if not by_number else "",
            fresh=True,
            story=str(pending.get("story") or ""),
        )

    def handoff(self, reason: str, item: Item | None = None) -> Reply:
        """To people: a transfer with a visible notice in service hours, else when they are back and whom to
        call; the text is never empty."""
        self.state["streak"] = 0
        schedule = self.service_schedule()
        online = schedule is not None and schedule.is_open(self.now)
        text = handoff.handoff_text(
            reason,
            self.hall,
            self.now,
            item=item,
            service=schedule,
            calendar=self.context.calendar,
            online=online,
        )
        if self.context.subscribe_page and not online:
            page = self.context.subscribe_page
            text = answers.fit(f"{text}\n如希望工作人员稍后回复您，请打开 {page} 允许接收一次回复通知。")
        if online and reason in ("human", "complaint", "unanswered", "low_confidence"):
            return Reply.transfer(text, reason=reason)
        return Reply.say(text, "handoff", reason=reason)

    def service_schedule(self) -> Schedule | None:
        hours = self.context.service_hours
        if isinstance(hours, Schedule):
            return hours.with_calendar(self.context.calendar)
        if hours is None:
            return None
        return _schedule(self.hall.hours or "", self.context.calendar)

    def numbered_items(self, title: str, codes: list[str]) -> Reply:
        items = [item for item in (self.knowledge.item(code) for code in codes) if item is not None]
        self.state["pending"] = {"kind": "items", "options": [i.code for i in items], "field": None}
        self.state.pop("pages", None)
        text = answers.item_list(title, [item.name for item in items])
        return Reply.say(text, "smalltalk", choices=tuple(i.code for i in items))

    def common(self) -> list[str]:
        try:
            asked = self.context.recorder.most_asked(10)
        except Exception:
            log.exception("cannot read the most asked items")
            asked = []
        return common_codes(self.knowledge, asked)

    def _record(self, text: str, decision: Decision) -> None:
        try:
            self.context.recorder.question(Question(self.message.openid, text, decision, self.message.msg_id))
        except Exception:
            log.exception("cannot record the question of %s", self.message.log_ref)

    # -- text --

    def text(self, raw: str) -> Reply:
        text = raw.strip()
        if not text:
            return Reply.say(HELP, "smalltalk")
        compact = to_halfwidth(text).replace(" ", "")
        rating = _RATING.match(compact)
        if rating:
            return self.rate(int(rating.group(1)))
        pages = self.state.get("pages")
        if pages and compact in _MORE and not self.state.get("pending"):
            self.state["pages"] = pages[1:]
            return Reply.say(pages[0], "answer", item=self.state.get("rated"))
        matcher = self.knowledge.matcher
        surface = matcher.surface(text)
        asked = hall_question(text, self.hall.name)
        if asked is not None and Ask.COMPLAINT in asked.asks:
            return Reply.say(hall_reply(asked, self.hall, self.now, self.context.calendar), "hall")
        if surface.human or surface.complaint:
            wanted = Decision("handoff", reason="complaint" if surface.complaint else "human")
            self._record(text, wanted)
            return self.handoff(wanted.reason, self.named_or_current(text))
        talk = smalltalk.classify(text)
        if talk is not None and talk.kind is smalltalk.Kind.EMERGENCY:
            return Reply.say(smalltalk.reply(talk, self.hall), "smalltalk")
        pending = self.state.get("pending")
        if pending:
            number = choices.number_in(text, len(pending["options"]))
            if number is not None and number.index is not None:
                return self.choose(pending, number.index, text)
            if number is not None and number.out_of_range is not None:
                return self.out_of_range(pending, number.out_of_range)
        if talk is not None:
            return Reply.say(smalltalk.reply(talk, self.hall), "smalltalk")
        if not pending and choices.number_in(text, 99) is not None:
            return Reply.say(NO_CHOICE, "smalltalk")  # a stray number is not a question: no record
        if asked is None and self.names_no_service(text):
            talk = smalltalk.loose(text)
            if talk is not None:
                return Reply.say(smalltalk.reply(talk, self.hall), "smalltalk")
            if self.current_item() is None:  # beside an item, the matcher's follow-up reads other words
                asked = hall_question(text, self.hall.name, loose=True)
        if asked is not None:
            reply = self.hall_or_item(asked, text)
            if reply is not None:
                return reply
        if pending:
            settled = self.settle(pending, text)
            if settled is not None:
                return settled
        return self.decide(text)

    def named_or_current(self, text: str) -> Item | None:
        """The item a request for a person names (kept as the topic: the citizen may go on asking about it
        while waiting), else the item under discussion."""
        named = self.knowledge.matcher.named_in_request(text)
        item = self.knowledge.item(named.item) if named.action == "answer" and named.item else None
        if item is None:
            return self.current_item()
        self.state.pop("pending", None)
        self.state["turn"] = _turn_data(
            Turn(item=item.code, extra={"topic": self.knowledge.matcher.prepare(text)})
        )
        return item

    def on_topic(self, text: str) -> Item | None:
        """The item under discussion when ``text`` tells one of its situations or asks one of its FAQ
        entries (证还没过期，就是签注用完了; 卡坏了刷不出来呢) though it names no item itself."""
        item = self.current_item()
        return item if item is not None and self._tells_of(item, text) else None

    def told_of_one(self, codes: list[str], text: str) -> int | None:
        """The one offered item whose situation the message tells or whose FAQ it asks (我老婆也有公积金，
        能一起取吗 → the one with 配偶一并提取), or None when none or several fit."""
        items = [self.knowledge.item(code) for code in codes]
        fitting = [i for i, item in enumerate(items) if item is not None and self._tells_of(item, text)]
        return fitting[0] if len(fitting) == 1 else None

    def _tells_of(self, item: Item, text: str) -> bool:
        """Whether ``text`` tells one of ``item``'s situations or asks one of its FAQ entries."""
        matcher = self.knowledge.matcher
        passages = details.passages_for(matcher, item, normalize(matcher.reader.read(text)))
        if details.situation_from_story(matcher, item, text, passages) is not None:
            return True
        return details.faq_for(item, text, self._field_of(text), passages) is not None

    def _field_of(self, text: str) -> str | None:
        return self.knowledge.matcher.surface(text).field

    def names_no_service(self, text: str) -> bool:
        """True when the matcher finds no service in ``text`` alone (no answer, no numbered question)."""
        return self.knowledge.matcher.decide(text, None).action == "handoff"

    def hall_or_item(self, asked: Any, text: str) -> Reply | None:
        """A hall question: about the item under discussion when it does not name the hall (the matcher's
        follow-up answers it), or when the item keeps its own hours; else about the hall."""
        item = self.current_item()
        pending = self.state.get("pending") or {}
        if item is not None and pending.get("kind") != "items":
            if not asked.names_hall:
                return None  # "几点上班" after an answer: the matcher's follow-up answers it for the item
            if item.hours and set(asked.asks) <= _HOURS_ASKS:
                body = hall_reply(asked, self.hall, self.now, self.context.calendar, item=item)
                self.state["turn"] = _turn_data(Turn(item=item.code, field="hours", extra=self._topic()))
                return Reply.say(
                    answers.fit(f"【{item.name}】\n{body}"), "answer", item=item.code, field="hours"
                )
        body = hall_reply(asked, self.hall, self.now, self.context.calendar)
        return Reply.say(body, "hall")

    def settle(self, pending: dict[str, Any], text: str) -> Reply | None:
        """A message that answers the pending numbered question in words, or None."""
        matcher = self.knowledge.matcher
        options = list(pending["options"])
        normal = normalize(matcher.reader.read(text))
        if pending["kind"] == "items":
            positions = [matcher.position[c] for c in options if c in matcher.position]
            names = [matcher.names[p] for p in positions]
            # The option's own words (租赁住房的, 退休了), the story before the question breaking a tie.
            index = by_words(text, names, story=str(pending.get("story") or ""))
            if index is None:
                fresh = matcher.decide(text, None)
                if fresh.action == "answer" and fresh.item not in options:
                    return None  # a new question about another item
                scores = matcher.semantic_scores(normal)
                semantic = [float(scores[p]) for p in positions] if scores is not None else None
                index = by_hint(text, names, semantic)
                if index is None and fresh.action == "answer" and fresh.item in options:
                    index = options.index(fresh.item)
                if index is None:
                    index = self.told_of_one(options, text)
        else:
            item = self.knowledge.item(pending["item"])
            if item is None:
                return None
            topic = details.topic_words(item)
            index = by_words(text, options, topic)
            if index is None:
                fresh = matcher.decide(text, None)
                if fresh.action == "answer" and fresh.item != item.code:
                    return None
                passages = details.passages_for(matcher, item, normal)
                found = [passages.get(f"{item.name}：{name}") for name in options]
                semantic = [float(s) for s in found if s is not None] if all(found) else None
                index = by_hint(text, options, semantic, topic)
        if index is None:
            return None
        return self.choose(pending, index, text)

    def decide(self, text: str) -> Reply:
        matcher = self.knowledge.matcher
        previous = _turn(self.state)
        decision = matcher.decide(text, previous)
        self._record(text, decision)
        turn = matcher.turn_after(text, decision, previous)
        if decision.action == "answer" and decision.item:
            item = self.knowledge.item(decision.item)
            if item is not None:
                fresh = not (previous and previous.item == item.code)
                reply = self.answer_item(item, decision.field, text, fresh=fresh)
                self.state["turn"] = _turn_data(turn)
                return reply
        if decision.action == "handoff" and decision.reason in _UNANSWERED:
            item = self.on_topic(text)
            if item is not None:
                # A follow-up in the item's own terms: stay on the item rather than hand off.
                return self.answer_item(item, decision.field, text, fresh=False)
        self.state["turn"] = _turn_data(turn)
        if decision.action == "clarify" and decision.candidates:
            return self.clarify(
                decision.candidates, decision.field, story=text, lead=self.day_lead(text, decision)
            )
        if decision.reason in _UNANSWERED:
            streak = int(self.state.get("streak", 0)) + 1
            if streak < 2:
                self.state["streak"] = streak
                text_ = handoff.out_of_scope_text(self.hall, self.now, calendar=self.context.calendar)
                return Reply.say(text_, "handoff", reason=decision.reason)
            return self.handoff("low_confidence", self.current_item())
        return self.handoff(decision.reason, self.current_item())

    def rate(self, score: int) -> Reply:
        code = self.state.get("rated")
        if not 1 <= score <= 5:
            return Reply.say("请回复“评价”加1到5的数字，例如“评价 5”（5分最满意）。", "smalltalk")
        if not code:
            return Reply.say("请在收到办事解答后再评价，例如回复“评价 5”。", "smalltalk")
        self.context.recorder.rating(item_code=code, score=score, openid=self.message.openid)
        self.state.pop("rated", None)
        return Reply.say(
            "感谢您的评价！" + ("我们会继续改进。" if score <= 3 else "祝您办事顺利。"), "smalltalk"
        )

    # -- events --

    def event(self) -> Reply:
        event, key = self.message.event or "", self.message.event_key or ""
        if event in ("subscribe", "subscribe_scan"):
            title = f"您好，欢迎关注{self.hall.name}！\n{HELP}\n常办事项（回复数字查看）："
            return self.numbered_items(title, self.common())
        if event == "click":
            if key.startswith("ITEM:"):
                item = self.knowledge.item(key[len("ITEM:") :])
                if item is not None:
                    self.state.pop("pending", None)
                    return self.answer_item(item, None, "", fresh=True)
            if key == "HUMAN":
                return self.handoff("human")
            if key == "COMMON":
                return self.numbered_items("常办事项（回复数字查看）：", self.common())
            return Reply.say(HELP, "smalltalk")
        return Reply.nothing()


def respond(message: Message, context: Context) -> Reply:
    """The reply to one citizen message or event (state is loaded and saved here)."""
    if message.kind == "event" and message.event == "unsubscribe":
        context.store.forget(message.openid)
        return Reply.nothing()
    if message.kind == "event" and message.event in consent.EVENTS:
        return consent.handle(message, context.consents)
    if message.kind in ("image", "video", "location", "link"):
        return Reply.say(NOT_TEXT, "smalltalk")
    if message.kind == "unknown":
        return Reply.nothing()
    if message.kind == "voice" and not message.recognition:
        return Reply.say(VOICE_NOT_RECOGNISED, "smalltalk")
    conversation = _Conversation(message, context)
    if message.kind == "event":
        reply = conversation.event()
    else:
        reply = conversation.text(message.said)
    conversation.save()
    return reply
