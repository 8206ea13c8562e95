"""Answers about one item: the situation from the story, an FAQ or item sentence first, a day's hours when
asked, then the field or the one-trip block, and the item's untold situations offered by number."""

import re
from collections.abc import Sequence

from bot.conversation import answers, details, itemreply
from bot.conversation.hall import day_asked, hall_question
from bot.conversation.hallreply import hall_reply, open_now
from bot.conversation.messages import Reply
from bot.conversation.session import Session, turn_data
from bot.matching.decision import Turn
from bot.matching.fields import (
    IN_TIME_ASK,
    PERSON_TURN,
    PRESENCE_ASK,
    PROXY_ASK,
    PROXY_SITUATION,
    URGENT_ASK,
    URGENT_SITUATION,
    asks_another_way,
    asks_who_goes,
    fields_asked,
    proxy_option,
    strip_field_words,
)
from bot.matching.matcher import CORRECTION
from bot.matching.normalize import normalize
from bot.matching.records import content_tokens
from bot.matching.settled import unfound_material
from bot.matching.situations import told_apart, unbracketed
from bot.matching.surface import STORY_LENGTH, ask_clause
from knowledge.schema import Item, Situation

#: Field questions about a day ("今天能办不", "周六开门吗") are answered from the hours.
DAY_FIELDS = {None, "conditions", "hours", "online"}
#: What a first answer to a question about a day says after that day: the hours, where, the way online.
_DAY_TRIP = ("hours", "location", "online")


class ItemAnswers(Session):
    """A session that answers about items."""

    def answer_item(self, item: Item, field: str | None, text: str, *, fresh: bool, story: str = "") -> Reply:
        """About ``item``: the situation from the story, an FAQ or item sentence first, then the field or
        the one-trip block. ``fresh``: the first answer about this item (the one-trip block is due);
        ``story``: what the citizen told before a numbered question, read for the situation too."""
        typed = re.sub(r"\s", "", text)
        corrected = CORRECTION.match(typed) if text else None
        if corrected is not None and corrected.end() < len(typed):
            # 不对，我说错了，他不是要关掉，是想把法人换成我: what it is tells the situation, not what it
            # is not.
            text = typed[corrected.end() :]
        amount = asks_amount(item, text)
        pays = field == "fee" and amount
        if pays:
            # 一个月多少钱 of 高龄津贴: what it pays, in its conditions; nothing is charged for it.
            field = "conditions"
        asked = field  # what the message asks, before a first answer widens it to the whole block
        if field == "materials" or (fresh and field == "conditions" and not _CONDITIONS_ASKED.search(text)):
            # 要带什么 gets the whole one-trip block, materials first; so does a first "can I" question
            # (能找免费律师吗): the block holds the deciding conditions, and the trip they lead to. The
            # conditions asked by name (低保要什么条件才能申请) are one field, like 要多少钱.
            field = None
        if field == "process" and not item.process:
            # 怎么转 要跑几趟 where the record lists no steps: the one-trip block says what the trip takes.
            field = None
        matcher = self.knowledge.matcher
        normal = normalize(matcher.reader.read(text)) if text else ""
        if text and not fresh and PERSON_TURN.match(re.sub(r"\s", "", text)):
            # 那我爸呢，他62 after 俺娘's 老年证 by proxy: another person, whose case is told anew.
            self.state.pop("situation", None)
        # 社宝卡丢了咋整: the story read with its homophone typos corrected where they spell the item's own
        # words (社保卡), as the matcher read it; other corrections are left to the matcher.
        fixed = matcher.scorer.fixer.fix(normal) if normal else ""
        own = "|".join([item.name, *(item.aliases or ())])
        spelled = any(
            fixed[i : i + 2] in own and fixed[i : i + 2] not in normal for i in range(len(fixed) - 1)
        )
        told_text = fixed if spelled else text
        passages = details.passages_for(matcher, item, normal)
        told_passages = details.passages_for(matcher, item, fixed) if spelled else passages
        # Beside a situation established before, other situations' bracketed details tell nothing (护照几年
        # 有效 is no 换发（有效期不足6个月…） for a child's first passport).
        settled = self.current_situation(item) if not fresh else None
        situation = (
            details.situation_from_story(
                matcher, item, told_text, told_passages, established=settled is not None
            )
            if text
            else None
        )
        if situation is None and story:
            told = details.passages_for(matcher, item, normalize(matcher.reader.read(story)))
            situation = details.situation_from_story(matcher, item, story, told)
        # Back to an item answered before (驾驶证呢 after 身份证's questions): its situation went with the
        # other item's turns; what was told before still holds, as for a first answer.
        current = self.current_item()
        returning = not fresh and (current is None or current.code != item.code)
        earlier = self.earlier_told() if (fresh or returning) and situation is None and text else ""
        if earlier:
            # 他公积金里头还有几万块，我们当子女的咋个取 after 我爸爸上个月走了: what was told before still
            # holds; read in its words only (its meaning was about another item).
            situation = details.situation_from_story(matcher, item, earlier, details.ItemPassages({}))
        told_now = situation is not None
        newly_told = situation is not None and situation != self.current_situation(item)
        if situation is None:
            situation = self.current_situation(item)
        if situation is not None:
            if newly_told and text and not fresh:
                # A situation told now asks its own field, not one carried from before (收费 then
                # 他下不了床，去不了医院评定，咋办: the situation's block).
                field = self.field_of(text)
                if field == "fee" and amount:
                    field = "conditions"  # 护理补贴一个月多少 (the case told just now): what it pays
            if field in ("conditions", "materials") and newly_told:
                field = None  # "能让我老公去办吗" tells a situation: what that situation takes, in full
            self.state["situation"] = {"item": item.code, "name": situation.name}
        else:
            self.state.pop("situation", None)
        entry = details.faq_for(item, text, field or asked, passages) if text else None
        if entry is None and text and amount and _HOW_MUCH.search(text):
            # 一个月大概能领多少钱 of 城乡居民养老保险待遇: the entry that asks what it pays (每月能领多少？).
            entry = itemreply.amount_entry(item)
        clause = ask_clause(normal) if text and entry is None else ""
        if clause:
            # A story is about as close to every passage as to the entry its asking clause is (俺户口在老家，
            # 能在恁这申请低保不 after how the family fell ill): the clause alone, against the FAQ.
            entry = details.faq_for(item, clause, field or asked, details.passages_for(matcher, item, clause))
        if entry is not None and text and not itemreply.SOURCE_ASK.search(entry.q):
            # 自产证明找谁开: where the material is got, which its note says, not an FAQ entry that only
            # names it (把棉花卖给轧花厂要自己开票吗).
            entry = None if self.needed_line(item, situation, normal, need=False) else entry
        if entry is not None and text and _BRING_ASK.search(normal) and "带" not in entry.q:
            # 要带他的身份证不 after 死亡人员户口注销: whether the card is to be brought, which a material
            # line says, not an entry about the card that asks no such thing (户口注销后身份证怎么处理).
            entry = None if self.needed_line(item, situation, normal) else entry
        asks_presence = asks_who_goes(normal)
        must_come = bool(PRESENCE_ASK.search(normal)) and not PROXY_ASK.search(normal)
        if entry is not None and must_come and not itemreply.speaks_of_presence(entry):
            # 要两个人都回来吗, 是不是还得我本人跑一趟: who must come, which this entry (能回芦荡上户口吗,
            # 不注销有什么影响) neither asks nor says; the record's sentences on who comes (一方到场即可,
            # 无需本人到场) answer it. Not 我人在外地，能帮她交不: an entry on paying from afar may answer.
            entry = None
        lead = itemreply.faq_lead(entry) if entry else None
        prepared = matcher.prepare(text) if text and not fresh else ""
        unfound = unfound_material(item, prepared, matcher.prepare) if prepared else None
        if unfound is not None:
            # 他的身份证翻遍了也没找着 after 死亡人员户口注销: what the record says of that paper when it
            # cannot be found (无法找到的须书面说明), before any FAQ entry about the card.
            lead = f"{unfound.name}：{unfound.note}"
        if lead is None and text:
            # 医保也得给他交吧 能一起办不: what the record says of doing it together with the others.
            lead = itemreply.together_sentences(item, situation, normal)
        if lead is None and text and not fresh:
            # 那我是先挂失还是直接去补: what the record says of each of the two cases weighed.
            lead = itemreply.compared_cases(item, normal)
        proxy = situation is None or not PROXY_SITUATION.search(situation.name)
        if text and proxy and item.situations and PROXY_ASK.search(normal):
            # 他本人在外地读书回不来，我当娘的能帮他开不: someone going for the citizen, whatever else the
            # story or the FAQ answer says (本人).
            index = proxy_option(normal, [s.name for s in item.situations])
            if index is not None:
                situation = item.situations[index]
                self.state["situation"] = {"item": item.code, "name": situation.name}
        if entry is not None and situation is None:
            # 房子还押在银行，能直接过户吗 → 可以申请“带押过户”: the answer names the citizen's situation.
            situation = told_apart(item, entry.a, matcher.prepare)
            if situation is not None:
                self.state["situation"] = {"item": item.code, "name": situation.name}
        if lead is None and text and field == "fee" and item.fee is not None:
            # 契税是多少 after 二手房过户, whose fee is the registration's (契税…另行缴纳): the FAQ answer
            # that says what the tax named is (契税…税率1%).
            lead = itemreply.faq_naming(item, normal, item.fee.text or "")
        if lead is None and text and field == "time_limit":
            # 公司简易注销要公示多少天: the period of the step named (公示20日), not the time limit.
            lead = itemreply.period_sentence(item, situation, normal)
        if lead is None and text and not fresh and field == "location":
            # 他户口当兵时迁走了 回来落户在哪办 after 退役士兵报到: where that step is done, which a case's
            # note says (落户手续到公安户政窗口（1-6号）办理), before the item's own desk or a material's
            # note.
            lead = self.step_place(item, situation, normal)
            if lead is None and newly_told:
                # 户口我也得迁回来，那个在哪办 after 退役士兵报到: the case told just now, whose note says
                # where its step is done (落户手续到公安户政窗口（1-6号）办理).
                lead = case_desk(situation)
        if lead is None and text and not asks_presence:
            # 我今年62了，还要体检吗: 需要, and the material that says so (身体条件证明：…体检).
            lead = self.needed_line(item, situation, normal)
        if lead is None and text and asks_presence and not _proxy(situation):
            # 我当妈的帮她去办行不行 (no situation being for someone else), 要他本人去吗: the record on who
            # must come.
            lead = itemreply.presence_sentences(item, situation)
            if lead is None and asks_another_way(normal):
                # 人在杭州回不来怎么弄: the way the record offers someone away (the case's note: 人在外地的
                # 可在“赣服通”线上申请; else the item's way online).
                lead = self._remote_way(item, situation)
            proxy_case = next((s for s in item.situations or () if _proxy(s)), None)
            if lead is None and proxy_case is not None:
                # 要他自己跑去县城吗 beside 累计缴费不足15年: the item has a case for someone going instead
                # (亲属代办): that case, and what it takes.
                lead = self._proxy_case(item, proxy_case)
            if lead is None:
                # The record does not say: say so, and whom to ask, rather than guess either way.
                lead = self._silent("办事指南没有写明能否委托他人代办", item, situation)
                field = None if field == "conditions" else field
        if lead is None and text and _APPLYING.search(normal) and field in (None, "location", "process"):
            # 高龄补贴要去哪里申请, where the record says 免申即享: say so before where to go.
            lead = itemreply.no_application_sentences(item, situation)
        if lead is None and text and URGENT_ASK.search(normal) and not _urgent(situation):
            # 急用，后天要坐火车 (no situation for it): what the record offers someone who cannot wait.
            lead = itemreply.urgent_sentences(item, situation)
            if lead is None and not fresh:
                # 加急能快点吗, the record silent on it: say so, and whom to ask.
                lead = self._silent("办事指南没有写明可以加急办理", item, situation)
        if lead is None and text and IN_TIME_ASK.search(normal):
            # 下礼拜要坐高铁，新证来得及不: how long, led by what the record offers someone who cannot wait:
            # the note of its 急需用证 situation where it has one, whatever case the story told (丢失).
            urgent = next((s.note for s in item.situations or () if _urgent(s) and s.note), None)
            lead = urgent or itemreply.urgent_sentences(item, situation)
        if lead is None and text:
            # 提前多久去换, 那个备案能管多久: the window the record sets (有效期满前90日内可申请) or how
            # long it stays valid (有效期不少于6个月), not how long it takes to issue.
            lead = itemreply.lasting_sentences(item, situation, normal)
        if lead is None and text and not fresh:
            # 我儿子也要办，他10岁: what the record says of children (未满16周岁的须由监护人陪同).
            lead = itemreply.minor_sentences(item, situation, text)
        if (
            lead is None
            and newly_told
            and not fresh
            and field == "fee"
            and situation is not None
            and _MONEY_NOTE.search(situation.note or "")
        ):
            # 我老伴是低保户 交钱能少点不: the case told just now, whose note says what it pays (个人缴费部分
            # 由医疗救助资助), before the item's fee.
            lead = f"{situation.name}：{situation.note}"
        # The citizen's situation told again (他下不了床，去不了医院评定，咋办 after 行动不便 was read from
        # the first story): what the record says of it first.
        retold = situation if told_now and not fresh and not newly_told else None
        # Not when it asks something besides (新生儿医保得在几天内交: a deadline the note may not say).
        asks_besides = bool(fields_asked(text))
        if (
            lead is None
            and retold is not None
            and retold.note
            and field in (None, "conditions")
            and not asks_besides
        ):
            if itemreply.shares_words(text, retold.note):
                lead, field = f"{retold.name}：{retold.note}", None
        # A situation told just now (他下不了床，去不了医院评定) gets its whole block, not a sentence.
        # Not for 要带什么 (一起办要带啥 after 身份证首次申领): the materials asked are the whole block.
        if (
            lead is None
            and text
            and not fresh
            and not newly_told
            and field in (None, "conditions")
            and asked != "materials"
        ):
            lead = itemreply.best_sentence(item, text, situation) or itemreply.record_sentence(
                item, content_tokens(matcher.prepare(text)), matcher.records, situation
            )
            if lead is not None:
                field = None  # 可以寄到家里吗: the sentence answers; the conditions would only bury it
            noted = _situation_of(item, lead) if situation is None else None
            if noted is not None:
                # 证还没过期，就是签注用完了 → a situation's own note: the citizen is in that situation.
                situation = noted
                self.state["situation"] = {"item": item.code, "name": noted.name}
        day_answer = self.day_answer(item, text, field, fresh=fresh)
        if isinstance(day_answer, Reply):
            return day_answer
        story_told = len(normal.replace(" ", "")) >= STORY_LENGTH
        if day_answer is not None and not story_told:
            # "今天可以办护照吗", first time: a question about that day, answered as such, with where to go
            # and the way online (what the trip that day needs to know), not the whole block.
            return self._day_trip(item, situation, day_answer, lead)
        if day_answer is not None and lead is None:
            # A story that asks about a day on the way (现在满六十了…要带啥): that day, then the one-trip
            # block: whoever tells the whole story is about to make the trip.
            lead, field = day_answer, None
        if field is not None and text:
            # 公证在哪办 多少钱: the other field asked too, said before the one the reply is about.
            other = next((f for f in fields_asked(text) if f != field and not (amount and f == "fee")), None)
            content = answers.field_text(item, other, self.hall, situation) if other else None
            if other and content:
                said = f"{answers.FIELD_LABELS[other]}：{content}"
                lead = f"{lead}\n{said}" if lead else said
        shown = field
        if fresh and field is not None and lead is None and len(normal.replace(" ", "")) >= STORY_LENGTH:
            # A story that ends in one question (…老年证去哪里办): its answer first, then the one-trip block:
            # whoever tells the whole story is about to make the trip.
            content = answers.field_text(item, field, self.hall, situation)
            if content:
                lead, shown = f"{answers.FIELD_LABELS[field]}：{content}", None
        deciding = asked in (None, "materials", "conditions")
        if fresh and text and situation is None and lead is None and deciding and by_reason(item):
            # 公积金怎么取, 公积金能取出来吗: a withdrawal is a different errand for each reason (买房,
            # 还贷, 租房, 退休, 离职), its block of little use until the reason is known: that question first.
            return self._reason_question(item, field)
        open_situations = (
            list(item.situations or ()) if situation is None and shown in (None, "materials") else []
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
            field=shown,
            situation=situation,
            lead=lead,
            full=full,
            open_situations=open_situations,
        )
        self._answered(item, field, rendered.pages)
        choices_ = tuple(s.name for s in open_situations)
        return Reply.say(
            rendered.text,
            "answer",
            item=item.code,
            field=field,
            situation=situation.name if situation else None,
            choices=choices_,
        )

    def step_place(self, item: Item, situation: Situation | None, normal: str) -> str | None:
        """Where ``item``'s record says the step normalised ``normal`` asks after is done (回来落户在哪办 →
        落户手续到公安户政窗口（1-6号）办理), or None."""
        matcher = self.knowledge.matcher
        words = content_tokens(matcher.prepare(strip_field_words(normal)))
        return itemreply.place_of_step(item, words, matcher.records, situation)

    def needed_line(
        self, item: Item, situation: Situation | None, normal: str, *, need: bool = True
    ) -> str | None:
        """需要 and the material line, when normalised ``normal`` asks whether something is needed that a
        material of ``item`` names (还要体检吗, 要交居住证明不), or the line alone when it asks where that
        material is got (体检在哪做; only this when not ``need``); else None."""
        asked = itemreply.need_asked(normal) if need else None
        if asked is None:
            # 体检在哪做, 自产证明找谁开, 村上那个证明是啥: the material's line says who issues it, and what.
            source = itemreply.source_asked(normal) or itemreply.what_asked(normal)
            return itemreply.sourced_material(item, situation, source) if source else None
        words = content_tokens(self.knowledge.matcher.prepare(asked))
        return itemreply.needed_material(item, situation, words, asked)

    def _day_trip(self, item: Item, situation: Situation | None, day: str, lead: str | None) -> Reply:
        """The first answer about ``item`` to a question about a day: ``lead`` (an FAQ answer) and what
        ``day`` holds for it, then its hours, where it is handled and the way online."""
        self.state.pop("pending", None)
        lines = [
            f"{answers.FIELD_LABELS[f]}：{content}"
            for f in _DAY_TRIP
            if (content := answers.field_text(item, f, self.hall, situation))
        ]
        head = f"{lead}\n{day}" if lead else day
        body = "\n".join([answers.short_title(item, situation), *lines, answers.hint(item, "hours")])
        rendered = answers.fit(f"{head}\n\n{body}")
        self._answered(item, "hours", ())
        return Reply.say(
            rendered, "answer", item=item.code, field="hours", situation=situation.name if situation else None
        )

    def _answered(self, item: Item, field: str | None, pages: Sequence[str]) -> None:
        """Keep what an answer about ``item`` leaves for the next message: its further pages, the item a
        rating is for, the turn (the field answered) for follow-ups; the unanswered streak ends."""
        if pages:
            self.state["pages"] = list(pages)
        else:
            self.state.pop("pages", None)
        self.state["rated"] = item.code
        self.state["streak"] = 0
        self.state["turn"] = turn_data(Turn(item=item.code, field=field, extra=self.topic_extra()))

    def _reason_question(self, item: Item, field: str | None) -> Reply:
        """Which of ``item``'s reasons (its situations) is the citizen's, as a numbered question."""
        names = [s.name for s in item.situations or ()]
        self.state["pending"] = {"kind": "situations", "item": item.code, "options": names, "field": field}
        self.state.pop("pages", None)
        self.state["streak"] = 0
        self.state["turn"] = turn_data(Turn(item=item.code, field=field, extra=self.topic_extra()))
        lines = [f"【{item.name}】按提取原因分别办理，请问您属于哪种情况？回复数字即可："]
        lines += [f"{n}. {name}" for n, name in enumerate(names, 1)]
        return Reply.say(answers.fit("\n".join(lines)), "clarify", item=item.code, choices=tuple(names))

    def _silent(self, what: str, item: Item, situation: Situation | None) -> str:
        """``what`` the record does not say, and the number to ask instead."""
        phone = answers.field_text(item, "phone", self.hall, situation)
        return what + (f"，请先致电确认：{phone}" if phone else "。")

    def day_answer(
        self, item: Item, text: str, field: str | None, *, fresh: bool = False
    ) -> Reply | str | None:
        """A question about a day ("今天能办不", "周六开门吗") about ``item``: its hours that day; on a first
        answer only the line (the one-trip block follows it)."""
        if not text or field not in DAY_FIELDS:
            return None
        asked = hall_question(text, self.hall.name) or day_asked(text)
        if asked is None or not asked.days:
            return None
        body = hall_reply(asked, self.hall, self.now, self.context.calendar, item=item)
        if fresh:
            return body
        situation = self.current_situation(item)  # still the citizen's: reported as such
        way = self._way_now(item, situation) if asked.days[0].now else None
        text_ = f"【{item.name}】\n{body}" + (f"\n{way}" if way else "")
        self.state["turn"] = turn_data(Turn(item=item.code, field="hours", extra=self.topic_extra()))
        return Reply.say(
            answers.fit(text_),
            "answer",
            item=item.code,
            field="hours",
            situation=situation.name if situation else None,
        )

    def _way_now(self, item: Item, situation: Situation | None) -> str | None:
        """With ``item``'s desk closed now (现在晚上了 能先挂失不), the way the record offers at any hour: the
        case's note where it names one (电子社保卡、掌上12333…即时办理), else the item's way online."""
        if open_now(self.hall, self.now, self.context.calendar, item) is not False:
            return None
        return self._remote_way(item, situation)

    def _proxy_case(self, item: Item, case: Situation) -> str:
        """``item``'s case for someone going instead: its name and note, and the materials it takes."""
        said = f"{case.name}：{case.note}" if case.note else f"可以{case.name}。"
        materials = answers.field_text(item, "materials", self.hall, case)
        return f"{said}\n所需材料：{materials}" if materials else said

    def _remote_way(self, item: Item, situation: Situation | None) -> str | None:
        """The way ``item``'s record offers without coming to the desk: the case's note where it names one,
        else the item's way online; None when it offers neither."""
        if situation is not None and situation.note and _NO_DESK_WAY.search(situation.note):
            return f"{situation.name}：{situation.note}"
        content = answers.field_text(item, "online", self.hall, situation)
        online = item.online
        if online is not None and online.available and content:
            return f"{answers.FIELD_LABELS['online']}：{content}"
        return None


#: Whether a thing is to be brought (要带他的身份证不, 用不用带户口本).
_BRING_ASK = re.compile(r"(?:要|得|需要|用)带|带不带")
#: Ways a case's note names that need no desk (电子社保卡, 掌上12333, 拨打…电话, 网上, App).
_NO_DESK_WAY = re.compile(r"电子|掌上|App|APP|app|小程序|公众号|网上|线上|拨打|热线")

#: A note saying at which desk or office a step is done (到公安户政窗口（1-6号）办理).
_AT_DESK = re.compile(r"窗口|派出所|便民服务中心|服务站|办事处|大厅")


def case_desk(situation: Situation | None) -> str | None:
    """A case's note when it says at which desk or office its step is done, as "name：note"; else None."""
    if situation is None or not _AT_DESK.search(situation.note or ""):
        return None
    return f"{situation.name}：{situation.note}"


#: Items that pay out for one of several reasons, each its own errand (住房公积金提取).
_WITHDRAWAL = re.compile(r"提取|支取")
#: Reasons enough that guessing one would likely be wrong.
_REASONS = 3


def by_reason(item: Item) -> bool:
    """Whether ``item`` is a withdrawal whose situations are its reasons (three or more, someone acting
    for the citizen not counted): its name says none (住房公积金提取, not 住房公积金提取（租赁住房）, whose
    situations are kinds of renting)."""
    reasons = [s for s in item.situations or () if not PROXY_SITUATION.search(s.name)]
    plain = unbracketed(item.name) == item.name
    return plain and bool(_WITHDRAWAL.search(item.name)) and len(reasons) >= _REASONS


def _proxy(situation: Situation | None) -> bool:
    return situation is not None and bool(PROXY_SITUATION.search(situation.name))


def _situation_of(item: Item, sentence: str | None) -> Situation | None:
    """The situation whose note ``sentence`` is (notes are shown as "name：note"), or None."""
    if not sentence:
        return None
    return next((s for s in item.situations or () if sentence.startswith(f"{s.name}：")), None)


#: Items that pay the citizen (补贴, 津贴, 救助, 保险金…): "how much a month" asks what they pay.
_BENEFIT = re.compile(r"补贴|津贴|补助|救助|资助|抚恤|保险金|养老金|待遇|低保|最低生活保障|供养|奖励|育儿")
_PER_PERIOD = re.compile(r"一个月|每个?月|一年|每年|按月|月月")
#: How much (能领多少, 有好多, 几多钱).
_HOW_MUCH = re.compile(r"多少|好多|几多|几个钱|怎么算")
#: Words of paying for an errand (要交钱吗, 收费吗, 花多少): its fee, not what a benefit pays.
_CHARGED = re.compile(r"交|缴|收|费|花|付|掏|贵|要钱|要多少|要不要钱|免")
#: The conditions asked by name (要什么条件, 条件是什么), not inferred from a "can I" question.
#: A situation's note that speaks of money (个人缴费部分由医疗救助资助, 免收工本费): the fee of that case.
_MONEY_NOTE = re.compile(r"费|资助|免收|减收|减免|补贴|\d元")
_CONDITIONS_ASKED = re.compile(r"(?:什么|哪些|啥|啥子)(?:条件|资格|要求)|条件是什么")

#: The citizen asks how or where to apply for something.
_APPLYING = re.compile(r"申请|申领|怎么领|去哪领|哪里领|怎么办理")


def asks_amount(item: Item, text: str) -> bool:
    """Whether ``text`` asks what ``item`` pays, when it is a benefit: 一个月给多少, or 多少钱 with no word
    of paying for it (交, 收费, 花)."""
    benefit = bool(_BENEFIT.search(item.name))
    return benefit and bool(_PER_PERIOD.search(text) or not _CHARGED.search(text))


def _urgent(situation: Situation | None) -> bool:
    return situation is not None and bool(URGENT_SITUATION.search(situation.name))
