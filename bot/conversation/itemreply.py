"""The reply about one item: the one-trip block, a field, an FAQ answer first, a sentence from the item that
answers a specific follow-up, and the situations still open.

The texts themselves come from ``bot.conversation.answers``; this module decides what leads and what
follows, and keeps every reply within WeChat's limit (the rest goes to pages).
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.conversation import answers
from bot.matching.fields import PLACE_ASK
from bot.matching.normalize import normalize
from bot.matching.options import by_hint, by_words
from bot.matching.records import Records
from bot.matching.situations import ADULT_AGE, told_age
from knowledge.schema import FaqEntry, Hall, Item, Material, Situation

_SENTENCES = re.compile(r"(?<=[。；;！!？?])")
#: Distinctive character pairs a sentence must share with a follow-up question to lead the reply.
SENTENCE_MIN_PAIRS = 2
#: At most this many sentences of the record lead a reply together when they tell the asked word equally.
RECORD_TIES = 2
#: Sentences about who must come, and of those the ones that say whether the person must.
PRESENCE = re.compile(
    # 本人 alone is whose card or ID a material is (本人银行卡), not who must come.
    r"本人(?:到场|亲自|办理|前往|申请|申领|签字|持)|须本人|亲自|到场|代办|委托|代理|代领|监护人|"
    # 补结婚证要两个人都去吗？不用。一方带…: whether both of a couple must come.
    # Not 一方 of 父母一方为本县户籍 (who the parents are).
    r"一方(?:到场|带|去|来|本人|即可|申请|办理|持)|双方(?:都|共同|须|必须)|两个人都|两人都|都要去|"
    # 由其户主、亲属、抚养人或者邻居申报: who may apply, relatives among them.
    r"由[^。；，,]{0,12}?(?:亲属|家属|家人|子女|配偶|监护人)[^。；]{0,12}?(?:申报|申请|办理|代为)"
)
#: Words of an FAQ entry about who goes (妈妈一个人能去办吗, 家里人可以帮我申报吗, 家属…代为申报).
_WHO_GOES = re.compile(r"一个人|一方|家里人|家人|家属|亲属|帮我|帮他|帮她|代为")


def speaks_of_presence(entry: FaqEntry) -> bool:
    """Whether an FAQ entry asks or says who must come or may go instead."""
    both = f"{entry.q}{entry.a}"
    return bool(PRESENCE.search(both) or _PROXY_ASKED.search(both) or _WHO_GOES.search(both))


#: Whether both of a couple must come (要两个人都回来吗, 俩人一起去不).
BOTH_ASK = re.compile(r"(?:两个人|俩人|两人|双方|夫妻俩?|两口子)(?:都|一起|一块儿?|一同)")
_IN_PERSON = re.compile(r"本人到场|须本人|本人亲自|亲自|代办|委托")
#: An FAQ question asking whether someone else may go (能代办吗, 可以让家人代办吗, 必须本人去吗).
_PROXY_ASKED = re.compile(r"代办|代领|代为|委托|替|帮忙办|本人(?:去|到场|来)|亲自")
#: Pairs too common in item texts to tell sentences apart.
_COMMON_PAIRS = frozenset(
    "办理 申请 可以 需要 提供 材料 居民 本人 证明 窗口 登记 工作 日内 原件 复印 一份 相关 规定 按照 "
    "我们 你们 什么 怎么 是否 能否 如何 请问 一下 这个 那个".split()
)


@dataclass(frozen=True)
class ItemReply:
    """A reply text about an item and the pages behind it."""

    text: str
    pages: tuple[str, ...] = ()


def _pairs(text: str) -> set[str]:
    compact = normalize(text).replace(" ", "")
    return {compact[i : i + 2] for i in range(len(compact) - 1)} - _COMMON_PAIRS


def shares_words(text: str, sentence: str) -> bool:
    """Whether ``text`` and ``sentence`` share a pair of characters that says something (评定, 结婚)."""
    return bool(_pairs(text) & _pairs(sentence))


def sentences(item: Item, situation: Situation | None = None) -> list[str]:
    """The item's sentences: conditions, notes of situations, time limit, fee, online, materials."""
    texts: list[str] = []
    if item.conditions:
        texts.append(item.conditions)
    for current in item.situations or ():
        if current.note and (situation is None or current is situation):
            texts.append(f"{current.name}：{current.note}")
    if item.time_limit and item.time_limit.note:
        texts.append(item.time_limit.note)
    if item.fee and item.fee.text:
        texts.append(item.fee.text)
    if item.online and item.online.note:
        texts.append(item.online.note)
    texts += [f"{m.name}：{m.note}" for m in item.materials if m.note]
    if situation is not None:
        # 继承人须全部到场，或提供继承公证书: what a case's own materials say.
        texts += [f"{m.name}：{m.note}" for m in situation.materials or () if m.note]
    texts += [step if step.endswith("。") else step + "。" for step in item.process or ()]
    out: list[str] = []
    for text in texts:
        out += [part.strip() for part in _SENTENCES.split(text) if len(part.strip()) >= 6]
    return list(dict.fromkeys(out))


def best_sentence(item: Item, question: str, situation: Situation | None = None) -> str | None:
    """The item's sentence that shares the most distinctive words with a follow-up question, if any does
    clearly (at least SENTENCE_MIN_PAIRS pairs, and more than any other sentence)."""
    asked = _pairs(question)
    if not asked:
        return None
    scored = sorted(((len(asked & _pairs(s)), s) for s in sentences(item, situation)), key=lambda p: -p[0])
    if not scored or scored[0][0] < SENTENCE_MIN_PAIRS:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]


def _record_units(item: Item, situation: Situation | None) -> list[tuple[str, str]]:
    """(text searched, text shown): the item's sentences; its FAQ answers, searched with their questions."""
    units = [(s.lower(), s) for s in sentences(item, situation)]
    units += [(f"{entry.q}\n{entry.a}".lower(), entry.a.strip()) for entry in item.faq or ()]
    return units


def record_sentence(
    item: Item,
    words: Sequence[str],
    records: Records,
    situation: Situation | None = None,
    *,
    long_only: bool = False,
) -> str | None:
    """The item's sentences (or FAQ answers) holding the question's rarest ``words`` (content words: 寄 of
    可以寄到家里吗 in 证件可邮寄), if they clearly do: at least one word few records use, and more weight than
    the rest (two that tie both lead; more than two say nothing in particular). The item's own words (迁 of
    户口迁入) are in half its sentences: the other words are tried first."""
    own = normalize(" ".join([item.name, *(item.aliases or [])]))
    others = [w for w in words if w not in own]
    if others and len(others) < len(words):
        # Without the item's own words, a single character (打 of 钱打到卡上) is too weak to lead alone.
        found = record_sentence(item, others, records, situation, long_only=True)
        if found is not None:
            return found
    distinct = [w for w in words if records.distinct(w) and (len(w) > 1 or not long_only)]
    if not distinct:
        return None
    return _best_scored(
        (sum(records.weight(w) for w in words if w in searched), shown)
        for searched, shown in _record_units(item, situation)
        if any(w in searched for w in distinct)
    )


def _best_scored(scored: Iterable[tuple[float, str]]) -> str | None:
    """The shown texts of the highest score, each once, when at most RECORD_TIES tie; else None."""
    ranked = list(scored)
    if not ranked:
        return None
    top = max(score for score, _ in ranked)
    best = list(dict.fromkeys(shown for score, shown in ranked if score == top))
    return "\n".join(best) if len(best) <= RECORD_TIES else None


#: What a record says for someone who cannot wait (急需用证的可同时申领临时居民身份证, 加急办理, an FAQ on
#: 急着坐车).
URGENT_SENTENCE = re.compile(r"急需|急用|加急|急件|急着")


def urgent_sentences(item: Item, situation: Situation | None = None) -> str | None:
    """What the record says for someone who cannot wait, for "等不了那么久": at most RECORD_TIES sentences."""
    return _leading(_sentences_saying(item, situation, URGENT_SENTENCE))


#: How long what is issued stays valid (备案能管多久, 护照有效期几年, 能用多长时间): not how long it takes.
VALIDITY_ASK = re.compile(
    r"有效期|有效(?:多久|多长时间|几年|几个月)|(?:多久|几年|多长时间)(?:内)?有效|"
    r"(?:能|可以)(?:管|用)(?:多久|好久|多长时间|几年|几个月|多少年)|管(?:多久|好久|多长时间|几年|几个月)|"
    r"(?:多久|几年|什么时候)(?:会)?过期"
)
#: What a record says of how long something stays valid (有效期6个月, 长期有效, 3个月内有效); not
#: 有效身份证件.
VALIDITY_SENTENCE = re.compile(r"有效期|长期有效|[年月日天]内有效|有效\d")


def validity_sentences(item: Item, situation: Situation | None = None) -> str | None:
    """What the record says of how long what it issues stays valid: at most RECORD_TIES sentences."""
    return _leading(_sentences_saying(item, situation, VALIDITY_SENTENCE))


#: How early something may or must be done (提前多久去换, 到期前多少天能办): a window before a date.
ADVANCE_ASK = re.compile(
    r"提前(?:多久|多少天|几天|多长时间|几个月|多少日)|(?:到期|期满|过期)前(?:多久|多少天|几天|几个月)"
)
#: What a record says of such a window (有效期满前90日内可申请, 到期前3个月, 提前15天预约).
ADVANCE_SENTENCE = re.compile(
    r"前\s*[\d一二三四五六七八九十]+\s*(?:个)?(?:日|天|月|周)|提前\s*[\d一二三四五六七八九十]+"
)


def advance_sentences(item: Item, situation: Situation | None = None) -> str | None:
    """What the record says of how early something may be done: at most RECORD_TIES sentences."""
    return _leading(_sentences_saying(item, situation, ADVANCE_SENTENCE))


#: By when it must be done (有时间限制吗, 有期限没有 拖久了是不是就不给报了, 票据放多久就不能报了): a
#: deadline, not how long the desk takes.
DEADLINE_ASK = re.compile(
    r"时间限制|期限|截止|逾期|超期|拖久了|拖太久|最晚|最迟|(?:多久|几天|多长时间)(?:之|以)?内|"
    r"(?:多久|多长时间|几天|几个月)(?:就|还)?(?:不能|不给|不让|作废|失效|过期)"
)
#: What a record says of a deadline (自…之日起30日内, 出生后1个月内申报, 逾期, 超过12个月不予受理).
DEADLINE_SENTENCE = re.compile(
    r"[\d一二三四五六七八九十]+\s*(?:个)?(?:日|天|月|年|工作日)(?:之|以)?内|之日起|逾期|超过\s*[\d一二三四五六七八九十]+"
)


#: When in the year one may apply (啥时候能报, 几月份可以申请, 什么时候开始报名): the intake a record sets,
#: not how long the desk takes.
INTAKE_ASK = re.compile(
    r"(?:什么时候|啥时候|几月份?|哪个月|哪几个月)(?:才|就)?(?:能|可以|开始)?(?:报|报名|申报|申请|受理)"
)
#: What a record says of such an intake (每年一般分春、秋两批, 每年6月中下旬, 上年9月至12月).
INTAKE_SENTENCE = re.compile(
    r"[春秋]季|[春秋]、[春秋]|两批|每年\s*[\d一二三四五六七八九十]+\s*月|[\d一二三四五六七八九十]+\s*月\s*"
    r"(?:[\d一二三四五六七八九十]+\s*日)?\s*(?:至|到|—|-)\s*[\d一二三四五六七八九十]+\s*月"
)


def intake_sentences(item: Item, situation: Situation | None = None) -> str | None:
    """What the record says of when in the year one may apply: at most RECORD_TIES sentences."""
    return _leading(_sentences_saying(item, situation, INTAKE_SENTENCE))


#: A count or amount asked of what the errand gives (一年能取几回, 能领几个月, 宅基地能批多大, 最多能贷多少,
#: 一年最低交好多), each with what a record says of it: a number in that unit, or a bound beside a number.
#: Not the trips (要跑几次), not how long it takes (几个月能办好), not an age (多大年纪). And whether what it
#: pays stops (高龄补贴会自己停吗, 还得去给停了不): what the record says of stopping.
_NUMBER = r"[\d一二两三四五六七八九十]"
RECORD_ASKS = (
    (
        re.compile(r"(?<![跑去来趟])(?:几回|几次|多少次|多少回)"),
        re.compile(rf"(?:每|一)(?:年|月|季度)\w{{0,8}}?{_NUMBER}+次|{_NUMBER}+次"),
    ),
    (
        re.compile(r"(?:领|发|拿|享受|补)(?:取)?(?:几个月|多少个月|多久|多长时间)(?!能|才|就|到|下来|办)"),
        re.compile(r"\d+个月"),
    ),
    (re.compile(r"面积|多少平|几个?平|(?:批|盖|建|起)多大"), re.compile(r"\d+\s*(?:平方米|平米|㎡)")),
    (re.compile(r"最多|最高|上限|封顶"), re.compile(r"(?:最高|最多|不超过|上限)\D{0,8}\d")),
    (re.compile(r"最低|最少|至少|起码"), re.compile(r"(?:最低|最少|不低于|至少)\D{0,8}\d")),
    (
        re.compile(r"停(?:发|掉|了)?(?:吗|么|不|没)|(?:去|给|要|得)(?:把\w{0,6})?停|停不停|自己停|自动停"),
        re.compile(r"停发|暂停发放|停止发放|停保"),
    ),
)


#: Whether it is done together with another errand (医保能一起办不, 也得单独跑一趟?).
TOGETHER_ASK = re.compile(
    r"(?:一起|一块儿?|一并|一同|同时|顺便|顺带)(?:给\w{0,2})?(?:办|弄|交|申请|迁|转|上|报|补|换|领)|"
    r"单独(?:跑|办|去|申请)|分开(?:跑|办|申请)"
)
#: What a record says of doing errands at once (“出生一件事”一并办理, 可与营业执照一并申请).
TOGETHER_SENTENCE = re.compile(r"一件事|一并|联办|同步办理|同时办理|同时申请补|一次(?:提交|申请|办理)")


def together_sentences(item: Item, situation: Situation | None, normal: str) -> str | None:
    """What the record says of doing the errand together with others, when normalised ``normal`` asks
    whether it can be (医保能一起办不 → 可通过“出生一件事”一并办理); else None."""
    if not TOGETHER_ASK.search(normal.replace(" ", "")):
        return None
    return _leading(_sentences_saying(item, situation, TOGETHER_SENTENCE))


#: What a record says of children (未满16周岁的须由监护人陪同, 未成年人…).
MINOR_SENTENCE = re.compile(r"未成年|未满1[468]周岁|不满1[468]周岁|监护人")


def minor_sentences(item: Item, situation: Situation | None, text: str) -> str | None:
    """What the record says of children, when ``text`` tells a child's age (我儿子也要办，他10岁) and no case
    of the item is bounded by age (those the age picks itself); else None."""
    age = told_age(text)
    if age is None or age >= ADULT_AGE:
        return None
    if any(_AGE_BOUNDED.search(s.name) for s in item.situations or ()):
        return None
    return _leading(_sentences_saying(item, situation, MINOR_SENTENCE))


#: A situation bounded by age (未满16周岁, 年满16周岁, 未成年人).
_AGE_BOUNDED = re.compile(r"周岁|未成年|成年人")


def record_ask_sentences(item: Item, situation: Situation | None, normal: str) -> str | None:
    """What the record says of the count or amount normalised ``normal`` asks (一年能取几回 → 每年可提取一次),
    or of stopping (会自己停吗 → 户口注销后系统自动停发), if it asks and the record says it; else None."""
    compact = normal.replace(" ", "")
    for asked, said in RECORD_ASKS:
        if asked.search(compact):
            # An FAQ entry asking the same count (商贷每年能提几次？) is the hall's own answer to it.
            faq = [e.a.strip() for e in item.faq or () if asked.search(e.q) and said.search(e.a)]
            found = _leading(faq or _sentences_saying(item, situation, said))
            if found is not None:
                return found
    return None


def deadline_sentences(item: Item, situation: Situation | None = None) -> str | None:
    """What the record says of the deadline by which it must be done: at most RECORD_TIES sentences."""
    return _leading(_sentences_saying(item, situation, DEADLINE_SENTENCE))


#: The words records use for each place level a citizen names (村 → 村（社区）), and for nearer places at all.
_PLACE_WORDS = {
    "村": "村|社区",
    "社": "社区|村",
    "乡": "乡镇|乡|镇",
    "镇": "乡镇|镇|乡",
    "街": "街道|社区",
    "苏": "苏木",
    "嘎": "嘎查",
}
_NEARER = "村|社区|乡镇|街道|苏木|嘎查"


def place_sentences(item: Item, situation: Situation | None, normal: str) -> str | None:
    """What the record says of doing it at the place ``normal`` asks after (村里能不能办: 到村（社区）提出
    申请), or at any place nearer than the hall (非得去县里吗); None if not asked or the record is silent."""
    asked = PLACE_ASK.search(normal.replace(" ", ""))
    if asked is None:
        return None
    place = asked.group(1) or asked.group(2)
    words = _PLACE_WORDS.get(place[0], _NEARER) if place else _NEARER
    return _leading(_sentences_saying(item, situation, re.compile(words)))


def lasting_sentences(item: Item, situation: Situation | None, normal: str) -> str | None:
    """What the record says of how early something may be done (提前多久去换), how long it stays valid
    (备案能管多久), by when it must be done (有时间限制吗), whether nearer home (村里能不能办) or how many
    or how much (一年能取几回), when
    normalised ``normal`` asks that and the record says it; else None."""
    advance = bool(ADVANCE_ASK.search(normal))
    found = advance_sentences(item, situation) if advance else None
    if found is None and VALIDITY_ASK.search(normal):
        found = validity_sentences(item, situation)
    if found is None and DEADLINE_ASK.search(normal) and not advance:
        found = deadline_sentences(item, situation)
    if found is None and INTAKE_ASK.search(normal.replace(" ", "")):
        found = intake_sentences(item, situation)  # 啥时候能报 → 每年一般分春、秋两批
    if found is None:
        found = place_sentences(item, situation, normal)
    if found is None:
        found = record_ask_sentences(item, situation, normal)
    return found


#: A sentence that says where something is done (到公安户政窗口（1-6号）办理, 在二楼D区).
PLACE_SENTENCE = re.compile(
    r"窗口|\d+\s*(?:-\d+\s*)?号|[一二三四五六七八九\d]楼|[A-Z]区|办理地点|服务站|派出所"
)


def place_of_step(
    item: Item, words: Sequence[str], records: Records, situation: Situation | None
) -> str | None:
    """Where the record says a step of the errand is done (回来落户在哪办 → 落户手续到公安户政窗口
    （1-6号）办理): of the record's sentences that name a place, the one holding most of the question's
    distinctive words (two that tie both), none of the item's own; else None."""
    own = normalize(" ".join([item.name, *(item.aliases or [])]))
    asked = [w for w in words if len(w) > 1 and w not in own and records.distinct(w)]
    return _best_scored(
        (sum(records.weight(w) for w in asked if w in searched), shown)
        for searched, shown in _record_units(item, situation)
        if PLACE_SENTENCE.search(shown) and any(w in searched for w in asked)
    )


#: What a record says when nothing need be applied for (免申即享, 自动发放, 无需申请).
NO_APPLICATION = re.compile(r"免申|无需申请|不用申请|不需要申请|自动发放")


def no_application_sentences(item: Item, situation: Situation | None = None) -> str | None:
    """What the record says about not needing to apply, for "去哪里申请": at most RECORD_TIES sentences."""
    return _leading(_sentences_saying(item, situation, NO_APPLICATION))


def compared_cases(item: Item, normal: str) -> str | None:
    """For a question weighing two of ``item``'s situations (先挂失还是直接去补), each one's note, in the
    order asked; None unless each side names a different situation that has a note."""
    situations = [s for s in item.situations or () if s.note]
    before, either, after = normal.partition("还是")  # two ways weighed against each other
    if len(situations) < 2 or not either:
        return None
    names = [s.name for s in situations]
    picked = []
    for side in (before, after):
        index = by_words(side, names)
        index = by_hint(side, names) if index is None else index
        if index is None:
            return None
        picked.append(situations[index])
    if picked[0] is picked[1]:
        return None
    return "\n".join(f"{s.name}：{s.note}" for s in picked)


def presence_sentences(item: Item, situation: Situation | None = None) -> str | None:
    """What the record says about who must come (本人到场, 可委托代办), for "can someone else go for me":
    at most RECORD_TIES sentences, those naming the person first."""
    # An FAQ that asks it (身份证能代办吗？) answers it outright: its answer first.
    asked = [entry.a.strip() for entry in item.faq or () if _PROXY_ASKED.search(entry.q)]
    found = _sentences_saying(item, situation, PRESENCE)
    found.sort(key=lambda s: not _IN_PERSON.search(s))
    return _leading(list(dict.fromkeys([*asked, *found])))


#: Whether something is still needed (还要体检吗, 要不要带户口本, 需不需要照片): a yes/no about a material.
NEED_ASK = re.compile(
    # 么 of 什么 asks what, not whether (去哪里办要带什么).
    r"(?:还|也)(?:要|需要|得|用)(?:带|交|提供|做|准备|开)?\w{1,6}?(?:吗|(?<![什怎])么|不|吧)$|"
    # 要带他的身份证原件吧: a guess to confirm asks as much.
    r"(?:要|需要)(?:带|交|提供|做|准备|开)\w{1,8}?(?:吗|(?<![什怎])么|不|吧)$|要不要|需不需要|用不用"
)
#: How far before the asking words (要不要, 还要…吗) the thing asked about may stand.
_NEED_NEAR = 8
#: Words every material's line may hold: they tell none apart.
_PAPER_WORDS = frozenset({"材料", "原件", "复印件", "东西", "证明", "证件"})


def need_asked(text: str) -> str | None:
    """The part of ``text`` that asks whether something is needed (还要带户口本吗), from a few characters
    before the asking words on; None when nothing such is asked. The thing asked stands near the asking
    words: 养老保险 at the start of …第二个医保要不要也转 is no material asked about."""
    compact = text.replace(" ", "")
    asked = NEED_ASK.search(compact)
    return None if asked is None else compact[max(0, asked.start() - _NEED_NEAR) :]


def needed_material(item: Item, situation: Situation | None, words: Sequence[str], text: str) -> str | None:
    """需要 and the material line, when ``text`` asks whether something is needed (还要体检吗) and one of
    the materials (with its note) holds one of ``words`` (the question's content words); else None."""
    if not NEED_ASK.search(text.replace(" ", "")):
        return None
    telling = [word for word in words if len(word) >= 2 and word not in _PAPER_WORDS]
    for material in answers.materials_of(item, situation):
        said = f"{material.name} {material.note or ''}"
        if any(word in said for word in telling):
            answer = "视情况需要" if material.required is False else "需要"
            return f"{answer}。{answers.material_text(material)}"
    return None


#: Where or from whom a material is got (体检在哪做, 自产证明找谁开, 证明去哪里开): not the item's own
#: window (在哪办 asks that).
SOURCE_ASK = re.compile(
    r"(?:找谁|谁给|谁|去哪|到哪|在哪|上哪|哪里|哪儿|哪个地方|什么地方|啥地方)(?:儿|里)?(?:去|可以|能)?"
    r"(?:开|做|出具|出|打印|打|拿|弄|领)(?!户|始|门|业|通|证|钱)|"
    # 那个同意出境的意见是找我们医院人事科开吗: who issues it, guessed and asked to confirm.
    r"找[^，,。？?！!\s]{1,8}?(?:开|出具|盖章)(?:吗|吧|么|不|呢)?$"
)


def source_asked(text: str) -> str | None:
    """What ``text`` asks where to get (体检 of 体检在哪做): the few characters before the asking words;
    None when nothing such is asked."""
    said = _said_before(SOURCE_ASK, text)
    if said is not None:
        return said
    # 体检去哪里体, 照片在哪照: the doing named again after the asking words, by a character of the thing.
    compact = text.replace(" ", "")
    echoed = _SOURCE_ECHO.search(compact)
    before = compact[max(0, echoed.start() - _NEED_NEAR) : echoed.start()] if echoed else ""
    doing = echoed.group(1) if echoed else ""
    return before if doing and doing in before and doing not in _ERRAND_DOINGS else None


#: Doings of an errand itself (社保卡去哪补, 在哪办): where the errand is done, not where a thing is got.
_ERRAND_DOINGS = frozenset("办补换领交缴申报登注销迁转续签")
#: Where, and one character after it that ends the question (体检去哪里体).
_SOURCE_ECHO = re.compile(r"(?:去哪|到哪|在哪|上哪|哪里|哪儿)(?:儿|里)?(?:去|可以|能)?(\w)[吗呢啊呀？?]*$")


#: What a material is (村上那个证明是啥, 自产证明是什么): its line says what it is and who issues it.
WHAT_ASK = re.compile(
    r"(?:是啥|是什么|是个啥|是啥子|是哪样|指什么|指的是啥|啥意思|什么意思)(?:东西|证明|玩意儿?)?[吗呀啊嘛？?]*$|"
    # 照片要啥样的, 照片有什么要求: what kind, which its line says (2寸红底双人合影).
    r"(?:要|得|需要)?(?:啥样|什么样|哪样|啥子样)的?[吗呀啊嘛呢？?]*$|有(?:啥|什么|哪些)(?:要求|讲究)[吗呀啊嘛呢？?]*$|"
    r"(?:要|得)?几寸的?[吗呀啊嘛呢？?]*$"
)


def what_asked(text: str) -> str | None:
    """What ``text`` asks the nature of (村上那个证明 of 村上那个证明是啥): the few characters before the
    asking words; None when nothing such is asked."""
    return _said_before(WHAT_ASK, text) or None  # 是啥 alone names nothing


def _said_before(asking: re.Pattern[str], text: str) -> str | None:
    """The few characters (up to _NEED_NEAR) before where ``asking`` matches ``text`` without its spaces,
    or None when it does not."""
    compact = text.replace(" ", "")
    asked = asking.search(compact)
    return None if asked is None else compact[max(0, asked.start() - _NEED_NEAR) : asked.start()]


#: Characters that name nothing in what is asked about (那个体检, 这证明).
_SOURCE_FILLER = re.compile(r"[那这个的了呢要还也就是得去]")


def sourced_material(item: Item, situation: Situation | None, subject: str) -> str | None:
    """The line of the material that ``subject`` (what a question asks where to get, or what is) names by
    two characters in a row, when the line says more than what it is (a note: 县级以上医疗机构…出具; a
    bracket; who issues it, in its name); or, for a short subject, by a character no other material's name
    has (村 of 自产农产品证明（村委会出具）); else None."""
    said = _SOURCE_FILLER.sub(" ", subject)
    for word in _PAPER_WORDS:
        said = said.replace(word, " ")
    pairs = {said[i : i + 2] for i in range(len(said) - 1) if " " not in said[i : i + 2]}
    materials = answers.materials_of(item, situation)
    # The situation's own first: what it asks is said for the case told (死亡证明 in 在家中正常死亡: the
    # 卫生院's, not the list of any proof). No situation told: the situations' own materials too
    # (同意出境的意见 of 登记备案的国家工作人员).
    own = [m for m in (situation.materials or ()) if m in materials] if situation is not None else []
    others = [m for s in item.situations or () for m in s.materials or ()] if situation is None else []
    ordered = [*own, *(m for m in materials if m not in own), *(m for m in others if m not in materials)]
    for material in ordered:
        if _tells_more(material) and any(pair in f"{material.name} {material.note or ''}" for pair in pairs):
            return answers.material_text(material)
    # 村上那个证明: a short word, one character of which is in one material's name only (村 of 自产农产品证明
    # （村委会出具）). Only a line that says more than a name: its note, or its bracket (who issues it).
    chars = set(said.replace(" ", ""))
    held = [m for m in materials if chars & set(m.name)]
    short = len(chars) <= _SHORT_SUBJECT
    telling = short and len(held) == 1 and _tells_more(held[0])
    return answers.material_text(held[0]) if telling else None


def _tells_more(material: Material) -> bool:
    """Whether a material's line says more than what it is: a note, a bracket, or who issues it in its name
    (所在单位按管理权限出具的同意出境意见)."""
    return bool(material.note or _BRACKET.search(material.name) or _ISSUED.search(material.name))


#: A material line saying who issues it or where it is got (县级以上医疗机构出具, 到村委会开具).
_ISSUER = re.compile(
    r"出具|开具|核发|盖章|签发|机构|医院|卫生院|窗口|部门|村委|居委|派出所|社区|单位|公司|银行|中心|学校|法院|"
    r"(?:到|在|向|找)\w{1,8}?(?:办|开|领|申请|打印|下载)"
)


def names_issuer(line: str) -> bool:
    """Whether a material's line says who issues it or where it is got (not only what it may be)."""
    return bool(_ISSUER.search(line))


_BRACKET = re.compile(r"[（(][^）)]+[）)]")
#: A material's name saying who issues it.
_ISSUED = re.compile(r"出具|开具|核发|盖章")
#: Characters of a subject few enough for one of them to name a material (村 of 村上).
_SHORT_SUBJECT = 2


def _sentences_saying(item: Item, situation: Situation | None, pattern: re.Pattern[str]) -> list[str]:
    """The record's sentences (and FAQ answers) in which ``pattern`` occurs, each once, in record order."""
    found = (shown for searched, shown in _record_units(item, situation) if pattern.search(searched))
    return list(dict.fromkeys(found))


def _leading(sentences: Sequence[str]) -> str | None:
    """At most RECORD_TIES sentences, to lead a reply; None when there are none."""
    return "\n".join(sentences[:RECORD_TIES]) or None


def compose(
    item: Item,
    hall: Hall,
    *,
    field: str | None,
    situation: Situation | None,
    lead: str | None = None,
    full: bool = True,
    open_situations: Sequence[Situation] = (),
) -> ItemReply:
    """The reply: ``lead`` (an FAQ answer or a sentence) first, then the field, or the one-trip block when
    ``full`` (a first answer or 怎么办/要带什么), or a short pointer when the lead already answers."""
    tail = _situation_tail(open_situations)
    budget = answers.LIMIT - answers.size(tail) - (answers.size(lead) + 2 if lead else 0)
    if field is not None:
        rendered = answers.field_answer(item, field, hall, situation, limit=budget)
    elif full:
        rendered = answers.overview(item, hall, situation, limit=budget)
    else:
        rendered = answers.Answer(answers.short_title(item, situation) + "\n" + answers.hint(item, None))
    text = rendered.text + tail
    if lead:
        text = f"{lead}\n\n{text}"
    return ItemReply(answers.fit(text), rendered.pages)


def _situation_tail(open_situations: Sequence[Situation]) -> str:
    if len(open_situations) < 2:
        return ""
    lines = ["\n不同情形所需材料不同，回复数字查看："]
    lines += [f"{n}. {s.name}" for n, s in enumerate(open_situations[:6], 1)]
    return "\n".join(lines)


def faq_lead(entry: FaqEntry) -> str:
    """An FAQ answer as the first line of a reply."""
    return entry.a.strip()


#: Whether the thing named is the one at hand (那个3600块的补贴是不是就是这个, 老年证跟这个是一回事吗).
SAME_ASK = re.compile(
    r"(?:是不是|是否|就是|是)(?:就是)?(?:这个|这一个|这个事|刚才那个|你说的这个)(?:吗|么|吧|不|呢)?$|"
    r"(?:跟|和|与)(?:这个|这一个|刚才那个|它)\w{0,2}?(?:是)?(?:一回事|一样|一个东西|同一个|有啥区别|有什么区别|"
    r"区别|不一样)|是(?:不是)?一回事"
)
#: An FAQ question weighing two things (生育津贴和育儿补贴是一回事吗？, …有什么区别？).
_TWO_THINGS = re.compile(r"一回事|区别|一样|同一|不同")


def not_the_same(item: Item, current: Item, text: str, mentions: Callable[[str, str], bool]) -> str | None:
    """不是, and what tells the two apart, when ``text`` asks whether the thing it names (``item``, another
    errand than ``current``) is the one at hand: an FAQ entry of either that weighs the two (``mentions``
    says whether a text names an item), else the two names. None when nothing such is asked."""
    if item.code == current.code or not SAME_ASK.search(text.replace(" ", "")):
        return None
    for own, other in ((current, item), (item, current)):
        for entry in own.faq or ():
            if _TWO_THINGS.search(entry.q) and mentions(entry.q, other.code):
                answer = entry.a.strip()
                return answer if answer.startswith("不") else f"不是。{answer}"
    return f"不是，这是两件事：“{item.name}”和“{current.name}”分别办理。"


#: An FAQ question asking what a benefit pays (每月能领多少？, 补贴标准是多少？, 生育津贴怎么算？).
_AMOUNT_ASKED = re.compile(r"(?:领|发|给|拿|补|有)(?:到)?多少|标准是?多少|怎么算|怎么计算|多少钱一个月")


def amount_entry(item: Item) -> FaqEntry | None:
    """The item's FAQ entry asking what it pays, if exactly one does."""
    found = [entry for entry in item.faq or () if _AMOUNT_ASKED.search(entry.q)]
    return found[0] if len(found) == 1 else None


#: A tax or charge named by its kind (契税, 个税, 工本费's 本费), not paying in general (交税, 收费).
_CHARGE_NAMED = re.compile(r"[\u4e00-\u9fff][税费]")
_PAYING = frozenset({"交税", "缴税", "纳税", "收费", "交费", "缴费", "花费", "免费", "要费", "啥费", "么费"})


def faq_naming(item: Item, normal: str, said: str) -> str | None:
    """The one FAQ answer that gives a figure for the charge normalised ``normal`` names (契税 of 契税是多少),
    when ``said`` (what would be answered otherwise: the item's fee) gives none for it."""
    for charge in dict.fromkeys(_CHARGE_NAMED.findall(normal.replace(" ", ""))):
        if charge in _PAYING or re.search(rf"{charge}\D{{0,12}}\d", said):
            continue
        found = [e.a.strip() for e in item.faq or () if re.search(rf"{charge}\D{{0,30}}\d", e.a)]
        if len(found) == 1:
            return found[0]
    return None


#: A span of days or months a record gives (公示20日, 公告之日起45日, 15个工作日).
_PERIOD = re.compile(r"\d+\s*(?:个)?(?:工作日|自然日|日|天|个月)")
#: Words of asking how long, which every period sentence answers alike.
_HOW_LONG_WORDS = frozenset({"多少", "少天", "几天", "多久", "多长", "时间", "要多", "办好", "下来", "能办"})


def period_sentence(item: Item, situation: Situation | None, normal: str) -> str | None:
    """The sentence of the record (or FAQ answer) giving a period right after a word ``normal`` names (公示 of
    公示要多少天: …公示20日), the one sharing most of its words, then the shortest; None when none does."""
    asked = {pair for pair in _pairs(normal) if pair not in _HOW_LONG_WORDS}
    own = _pairs(" ".join([item.name, *(item.aliases or ())]))
    telling = asked - own
    if not telling:
        return None
    units = [(s, s) for s in sentences(item, situation)] + [(e.q + e.a, e.a.strip()) for e in item.faq or ()]
    # The word named right before the period (公示20日), the most of the question's words, the shortest.
    scored = [
        (len(telling & _pairs(said)), -len(shown), shown)
        for said, shown in units
        if any(
            pair in _pairs(shown[max(0, found.start() - 4) : found.start()])
            for found in _PERIOD.finditer(shown)
            for pair in telling
        )
    ]
    return max(scored)[2] if scored else None
