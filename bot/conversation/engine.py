"""respond(): one citizen message in, one reply out, with what it did (answer / clarify / handoff / hall /
smalltalk).

No HTTP here (WeRoBot-style): ``bot.wechat.protocol`` makes the :class:`Message`, this module decides the
:class:`Reply`, and ``guidebot ask/chat/converse`` and the tests call :func:`respond` directly.

A message is read in this order: a rating or "1" for the next page; 人工 and 投诉; an emergency; an answer to
the pending numbered question (a number, or the option's words); thanks, greetings and English; a question
about the hall itself; otherwise the matcher decides (with the previous turn, for follow-ups). A side
question (the hall's hours, thanks) is answered without losing a pending numbered question.

The state kept between messages is described in ``bot.conversation.session``; answers about one item are in
``itemturn``, numbered questions in ``pending``.

Menu keys (``CLICK`` events): ``ITEM:<code>`` answers that item, ``HUMAN`` hands off to people,
``COMMON`` lists the most asked items by number. Other keys get the help text.
"""

import dataclasses
import logging
import re
from typing import Any

from bot.conversation import answers, choices, consent, handoff, itemreply, smalltalk
from bot.conversation.hall import Ask, addresses_hall, day_asked, hall_question
from bot.conversation.hallreply import hall_reply
from bot.conversation.hours import Schedule
from bot.conversation.knowledge import common_codes
from bot.conversation.messages import Message, Reply
from bot.conversation.pending import PendingChoices
from bot.conversation.session import EXAMPLES, HELP, Context, schedule_of, turn_data, turn_of
from bot.matching.decision import Decision, Turn
from bot.matching.fields import asks_another_way, asks_who_goes, fields_asked, without_away
from bot.matching.matcher import BARE_ASK, COMPLAINT_ITEM, CORRECTION, NEW_ERRAND
from bot.matching.normalize import normalize, to_halfwidth
from bot.matching.settled import FIRST_ANSWER_P
from knowledge.schema import Item

__all__ = ["HELP", "NOT_TEXT", "VOICE_NOT_RECOGNISED", "Context", "respond"]

log = logging.getLogger(__name__)

_RATING = re.compile(r"^(?:评价|打分|评分|满意度)\s*[:：]?\s*(\d+)\s*(?:分|星)?$")
_MORE = {"1", "更多", "下一页", "继续", "完整清单", "完整材料清单"}
#: Reasons that count as "unanswered": the second in a row goes to people.
_UNANSWERED = {"out_of_scope", "low_confidence", "empty"}
#: Asks about opening times: an item with its own hours answers them itself.
_HOURS_ASKS = {Ask.HOURS, Ask.OPEN, Ask.LUNCH, Ask.HOLIDAYS}
#: Asks about where: an item handled at an address of its own answers them itself.
_PLACE_ASKS = {Ask.ADDRESS, Ask.ROUTE}
#: What only the hall answers, whatever item is under discussion (有停车的地方不): items keep no parking.
_HALL_ONLY_ASKS = frozenset({Ask.PARKING})
#: An office over there (出入境那边, 那边电话多少): the item's own, not the hall (你们那边 is the hall).
_THERE = re.compile(r"(?<!你们)(?<!您们)(?:那边|那儿|那里)")
#: The hall named outright, not merely spoken to (你们).
_HALL_NOUN = re.compile(r"大厅|中心|之家")
#: Where to do the errand (在哪办, 去哪交), not where the hall is: the item's desk answers.
_ERRAND = re.compile(r"(?:在|去|到)哪[里儿个]?(?:办|交|申请|领|报|递)")

NOT_TEXT = f"抱歉，我暂时只能看懂文字消息。请用文字描述您要办理的事项，{EXAMPLES}。"
VOICE_NOT_RECOGNISED = f"抱歉，暂时听不懂语音，请打字提问，{EXAMPLES}。"
NO_CHOICE = f"现在没有待选择的编号。请直接用文字提问，{EXAMPLES}。"


def _asked_of(part: str, text: str) -> str:
    """The citizen's counted question ``part``, with what ``text`` asks of it beside its ordinal."""
    rest = choices.after_ordinal(text)
    return f"{part}，{rest}" if rest else part


#: Characters of a hall question about a day kept for the next message (周六上午你们开门吗).
HALL_DAY_KEPT = 40


def compact_of(text: str) -> str:
    """``text`` half-width, without spaces (what the turn patterns read)."""
    return to_halfwidth(text).replace(" ", "")


#: Whether the errand can be done here (政务大厅能办不, 你们大厅办得了吗): asked of the errand, not the hours.
_DONE_HERE = re.compile(
    r"(?:能|可以|可不可以|能不能)(?:办|弄|上|交|领|申请)(?:不|吗|么|嘛|没|啊|呀)?$|办得了|办不了"
)
#: What a correction says it is not (不是离婚 → 离婚).
_DENIED = re.compile(r"不是([^，,。]{2,8})")
#: Whether the paper at hand serves elsewhere too (这个证去香港也能用吧, 这张卡外地能用不).
_THIS_PAPER_USED = re.compile(
    r"(?:这个|这张|这本|这)(?:证|卡|本|证件|通行证)\w{0,12}?(?:也|还)?(?:能|可以)(?:用|通用|共用)|"
    r"(?:这个|这张|这本|这)(?:证|卡|本|证件|通行证)\w{0,8}?(?:通用|共用)"
)


class _Conversation(PendingChoices):
    """One message read and answered: the order of :func:`respond`'s docstring."""

    #: The hall question about a day the previous reply answered, if any (set as each text is read).
    hall_day = ""

    def text(self, raw: str) -> Reply:
        text = raw.strip()
        # The day the last reply was about, when it answered the hall's hours (周六? → 护照呢).
        self.hall_day = str(self.state.pop("hall_day", "") or "")
        if not text:
            return Reply.say(HELP, "smalltalk")
        compact = compact_of(text)
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
        complaint = surface.complaint and not self.complaint_errand(text)
        if surface.human or complaint:
            wanted = Decision("handoff", reason="complaint" if complaint else "human")
            self.record(text, wanted)
            return self.handoff(wanted.reason, self.named_or_current(text))
        talk = smalltalk.classify(text)
        pending = self.state.get("pending")
        if talk is not None and talk.kind is smalltalk.Kind.EMERGENCY:
            if (self.current_item() is not None or pending) and smalltalk.theft_told(text):
                talk = None  # 被偷的, after 身份证丢了怎么补办: how the card was lost, not a danger now
            else:
                return Reply.say(smalltalk.reply(talk, self.hall), "smalltalk")
        if pending:
            number = choices.number_in(text, len(pending["options"]))
            # 第二个问题 always counts the citizen's questions; 第二个 beside a list of situations too.
            ordinal = choices.counted_ordinal(text, asked=pending.get("kind") != "situations")
            part = choices.counted_part(self.state.get("told") or [], ordinal) if ordinal else None
            if part is not None and not choices.counted_parts(text):
                # 先说第二个 after 一个是…，一个是…: the citizen's own second question, as the reply said to
                # ask it (回复“第二个”), not the second situation listed beside the first answer.
                return self.decide(_asked_of(part, text))
            if number is not None and number.index is not None:
                return self.choose(pending, number.index, text)
            if number is not None and number.out_of_range is not None:
                return self.out_of_range(pending, number.out_of_range)
        if talk is not None:
            english_hall = talk.kind is smalltalk.Kind.ENGLISH and smalltalk.english_asks_hall(text)
            return Reply.say(smalltalk.reply(talk, self.hall), "hall" if english_hall else "smalltalk")
        own = choices.counted_ordinal(text, asked=True) if not pending else None
        part = choices.counted_part(self.state.get("told") or [], own) if own else None
        if part is not None and not choices.counted_parts(text):
            return self.decide(_asked_of(part, text))  # 第二个问题 after 一个是…，一个是…
        stray = choices.number_in(text, 99) if not pending else None
        if stray is not None:
            part = choices.counted_part(self.state.get("told") or [], (stray.index or 0) + 1)
            if part is not None:
                # 第二个呢 after 我有两个问题第一个…第二个…: that question (and what is asked of it now).
                return self.decide(_asked_of(part, text))
            return Reply.say(NO_CHOICE, "smalltalk")  # a stray number is not a question: no record
        if asked is None and self.names_no_service(text):
            talk = smalltalk.loose(text)
            if talk is not None:
                return Reply.say(smalltalk.reply(talk, self.hall), "smalltalk")
            loose = hall_question(text, self.hall.name, loose=True)
            # Beside an item, the matcher's follow-up reads other words; not when the citizen speaks to the
            # hall itself (你们中午几点休息 我表弟上午要看店, 你们大厅星期六开门不 我周末才放假).
            if self.current_item() is None or (loose is not None and self.speaks_to_hall(loose, text)):
                asked = loose
        if asked is not None:
            reply = self.hall_or_item(asked, text)
            if reply is not None:
                if reply.action == "hall" and asked.days:
                    self.state["hall_day"] = text[:HALL_DAY_KEPT]
                return reply
        # 还有个事，… answers no list; nor does 我说错了，不是离婚，是… under 离婚登记's situations.
        if (
            pending
            and not NEW_ERRAND.match(compact)
            and not self.corrects_current(compact)
            and not self.put_aside(text)
        ):
            settled = self.settle(pending, text)
            if settled is not None:
                return settled
        counted = choices.counted_parts(text)
        if counted:
            # 我有两个问题，第一个…第二个…: the first answered, the way to the next said.
            reply = self.decide(counted[0], whole=text)
            # Beside a numbered list of the first question's options, 第二个 would pick one of them.
            ask = "第二个问题" if reply.action == "clarify" else "第二个"
            return _with_line(reply, f"\n\n您的第二个问题，回复“{ask}”即可查看。")
        reply = self.decide(text)
        still = self.state.get("pending") or {}
        if reply.action == "handoff" and reply.kind != "transfer" and still.get("kind") == "items":
            # A side question the bot cannot answer under a numbered question: the list is still open, and
            # the citizen is told so (behaviour 3: choices stay alive).
            count = len(still.get("options") or ())
            return _with_line(reply, f"\n\n上面列出的事项仍可选择，回复1–{count}中的数字即可。")
        return reply

    def named_or_current(self, text: str) -> Item | None:
        """The item a request for a person names (kept as the topic: the citizen may go on asking about it
        while waiting), else the item under discussion."""
        named = self.knowledge.matcher.named_in_request(text)
        item = self.knowledge.item(named.item) if named.action == "answer" and named.item else None
        if item is None:
            return self.current_item()
        self.state.pop("pending", None)
        self.state["turn"] = turn_data(
            Turn(item=item.code, extra={"topic": self.knowledge.matcher.prepare(text)})
        )
        return item

    def about_current(self, text: str, code: str, *, unasked: bool = False) -> bool:
        """Whether ``text`` asks who may go, or something the record of item ``code`` tells and few others
        do: asked in so many words (a question word), or, ``unasked``, by a word of two characters or more
        either way (契税是多少 after 二手房过户, whose fee text says 契税…另行缴纳)."""
        matcher = self.knowledge.matcher
        normal = normalize(matcher.reader.read(text))
        if asks_who_goes(normal):
            return True  # 卖家人在外地回不来咋办 after 二手房过户: who goes, for this errand
        if code not in matcher.position:
            return False
        if not unasked:
            return matcher.grounded(normal, matcher.prepare(text), code)
        grounded = matcher.records.grounded(matcher.prepare(text), matcher.position[code])
        return any(len(word) >= 2 for word in grounded)

    def complaint_errand(self, text: str) -> bool:
        """Whether ``text`` asks about the errand at hand when that errand is itself a complaint (这个在哪投诉
        after 拖欠工资投诉), or lodges a complaint the hall takes in as an errand: not one about the hall."""
        item = self.current_item()
        if item is not None and bool(COMPLAINT_ITEM.search(item.name)) and bool(fields_asked(text)):
            return True
        # 包工头跑了 工钱拿不到 能在老家投诉吗: a complaint the hall takes in as an errand (农民工欠薪投诉).
        return self.knowledge.matcher.complaint_lodged(text) is not None

    def needed_here(self, text: str, code: str) -> bool:
        """Whether ``text`` asks if something is needed that a material of item ``code`` names."""
        item = self.knowledge.item(code)
        if item is None:
            return False
        normal = normalize(self.knowledge.matcher.reader.read(text))
        return self.needed_line(item, self.current_situation(item), normal) is not None

    def issued_elsewhere(self, text: str, code: str, decision: Decision) -> bool:
        """Whether ``text`` asks where to get a material of item ``code`` whose line says nothing of who
        issues it, and names the errand that does (里面说的租房备案，是在哪备 → 房屋租赁登记备案)."""
        matcher = self.knowledge.matcher
        item = self.knowledge.item(code)
        if item is None or decision.reason != "confident" or not decision.item:
            return False
        normal = normalize(matcher.reader.read(text))
        if itemreply.need_asked(normal) is not None or fields_asked(text) != ["location"]:
            return False
        line = self.needed_line(item, self.current_situation(item), normal, need=False)
        return (
            line is not None
            and not itemreply.names_issuer(line)
            and matcher.mentions_item(text, str(decision.item))
        )

    def names_department(self, text: str, code: str, current: str) -> bool:
        """Whether ``text`` names the office of item ``code`` by words the office of ``current`` lacks
        (税务 of 拿到执照了还要去税务局报到吗, after 公司设立登记 at 市场监督管理局)."""
        item, at_hand = self.knowledge.item(code), self.knowledge.item(current)
        if item is None or at_hand is None or not item.department or not at_hand.department:
            return False
        own = at_hand.department
        office = {item.department[i : i + 2] for i in range(len(item.department) - 1)}
        return any(pair in text and pair not in own for pair in office)

    def told_only_here(self, text: str, code: str, other: str) -> bool:
        """Whether ``text`` asks of a thing that item ``code``'s record tells and ``other``'s does not
        (有几只羊耳标掉了咋整 after 动物检疫, whose record says 补戴耳标), naming nothing of ``other``."""
        matcher = self.knowledge.matcher
        if (
            other not in matcher.position
            or NEW_ERRAND.match(compact_of(text))
            or matcher.mentions_item(text, other)
        ):
            return False
        content = matcher.prepare(text)
        here_text = matcher.records.texts[matcher.position[code]]
        elsewhere = matcher.records.texts[matcher.position[other]]
        here = [w for w in matcher.records.grounded(content, matcher.position[code]) if len(w) >= 2]
        there = [w for w in matcher.records.grounded(content, matcher.position[other]) if len(w) >= 2]
        # Only this record's words: none the other record has that this one lacks (护理补贴 of 两项补贴).
        return any(w not in elsewhere for w in here) and all(w in here_text for w in there)

    def corrects_current(self, compact: str) -> bool:
        """Whether ``compact`` corrects the item under discussion (不是离婚，是… after 离婚登记): what it says
        it is not shares a word with the item's name."""
        corrected = CORRECTION.match(compact)
        item = self.current_item()
        if corrected is None or item is None:
            return False
        denied = _DENIED.search(corrected.group(0))
        said = denied.group(1) if denied else ""
        return any(said[i : i + 2] in item.name for i in range(len(said) - 1))

    def away_said(self, text: str) -> str:
        """``text`` without someone away who cannot come, when it asks who goes or another way."""
        normal = normalize(self.knowledge.matcher.reader.read(text))
        return without_away(normal) if asks_another_way(normal) or asks_who_goes(normal) else text

    def put_aside(self, text: str) -> bool:
        """Whether ``text`` is a question put aside from the one at hand ("by the way") that nothing in the
        catalogue answers (对了 日本签证你们这能办吗 beside 护照's cases: not 签证页即将用完), beside the
        errand at hand or the options offered (``Matcher.put_aside``)."""
        pending = self.state.get("pending") or {}
        current = self.current_item()
        codes = [current.code] if current is not None else list(pending.get("options") or ())
        return self.knowledge.matcher.put_aside(text, codes)

    def on_topic(self, text: str, others: tuple[str, ...] = ()) -> Item | None:
        """The item under discussion when ``text`` tells one of its situations or asks one of its FAQ
        entries (证还没过期，就是签注用完了; 卡坏了刷不出来呢) though it names no item itself; or asks of it
        (who goes, a word its record holds) naming none of ``others`` (the items the matcher found)."""
        item = self.current_item()
        if item is None:
            return None
        if self._tells_of(item, text):
            return item
        matcher = self.knowledge.matcher
        away = self.away_said(text)
        if any(matcher.mentions_item(away, code) for code in others if code != item.code):
            return None  # 租赁备案我自己能去办吗 after 积分入学: 房屋租赁登记备案 named
        return item if self.about_current(text, item.code, unasked=True) else None

    def speaks_to_hall(self, asked: Any, text: str) -> bool:
        """Whether ``text``, beside the item under discussion, speaks to the hall (你们, 大厅). Beside an item
        with an office of its own (its own hours, address, or phone asked): not to that office (那边), nor
        of a day it keeps hours of its own for (520要是赶上周末你们开不开门 after 结婚登记), unless it
        names the hall outright (你们大厅星期六开门不)."""
        item = self.current_item()
        if item is None:
            return bool(asked.names_hall)
        own_phone = Ask.PHONE in asked.asks and item.phone not in (None, self.hall.phone)
        if not (item.hours or self.handled_elsewhere(item) or own_phone):
            return bool(asked.names_hall)  # no office of its own: the hall's hours and place are its own
        compact = compact_of(text)
        if not addresses_hall(text, self.hall.name) or _THERE.search(compact):
            return False
        dated = [day for day in asked.days if not day.now]  # 现在快中午了: no day of its own hours
        return not (dated and item.hours and not _HALL_NOUN.search(compact))

    def handled_elsewhere(self, item: Item) -> bool:
        """Whether ``item`` is handled at an address of its own, not the hall's."""
        return bool(item.address) and item.address != self.hall.address

    def names_no_service(self, text: str) -> bool:
        """True when the matcher finds no service in ``text`` alone (no answer, no numbered question)."""
        return self.knowledge.matcher.decide(text, None).action == "handoff"

    def hall_or_item(self, asked: Any, text: str) -> Reply | None:
        """A hall question: about the item under discussion when it does not name the hall (the matcher's
        follow-up answers it), points at the item's own office (那边几点上班) or asks where an item handled
        at an address of its own is; else about the hall, with the item's own hours beside when it keeps
        some."""
        item = self.current_item()
        pending = self.state.get("pending") or {}
        if pending.get("kind") == "items" and not asked.names_hall and set(asked.asks) <= _PLACE_ASKS:
            # 在哪个窗口办 under the 公积金 items, all handled at 21-23号: that desk, and the question still.
            options = tuple(str(code) for code in pending.get("options") or ())
            offered = [i for i in (self.knowledge.item(code) for code in options) if i is not None]
            if self.shared_answer(offered, "location") is not None:
                return self.clarify(options, "location", story=str(pending.get("story") or ""))
        turn = turn_of(self.state)
        live = pending.get("kind") == "items" and turn is not None and bool(turn.candidates)
        if live and not asked.names_hall and set(asked.asks) <= {Ask.WEBSITE}:
            return None  # 在手机上能办不 under a numbered question: the options' own way online, not the site
        if item is not None and pending.get("kind") != "items":
            if asked.names_hall and _DONE_HERE.search(compact_of(text)) and day_asked(text) is None:
                # 政务大厅能办不 after 新车上牌: whether the errand is done at the hall, which its desk says
                # (an office of its own elsewhere), not the hall's hours.
                return self.answer_item(item, "location", text, fresh=False)
            if not asked.names_hall and not set(asked.asks) <= _HALL_ONLY_ASKS:
                return None  # "几点上班" after an answer: the matcher's follow-up answers it for the item
            elsewhere = self.handled_elsewhere(item)
            if set(asked.asks) <= _PLACE_ASKS and (elsewhere or _ERRAND.search(text)):
                # 在哪办，是在市民之家吗 after an item handled elsewhere, 在哪儿办，是不是到你们那 after one
                # whose first desk is the township's: where that item is handled.
                return self.answer_item(item, "location", text, fresh=False)
            if item.hours and set(asked.asks) <= _HOURS_ASKS:
                own = hall_reply(asked, self.hall, self.now, self.context.calendar, item=item)
                if not addresses_hall(text, self.hall.name):
                    # 那边几点上班 after an item with an office of its own: that office's hours.
                    self.state["turn"] = turn_data(
                        Turn(item=item.code, field="hours", extra=self.topic_extra())
                    )
                    return Reply.say(
                        answers.fit(f"【{item.name}】\n{own}"), "answer", item=item.code, field="hours"
                    )
                # 你们中午休息吗: the hall's hours, and the item's beside them where they differ.
                hall = hall_reply(asked, self.hall, self.now, self.context.calendar)
                body = hall if own == hall else f"{hall}\n【{item.name}】{own}"
                return Reply.say(answers.fit(body), "hall")
        body = hall_reply(asked, self.hall, self.now, self.context.calendar)
        return Reply.say(body, "hall")

    def decide(self, text: str, *, whole: str | None = None) -> Reply:
        """The matcher's decision on ``text``, answered; ``whole``: the whole message, when ``text`` is the
        part of it asked first (kept for the situations and counted questions of later messages)."""
        self.remember_told(whole or text)
        matcher = self.knowledge.matcher
        previous = turn_of(self.state)
        if previous is not None and self.state.get("seen"):
            # The items answered so far, for 刚才那个… (the matcher keeps only the last and the one before).
            previous = dataclasses.replace(
                previous, extra={**previous.extra, "seen": list(self.state["seen"])}
            )
        decision = matcher.decide(text, previous)
        pending = self.state.get("pending") or {}
        # Not while the citizen's numbered question is open and asked again; a situation list beside an
        # answer, or a question about other items, does not hold the new question back.
        asked_again = pending.get("kind") == "items" and set(decision.candidates) <= set(pending["options"])
        # Beside an item under discussion, a message asking who may go, or what its record tells, may be a
        # follow-up the matcher took for a new question (我人在外地上学，让我妈去帮我开行不行): only a very
        # likely new item is answered at once then.
        current = str(previous.item) if previous and previous.item else ""
        # 我说错了，不是离婚，是结婚证找不到了要补: what the item at hand's record tells holds it no more.
        correcting = bool(current) and bool(CORRECTION.match(compact_of(text)))
        about_current = bool(current) and not correcting and self.about_current(text, current)
        # 照片要啥样的 after 结婚登记: what kind of a material the errand at hand has, though the matcher
        # found another errand with a photo too; not when the message names that errand.
        found = [str(code) for code in (decision.item, *decision.candidates) if code]
        of_material = (
            bool(current)
            and not correcting
            and decision.action in ("answer", "clarify")
            and bool(found)
            and current not in found
            and itemreply.what_asked(normalize(text)) is not None
            and not any(matcher.mentions_item(text, code) for code in found)
            and self.needed_here(text, current)
        )
        if of_material:
            decision = Decision(
                "answer", item=current, field=decision.field, score=decision.score, reason="follow_up"
            )
        if (
            about_current
            and decision.action == "answer"
            and decision.item != current
            and (
                asks_who_goes(normalize(text))
                and not matcher.mentions_item(text, str(decision.item))
                and not matcher.names_away(text, current, [str(decision.item)])
                or self.needed_here(text, current)
                and not self.issued_elsewhere(text, current, decision)
                and not self.names_department(text, str(decision.item), current)
                or decision.reason != "follow_up"
                and self.told_only_here(text, current, str(decision.item))
            )
        ):
            # 两个人都要去吗 after 结婚登记: who must come, of the errand at hand, though another item's FAQ
            # asks it in the same words (补结婚证要两个人都去吗); 要交居住证明不 after 异地就医备案: a
            # material of the errand at hand, though another item is named by it (居住证).
            decision = Decision(
                "answer", item=current, field=decision.field, score=decision.score, reason="follow_up"
            )
        if (
            about_current
            and decision.action == "clarify"
            and current in decision.candidates
            # 他住院还有一笔医药费没报 人走了还能报不 after 死亡人员户口注销: the first option, named by
            # words the errand at hand lacks (医药费), is asked about, not the errand the story is about.
            # Not beside a field asked (孩子平时上学 周六能去办不 after 身份证: when, of the errand at hand;
            # 上学 is why); whether it can be done (还能报吗) is no field of its own.
            and not (
                decision.candidates[0] != current
                and decision.field in (None, "conditions")
                and matcher.names_away(text, current, decision.candidates[:1])
            )
        ):
            # 老年证跟那个高龄补贴是一回事不 after 老年人优待证: among the options, and its record tells.
            decision = Decision(
                "answer", item=current, field=decision.field, score=decision.score, reason="follow_up"
            )
        if (
            current
            and not correcting
            and decision.action in ("answer", "clarify")
            and current not in (decision.item, *decision.candidates)
            and _THIS_PAPER_USED.search(compact_of(text))
        ):
            # 这个证办了以后去香港也能用吧 after 往来台湾通行证: whether the paper at hand serves there too,
            # which its record answers (台湾通行证和港澳通行证能共用吗？不能), not the other place's errand.
            decision = Decision(
                "answer", item=current, field=decision.field, score=decision.score, reason="follow_up"
            )
        first = matcher.first_answer(decision, text, apart=not about_current) if not asked_again else None
        told = matcher.errands(decision, text) if first is None and not asked_again and not current else ()
        if told:
            # 孩子的户口、医保是不是得分开跑: two errands told at once; the likeliest answered, the other
            # named so the citizen can ask for it next.
            first = told[0]
        likely = self.knowledge.item(first) if first is not None else None
        if likely is not None:
            # 身份证前天被人偷了，补办要带啥: one credible item, very likely; the one-trip answer now, and the
            # runner-up named, rather than a question the citizen would answer with "1".
            others = [c for c in decision.candidates if c != likely.code]
            decision = Decision(
                "answer",
                item=likely.code,
                field=decision.field,
                score=decision.score,
                reason="likely",
                scores=decision.scores,
            )
            self.record(text, decision)
            reply = self.answer_item(likely, decision.field, text, fresh=True)
            self.state["turn"] = turn_data(matcher.turn_after(text, decision, previous))
            if told:
                return self.with_errands(reply, list(told[1:]))
            return self.with_runner_up(reply, others[:1], guessed=decision.scores[0][1] < FIRST_ANSWER_P)
        bare = decision.action in ("answer", "clarify") and decision.field is None and not pending
        family = matcher.bare_family(text) if bare else ()
        # A numbered question about a bare name offers the whole family (办身份证: 首次、换领、补领、临时),
        # not only those the ranker found close.
        asked_of = decision.item in family or (
            decision.action == "clarify" and bool(set(decision.candidates) & set(family))
        )
        if asked_of and not (previous and previous.item):
            # 社保卡 alone, first thing: 申领 or 挂失补换? The deciding question, not the likeliest guess (a
            # field asked, 办残疾证去哪里, is answered for the likeliest: where is mostly the same desk).
            order = [code for code, _ in decision.scores if code in family]
            decision = Decision(
                "clarify",
                candidates=tuple(order + [code for code in family if code not in order]),
                field=decision.field,
                score=decision.score,
                reason="ambiguous",
                scores=decision.scores,
            )
        self.record(text, decision)
        turn = matcher.turn_after(text, decision, previous)
        if decision.action == "answer" and decision.item:
            item = self.knowledge.item(decision.item)
            if item is not None:
                fresh = not (previous and previous.item == item.code)
                if not fresh and decision.field is None and matcher.turned_to_by_name(text, item.code):
                    # 那开个纳税证明呢，买房要用 after 纳税记录开具: the errand asked for by its name again
                    # gets the whole one-trip block, not a sentence of it.
                    fresh = True
                if fresh and previous and decision.reason == "follow_up" and decision.field:
                    # 再问下领证那个，周六能办吗: back to an item answered before, its one-trip block given
                    # then; the field asked now.
                    fresh = previous.extra.get("earlier") != item.code
                day = self.hall_day if decision.field is None and BARE_ASK.match(compact_of(text)) else ""
                if day:
                    # 护照呢 after 周六? (answered for the hall): that day, at this item's desk.
                    reply = self.answer_item(item, "hours", f"{day} {text}", fresh=False)
                else:
                    before = self.knowledge.item(current) if current and fresh else None
                    apart = (
                        itemreply.not_the_same(item, before, text, matcher.mentions_item) if before else None
                    )
                    # 那个3600块的补贴是不是就是这个 after 生育津贴: 不是, and what tells them apart, then the
                    # errand named (its one-trip block a question away).
                    reply = self.answer_item(item, decision.field, text, fresh=fresh and apart is None)
                    if apart is not None:
                        reply = dataclasses.replace(
                            reply, text=answers.fit(f"{apart}\n\n{reply.text}", answers.LIMIT)
                        )
                self.state["turn"] = turn_data(turn)
                if decision.reason == "likely" and pending.get("kind") == "items":
                    # A field asked instead of a pick, answered for the option far ahead: the others named.
                    others = [str(c) for c in pending.get("options") or () if c != item.code]
                    return self.with_runner_up(reply, others[:1], guessed=True)
                return reply
        new_errand = bool(NEW_ERRAND.match(compact_of(text)))
        if (
            decision.action == "clarify"
            and current
            and current not in decision.candidates
            and not pending
            and not new_errand  # 还有个事，… asks of something else, whatever the current record tells
            and not correcting
            # 听说有个没人抚养的娃能领补贴 after 身份证: the items it may mean are named by words the item at
            # hand lacks, whatever of its record the story's other words fit. Not by where someone is who
            # cannot come (卖家人在外地回不来咋办: 外地 of 社保从外地转回来).
            and not matcher.names_away(self.away_said(text), current, decision.candidates[:2])
        ):
            item = self.on_topic(text, tuple(str(c) for c in decision.candidates))
            if item is not None:
                # 其实只交了十二年，不到十五年是不是就领不了了 after 城乡居民养老待遇: one of its situations
                # or FAQ entries, though the words also fit a list of other items.
                return self.answer_item(item, decision.field, text, fresh=False)
        if decision.action == "handoff" and decision.reason in _UNANSWERED:
            # 顺便问下 老人想打流感疫苗 去哪打 after 高龄津贴: a question put aside that nothing answers is
            # not asked in the item's terms, whatever words (老人) it shares with its record.
            item = None if self.put_aside(text) else self.on_topic(text)
            if item is not None:
                # A follow-up in the item's own terms: stay on the item rather than hand off.
                return self.answer_item(item, decision.field, text, fresh=False)
            item = self.current_item()
            if item is not None and self.needed_here(text, item.code):
                # 村上那个证明是啥 after 代开发票: a material of the errand at hand, what it is.
                return self.answer_item(item, None, text, fresh=False)
            situation = self.current_situation(item) if item is not None else None
            if item is not None and itemreply.lasting_sentences(item, situation, normalize(text)) is not None:
                # 办出来能用几年 after 身份证首次申领: how long it stays valid, which its record says.
                return self.answer_item(item, None, text, fresh=False)
            online = item.online if item is not None else None
            if (
                item is not None
                and online is not None
                and online.available
                and asks_another_way(normalize(text))
            ):
                # 今天下午赶不过去了 还有别的办法没: the item's way online.
                return self.answer_item(item, "online", text, fresh=False)
            if item is not None and day_asked(text) is not None:
                # 今天下午还可以去不 after 电动车上牌: whether its desk is open that day.
                return self.answer_item(item, "hours", text, fresh=False)
        self.state["turn"] = turn_data(turn)
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

    def with_errands(self, reply: Reply, codes: list[str]) -> Reply:
        """``reply`` with a line naming the other errands the message told, when it fits."""
        names = [item.name for item in (self.knowledge.item(c) for c in codes) if item is not None]
        if not names:
            return reply
        return _with_line(reply, f"\n\n您还问到了“{'”“'.join(names)}”，请直接发送事项名称查看。")

    def with_runner_up(self, reply: Reply, codes: list[str], *, guessed: bool = False) -> Reply:
        """``reply`` with a line naming the runner-up items, when it fits and asks nothing of its own; a
        ``guessed`` answer (not very likely) also says the way to a person."""
        names = [item.name for item in (self.knowledge.item(c) for c in codes) if item is not None]
        # Beside a numbered list of situations only a guess needs the line: the list already asks.
        if not names or (reply.choices and not guessed):
            return reply
        names_said = "”“".join(names)
        line = f"\n\n如您要办理的是“{names_said}”，请直接发送该事项名称。"
        if guessed:
            line = line.removesuffix("。") + "；都不是的话，请换个说法或回复“人工”。"
        return _with_line(reply, line)

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
        return schedule_of(self.hall.hours or "", self.context.calendar)

    def common(self) -> list[str]:
        try:
            asked = self.context.recorder.most_asked(10)
        except Exception:
            log.exception("cannot read the most asked items")
            asked = []
        return common_codes(self.knowledge, asked)

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


def _with_line(reply: Reply, line: str) -> Reply:
    """``reply`` with ``line`` added when the whole still fits one message, else as it was."""
    if answers.size(reply.text + line) > answers.LIMIT:
        return reply
    return dataclasses.replace(reply, text=reply.text + line)


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
    conversation.saw(reply)
    conversation.save()
    return reply
