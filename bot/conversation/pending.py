"""Numbered questions: asking which item (or situation) is meant, and reading the citizen's answer — a number,
an ordinal, the option's own words, a sentence that settles it or tells its situation — while a side
question leaves the list alive and an out-of-range number gets "请回复1–N"."""

from typing import Any

from bot.conversation import answers, choices, details, itemreply
from bot.conversation.hall import day_asked
from bot.conversation.hallreply import hall_reply
from bot.conversation.itemturn import ItemAnswers, asks_amount, case_desk
from bot.conversation.messages import Reply
from bot.conversation.session import HELP, turn_data
from bot.matching.decision import Decision, Turn
from bot.matching.fields import (
    PLACE_ASK,
    PROXY_ASK,
    PROXY_SITUATION,
    URGENT_ASK,
    names_nothing,
    proxy_option,
    without_cues,
)
from bot.matching.normalize import normalize
from bot.matching.options import by_done, by_hint, by_words, closing_option, shares_a_character
from bot.matching.pii import mask_personal_data
from bot.matching.settled import (
    leading_option,
    likely_item,
    own_words,
    plainly_named,
    replacement,
    tells_loss,
)
from bot.matching.situations import retold, roles
from knowledge.schema import Item

#: Fields a numbered question answers at once when every option says them alike (where, when, whom to call).
_SHARED_FIELDS = ("location", "hours", "phone", "fee", "online")

#: A message alone pointing at an option with this probability, the option its words tell having less than
#: OVERRULED_SHARE of it, goes to the former.
OVERRULING_P = 0.5
OVERRULED_SHARE = 0.2
#: Characters of the message before a numbered question kept with it (a story's situation is near its ask).
STORY_KEPT = 200


class PendingChoices(ItemAnswers):
    """A session that asks numbered questions and reads their answers."""

    def day_lead(self, text: str, decision: Decision) -> str | None:
        """For a numbered question on a message that asks about a day ("现在能去办社保卡吗"): the hours
        that day, said first: the only credible option's (its own, else the hall's), else the hall's when no
        offered item keeps hours of its own."""
        asked = day_asked(text)
        if asked is None or decision.field not in (None, "hours", "conditions"):
            return None  # 现在是不是网上也能办: a field asked, not whether the desk is open now
        likely = self.knowledge.item(likely_item(decision) or "")
        if likely is not None:
            # One credible option (失业金窗口开着没有 at lunch time): its hours, or the hall's, that day.
            said = hall_reply(asked, self.hall, self.now, self.context.calendar, item=likely)
            if likely.address and likely.address != self.hall.address:
                said += f"\n办理地点：{likely.address}"  # 今天能去上牌不: where to go, when it is elsewhere
            return f"【{likely.name}】{said}" if likely.hours or likely.address else said
        offered = [self.knowledge.item(code) for code in decision.candidates]
        if any(item is None or item.hours for item in offered):
            return None
        return hall_reply(asked, self.hall, self.now, self.context.calendar)

    def clarify(
        self, codes: tuple[str, ...], field: str | None, story: str = "", lead: str | None = None
    ) -> Reply:
        """A numbered question (after ``lead``, what is already certain); the message that led to it is kept
        (masked) so that the situation it told (被偷了, 卖家房贷没还完) is not asked again once the citizen
        picks."""
        items = [item for item in (self.knowledge.item(code) for code in codes) if item is not None]
        if lead is None and field in _SHARED_FIELDS:
            lead = self.shared_answer(items, str(field))
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

    def shared_answer(self, items: list[Item], field: str) -> str | None:
        """What every offered item says alike of ``field`` (在几楼办, each ID-card item at the same desk): the
        answer now, the question only for what still differs."""
        said = {answers.field_text(item, field, self.hall) for item in items}
        if len(items) < 2 or len(said) != 1 or None in said:
            return None
        return f"这几项的{answers.FIELD_LABELS[field]}相同：{said.pop()}"

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
            by_number = choices.number_in(text, 99) is not None
            # 2 要多久: what is asked beside the number comes first.
            field = (self.field_of(text) or pending.get("field")) if by_number else self.field_of(text)
            if not by_number and field == "fee" and asks_amount(item, text):
                # 护理补贴一个月多少 under the list of a benefit's cases: that case, and what it pays.
                return self.answer_item(item, field, text, fresh=False)
            lead = None
            if not by_number:
                # 房产证还没下来，只有购房合同和发票，能办吗: the situation's whole block, and the FAQ answer
                # to the question first.
                if field == "conditions":
                    field = None
                matcher = self.knowledge.matcher
                passages = details.passages_for(matcher, item, normalize(matcher.reader.read(text)))
                entry = details.faq_for(item, text, field, passages)
                lead = itemreply.faq_lead(entry) if entry else None
                if lead is None and field == "location":
                    # 他户口当兵时迁走了 回来落户在哪办: where that step is done, said first.
                    lead = self.step_place(item, situation, normalize(text)) or case_desk(situation)
                if lead is None and field == "time_limit":
                    # 简易注销要公示多少天: the period of the step named (公示20日), said first.
                    lead = itemreply.period_sentence(item, situation, normalize(text))
            if field == "materials":
                field = None
            rendered = itemreply.compose(item, self.hall, field=field, situation=situation, lead=lead)
            self.state["pages"] = list(rendered.pages)
            self.state["turn"] = turn_data(Turn(item=item.code, field=field, extra=self.topic_extra()))
            return Reply.say(rendered.text, "answer", item=item.code, field=field, situation=option)
        item = self.knowledge.item(option)
        if item is None:
            return Reply.say(HELP, "smalltalk")
        by_number = choices.number_in(text, 99) is not None
        # Words that settle the choice may ask a field of their own (那补一个要多少钱): theirs comes first.
        field = self.field_of(text) or pending.get("field")
        self.record(text, Decision("answer", item=item.code, field=field, score=1.0, reason="picked"))
        return self.answer_item(
            item,
            field,
            text if not by_number else "",
            fresh=True,
            story=str(pending.get("story") or ""),
        )

    def settle(self, pending: dict[str, Any], text: str) -> Reply | None:
        """A message that answers the pending numbered question in words, or None."""
        matcher = self.knowledge.matcher
        options = list(pending["options"])
        normal = normalize(matcher.reader.read(text))
        if names_nothing(matcher.prepare(text)):
            # 在哪个窗口, 在手机上能办不: a field asked, with no word to choose by (不 of 能办不 asks).
            return None
        if pending["kind"] == "items":
            positions = [matcher.position[c] for c in options if c in matcher.position]
            names = [matcher.names[p] for p in positions]
            story = str(pending.get("story") or "")
            if matcher.turns_away(text, options) or matcher.leads_away(text, options, matcher.prepare(story)):
                # 那公积金退休了能全部取出来吗 under a list of pension items, 想把养老保险转回来 under
                # 城乡居民养老保险 and 灵活就业人员参保: a new question
                return None
            if matcher.names_unoffered(text, options):
                # 就是孩子上学要交的那个社保缴费证明 under 无犯罪记录证明 / 租赁备案: an item not offered,
                # named by its own words (打印社保缴费证明), whatever word (证明) it shares with an option.
                return None
            # The option's own words (租赁住房的, 退休了), the story before the question breaking a tie.
            index = by_words(text, names, story=story)
            if index is not None and by_words(text, names) == index:
                # Its words alone, not the story's (个体户 after 营业执照变更: the story says which).
                index = self._not_overruled(options, index, text)
            if index is None:
                # Or by their aliases (营业执照 of 个体工商户设立登记's 办营业执照).
                known = [code for code in options if code in matcher.position]
                described = [own_words(matcher.item(code)) for code in known]
                index = by_words(text, described) if len(known) == len(options) else None
            if index is None:
                # Or the one named plainly, the others qualified kinds of it (居住证 beside 台湾居民居住证).
                index = plainly_named(f"{text} {matcher.prepare(text)}", names)
            if index is None:
                index = closing_option(text, names)  # 不做了，要关掉 under 个体户's 设立 / 注销
            if index is None:
                fresh = matcher.decide(text, None)
                if fresh.action == "answer" and fresh.item not in options:
                    return None  # a new question about another item
                if fresh.action == "clarify" and not set(fresh.candidates) & set(options):
                    return None  # 有哪些补贴可以申请 under a list of ID-card items: a question of its own
                if pending.get("menu") and not (fresh.action == "answer" and fresh.item in options):
                    return None  # a menu the citizen did not ask for is picked by number or its words only
                likely = likely_item(fresh) or leading_option(fresh)
                if likely in options:
                    # 那社保医保那些还要另外去跑吗: alone, it points at one option only (死亡人员户口注销);
                    # 她要回老家住，以后看病咋弄: at one offered option far ahead of the rest.
                    return self.choose(pending, options.index(likely), text)
                if likely is not None:
                    # 就是低保 under 临时救助 / 残疾人补贴: alone, it points at an item not offered (最低生活
                    # 保障), far ahead of the rest; an option's case that mentions it does not answer it.
                    return None
                scores = matcher.semantic_scores(normal)
                semantic = [float(scores[p]) for p in positions] if scores is not None else None
                # 我爸去年过世了，老房子要转到我们名下: the ties and events the story tells, in the
                # words names use (继承 of 继承、赠与不动产转移登记).
                index = by_hint(f"{text} {roles(normal)}", names, semantic)
                if index is None and fresh.action == "answer" and fresh.item in options:
                    index = options.index(fresh.item)
                if index is None:
                    index = self.told_of_one(options, text, str(pending.get("story") or ""))
        else:
            item = self.knowledge.item(pending["item"])
            if item is None:
                return None
            topic = details.topic_words(item, matcher.prepare)
            if matcher.turns_away(text, [item.code]):
                return None  # 那公积金退休了能全部取出来吗 beside 养老保险退休's situations: a new question
            if matcher.other_errand(normal.replace(" ", ""), item.code) is not None:
                return None  # 先问报销的 beside 法律援助's situations: the other errand the story told
            if matcher.then_next(normal.replace(" ", ""), item.code) is not None:
                return None  # 查完了办继承，还得去公证吗 beside 不动产查询's situations: the errand after it
            if itemreply.TOGETHER_ASK.search(normal.replace(" ", "")):
                return None  # 医保能一起办不 beside 出生登记's situations: a question of the errand, no pick
            if tells_loss(matcher.prepare(text)) and replacement(item.code, matcher.items) is not None:
                return None  # 不对，我是证丢了要补 beside 残疾人证申领's situations: the replacing item
            index = by_done(text, options)  # 那要是已备案呢 → 已网签备案, beside 未网签备案
            if index is None and PROXY_ASK.search(normal):
                # 他本人在外地回不来，我能帮他开不: someone going instead, though 本人 is a word of 本人申请.
                index = proxy_option(normal, options)
            if index is None:
                # 卖家房贷还没还完 beside 带押过户 and 买方贷款购房: in the words situation names use.
                index = by_words(retold(text), options, topic)
            if index is None:
                index = proxy_option(normal, options)  # 让我妈去帮我开行不行 beside 委托他人代办
            if index is None:
                fresh = matcher.decide(text, None)
                if fresh.action == "answer" and fresh.item != item.code:
                    return None
                if PROXY_ASK.search(normal) and not any(PROXY_SITUATION.search(o) for o in options):
                    return None  # 我帮他去办行不行: who may go, asked of the item, not one of its situations
                if PLACE_ASK.search(normal.replace(" ", "")):
                    return None  # 村里能不能办: where it may be done, asked of the item, not a situation
                passages = details.passages_for(matcher, item, normal)
                found = [passages.get(f"{item.name}：{name}") for name in options]
                semantic = [float(s) for s in found if s is not None] if all(found) else None
                index = by_hint(without_cues(text), options, semantic, f"{topic} {item.name}")
                if index is not None and not shares_a_character(text, options[index], topic):
                    return None  # 能在县里认定吗: close in meaning to 非本县户籍, yet says nothing of it
        if index is None:
            return None
        return self.choose(pending, index, text)

    def _not_overruled(self, options: list[str], index: int, text: str) -> int:
        """``index``, or the one option whose situation the message tells, or the option the message alone
        points at far ahead of it: a word of one name may be another's modifier (我是给儿子买房子 says 购房
        of 偿还购房贷款本息, yet means 购买自住住房)."""
        alone = self.knowledge.matcher.decide(text, None)
        if alone.action == "answer" and alone.item == options[index]:
            # 就是低保: the option named, and sure alone; another option's case that mentions it (低保家庭中的
            # 残疾人 of 残疾人两项补贴) does not overrule it.
            return index
        told = self.told_of_one(options, text)
        matcher = self.knowledge.matcher
        chosen = matcher.names[matcher.position[options[index]]] if options[index] in matcher.position else ""
        # Not by the words that named the option (到期换证 under 期满换证 / 遗失补领: 换证 is also the word of
        # 遗失补领's 损毁换证 case): told still without them.
        if (
            told is not None
            and told != index
            and self.told_of_one(options, _without_pairs_of(text, chosen)) == told
        ):
            return told  # 我是给儿子买房: 为子女购房 is a situation of 购买自住住房 alone
        scores = dict(alone.scores)
        best = max(options, key=lambda code: scores.get(code, 0.0))
        top = scores.get(best, 0.0)
        if (
            best != options[index]
            and top >= OVERRULING_P
            and scores.get(options[index], 0.0) < OVERRULED_SHARE * top
        ):
            return options.index(best)
        return index

    def told_of_one(self, codes: list[str], text: str, story: str = "") -> int | None:
        """The one offered item whose situation the message tells or whose FAQ it asks (我老婆也有公积金，
        能一起取吗 → the one with 配偶一并提取), or None when none or several fit. Among several, the
        ``story`` told before the question may tell one of them (买了套二手房 → 购买自住住房)."""
        found = [(i, self.knowledge.item(code)) for i, code in enumerate(codes)]
        fitting = [(i, item) for i, item in found if item is not None and self._tells_of(item, text)]
        if len(fitting) > 1 and story:
            fitting = [(i, item) for i, item in fitting if self._tells_of(item, story)]
        if len(fitting) > 1:
            # Still several: a word of the reply only one of them has (取 of 提取, not 贷款).
            apart = by_hint(text, [item.name for _, item in fitting])
            fitting = [fitting[apart]] if apart is not None else fitting
        return fitting[0][0] if len(fitting) == 1 else None

    def _tells_of(self, item: Item, text: str) -> bool:
        """Whether ``text`` tells one of ``item``'s situations or asks one of its FAQ entries."""
        matcher = self.knowledge.matcher
        passages = details.passages_for(matcher, item, normalize(matcher.reader.read(text)))
        if details.situation_from_story(matcher, item, text, passages) is not None:
            return True
        if URGENT_ASK.search(normalize(text)) and itemreply.urgent_sentences(item) is not None:
            return True  # 急用，后天要坐火车: the record says what to do when one cannot wait
        return details.faq_for(item, text, self.field_of(text), passages) is not None

    def numbered_items(self, title: str, codes: list[str]) -> Reply:
        items = [item for item in (self.knowledge.item(code) for code in codes) if item is not None]
        options = [i.code for i in items]
        self.state["pending"] = {"kind": "items", "options": options, "field": None, "menu": True}
        self.state.pop("pages", None)
        text = answers.item_list(title, [item.name for item in items])
        return Reply.say(text, "smalltalk", choices=tuple(i.code for i in items))


def _without_pairs_of(text: str, name: str) -> str:
    """``text`` with each two characters in a row that ``name`` holds blanked out."""
    keep = [True] * len(text)
    for i in range(len(text) - 1):
        if text[i : i + 2] in name:
            keep[i] = keep[i + 1] = False
    return "".join(char if kept else " " for char, kept in zip(text, keep, strict=True))
