"""Numbered questions that need not be asked: a clarification whose first option is the only credible one
(the others below CHOICE_SHARE of its probability), settled by what the message itself says.

- ``named``: the message asks and says whole a name or alias that is that item's alone (扯证 of
  内地居民结婚登记, 失业保险金 of 失业保险金申领, its default operation left out);
- ``told``: it tells one of the item's situations in the situation's own words or by an age, and says what the
  item is about (护照丢了 → 补发（遗失、被盗）; not 户口本丢了 → 身份证补领).

``likely_item`` names that option for the turns after the question, when the citizen asks a field instead of
picking (要带什么); ``answer_first`` names it for a conversation to answer at once when it is very likely.
"""

import dataclasses
import functools
import os
import re
from collections.abc import Callable, Mapping, Sequence

from bot.matching import words as vocab
from bot.matching.decision import Decision, Reason
from bot.matching.normalize import NOT_BODY, normalize
from bot.matching.options import by_hint, by_words, denied_words, never_had, said_apart, without_had
from bot.matching.ranker import CHOICE_SHARE, Verdict
from bot.matching.scoring import ItemScorer
from bot.matching.situations import JUST_BORN, operations, roles, told_apart, topic_of, unbracketed
from bot.matching.surface import asks
from knowledge.schema import Item, Material


def likely_item(decision: Decision) -> str | None:
    """A clarification's first option when it is the only credible one (the others below CHOICE_SHARE of
    it), else None."""
    scores = decision.scores
    if decision.action != "clarify" or not decision.candidates or not scores:
        return None
    if scores[0][0] != decision.candidates[0]:
        return None
    return scores[0][0] if len(scores) < 2 or scores[1][1] < CHOICE_SHARE * scores[0][1] else None


def leading_option(decision: Decision) -> str | None:
    """A clarification's first option when the runner-up has at most NAMED_SHORT_SHARE of its probability
    (far ahead, though not the only credible one), else None."""
    scores = decision.scores
    if decision.action != "clarify" or not scores or scores[0][0] != (decision.candidates or ("",))[0]:
        return None
    return far_ahead(scores)


def far_ahead(scores: Sequence[tuple[str, float]]) -> str | None:
    """The first of ``scores`` when the runner-up has at most NAMED_SHORT_SHARE of its probability."""
    if not scores:
        return None
    second = scores[1][1] if len(scores) > 1 else 0.0
    return scores[0][0] if second <= NAMED_SHORT_SHARE * scores[0][1] else None


#: A fresh question's numbered question is answered in a conversation with its first option when that
#: option is the only credible one and at least this probable. On every labelled and held-out question set
#: (leave one set out), such first options were the right item for every in-scope question; the misses were
#: out-of-scope near misses (二手车过户 → 二手房过户), which a numbered question does not serve either. The
#: reply still names the runner-up, so the citizen is one message from it.
FIRST_ANSWER_P = 0.85


#: A conversation also answers a first option this probable, ahead of the runner-up (which has at most
#: NAMED_FIRST_SHARE of its probability), when the message names it apart: its own words, which no
#: neighbour's have (护照 beside 港澳通行证, 离婚 beside 结婚登记). In conversations written by other hands
#: such first messages (我妈包包遭人摸了 身分证也在里头, 帮他办个护照 他才9岁) were answers but for one
#: (港澳台通行证怎么办理, which names both); on the question sets, of such first options below 0.85 about
#: half were out-of-scope near misses (结婚能请几天婚假), which a numbered question serves no better, and
#: those far ahead of the runner-up but less so (share 0.35-0.75) were right 18 times in 22. The reply
#: names the runner-up and the way to a person, so a wrong guess costs one message.
NAMED_FIRST_P = 0.5
NAMED_FIRST_SHARE = 0.75
#: ... and this probable when the runner-up is not credible beside it (below CHOICE_SHARE of it).
LONE_FIRST_P = 0.3
#: A short message (Matcher's SHORT_ASK) is named apart only by names, the runner-up this far behind.
NAMED_SHORT_SHARE = 0.35

#: Candidates this probable count as the top one's neighbours when asking what sets it apart.
NEIGHBOUR_P = 0.01
#: A family member this probable holds the first option back (个人所得税经营所得汇算 at 0.011 beside
#: 个人所得税综合所得年度汇算 at 0.91 is no case the message may mean).
FAMILY_P = 0.03
#: Names sharing this many first characters are one family (住房公积金提取（…）, 个体工商户…登记).
FAMILY_PREFIX = 4


def answer_first(
    decision: Decision,
    text: str,
    names: Mapping[str, str],
    described: Mapping[str, str] | None = None,
    *,
    apart: bool = True,
    story: bool = True,
) -> str | None:
    """The item a conversation answers instead of asking ``decision``'s numbered question about ``text``, or
    None. Besides being very likely, when a neighbour's name begins like its own (a family: 住房公积金提取
    （…）) the message must say words of its name that its neighbours' names lack: 公积金怎么取出来 says
    only what every 住房公积金提取 item shares, and the deciding question is due. ``described`` (each
    option's name and aliases) names options apart below FIRST_ANSWER_P; without ``apart``, only a very
    likely option is answered."""
    near = [names[code] for code, p in decision.scores if p >= NEIGHBOUR_P and code in names]
    words = (described or names) if apart else names
    likely = likely_item(decision) or _alone_but_denied(decision, text, names, words)
    if likely is None or decision.scores[0][1] < FIRST_ANSWER_P:
        if not apart:
            return None
        decision = _without_had_options(decision, text, names, words)
        near = _neighbours(decision, names)
        # A short message (港澳台通行证怎么办理, 户口迁移要办啥) names apart only by the options' names, the
        # runner-up far behind: a bare name of several services is a question to ask.
        found = _named_apart(decision, text, near, NAMED_FIRST_SHARE if story else NAMED_SHORT_SHARE)
        if found is None:
            found = _plain_name(decision, text, names)
        if found is None:
            found = _named_by_thing(decision, text, names)
        if found is None and described and story:
            # Or by its aliases, every option known by its aliases too (给孩子上户口 of 出生登记).
            own = _neighbours(decision, described)
            found = _named_apart(decision, text, own)
        if found is None:
            found = _hinted_in_family(decision, text, names)
        return found
    kin = [code for code, p in decision.scores[1:] if p >= FAMILY_P and code in names]
    family = [code for code in kin if len(os.path.commonprefix([near[0], names[code]])) >= FAMILY_PREFIX]
    # Its own words set it apart, or a character only it has (租 of 在县城租房子住, beside 购买 / 偿还), or
    # its aliases (身份证被偷了 of 居民身份证补领, beside 首次申领 / 换领: 钱包被人偷了…身份证要怎么重新办).
    first = decision.scores[0][0]
    if (
        family
        and by_words(text, near) != 0
        and by_hint(text, [near[0], *(names[code] for code in family)]) != 0
        and not (described and first in described and _apart_by_aliases(text, first, family, described))
    ):
        return None
    return likely


#: A family's first option the message hints at is answered when the runner-up has at most this share of it:
#: a hint is weak evidence, the ranker's lead must be clear (at 0.75 two blind dialogue turns were lost).
HINTED_SHARE = 0.6


def _hinted_in_family(decision: Decision, text: str, names: Mapping[str, str]) -> str | None:
    """The first option of a family (住房公积金提取（…）) when it is probable (NAMED_FIRST_P) and the message
    holds the character only it has among the credible options, the hint a reply to the numbered question
    would be read by (我在镇上租房子住 → 租赁住房): what the citizen has told already is not asked."""
    scores = decision.scores
    if decision.action != "clarify" or not scores or scores[0][0] != (decision.candidates or ("",))[0]:
        return None
    if scores[0][1] < NAMED_FIRST_P or any(code not in names for code, _ in scores):
        return None
    if len(scores) > 1 and scores[1][1] > HINTED_SHARE * scores[0][1]:
        return None
    credible = [code for code, p in scores if p >= CHOICE_SHARE * scores[0][1]]
    if len(credible) < 2:
        return None
    first = names[credible[0]]
    if any(len(os.path.commonprefix([first, names[code]])) < FAMILY_PREFIX for code in credible[1:]):
        return None
    return credible[0] if by_hint(text, [names[code] for code in credible]) == 0 else None


def _apart_by_aliases(text: str, first: str, family: Sequence[str], described: Mapping[str, str]) -> bool:
    """Whether ``text`` says words of ``first``'s own words (name, aliases, situations) that set it apart
    from each of its ``family``'s."""
    if any(code not in described for code in family):
        return False
    return by_words(text, [described[first], *(described[code] for code in family)]) == 0


def _neighbours(decision: Decision, names: Mapping[str, str]) -> list[str]:
    """The names of ``decision``'s options probable enough to be neighbours of the first, and at least the
    runner-up: with none credible beside it, the first is still told apart from the next (户口要么样销 of
    死亡人员户口注销, beside 继承不动产登记 at 0.004)."""
    return [
        names[code]
        for rank, (code, p) in enumerate(decision.scores)
        if (p >= NEIGHBOUR_P or rank < 2) and code in names
    ]


def _named_apart(
    decision: Decision, text: str, near: Sequence[str], share: float = NAMED_FIRST_SHARE
) -> str | None:
    """The first option when it is clearly first and the message says its own words (of its name and
    aliases, ``near``) that no neighbour's have (离婚 of 内地居民离婚登记 beside 结婚登记, 个体户 beside 有限
    责任公司, 给孩子上户口 of 出生登记's aliases), else None."""
    scores = decision.scores
    if decision.action != "clarify" or not scores or scores[0][0] != decision.candidates[0]:
        return None
    first = scores[0][1]
    second = scores[1][1] if len(scores) > 1 else 0.0
    # Alone (the runner-up not credible beside it), less probable a first option will do: a numbered question
    # whose second option is no real choice (死亡人员户口注销 or 居民身份证首次申领?) serves nobody.
    floor = LONE_FIRST_P if second < CHOICE_SHARE * first else NAMED_FIRST_P
    if first < floor or second > share * first:
        return None
    return scores[0][0] if by_words(text, near) == 0 else None


#: Characters of operations and of replacing: a name longer by them is another service on the same thing
#: (社会保障卡挂失与补换 beside 社会保障卡申领), not a qualified kind of it.
_SERVICE_CHARS = re.compile(r"[换补挂失遗损注销变更迁转续延]")


def _core(name: str) -> str:
    """An item name without brackets and its final operation: 居住证申领 → 居住证."""
    bare = unbracketed(name)
    operation = next((op for op in operations() if bare.endswith(op)), "")
    return bare[: len(bare) - len(operation)] if operation else bare


#: Operations every service has: saying them asks nothing in particular.
_GENERIC_OPERATIONS = frozenset({"办理", "申请", "登记", "查询", "确认"})


def _thing(name: str) -> str:
    """What an item name is about, without its operations and brackets: 居民身份证首次申领 → 居民身份证."""
    bare = unbracketed(name, " ")
    for operation in operations():
        bare = bare.replace(operation, " ")
    return bare


def _pairs(text: str) -> set[str]:
    """The pairs of characters in a row of ``text`` (a space parts words)."""
    return {text[i : i + 2] for i in range(len(text) - 1) if " " not in text[i : i + 2]}


def _says_thing(compact: str, thing: str) -> bool:
    """Whether ``compact`` says two characters in a row of ``thing``."""
    return any(pair in compact for pair in _pairs(thing))


def errands(decision: Decision, text: str, names: Mapping[str, str]) -> tuple[str, ...]:
    """The credible options of ``decision``'s numbered question whose things the message says each, in
    words of their own (孩子的户口、医保: 出生登记（新生儿入户）, 城乡居民基本医疗保险参保登记), the likeliest
    first, then in the order the message says them, when it says two or more apart (not in one word: 社会
    保险 is one thing, though 社会 and 保险 each begin some name); else empty. Two errands told at once are
    both asked, not one of them."""
    scores = decision.scores
    if decision.action != "clarify" or len(scores) < 2:
        return ()
    credible = [code for code, p in scores if p >= CHOICE_SHARE * scores[0][1] and code in names]
    compact = normalize(text).replace(" ", "")
    things = {code: _thing(names[code].replace("（", " ").replace("）", " ")) for code in credible}
    said: dict[str, int] = {}
    for code, thing in things.items():
        others = " ".join(t for c, t in things.items() if c != code)
        pairs = {pair for pair in _pairs(thing) if pair not in _THING_FILLERS and pair not in others}
        found = [compact.find(pair) for pair in pairs if pair in compact]
        if found:
            said[code] = min(found)
    told = sorted((at, code) for code, at in said.items())
    if len(told) < 2 or told[1][0] - told[0][0] < 3:
        return ()
    order = [code for _, code in told]
    lead = next(code for code, _ in scores if code in order)
    return (lead, *(code for code in order if code != lead))


#: Pairs of characters many things' names hold: they say no one thing.
_THING_FILLERS = frozenset("居民 城乡 基本 人员 申领 办理 证明 证书 登记".split())


def _named_by_thing(decision: Decision, text: str, names: Mapping[str, str]) -> str | None:
    """The first option when the message says what it is about (护照 of 普通护照签发) and nothing of what the
    other credible options are about, which it matched by operations alone (首次 of 居民身份证首次申领:
    第一次办护照; 换 of 居民身份证换领: 驾照快到期了咋换)."""
    scores = decision.scores
    if decision.action != "clarify" or not scores or scores[0][0] != (decision.candidates or ("",))[0]:
        return None
    if scores[0][1] < FIRST_ANSWER_P or scores[0][0] not in names:
        return None  # very likely, though not alone
    compact = normalize(text).replace(" ", "")
    # The message asks an operation (首次, 期满, 补领): a bare topic (房产证怎么办) is asked back.
    if not any(op in compact for op in operations() if op not in _GENERIC_OPERATIONS):
        return None
    credible = [code for code, p in scores[1:] if p >= CHOICE_SHARE * scores[0][1]]
    if not credible or any(code not in names for code in credible):
        return None
    if not _says_thing(compact, _thing(names[scores[0][0]])):
        return None
    if _LOST.search(text) and "补" in compact and not _REPLACES.search(names[scores[0][0]]):
        replacing = [code for code in credible if _REPLACES.search(names[code])]
        if replacing:
            # 结婚证搬家的时候搞丢了…能补么 beside 补领婚姻登记证: the document is lost and asked for again,
            # and the one credible option that replaces it is the errand; the first (结婚登记) issues it.
            return replacing[0] if len(replacing) == 1 else None
    return None if any(_says_thing(compact, _thing(names[code])) for code in credible) else scores[0][0]


def _plain_name(decision: Decision, text: str, names: Mapping[str, str]) -> str | None:
    """The one credible option named plainly (居住证 of 居住证申领) when every other credible one is a
    qualified kind of it whose qualifier the message does not say (台湾居民居住证申领)."""
    scores = decision.scores
    if decision.action != "clarify" or not scores:
        return None
    credible = [code for code, p in scores if p >= CHOICE_SHARE * scores[0][1] and code in names]
    index = plainly_named(text, [names[code] for code in credible])
    return credible[index] if index is not None else None


def plainly_named(text: str, options: Sequence[str]) -> int | None:
    """The option whose name ``text`` says plainly (那居住证要带什么: 居住证申领) when every other option is a
    qualified kind of it whose qualifier the message does not say (台湾居民居住证申领), or None."""
    compact = normalize(text).replace(" ", "")
    cores = [_core(option) for option in options]
    for index, core in enumerate(cores):
        if len(core) < 2 or core not in compact:
            continue
        others = [other for i, other in enumerate(cores) if i != index]
        rest = compact.replace(core, " ")
        qualified = all(
            core in other
            and other != core
            and not _SERVICE_CHARS.search(other.replace(core, ""))
            and not _said_any(other.replace(core, " "), rest)
            for other in others
        )
        if others and qualified:
            return index
    return None


def _said_any(qualifier: str, text: str) -> bool:
    """Whether ``text`` says a pair of characters of ``qualifier`` (台湾 of 台湾居民), or its character."""
    pairs = _pairs(qualifier)
    if not pairs:
        return bool(set(qualifier.replace(" ", "")) & set(text))
    return any(pair in text for pair in pairs)


def _without_had_options(
    decision: Decision, text: str, names: Mapping[str, str], described: Mapping[str, str]
) -> Decision:
    """``decision`` without the options after the first that the message names only in what it says it has
    already (结婚证也有, beside 出生登记: 结婚登记 is no runner-up)."""
    scores = decision.scores
    if not scores or scores[0][0] not in names:
        return decision
    mine = described.get(scores[0][0], names[scores[0][0]])
    kept = without_had(normalize(text))

    def had_only(code: str) -> bool:
        return (
            code in names
            and bool(said_apart(text, names[code], mine))
            and not said_apart(kept, names[code], mine)
        )

    dropped = {code for code, _ in scores[1:] if had_only(code)}
    first, second = scores[0][0], scores[1][0] if len(scores) > 1 else ""
    if second in names:
        # 营业执照已经办好了，还要办什么许可: the first option itself is what it has; the next one, what the
        # rest of the message names.
        theirs = described.get(second, names[second])
        if (
            said_apart(text, mine, theirs)
            and not said_apart(kept, mine, theirs)
            and said_apart(kept, theirs, mine)
        ):
            dropped.add(first)
    if not dropped:
        return decision
    return dataclasses.replace(
        decision,
        candidates=tuple(c for c in decision.candidates if c not in dropped),
        scores=tuple((c, p) for c, p in scores if c not in dropped),
    )


def _alone_but_denied(
    decision: Decision, text: str, names: Mapping[str, str], described: Mapping[str, str]
) -> str | None:
    """The first option when every other credible one is named only by words the message denies, by what it
    says it has already, or by the first option's own words (``described``: name, aliases, situations) too
    (在省城住院，当时没备案，回来找医保报销: 备案 of 异地就医备案 was not done, and 异地就医 is 医疗费用手工
    报销's situation too)."""
    scores = decision.scores
    if decision.action != "clarify" or not scores or scores[0][0] != decision.candidates[0]:
        return None
    first = scores[0]
    others = [code for code, p in scores[1:] if p >= CHOICE_SHARE * first[1]]
    if not others or any(code not in names for code in (first[0], *others)):
        return None
    denied = denied_words(text)
    kept = without_had(normalize(text))
    for code in others:
        mine = described.get(first[0], names[first[0]])
        said = said_apart(text, names[code], mine)
        # Named only in what the citizen has already (结婚证也有, beside 结婚登记) is not named either.
        if not said or not (said <= denied or not said_apart(kept, names[code], mine)):
            return None
    return first[0]


def settled_alone(
    verdict: Verdict,
    text: str,
    items: Sequence[Item],
    scorer: ItemScorer,
    prepare: Callable[[str], str],
    *,
    spread: Callable[[str], int] | None = None,
) -> Reason | None:
    """Why a clarification of normalised ``text`` needs no question ("named", "told"), or None. ``spread``
    counts the items whose records hold a word: with it, a word of one case told by few items may settle the
    question (without it, the text holds the conversation's topic too, whose words were told of another
    errand)."""
    p = verdict.probabilities
    if len(p) > 1 and p[1] >= CHOICE_SHARE * p[0]:
        said = _situation_said_whole(verdict, text, items, prepare) or (
            spread is not None and _situation_word_said(verdict, text, items, scorer, prepare, spread)
        )
        return "told" if said else None
    best = verdict.ordered[0]
    # A name said in a message that asks nothing (关于…低保户的建议, a complaint) is no question about it.
    content = prepare(text)
    named = bool(best.values.get("named")) and not _runner_up_said(verdict, scorer, content)
    if asks(text) and (named or says_own_name(scorer, best.position, content)):
        return "named"
    item = items[best.position]
    if told_apart(item, text, prepare) is None:
        return None
    # The story must also say what the item is about: 户口本丢了 tells 丢失 of 身份证补领, but it is about
    # 户口本.
    topic = topic_of(item, prepare)
    keys = [word for word, _, _, key in scorer.weighted_words(prepare(text)) if key]
    return "told" if any(word in topic for word in keys) else None


#: A word of one case settles a numbered question only when at most this many items' records hold it (透析:
#: one; 学校, 异地: several, words of many errands).
CASE_WORD_SPREAD = 2


def _situation_word_said(
    verdict: Verdict,
    text: str,
    items: Sequence[Item],
    scorer: ItemScorer,
    prepare: Callable[[str], str],
    spread: Callable[[str], int],
) -> bool:
    """Whether the message says a key word (two characters or more) of a situation of the first option that
    few items' records hold (``spread``), no other credible option's own words (name, aliases, situations) and
    not the first option's name, and a word of what the option is about: 他透析的钱医保能不能多报点 听说
    有个慢病 says 透析 of 门诊慢特病待遇认定's 尿毒症透析 and 慢病 of its aliases, though 手工报销 is
    credible too."""
    p = verdict.probabilities
    credible = [c for c, q in zip(verdict.ordered, p, strict=False) if q >= CHOICE_SHARE * p[0]]
    first = items[credible[0].position]
    cases = " ".join(prepare(s.name) for s in first.situations or ())
    if not cases:
        return False
    others = " ".join(prepare(own_words(items[c.position])) for c in credible[1:]) + " " + prepare(first.name)
    keys = [w for w, _, _, key in scorer.weighted_words(prepare(text)) if key and len(w) >= 2]
    found = [w for w in keys if w in cases and spread(w) <= CASE_WORD_SPREAD]
    if not found or any(w in others for w in found):
        return False
    # ... and what the item is about, in its name or aliases (慢病 of 办慢病卡): 拖欠工资 told of a labour
    # arbitration the hall does not do is no question about 法律援助's case for unpaid wages.
    topic = topic_of(first, prepare)
    return any(w in topic for w in keys if w not in found)


def _situation_said_whole(
    verdict: Verdict, text: str, items: Sequence[Item], prepare: Callable[[str], str]
) -> bool:
    """Whether the message says whole the name of a situation of the first option (four characters or more)
    that no other credible option has: 买了套二手房，公积金能取出来吗 says 购买二手房 of
    住房公积金提取（购买自住住房）, though 租赁住房 is credible too."""
    content = prepare(text).replace(" ", "")
    p = verdict.probabilities
    credible = [c for c, q in zip(verdict.ordered, p, strict=False) if q >= CHOICE_SHARE * p[0]]

    def said(position: int) -> set[str]:
        names = (prepare(s.name).replace(" ", "") for s in items[position].situations or ())
        return {name for name in names if len(name) >= 4 and name in content}

    own = said(credible[0].position)
    if not own or any(said(c.position) for c in credible[1:]):
        return False
    # Words the other options' names and situations say too tell nothing apart (遗失补领 of 残疾人证换领、补领
    # is 机动车驾驶证遗失补领's too: 证件丢了怎么补办 is still asked).
    others = "".join(
        prepare(" ".join([items[c.position].name, *(s.name for s in items[c.position].situations or ())]))
        for c in credible[1:]
    ).replace(" ", "")
    return not any(name[i : i + 2] in others for name in own for i in range(len(name) - 1))


def _runner_up_said(verdict: Verdict, scorer: ItemScorer, content: str) -> bool:
    """Whether ``content`` says a word of the runner-up's name that the first option's name lacks:
    社保卡找不到了 names 社会保障卡申领 whole, yet its 遗失 is 社会保障卡挂失、补领's."""
    if len(verdict.ordered) < 2:
        return False
    best = scorer.name_text(verdict.ordered[0].position)
    runner_up = scorer.name_text(verdict.ordered[1].position)
    words = [word for word, *_ in scorer.weighted_words(content) if len(word) >= 2]
    return any(word in runner_up and word not in best for word in words)


def says_own_name(scorer: ItemScorer, position: int, content: str) -> bool:
    """Whether prepared ``content`` says whole a name or alias (two characters or more) of the item at
    ``position`` that no other item's name or alias contains, with or without its default operation."""
    compact = content.replace(" ", "")
    names = scorer.item_names[position]
    said = [n for n in (*names, *map(stem, names)) if len(n) >= 2 and n in compact]
    if not said:
        return False
    others = [name for i, own in enumerate(scorer.item_names) if i != position for name in own]
    return any(not any(n in other for other in others) for n in said)


def stem(name: str) -> str:
    """A name without the default operations it ends with (申领, 登记, 办理…): 失业保险金申领 → 失业保险金."""
    for _ in range(2):
        name = next((name[: -len(op)] for op in _defaults() if name.endswith(op)), name)
    return name


@functools.cache
def _defaults() -> frozenset[str]:
    return vocab.actions()[1]


#: A card or certificate lost, stolen or broken, in prepared words (丢了 → 遗失, 被偷 → 被盗).
_LOST = re.compile(
    rf"遗失|被盗|丢失|不见了|损坏|弄坏{NOT_BODY}|(?<![不没])坏(?![账人蛋事处]){NOT_BODY}|烂{NOT_BODY}了"
)
#: What an item that replaces a lost document says of itself (补领, 挂失与补换, 补证).
_REPLACES = re.compile(r"补|挂失|遗失|丢失|被盗")
#: Names sharing this many characters in a row are about the same document (社会保障卡).
SAME_DOCUMENT = 3


def lost_sibling(
    code: str, scores: Sequence[tuple[str, float]], content: str, items: Mapping[str, Item]
) -> str | None:
    """For an answer about issuing a document (社会保障卡申领) to a message telling it lost or stolen
    (钱包被偷了，社保卡在里面), the neighbour that replaces that document (社会保障卡挂失与补换), or None."""
    if not tells_loss(content) or code not in items:
        return None
    if _REPLACES.search(own_words(items[code])):
        return None  # it replaces already (or tells a loss among its situations)
    name = items[code].name
    for other, p in scores:
        if other == code or other not in items or p < NEIGHBOUR_P:
            continue
        if _REPLACES.search(items[other].name) and _longest_common(name, items[other].name) >= SAME_DOCUMENT:
            return other
    return None


def replacement(code: str, items: Sequence[Item]) -> str | None:
    """The item that replaces the document item ``code`` issues (残疾人证申领（新办） → 残疾人证换领、补领):
    the one item naming a replacement whose name shares the longest run of characters with it (at least
    SAME_DOCUMENT), else the one whose aliases name a document ``code``'s aliases name (领结婚证 →
    结婚证丢了); None when ``code`` replaces already, or no single item does."""
    current = next((item for item in items if item.code == code), None)
    if current is None or _REPLACES.search(own_words(current)):
        return None
    shared = [
        (_longest_common(current.name, item.name), item.code)
        for item in items
        if item.code != code and _REPLACES.search(item.name)
    ]
    best = max((length for length, _ in shared), default=0)
    found = [other for length, other in shared if length == best]
    if best >= SAME_DOCUMENT and len(found) == 1:
        return found[0]
    # 内地居民结婚登记 issues 结婚证 (its aliases say so: 领结婚证); 补领婚姻登记证 replaces it (结婚证丢了,
    # 补办结婚证), though the names share no run of characters.
    documents = {d for alias in current.aliases or () for d in _DOCUMENT.findall(alias)}
    replacing = [
        item.code
        for item in items
        if item.code != code
        and _REPLACES.search(item.name)
        and any(d in alias for d in documents for alias in item.aliases or ())
    ]
    return replacing[0] if len(replacing) == 1 else None


#: A document named in an alias (结婚证 of 领结婚证, 驾驶证, 户口本, 社保卡).
_DOCUMENT = re.compile(r"[\u4e00-\u9fff]{2}(?:证|卡|本|簿|照)")


def tells_loss(content: str) -> bool:
    """Whether prepared ``content`` tells a document lost, stolen or broken."""
    return bool(_LOST.search(content))


#: Asking for the document again in so many words (社保卡怎么补办, 补一张驾驶证): the operation is replacing.
_ASKS_AGAIN = re.compile(r"补领|补办|补发|补换|补证|补卡|补一[张个本份]|重新办|重办")


def replacing_choice(choices: Sequence[str], content: str, items: Mapping[str, Item]) -> str | None:
    """In a numbered question between issuing and replacing one document (社会保障卡申领 / 社会保障卡挂失
    与补换), the one that replaces it when the message tells it lost or stolen (社保卡找不到了) or asks for
    it again (社保卡怎么补办); else None."""
    asked = tells_loss(content) or _ASKS_AGAIN.search(content)
    if not asked or not choices or any(code not in items for code in choices):
        return None
    same = _same_document_choices(choices, items)
    replacing = [code for code in same if _REPLACES.search(items[code].name)]
    if len(same) >= 2 and len(replacing) == 1 and _names_document(items[replacing[0]].name, content):
        return replacing[0]
    if tells_loss(content):
        # 钱包被偷了身份证也在里面…过两个月要回老家过年: whatever the story put first, the one option that
        # replaces a document the message names.
        named = [
            code
            for code in choices
            if _REPLACES.search(items[code].name) and _names_document(items[code].name, content)
        ]
        return named[0] if len(named) == 1 else None
    return None


#: A material's note on what to do when it cannot be found (无法找到的须书面说明, 遗失的提供登报声明).
_UNFOUND = re.compile(r"找不到|无法找到|找不着|遗失|丢失|丢了|无法提供|不能提供")


def unfound_material(item: Item, content: str, prepare: Callable[[str], str]) -> Material | None:
    """The material of ``item`` (any situation's) that prepared ``content`` tells lost, when its note says
    what to do then (他的身份证翻遍了也没找着 → 死者居民身份证：无法找到的须书面说明); else None."""
    if not tells_loss(content):
        return None
    words = [word for word in content.split() if len(word) >= 2]
    materials = [*(item.materials or ()), *(m for s in item.situations or () for m in s.materials or ())]
    for material in materials:
        if not _UNFOUND.search(material.note or ""):
            continue
        name = prepare(material.name).replace(" ", "")
        if any(_longest_common(word, name) >= SAME_DOCUMENT for word in words):
            return material
    return None


def lost_document(content: str, items: Sequence[Item]) -> str | None:
    """The one item that replaces a document prepared ``content`` tells lost, stolen or broken and names
    (钱包让人给摸走了，身份证也在里头 → 居民身份证补领), or None: nothing lost, no document named, or two
    documents named (身份证社保卡都在里面: which first is the citizen's to say)."""
    if not tells_loss(content):
        return None
    named = [
        item.code for item in items if _REPLACES.search(item.name) and _names_document(item.name, content)
    ]
    return named[0] if len(named) == 1 else None


#: What an item's name says of an earlier document (换, 补, 挂失, 注销, 变更…): it is not the one that issues.
_OF_AN_EARLIER = re.compile(r"[换补续销迁改]|挂失|遗失|丢失|被盗|变更|延续|损坏|期满|到期")
#: The citizen means to obtain one, counted (想给她办张社保卡, 要去办个): narrower than options' 可以去办.
_TO_OBTAIN_ONE = re.compile(
    r"(?:要|想|去|来|准备|打算|得)(?:给\w{1,3}?)?(?:去|来)?(?:办|申请|申领|领)(?:[张个本份])"
)


def issuing_choice(choices: Sequence[str], text: str, items: Mapping[str, Item]) -> str | None:
    """In a numbered question about one document, the one option that issues it (社会保障卡申领, beside
    挂失与补换) when the message means to obtain one (孙女刚满月，想给她办张社保卡) and tells of no earlier
    one: nothing lost, replaced, renewed or changed; else None."""
    said = normalize(text).replace(" ", "")
    if not choices or any(code not in items for code in choices):
        return None
    # 给刚出生的孙子办社保卡: a child just born has had no document of its own.
    if not (_TO_OBTAIN_ONE.search(said) or never_had(text) or JUST_BORN.search(said)):
        return None
    # Lost told in plain words (社保卡掉了, 丢了) as much as in the catalogue's (遗失).
    if _OF_AN_EARLIER.search(said) or tells_loss(said) or _ASKS_AGAIN.search(said) or "遗失" in roles(said):
        return None
    same = _same_document_choices(choices, items)
    if len(same) < 2:
        return None
    issuing = [code for code in same if not _OF_AN_EARLIER.search(unbracketed(items[code].name))]
    return issuing[0] if len(issuing) == 1 else None


#: A step before a goal (先还清解押才能过户, 得先注销再办): the goal is the errand.
_BEFORE_GOAL = re.compile(r"先\w{1,10}?(?:才能|才可以|才可|然后再|再去|再)(\w{2,6})")


def goal_choice(choices: Sequence[str], text: str, items: Mapping[str, Item]) -> str | None:
    """In a numbered question, the one option the goal of a step-then-goal message names (过户 of
    中介说得先还清解押才能过户, beside 抵押权注销 for the step); else None."""
    found = _BEFORE_GOAL.search(normalize(text).replace(" ", ""))
    if found is None or not choices or any(code not in items for code in choices):
        return None
    goal = found.group(1)
    index = by_words(goal, [own_words(items[code]) for code in choices])
    return choices[index] if index is not None else None


#: Characters of a question or of asking (要登记吗, 怎么办): a run holding one names nothing.
_ASKING_CHARACTER = re.compile(r"[吗么啥怎要能可以的了呢吧办咋]")
#: A run of a name this long, said in the message, names its item.
NAME_RUN = 4
#: Characters a question may say besides the name it names (its field words aside): 居住登记要带啥 says
#: none, 高龄津贴是依据什么政策发放的 two (发放).
NAMED_REST = 2


def named_choice(
    choices: Sequence[str],
    text: str,
    items: Mapping[str, Item],
    scorer: ItemScorer,
    prepare: Callable[[str], str],
    *,
    lexical_first: str | None,
) -> str | None:
    """In a numbered question, the one option a question names by the end of its name (four characters or
    more) or by a whole alias that no other item of the hall (``scorer``'s names) says, with at most
    NAMED_REST other content characters, when the words alone rank it first (``lexical_first``):
    居住登记要带啥 of 流动人口居住登记, beside 居住证申领 and an item whose FAQ tells of 居住登记; else None.
    The end of a name is what it is about (社会保险 begins 社会保险个人权益记录查询 and names no errand
    of it)."""
    if lexical_first not in choices or any(code not in items for code in choices) or not asks(text):
        return None
    compact = prepare(text).replace(" ", "")
    runs = {code: _name_said(items[code], compact, prepare) for code in choices}
    named = [code for code, run in runs.items() if run]
    if named != [lexical_first] or any(
        _end_said(items[code], compact, prepare) for code in choices if code not in named
    ):
        return None  # 护照和港澳通行证能一起办吗 names two options
    run = runs[named[0]]
    if len(compact) - len(run) > NAMED_REST:
        return None  # the name is a word on the way to what is asked, not the question itself
    asked = (
        prepare(entry.q).replace(" ", "")
        for code in choices
        if code != named[0]
        for entry in items[code].faq or ()
    )
    if any(_longest_common(compact, question) > len(run) for question in asked):
        return None  # 要先办营业执照不: another option's FAQ asks it, in more of its words than the name
    own = scorer.position[named[0]]
    names = (name for i, names in enumerate(scorer.item_names) if i != own for name in names)
    return None if any(run in name for name in names) else named[0]


def document_choice(
    choices: Sequence[str], content: str, items: Mapping[str, Item], canonical: Callable[[str], str]
) -> str | None:
    """In a numbered question whose first option is about another document than the one the message names
    (居民身份证换领, which 快到期了 brought forward for 驾照快到期了), the one option whose aliases name the
    document named and whose own words say more of the message (机动车驾驶证期满换证: 到期); else None.
    ``content``: the message's canonical words."""
    if not choices or any(code not in items for code in choices):
        return None
    said = [d for d in vocab.documents() if _says_document(content.replace(" ", ""), d)]
    if not said:
        return None

    def own(code: str, *, called: bool = False) -> str:
        """The option's name and aliases (its aliases alone: ``called``), canonical, run together."""
        item = items[code]
        texts = item.aliases or () if called else (item.name, *(item.aliases or ()))
        return "".join(canonical(t).replace(" ", "") for t in texts)

    def documents(code: str, *, called: bool = False) -> set[str]:
        words = own(code, called=called)
        return {d for d in vocab.documents() if d in words}

    first = documents(choices[0])
    if not first or first & set(said):
        return None  # the first option is about no document, or about one the message names
    # The option citizens call by the document (its aliases: what staff wrote down as asked), not one whose
    # catalogue name holds it inside another (外国人永久居留身份证).
    about = [code for code in choices[1:] if documents(code, called=True) & set(said)]
    if len(about) != 1:
        return None
    # And its own words say what else the message says of it (到期 of 驾驶证到期换证): 结婚证丢了 asks
    # nothing of 结婚登记, which only issues one.
    compact = content.replace(" ", "")
    rest = {compact[i : i + 2] for i in range(len(compact) - 1)}
    rest = {pair for pair in rest if not any(pair in d for d in said)}
    words = own(about[0])
    return about[0] if any(pair in words for pair in rest) else None


def own_documents_text(item: Item, canonical: Callable[[str], str]) -> str:
    """``item``'s own words (name, aliases, situations, materials) in ``canonical`` form, run together: the
    documents it is about or asks for."""
    situations = [s.name for s in item.situations or ()]
    materials = [m.name for m in item.materials or ()] + [
        m.name for s in item.situations or () for m in s.materials or ()
    ]
    texts = (item.name, *(item.aliases or ()), *situations, *materials)
    return "".join(canonical(text).replace(" ", "") for text in texts)


def names_other_document(own: str, content: str) -> bool:
    """Whether ``content`` (canonical words) names documents (身份证, 驾驶证…) none of which an item's own
    words ``own`` hold: 驾驶证到期了 is no question about 居民身份证有效期满换领."""
    said = [d for d in vocab.documents() if _says_document(content.replace(" ", ""), d)]
    return bool(said) and not any(d in own for d in said)


def _says_document(compact: str, document: str) -> bool:
    """Whether ``compact`` names ``document`` itself (居住证, not 居住证明)."""
    at = compact.find(document)
    while at >= 0:
        if not compact.startswith("明", at + len(document)):
            return True
        at = compact.find(document, at + 1)
    return False


def _end_said(item: Item, compact: str, prepare: Callable[[str], str]) -> bool:
    """Whether ``compact`` says the last two characters or more of ``item``'s name without its default
    operation (护照 of 普通护照申请)."""
    name = stem(prepare(unbracketed(item.name)).replace(" ", ""))
    return len(name) >= 2 and name[-2:] not in _defaults() and name[-2:] in compact


def _name_said(item: Item, compact: str, prepare: Callable[[str], str]) -> str:
    """The longest end of ``item``'s name (no brackets, with or without its default operation) or whole
    alias, NAME_RUN characters or more and asking nothing, that ``compact`` says; or ''."""
    name = prepare(unbracketed(item.name)).replace(" ", "")
    short = stem(name)
    ends = {name[i:] for i in range(len(name))} | {short[i:] for i in range(len(short))}
    aliases = {prepare(alias).replace(" ", "") for alias in item.aliases or ()}
    said = [
        run
        for run in ends | aliases
        if len(run) >= NAME_RUN and run in compact and not _ASKING_CHARACTER.search(run) and _topic(run)
    ]
    return max(said, key=len, default="")


def _topic(run: str) -> bool:
    """Whether a run of a name says what the item is about, two characters or more besides its operations
    (首次申领 of 居民身份证首次申领 says only what is done)."""
    for operation in vocab.actions()[0]:
        run = run.replace(operation, "")
    return len(run) >= 2


#: What a replacing item's name says besides the document (补领, 挂失与补换, its bracket).
_OPERATION = re.compile(
    r"[（(].*?[）)]|补领|补发|补换|补办|补证|换领|换发|换证|挂失|遗失|丢失|被盗|补|换|[与和及、]"
)


def _names_document(name: str, content: str) -> bool:
    """Whether ``content`` names the document of a replacing item's ``name``: half of it or more, in one
    run (身份证 of 居民身份证补领, 驾驶证 of 机动车驾驶证遗失补领; not of 补发外国人永久居留身份证, whose
    qualifier it does not say)."""
    document = _OPERATION.sub("", name)
    shared = _longest_common(document, content)
    return shared >= SAME_DOCUMENT and shared * 2 >= len(document)


#: The verbs of asking for a service, in aliases (办残疾证, 申请低保): they name no item.
_ASKING_VERB = re.compile(r"办理|申请|申办|怎么|办")


def own_words(item: Item) -> str:
    """An item's own words: its name, its aliases without the verb of asking (办残疾证) and its situations."""
    aliases = [_ASKING_VERB.sub(" ", alias) for alias in item.aliases or ()]
    return " ".join([item.name, *aliases, *(s.name for s in item.situations or ())])


def same_document(a: str, b: str) -> bool:
    """Whether two item names are about one document (社会保障卡申领, 社会保障卡挂失与补换)."""
    return bool(a and b) and _longest_common(a, b) >= SAME_DOCUMENT


def _same_document_choices(choices: Sequence[str], items: Mapping[str, Item]) -> list[str]:
    """The choices about the first choice's document (itself included)."""
    first = items[choices[0]].name
    return [code for code in choices if same_document(first, items[code].name)]


def _longest_common(a: str, b: str) -> int:
    """The length of the longest run of characters ``a`` and ``b`` share."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] not in b:
                break
            best = j - i
    return best
