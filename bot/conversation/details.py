"""Inside one item: which situation the citizen's story describes, and which FAQ entry their question asks.

A situation is taken from the story when its own words are said (丢失 in 身份证丢了, canonical forms
included) or, with the semantic stage, when the story is clearly closer in meaning to that situation
("item：situation" passages) than to the others and to the item in general. An FAQ entry answers a
question that asks something specific (a yes/no question, or one about a field) when the question is
closer to that entry than to anything else the item says about itself.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.matching.fields import (
    IN_TIME_ASK,
    URGENT_ASK,
    URGENT_SITUATION,
    detect_field,
    proxy_option,
    without_cues,
)
from bot.matching.matcher import Matcher
from bot.matching.normalize import normalize
from bot.matching.options import (
    by_direction,
    by_done,
    by_hint,
    by_not,
    by_not_yet,
    by_words,
    contradicted,
    distinctive,
    first_time,
    names_first_time,
    shares_a_character,
    tied_by_words,
    without_denied,
    without_holidays,
    without_unwanted,
)
from bot.matching.segment import is_word
from bot.matching.situations import (
    age_situation,
    born_elsewhere,
    fits_age,
    from_elsewhere,
    named_situation,
    noted_situation,
    own_name,
    retold,
    roles,
    told_age,
    unbracketed,
    worded_situation,
    years_situation,
)
from bot.matching.surface import STORY_LENGTH
from knowledge.schema import FaqEntry, Item, Situation

#: A yes/no or "can I" question (吗, 不, 能不能, 要不要, 是不是…): what FAQ entries answer.
_YES_NO = re.compile(
    r"吗|么|嘛|不$|不[？?。]?$|能不能|可不可以|要不要|是不是|会不会|用不用|行不行|有没有|还是"
)
#: Passage similarity an FAQ question needs over the item's other passages (names, situations).
FAQ_MARGIN = 0.01
#: ... and over the item's name.
FAQ_OVER_NAME = 0.03
#: How far behind the closest situation in meaning one the message names in its words may be.
WORDED_SLACK = 0.01
#: A situation's passage must lead the other situations by this much, and the name by SITUATION_OVER_NAME.
SITUATION_MARGIN = 0.015
SITUATION_OVER_NAME = 0.0


@dataclass(frozen=True)
class ItemPassages:
    """The semantic similarity of one message to each passage of one item (empty without the stage)."""

    scores: dict[str, float]

    def get(self, text: str) -> float | None:
        return self.scores.get(text)


def passages_for(matcher: Matcher, item: Item, text: str) -> ItemPassages:
    """The message's similarity to each of ``item``'s passages."""
    if matcher.semantic is None or item.code not in matcher.position or not text.strip():
        return ItemPassages({})
    vector = matcher.query_vector(text)
    scores = matcher.semantic.index.passage_scores(vector, matcher.position[item.code])
    return ItemPassages(dict(scores))


def topic_words(item: Item, prepare: Callable[[str], str] | None = None) -> str:
    """The item's name and aliases: the words of the topic, which tell none of its situations apart. An
    alias that tells one is left out (社保卡坏了 of 损坏或到期换卡, 出国要的无犯罪证明 of 证明用于国外: a
    character only that situation's name has, not the item's): its words are the situation's."""
    owned = [set(normalize(s.name)) for s in item.situations or ()]
    telling: set[str] = set()
    for i, mine in enumerate(owned):
        telling |= mine - set().union(*(other for j, other in enumerate(owned) if j != i))
    name = own_name(item, prepare)
    if _JOINED.search(unbracketed(name) or name):
        # 困难残疾人生活补贴和重度残疾人护理补贴申请 joins its cases: their own characters are theirs, not the
        # topic's.
        name = "".join(char for char in name if char not in telling)
    telling -= set(normalize(name))
    aliases = [a for a in item.aliases or () if not set(normalize(a)) & telling]
    return " ".join([name, *aliases])


#: A name joining two things with 和 (生活补贴和…护理补贴); 与 joins operations (挂失与补换) of one thing.
_JOINED = re.compile(r"\w和\w")
#: Somewhere else in the country (外省, 外地, 县外): where someone is from, no character of a case's name.
_ELSEWHERE_HOME = re.compile(r"外(?:省|地|县|市|区|乡|镇)|(?:省|县|市)外")
_ABROAD = re.compile(r"外国|境外|国外|港澳|台湾|华侨")
#: A loan on the home not paid off yet (房子还有贷款没还完, 按揭还没还清): the home still pledged.
_STILL_OWED = re.compile(
    r"(?:贷款|贷|房贷|按揭|银行的钱)\w{0,4}?(?:没有?|未|还没有?)(?:还完|还清|结清|还)|还押着|抵押着"
)
#: The case of a home still pledged (带押过户, 房屋有抵押未注销).
_PLEDGED_CASE = re.compile(r"带押|有抵押|抵押未")
#: A document lost or stolen, as the matcher's canonical words say it (丢了 → 遗失, 偷走 → 被盗).
_GONE = re.compile(r"遗失|丢失|被盗|丢了|不见了|被偷|偷了")
#: The cases for a document lost or stolen (遗失补领, 丢失、被盗补领, 临时挂失): one of them alone is told.
_GONE_CASE = re.compile(r"遗失|丢失|被盗|挂失")


def situation_from_story(
    matcher: Matcher, item: Item, text: str, passages: ItemPassages, *, established: bool = False
) -> Situation | None:
    """The situation the message describes, or None when it does not say (or says several); ``established``:
    the conversation has told one already. Last, a word only one case's note holds (能送敬老院不 → 集中供养,
    whose note names 敬老院)."""
    told = _from_story(matcher, item, text, passages, established=established)
    age = told_age(text) if told is not None else None
    if told is not None and age is not None and fits_age(told.name, age) is False:
        # 我16岁了，想办个护照: 16 is no 未满16周岁, whatever of its words the story says.
        told = age_situation(list(item.situations or ()), text)
    if told is None and text.strip():
        return noted_situation(item, without_denied(text), matcher.prepare, matcher.errand_words)
    return told


def _from_story(
    matcher: Matcher, item: Item, text: str, passages: ItemPassages, *, established: bool = False
) -> Situation | None:
    situations = list(item.situations or ())
    if not situations or not text.strip():
        return None
    # What it does not want names no situation (不要安排工作，打算自己找活干: not 安排工作); a 未 one it may
    # tell (不想去公证处 → 未办理公证), which by_done reads in the whole text.
    wanted = retold(without_unwanted(text))
    names = [s.name for s in situations]
    done = by_done(text, names)
    if done is not None:
        # 人事说已经给我办了减员 → 原单位已办理停保减员; 厂里没给我们办停保 → 原单位未办理减员, though 停保
        # is a word of the 已办理 case: done or not decides first.
        return situations[done]
    denied = by_not(text, names)
    if denied is not None:
        return situations[denied]  # 我们还没结婚 → 非婚生育
    not_yet = by_not_yet(text, names)
    if not_yet is not None:
        return situations[not_yet]  # 卖家的房贷还没还完 → 带押过户（卖方贷款未还清）
    pledged = [s for s in situations if _PLEDGED_CASE.search(s.name)]
    if len(pledged) == 1 and _STILL_OWED.search(normalize(text).replace(" ", "")):
        # 房子还有十几万贷款没还完: the home is still pledged to the bank (房屋有抵押未注销（带押过户）),
        # though 贷款 is a word of 买方贷款购房 too.
        return pledged[0]
    undenied = without_denied(without_holidays(text))
    if undenied != text:
        # 人都没送医院: no 在医疗机构死亡; 不是丢了，是被水泡烂了: no 遗失; in words or in meaning (a vector
        # does not read 没 or 不是). 国庆期间 is a time: no 国家工作人员.
        text, passages = undenied, passages_for(matcher, item, normalize(matcher.reader.read(undenied)))
        wanted = retold(without_unwanted(text))
    named = named_situation(item, wanted, matcher.prepare)
    if named is not None and situations.index(named) in contradicted(text, names):
        # 我们是外省来的，在县城租房子: 租房 of 本县户籍，学区内租房居住, whose 本县户籍 is denied.
        named = None
    if named is not None:
        aged = age_situation(situations, text) if names_first_time(named.name) else None
        # 儿子12岁，第一次办: the age decides (未满16周岁); a first application is the ordinary case.
        return aged if aged is not None else named
    proxy = proxy_option(normalize(text), names)
    if proxy is not None:
        return situations[proxy]  # 让我老公去帮我打行不行 → 委托他人代办
    urgent = [s for s in situations if URGENT_SITUATION.search(s.name)]
    said = normalize(text)
    if len(urgent) == 1 and (URGENT_ASK.search(said) or IN_TIME_ASK.search(said)):
        return urgent[0]  # 下礼拜一要坐高铁，等不了那么久 → 急需用证
    aged = age_situation(situations, text)
    if aged is not None:
        return aged
    paid = years_situation(situations, text)
    if paid is not None:
        return paid  # 交了十六年的养老保险 → 缴费满15年, not 缴费不足15年
    way = by_direction(text, names)
    if way is not None:
        return situations[way]  # 想把老家的社保转过来 → 从外地转入, not 转出
    worded_alone = worded_situation(item, wanted, matcher.prepare)
    if worded_alone is not None:
        return worded_alone  # 户口本丢了 → 遗失补领
    gone = [s for s in situations if _GONE_CASE.search(s.name)]
    if len(gone) == 1 and _GONE.search(matcher.prepare(wanted).replace(" ", "")):
        return gone[0]  # 身份证被人偷了 → 遗失补领, where no case names a theft
    # Not beside a case told already: 能让我老婆帮我去办吗 after 身份证丢了 asks who may go for the lost card.
    first = first_time(text, names) if not established else None
    if first is not None:
        return situations[first]  # 医生讲可以去办残疾证 → 首次申领, beside 换领或补领
    if established:
        # Beside a situation already told, a word of another's bracketed detail tells nothing (护照几年有效 is
        # no 换发（有效期不足6个月…） for a child's first passport): names without their brackets.
        names = [unbracketed(name) or name for name in names]
    topic = topic_words(item, matcher.prepare)
    # 嫁过来 tells 配偶 of 投靠配偶: the family ties a story tells, in the words situation names use.
    # 小孩在广州生的: born elsewhere, as situation names write it (在外地出生, 在外省出生).
    regions = matcher.scorer.region_names
    # 我是四川人在这边打工: from another province, as situation names write it (外省户籍异地补领).
    away = " 外地 外省 异地" if born_elsewhere(wanted, regions) or from_elsewhere(wanted, regions) else ""
    told_roles = roles(wanted)
    worded = by_words(f"{wanted} {told_roles}{away}", names, topic)
    if worded is None:
        # In the canonical words of the knowledge base too (去世 and 死亡 are one word to the matcher).
        prepare = matcher.prepare
        worded = by_words(prepare(wanted), [prepare(name) for name in names], prepare(topic))
    if (
        worded is not None
        and len(normalize(text).replace(" ", "")) >= STORY_LENGTH
        and told_roles
        and by_words(told_roles, names, topic) == worded
    ):
        # 社保一直是他自己交的…退休手续怎么办 → 灵活就业人员: in a long story, whose meaning is about as close
        # to every case, a tie or a way of living it plainly tells, in the very words of one case's name.
        return situations[worded]
    scores = [passages.get(f"{item.name}：{s.name}") for s in situations]
    if any(score is None for score in scores):
        return situations[worded] if worded is not None else None  # no semantic stage: the words decide
    semantic = [float(score) for score in scores if score is not None]
    # Its own words, or a character only it has (坏 of 损坏, 子 of 子女), and the closest in meaning too.
    # A character of the whole name (新 of 新办 in 残疾人证办理（新办、换领…）) hints at nothing: 重新评 is
    # not 新办.
    hinted = f"{topic} {item.name}"
    # 外 of 外省 hints at no 外国人: beside a case for someone from abroad (and none for another province),
    # a place elsewhere in the country is read as no character of a case.
    abroad = any(_ABROAD.search(name) for name in names) and not any(_ELSEWHERE_HOME.search(n) for n in names)
    hint_text = without_cues(_ELSEWHERE_HOME.sub(" ", text) if abroad else text)
    told = worded if worded is not None else by_hint(hint_text, names, None, hinted)
    # Its own words need meaning not to point elsewhere, not to lead by much: a long story's vector is about
    # as close to every situation (在家里头走了 → 在家中正常死亡, a hair behind 在医疗机构死亡).
    slack = WORDED_SLACK if worded is not None else 0.0
    # Not beside a case the story contradicts (本县户籍 for 我们是外地户口).
    against = contradicted(text, names)
    rivals = [score for i, score in enumerate(semantic) if i not in against] or semantic
    if told is not None and semantic[told] >= max(rivals) - slack:
        return situations[told]
    tied = tied_by_words(f"{text} {roles(text)}", names, topic) if worded is None else []
    # 孩子…她5岁: 子女投靠父母（含未成年子女随迁）, when nothing else tells a situation.
    minor = age_situation(situations, text, majority=True) if worded is None else None
    closest = semantic.index(max(semantic))
    if closest in tied:
        return situations[closest]  # the story's words point at a few; meaning picks among them
    index = worded if worded is not None else by_hint(hint_text, names, semantic, hinted)
    if index is None or (worded is None and not shares_a_character(text, names[index], topic)):
        return minor
    rest = [score for i, score in enumerate(semantic) if i != index]
    name_score = max((passages.get(t) or 0.0 for t in [item.name, *(item.aliases or [])]), default=0.0)
    lead = semantic[index] - max(rest, default=semantic[index] - 1.0)
    if lead >= SITUATION_MARGIN and semantic[index] - name_score >= SITUATION_OVER_NAME:
        return situations[index]
    return minor


#: Fields an FAQ question asks in so many words, which another field's question does not ask.
_OWN_FIELDS = frozenset({"fee", "time_limit", "location", "hours", "phone", "online"})


def faq_for(item: Item, text: str, field: str | None, passages: ItemPassages) -> FaqEntry | None:
    """The FAQ entry the question asks, when it asks something specific and one entry clearly fits: the
    closest of the entries by FAQ_MARGIN, closer than the item's name by FAQ_OVER_NAME, and not behind any
    other passage (an alias, a situation) by more than FAQ_MARGIN. Not an entry asking another field than
    the question does (补办身份证要多少钱？ for 身份证补办要多久)."""
    entry = _faq_for(item, text, field, passages)
    if entry is None or field not in _OWN_FIELDS:
        return entry
    asked = detect_field(entry.q)
    return None if asked in _OWN_FIELDS and asked != field else entry


def _faq_for(item: Item, text: str, field: str | None, passages: ItemPassages) -> FaqEntry | None:
    faq = list(item.faq or ())
    if not faq or not (field or _YES_NO.search(text) or _YES_NO.search(normalize(text))):
        return None
    if not passages.scores:
        return _faq_by_words(faq, text, item)
    scored = sorted(((passages.get(entry.q) or 0.0, entry) for entry in faq), key=lambda pair: -pair[0])
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    faq_texts = {entry.q for entry in faq}
    others = [score for passage, score in passages.scores.items() if passage not in faq_texts]
    name = passages.get(item.name) or 0.0
    if (
        best_score - runner_up >= FAQ_MARGIN
        and best_score - name >= FAQ_OVER_NAME
        and best_score >= max(others, default=0.0) - FAQ_MARGIN
        # Meaning alone is not enough: the question shares a word with the entry (附近有银行吗 is not
        # 户口不在示范县能在这里办护照吗, however close the two sound to the model); the item's own name
        # is shared by every entry (领结婚证 of 周一去领结婚证要带什么 and 能一个人去领结婚证吗).
        and (_pairs(text) & _pairs(best.q)) - _ASKING_PAIRS - _own_pairs(item)
    ):
        return best
    # A long story is about as close in meaning to every passage; the entry whose own words it says
    # (…最多能贷多少 of 公积金最多能贷多少？) is still the one asked.
    return _faq_by_words(faq, text, item)


#: Pairs that say how a question asks, not what about: sharing them shares no word.
_ASKING_PAIRS = frozenset(
    "什么 怎么 可以 以吗 需要 要不 不要 能不 不能 能在 是不 不是 有没 没有 这里 那里 这个 那个 我们 你们 "
    "一下 办理 申请 还要 要带 带什 么东 东西 多少 多久 几天 在哪 哪里 可不 不可 用不 不用 行不 会不 是否 "
    "能否 去领 去办 来领 来办".split()
)
#: Without the semantic stage: the share of an FAQ question's own words the message must say.
FAQ_WORD_SHARE = 0.6


def _faq_by_words(faq: Sequence[FaqEntry], text: str, item: Item) -> FaqEntry | None:
    """The FAQ entry whose distinctive words (those not shared by every entry) the message mostly says,
    when exactly one does; else the entry naming most of the things the message names (领证要带户口本吗 and
    结婚登记还要户口本吗？: 户口本) that the item's own name and aliases do not, when one does."""
    said = _pairs(text)
    grams = distinctive([entry.q for entry in faq]) if len(faq) > 1 else [_pairs(faq[0].q)]
    shares = [len(said & g) / len(g) if g else 0.0 for g in grams]
    best = max(shares)
    if best >= FAQ_WORD_SHARE and shares.count(best) == 1:
        return faq[shares.index(best)]
    own = normalize(" ".join([item.name, *(item.aliases or ())])).replace(" ", "")
    things = _things(normalize(text).replace(" ", ""), own)
    questions = [normalize(entry.q).replace(" ", "") for entry in faq]
    counts = [sum(thing in question for thing in things) for question in questions]
    most = max(counts, default=0)
    return faq[counts.index(most)] if most and counts.count(most) == 1 else None


#: A thing named in a question: three characters or more, not the words of asking.
_THING = 3


def _things(compact: str, own: str) -> set[str]:
    """The words of ``_THING`` characters ``compact`` says (户口本, not 证丢了) that are not in the item's
    ``own`` words and hold no asking pair."""
    runs = {compact[i : i + _THING] for i in range(len(compact) - _THING + 1)}
    return {
        run
        for run in runs
        if is_word(run)
        and run not in own
        and not any(run[j : j + 2] in _ASKING_PAIRS for j in range(_THING - 1))
    }


def _own_pairs(item: Item) -> set[str]:
    return _pairs(" ".join([item.name, *(item.aliases or ())]))


def _pairs(text: str) -> set[str]:
    compact = normalize(text).replace(" ", "")
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


def situation_names(items: Sequence[Item]) -> list[str]:
    """Every situation name of ``items`` (for tests and the console)."""
    return [s.name for item in items for s in item.situations or ()]
