"""Which of a few options a message names in words: the words that set an option apart from the others
(租赁 in 住房公积金提取（租赁住房）, not 公积金) and, with the semantic stage, closeness in meaning.

Used for a numbered question answered in words, and for situations told in a story.
"""

import re
from collections.abc import Sequence

import numpy as np

from bot.matching.normalize import normalize

#: A semantic lead this large over the runner-up settles a choice made in other words.
SEMANTIC_MARGIN = 0.02


#: Pairs that say how, not which: they never set an option apart ("用于出国探亲" is not "用于继承的…").
_FUNCTION_PAIRS = frozenset(
    "用于 对于 关于 或者 以及 及其 其他 相关 办理 申请 需要 可以 我是 我要 的话".split()
)


#: Characters that say how, not which (用 of 用于, 的, 了…).
_FUNCTION_CHARS = frozenset(
    "用于的了是在和与或及我你他她它们这那有要办吗呢吧啊刚才就都还也又再很太更最只"
    "人个哪"
    # Modal verbs (能给我们找个律师…不): how the question asks, not which case (能 of 无民事行为能力人).
    "能会可想"
)


#: Characters of places (县里, 市里: here): alone they tell no option apart; whole words (本县, 外市) may.
_PLACE_CHARS = frozenset("省市县区镇乡村")


#: Characters of days and times (周六, 明天, 几点): 周 of 周六 says nothing of 未满16周岁.
_TIME_CHARS = frozenset("年月日号周天时点今明昨星期礼拜上下")  # 上 / 下 of 上个月, 下来
#: Characters that alone hint at no option.
_HINTLESS = _FUNCTION_CHARS | _PLACE_CHARS | _TIME_CHARS


#: What the citizen says it is not ("不是退休 我是租房子住", "不是公司"): those words name no option.
_NEGATED = re.compile(r"(?:不是|并非|而不是)[^，,。；;！!？?\s是我]{1,8}")


#: What the citizen says is had or done already (结婚证也有, 营业执照刚办下来): no option it asks for.
_HAD = re.compile(r"\w{2,6}?(?:也有|都有|有了|已经有了?|早就有了?|刚办下来|办下来了|已经办好了?|早就办好了?)")


#: What the citizen says it does not want (不要安排工作, 不想转出去): those words name no situation. 不是 and
#: 没 stay: 不是本县户口 and 没备案 tell a situation (非本县户籍, 未备案).
_UNWANTED = re.compile(r"(?:不要|不想|不打算|不愿意?|不准备|不需要)[^，,。；;！!？?\s]{1,8}")


#: Where the citizen says someone did not go or stay (人都没送医院, 没在医院走的, 没住过院): a place that
#: tells no situation. ``by_done`` and ``by_not`` read such words first (没去公证 → 未办理公证).
_NOT_THERE = re.compile(
    r"没有?(?:送到?|去过?|在|住过?|进过?)"
    # Not a doing (没去备过案, 没去公证): that tells a 未… situation.
    r"(?![^，,。；;！!？?\s]{0,3}(?:备|公证|登记|办|申|报|交|缴|领|签|审|认|考|检))[^，,。；;！!？?\s]{1,6}|"
    # 没丢，是让洗衣机给洗了: the loss or damage is denied.
    r"没有?(?:丢|坏|弄丢|搞丢|弄坏|损坏|遗失)(?:了|失|掉)?|"
    # 这几年没单位: no employer (no 单位职工).
    r"没有?(?:工作)?单位"
)
#: What has not expired, with what it is said of (合同还没到期, 证还没过期): still valid, as situation names
#: write it (证件有效), and no 合同到期.
_NOT_EXPIRED = re.compile(r"[^，,。；;！!？?\s]{0,3}?还?(?:没有?|未)(?:到期|过期|期满)")


#: Holidays named as days (国庆期间, 过年回来): times, which tell no situation (国 of 国家工作人员).
_HOLIDAYS = re.compile(
    r"国庆节?|春节|元旦|清明节?|端午节?|中秋节?|劳动节|五一|过年|除夕|元宵节?|开斋节|古尔邦节|七夕"
)


def without_holidays(text: str) -> str:
    """``text`` without the holidays it names as days."""
    return _HOLIDAYS.sub(" ", text)


def without_denied(text: str) -> str:
    """``text`` without what it says is not so (不是丢了) and the places it says someone did not go to or
    stay at (人都没送医院); what it says has not expired reads 有效."""
    return _NOT_EXPIRED.sub(" 有效 ", _NOT_THERE.sub(" ", _NEGATED.sub(" ", text)))


def without_unwanted(text: str) -> str:
    """``text`` without what it says is not wanted (不要安排工作)."""
    return _UNWANTED.sub(" ", text)


def without_had(text: str) -> str:
    """``text`` (normalised) without what it says is had or done already (结婚证也有)."""
    return _HAD.sub(" ", text)


#: What the citizen says it has not done (还没买房子, 没交过): no option it names.
_NOT_DONE = re.compile(r"(?:还)?没有?(?:[买办交贷领考结上参退离](?:过)?)[^，,。；;！!？?\s我]{0,2}")


def _said(text: str, topic: str = "") -> set[str]:
    """The pairs of characters a message says of itself, without what it denies, has not done or already
    has, and the topic's own."""
    kept = _HAD.sub(" ", normalize(_NOT_DONE.sub(" ", _NEGATED.sub(" ", text))))
    return _bigrams(_COUNTED.sub(" ", kept)) - _bigrams(normalize(topic))


#: A number and its measure word (两个人, 一本): 个人 of 两个人 is no 个人 of 个人申领.
_COUNTED = re.compile(r"[一二两三四五六七八九十几每多]+[个位本张次份]")
#: Papers asked for in general (要带哪样证明, 什么证件): what to bring, not a hint at an option's document.
PAPERS = re.compile(r"(?:哪样|哪些|什么|啥|哪个|些)(?:证明|证件|材料|资料)")


#: A grade (三年级): its number is the word (三年级 is no 一年级), not 年级.
_GRADE = re.compile(r"([一二三四五六七八九十\d])年级")
#: Money paid out (有补贴吗, 补助多少): its 补 is no hint at 补办 or 补领.
_PAID_OUT = re.compile(r"补贴|补助|补偿|津贴")


def _bigrams(text: str) -> set[str]:
    text = _GRADE.sub(r"\1级", text)
    pairs = {text[i : i + 2] for i in range(len(text) - 1) if " " not in text[i : i + 2]}
    return pairs - _FUNCTION_PAIRS


def distinctive(options: Sequence[str]) -> list[set[str]]:
    """Each option's character bigrams that not every option shares."""
    common = _shared(options)
    return [_bigrams(normalize(option)) - common for option in options]


#: What an option's name says it is not (非本县户籍居民): a message saying those words plainly (我俩都是本县
#: 户口) tells the opposite case, so they set that option apart only for a message that says 非 too.
NOT_IN_NAME = re.compile(r"非(\w{1,6})")
#: A message that says what a case is not (非本县户籍, 不是本县户口) may say the words after 非 of its name.
SAYS_NOT = re.compile("非|不是|不属于")


def _denied_by_name(option: str) -> str:
    """The characters of ``option`` it says it is not (本县户籍 of 非本县户籍居民)."""
    return "".join(NOT_IN_NAME.findall(normalize(option)))


def _says_plainly(text: str, option: str) -> bool:
    """Whether ``text`` says plainly, undenied, what ``option``'s name says it is not (我俩都是本县户口 of
    非本县户籍居民)."""
    denied = _denied_by_name(option)
    return bool(denied) and denied[:2] in normalize(text).replace(" ", "") and not SAYS_NOT.search(text)


def _telling(text: str, options: Sequence[str]) -> list[set[str]]:
    """Each option's distinctive pairs that ``text`` may say of it: not those its name denies when the
    message says them plainly."""
    grams = distinctive(options)
    return [
        mine - _bigrams(_denied_by_name(option)) if _says_plainly(text, option) else mine
        for mine, option in zip(grams, options, strict=True)
    ]


def _shared(options: Sequence[str]) -> set[str]:
    """The character bigrams every option has (个体 of 个体工商户注销登记 and 个体工商户设立登记)."""
    grams = [_bigrams(normalize(option)) for option in options]
    return set.intersection(*grams) if grams else set()


def by_words(text: str, options: Sequence[str], topic: str = "", story: str = "") -> int | None:
    """The option whose distinctive words (pairs of characters no other option has as many of) ``text``
    says, or None. Strong evidence: a message naming 租赁 answers the numbered question. Words of
    ``topic`` (the item whose situations the options are) set no option apart. ``story`` (the message
    that led to the question) breaks a tie among the options the reply names, or tells which when the
    reply names only what all of them share: 注销营业执照 then 我那是个体的 → 个体工商户注销登记, not
    个体工商户设立登记."""
    said = _said(text, topic)
    grams = _telling(text, options)
    hits = [len(said & mine) for mine in grams]
    best = max(hits, default=0)
    if not best and story and said & _shared(options):
        # 我那是个体的 after 注销营业执照 (个体工商户注销登记 / 设立登记): the reply says what every option
        # shares, so it answers the question; the story tells which.
        hits = [len(_said(story, topic) & mine) for mine in grams]
        best = max(hits, default=0)
    elif best and hits.count(best) > 1 and story:
        named = [i for i, hit in enumerate(hits) if hit == best]
        told = said | _said(story, topic)
        hits = [len(told & grams[i]) if i in named else 0 for i in range(len(options))]
        best = max(hits)
    return hits.index(best) if best and hits.count(best) == 1 else None


def tied_by_words(text: str, options: Sequence[str], topic: str = "") -> list[int]:
    """The options whose distinctive words ``text`` says most, when several say as many (住院 of 外伤住院 and
    备案 of 异地就医未备案); empty when none or one does."""
    said = _said(text, topic)
    hits = [len(said & mine) for mine in _telling(text, options)]
    best = max(hits, default=0)
    tied = [i for i, hit in enumerate(hits) if hit == best] if best else []
    return tied if len(tied) > 1 else []


def shares_a_character(text: str, option: str, topic: str = "") -> bool:
    """Whether the message says some character of ``option`` that is not a function word, a place, a time,
    or the topic's: meaning alone picked 非本县户籍 for 能在县里认定吗, which says nothing of it but 县."""
    if _says_plainly(text, option):
        return False  # 我俩都是本县户口 says plainly what 非本县户籍居民 is not
    said = set(normalize(text).replace(" ", "")) - _HINTLESS - set(normalize(topic))
    return bool(said & set(normalize(option)))


#: The first character of what a message says was not done (没备案, 没有去公证, 房东不肯给我备案).
_DENIED = re.compile(r"(?:没有?|不想|不打算|不肯|不给|不得|不让|不愿意?)(?:给我|帮我)?(?:去|来|办)?(\w)")


#: Pairs of characters said right after a denial (没备案, 没有去公证): what the citizen says was not done.
_DENIED_PAIR = re.compile(
    r"(?:没有?|未|不想|不打算|不肯|不给|不得|不让|不愿意?)(?:给我|帮我)?(?:去|来|办|扯|领|拿|开)?(\w\w)"
)


def denied_words(text: str) -> set[str]:
    """The pairs of characters ``text`` says were not done (备案 of 当时没备案)."""
    return set(_DENIED_PAIR.findall(normalize(text)))


#: What a message says was done already (人事说已经给我办了减员, 那要是已备案呢) or not yet (还没备案),
#: and the words after it that say what.
_DONE_SPAN = re.compile(r"(?:已经|已|早就|早已)(\w{0,10})")
#: ... or will not be done, someone refusing (房东不乐意去备案, 厂里不愿意给办).
_UNDONE_SPAN = re.compile(r"(?:还没有?|没有?|未|不肯|不给|不乐意|不愿意?|不同意|不让)(\w{0,10})")
#: ... or done, told by the 了 after it (要是去备案了呢, 减员办好了), with no denial just before.
_DONE_BY_LE = re.compile(r"(?<![没未不])(?<!没有)(?<![没未不]\w)(\w\w)(?:好了|过了|了)(?![吗么没])")


def _span_pairs(span: str) -> set[str]:
    """A span's pairs of characters, also across one character: a word told with a word inside it (停社保
    says 停保, 办了减员 says 办减)."""
    return _bigrams(span) | {
        span[i] + span[i + 2] for i in range(len(span) - 2) if " " not in span[i : i + 3]
    }


def by_done(text: str, options: Sequence[str]) -> int | None:
    """Between the one option saying 已 and the one saying 未 of the same thing (原单位已办理停保减员 /
    原单位未办理减员…), the one the message points at: done already (已经给我办了减员) or not (还没备案);
    None when it says neither, or both."""
    done = [i for i, option in enumerate(options) if "已" in option]
    undone = [i for i, option in enumerate(options) if "未" in option]
    if len(done) != 1 or len(undone) != 1:
        return None
    # What was or was not done, in the words of either case (停保 of 已办理停保减员, 减员 of 未办理减员).
    # Only after 已 / 未: what comes before is whose doing (原单位), not what was done (没单位 is no 未办理).
    after_done = options[done[0]].split("已", 1)[1]
    after_undone = options[undone[0]].split("未", 1)[1]
    shared = {
        pair
        for pair in _bigrams(normalize(after_done)) | _bigrams(normalize(after_undone))
        if pair not in _FUNCTION_PAIRS
    }
    normal = normalize(text).replace(" ", "")
    said_done = any(_span_pairs(span) & shared for span in _DONE_SPAN.findall(normal)) or any(
        pair in shared for pair in _DONE_BY_LE.findall(normal)
    )
    said_undone = any(_span_pairs(span) & shared for span in _UNDONE_SPAN.findall(normal))
    if said_done == said_undone:
        return None
    return done[0] if said_done else undone[0]


#: A thing not yet done, by its verb (还没还完 → 还; 未还清 → 还).
_NOT_YET_VERB = re.compile(r"(?:还没有?|没有?|未|尚未)(\w)")
#: Verbs a negation meets in passing, telling no case (没有, 没办法: 有, 办).
_FUNCTION_VERBS = frozenset("有办法是在")


def by_not_yet(text: str, options: Sequence[str]) -> int | None:
    """The one option saying a thing not yet done (带押过户（卖方贷款未还清）) when the message says the same
    verb not yet done (卖家的房贷还没还完); None otherwise, or when several options say 未."""
    undone = [(i, found.group(1)) for i, o in enumerate(options) if (found := _NOT_YET_VERB.search(o))]
    if len(undone) != 1:
        return None
    index, verb = undone[0]
    said = set(_NOT_YET_VERB.findall(normalize(text).replace(" ", "")))
    return index if verb in said and verb not in _FUNCTION_VERBS else None


#: What a message denies: an event (还没结婚, 未婚: 婚 its last or, after 未, first character) or who it is
#: (不是本县的: two characters of what the option says it is not).
_NOT_EVENT = re.compile(r"没有?(\w{1,2})")
_NOT_FORMAL = re.compile(r"未(\w{1,2})")
_NOT_WHO = re.compile(r"(?:不是|并非)(\w{2,4})")
#: A certificate not taken (还没领结婚证): the thing it certifies not done (结婚 → 非婚).
_NOT_CERTIFIED = re.compile(r"(?:没有?|未)(?:去)?(?:领|办|拿|扯|打)(\w{1,2})证")


#: A household registered elsewhere (户口不在潮屿, 外地户口, 户口在老家): what 非本县户籍 names.
NOT_LOCAL = re.compile(
    r"户[口籍](?:不在|没在|没落在|不是)|(?:外地|外省|外市|外县|老家|外面)的?户[口籍]|户[口籍](?:在|是)(?:外地|外省|老家)|"
    # 我们是外省来的, 俺是外地人: people from elsewhere.
    r"(?:是|从)(?:外地|外省|外市|外县)(?:来|过来)的?|(?:我们|我|俺|俺们|咱)是?(?:外地|外省)人"
)


def contradicted(text: str, options: Sequence[str]) -> set[int]:
    """The options the message says it is not: a local household's (本县户籍…) when it tells one
    registered elsewhere (我们是外地户口)."""
    if not NOT_LOCAL.search(normalize(text).replace(" ", "")):
        return set()
    return {i for i, o in enumerate(options) if re.search(r"本[县市区地]户[籍口]", o) and "非" not in o}


def by_not(text: str, options: Sequence[str]) -> int | None:
    """The one option that says what it is not (非婚生育, 非本县户籍居民) when the message denies the same
    (我们还没结婚, 我不是本县户口, 户口不在这边), or None; 不是本人 or 没有本人身份证 deny no 非本县户籍."""
    negative = [(i, found.group(1)) for i, o in enumerate(options) if (found := re.search(r"非(\w+)", o))]
    if len(negative) != 1:
        return None
    index, part = negative[0]
    said = normalize(text).replace(" ", "")
    if NOT_LOCAL.search(said) and ("户籍" in part or "户口" in part):
        return index
    event = any(span[-1] == part[0] for span in [*_NOT_EVENT.findall(said), *_NOT_CERTIFIED.findall(said)])
    formal = any(part[0] in (span[0], span[-1]) for span in _NOT_FORMAL.findall(said))
    who = any(span[i : i + 2] in part for span in _NOT_WHO.findall(said) for i in range(len(span) - 1))
    return index if event or formal or who else None


#: Options for a first time (首次申领, 新办, 初次): the errand when nothing is told of an earlier one.
_FIRST_TIME = re.compile(r"首次|初次|新办|第一次|首办|初领")


def names_first_time(name: str) -> bool:
    """Whether an option's ``name`` is the first application (首次申请, 新办)."""
    return bool(_FIRST_TIME.search(name))


#: What tells an earlier one: a replacement, renewal, change or loss (换, 补, 丢, 到期, 又, 再…).
_EARLIER = re.compile(
    r"[换补丢掉坏失盗偷损续延改变更迁销]|到期|过期|期满|又|再|重新|(?<![没未])办过|原来的|旧的"
)
#: Never had one (从来没办过, 头一回办): the first time, whatever the other options are.
_NEVER = re.compile(r"(?:从来|从)?没(?:有)?办过|从没|头一[回次]|第一次办|还没有过|没领过")


#: The citizen means to obtain it (要办那个船员证, 可以去办残疾证), not asks what to do (残废证的事咋办).
_TO_OBTAIN = re.compile(
    # 想帮他办个残疾证: for someone else too.
    r"(?:要|想|去|来|可以|准备|打算|得)(?:先)?(?:[帮给替](?:我|俺|他|她|他们|她们)?)?(?:去|来)?"
    r"(?:办|申请|申领|领|考|开|贷)(?!理?一下)"
)


def never_had(text: str) -> bool:
    """Whether ``text`` says the citizen never had one (从来没办过, 伊老早没办过的)."""
    return bool(_NEVER.search(normalize(text).replace(" ", "")))


#: A business given up (不做了，要关掉, 店不开了, 干不下去了): its closing, whatever it is called.
_GIVEN_UP = re.compile(
    r"关掉|关门不干|不做了|不干了|不开了|不想开了|不想干了|不想做了|不打算开了|歇业|倒闭了|开不下去|干不下去|做不下去"
)


def closing_option(text: str, options: Sequence[str]) -> int | None:
    """The one option that closes something down (个体工商户注销登记, beside 设立 and 变更) when the message
    tells a business given up (不做了，要关掉); else None."""
    closing = [i for i, option in enumerate(options) if "注销" in option]
    if len(closing) != 1 or not _GIVEN_UP.search(normalize(text).replace(" ", "")):
        return None
    return closing[0]


def first_time(text: str, options: Sequence[str]) -> int | None:
    """The one first-time option (普通船员证书首次申领, beside 证书换发 / 遗失补发) when every other option
    replaces, renews or changes something and the message tells nothing of an earlier one (我儿子十八了想办
    船员证, 医生讲可以去办残疾证), or None."""
    firsts = [i for i, option in enumerate(options) if _FIRST_TIME.search(option)]
    if len(firsts) != 1:
        return None
    if _NEVER.search(normalize(text).replace(" ", "")):
        return firsts[0]  # 她17了从来没办过
    others = [option for i, option in enumerate(options) if i != firsts[0]]
    if not others or not all(_EARLIER.search(_FIRST_TIME.sub("", option)) for option in others):
        return None
    said = normalize(text)
    if _EARLIER.search(said) or not _TO_OBTAIN.search(said.replace(" ", "")):
        return None
    return firsts[0]


def said_apart(text: str, option: str, other: str) -> set[str]:
    """The pairs of characters of ``option`` that ``other`` lacks and ``text`` says."""
    return (_bigrams(normalize(text)) & _bigrams(normalize(option))) - _bigrams(normalize(other))


def by_hint(
    text: str, options: Sequence[str], semantic: Sequence[float] | None = None, topic: str = ""
) -> int | None:
    """Weaker evidence, for a message that names no other item: one character only this option has (租 in
    租房的 → 租赁住房), else (with ``semantic``, the message's similarity to each option) the option
    clearly closest in meaning; ties on distinctive words are decided by meaning too. Words of ``topic``
    (the item the options are situations of) tell no option apart: 公积金 in 我老婆也有公积金 does not
    point to 使用公积金贷款购房."""
    said = _said(text, topic)
    hits = [len(said & grams) for grams in _telling(text, options)]
    best = max(hits, default=0)
    # No option's words, or several options' alike: a character only one of them has decides.
    tied = [i for i, hit in enumerate(hits) if hit == best] if best else list(range(len(options)))
    if len(tied) > 1:
        # 自己 is who, no 自 of 购买自住住房.
        kept = _COUNTED.sub(" ", normalize(_NEGATED.sub(" ", text)))
        kept = kept.replace("没有", "没").replace("自己", " ")
        kept = _GRADE.sub(" ", kept)  # 三年级: its 级 is no hint at 一年级
        kept = _PAID_OUT.sub(" ", kept)  # 有补贴吗: its 补 is no hint at 遗失补办
        # 老板把我们辞了: its 老 is no hint at 养老金 (老伴, 老家 may be: who is old, where one retires).
        kept = kept.replace("老板", " ")
        kept = PAPERS.sub(" ", kept)  # 要带哪样证明: its 证 is no hint at 居民身份证
        chars = set(kept.replace(" ", "")) - _HINTLESS - set(normalize(topic))
        owned = {
            i: set(normalize(options[i]))
            - set(_denied_by_name(options[i]) if _says_plainly(text, options[i]) else "")
            for i in tied
        }
        unique = {
            i: o - set().union(*(other for j, other in owned.items() if j != i)) for i, o in owned.items()
        }
        # 没 is how citizens say the 未 of option names, when what follows it is there too (没备案的 →
        # 未办理租赁备案; 还没过期 is not 未满16周岁), and not in every option (名下没有房子: 房 is in all).
        everywhere = set(normalize(options[0])).intersection(*(normalize(o) for o in options[1:]))
        denied = set(_DENIED.findall(kept)) - everywhere
        single = [i for i, mine in unique.items() if chars & mine or ("未" in mine and denied & owned[i])]
        if len(single) == 1:
            return single[0]
    if semantic is None or len(semantic) != len(options) or len(options) < 2:
        return None
    scores = np.asarray(semantic, dtype=float)
    candidates = [i for i, h in enumerate(hits) if h == best] if best else list(range(len(options)))
    candidates.sort(key=lambda i: -scores[i])
    if len(candidates) == 1 or scores[candidates[0]] - scores[candidates[1]] >= SEMANTIC_MARGIN:
        return candidates[0]
    return None


#: Which way a message moves something: here (迁到这边, 迁过来, 投靠) or away (迁走, 迁到外地).
_INWARD = re.compile(r"[迁落转调](?:到|回|进|入)?(?:这|我这|俺这|咱这|本地|过来|来|回来)|投靠|嫁过来")
#: 迁到学校去: to a place over there, away (not 迁到我这边来).
_OUTWARD = re.compile(
    r"[迁转调](?:走|出去|出|到外|往外|去|过去|回老家|到外地|到外省)|[迁转调]到(?!这|我这|俺这|咱这|本地)\w{1,6}?去"
)


def by_direction(text: str, options: Sequence[str]) -> int | None:
    """Between options told apart by which way they move (户口迁入 / 户口迁出, 转入 / 转出), the one the
    message's way points at (想把户口迁到我老公这边 → 迁入), or None."""
    inward = [i for i, o in enumerate(options) if re.search(r"[迁转调]入", o)]
    outward = [i for i, o in enumerate(options) if re.search(r"[迁转调]出", o)]
    if len(inward) != 1 or len(outward) != 1 or inward == outward:
        return None
    said = normalize(text).replace(" ", "")
    to_here, away = bool(_INWARD.search(said)), bool(_OUTWARD.search(said))
    if to_here == away:
        return None
    return inward[0] if to_here else outward[0]
