"""Small talk, emergencies and English: messages that are not a service question.

:func:`classify` looks at the whole message and is strict: "谢谢" is thanks, "好的，那要带什么材料" is a
question (None); "孩子发烧了" is an emergency (120 in the first line), "身份证被偷了怎么补办" is a service
question (None). A service question that mentions a fire, an illness or violence
("家里着火了户口本烧了怎么补") is still answered as a service question; :func:`emergency_line` gives the
engine one line to add in case the danger is not over.
"""

import enum
import functools
import re
import unicodedata
from dataclasses import dataclass

from pypinyin.contrib.tone_convert import to_normal
from pypinyin.pinyin_dict import pinyin_dict

from bot.matching.normalize import to_halfwidth, to_simplified
from knowledge.schema import Hall


class Kind(enum.Enum):
    """What a message is, when it is not a service question."""

    THANKS = "thanks"
    ACK = "ack"
    GREETING = "greeting"
    GOODBYE = "goodbye"
    EMERGENCY = "emergency"
    ENGLISH = "english"
    ABILITY = "ability"  # 你能帮我办啥: what the assistant can do


@dataclass(frozen=True)
class SmallTalk:
    """A classified message; ``numbers`` are the emergency numbers to call, most urgent first."""

    kind: Kind
    numbers: tuple[str, ...] = ()


#: When the citizen will do something (下周一, 明天下午, 一点半, 周末): a plan told, not a day asked.
_WHEN = (
    r"今天|明天|后天|大后天|上午|下午|中午|晚上|明早|早上|下周[一二三四五六日天]?|下个?(?:礼拜|星期)[一二三四五六天]?|"
    r"周[一二三四五六日末]|礼拜[一二三四五六天]|星期[一二三四五六天]|[\d一二三四五六七八九十两]+点半?|过两天|改天|等会儿?"
)
_PHRASES = {
    Kind.GOODBYE: r"再见|拜拜|拜|byebye|bye|回见|下次见|晚安|没事了|没有了|没问题了|没别的了|就这样|先这样|"
    # The errand called off (先不办了, 算了不补了): nothing more to answer.
    r"算了|不用了|不需要了|(?:先|就|暂时|还是)?不(?:办|弄|搞|补|换|去|问|要)了",
    # 已经打咗，唔该 / 已经办好了谢谢: done, and thanks.
    Kind.THANKS: r"(?:已经\w{1,3}?[了咗])?(?:非常|十分|太|万分|真是)?"
    r"(?:唔该晒|唔该|多谢晒|xiexie|xiexieni|duoxie|ganxie|"  # Cantonese, and thanks typed in pinyin
    # Thanks in the languages of minority regions, as citizens write them in Chinese characters: Mongolian
    # (巴雅尔拉), Uyghur (热合麦特, rahmat), Tibetan (突吉其, 突及齐).
    r"巴雅尔拉|巴亚尔拉|巴雅尔勒|热合麦特|热合买提|rahmat|突吉其|突及齐|托吉其|"
    r"谢谢|谢啦|谢了|多谢|感谢|感恩|辛苦了?|麻烦了|蟹蟹|thankyou|thanks|thx|3q)(?:你们|您们|你|您|大家|nimen|ni)?",
    # 喂 opens a call, and a chat typed like one (喂 在不在).
    Kind.GREETING: r"你们好|你好|您好|hi|hello|hey|嗨|哈喽|哈啰|在吗|在不在|在么|在嘛|有人在吗|有人吗|喂+|"
    r"早上好|上午好|中午好|下午好|晚上好|早安|"
    # Hello in Mongolian (赛音白努), Uyghur (亚克西姆赛斯), Tibetan (扎西德勒).
    r"赛音白努|赛音拜努|赛白努|亚克西姆赛斯|扎西德勒|"
    # Season's greetings (新年快乐, 过年好): a greeting, not a question about the holiday.
    r"(?:新年|新春|春节|节日|元旦|国庆|中秋|端午|元宵|五一|劳动节)快乐|过年好|新年好|拜年了?|恭喜发财",
    # 好嘛 / 行嘛 (south-west and north-west): fine, not a question.
    Kind.ACK: r"好的|好滴|好嘞|好哒|好吧|好嘛|好|行吧|行嘛|行|可以|嗯+|恩+|哦+|噢+|喔+|知道了|明白了?|"
    r"了解了?|"
    r"收到|懂了|清楚了|晓得哒|知道哒|懂哒|晓得了?|要得|okay|ok|okk|👌|"
    # Typed in pinyin (hao de xie xie, haoba).
    r"haode|haodi|haoba|haola|zhidaole|mingbaile|"
    # Regional ways of saying fine: 没麻达 (northwest), 得行 (southwest), 中 (Henan), 妥了 (northeast).
    r"没麻达|没毛病|得行|妥了|中|"
    # Later (那等放完假再说, 回头再说): nothing more now.
    r"(?:等\w{1,6}?)?再说(?!一)吧?|回头再说|以后再说|改天再说|"
    # Done already what the reply said (好 已经打了, 刚叫了救护车, 报过警了): the advice taken.
    r"(?:已经|刚刚?|早就|我)?(?:打|叫|拨|报)(?:过|了)了?(?:电话|120|110|119|救护车|警)?了?|"
    # Help on its way or come (车子来了, 警察来了): nothing asked (救护车 still reads as an emergency first).
    r"(?:救护车|车子?|警察|民警|消防车?|医生)(?:已经|都|也)?(?:来了|到了)|"
    # And the one in danger better (人也醒了, 他没事了): nothing asked.
    r"(?:人|他|她|孩子|老人)?(?:也|都|已经)?(?:醒了|醒过来了|没事了|好多了)|"
    # What the citizen will do now (好 我先打电话, 那我去问问): the advice taken.
    r"我(?:先|再|就|这就|马上|现在)?(?:去)?(?:打|打个)(?:电话)?(?:过去|问问|问一下|试试)?|"
    r"我(?:先|再|就|这就|马上)?(?:去)?(?:问问|问一下|看看|试试|想想|准备准备|准备一下)|"
    # Whom they will tell (我周末回去跟我爸说): the answer passed on, nothing asked.
    rf"我(?:{_WHEN})?(?:回去|回家)?(?:跟|和|给)\w{{1,4}}?(?:说|讲|商量)(?:一下|一声)?|"
    # When they will come (那我一点半再来, 我明天就过去, 那我下周一去): a plan, nothing asked.
    r"我\w{0,6}?(?:再|就)(?:来|去|过来|过去)|"
    rf"我(?:{_WHEN})+(?:来|去|过来|过去)",
}
_FILLER = r"请问|啊|呀|哈+|呢|啦|了|的|吧|哇|嘿|那就|那|老师|同志|亲|小助手|客服|机器人|工作人员"
_ATOMS = re.compile(
    "|".join(f"(?P<{kind.value}>{pattern})" for kind, pattern in _PHRASES.items()) + f"|{_FILLER}"
)
_PRIORITY = (Kind.GOODBYE, Kind.THANKS, Kind.GREETING, Kind.ACK)
_WECHAT_EMOJI = re.compile(r"\[[^\[\]]{1,4}\]|/:[^\s]{1,8}")

#: Danger now, by number; the message is an emergency only when it is not a service question.
_DANGERS = (
    ("119", r"着火|失火|起火|火灾|火警|冒烟|烧起来|爆炸|煤气泄漏|燃气泄漏|漏气了"),
    (
        "120",
        r"发烧|发高烧|高烧|晕倒|昏倒|昏迷|晕过去|不省人事|急救|救护车|心脏病|抽搐|休克|大出血|流血不止|中毒|中暑|"
        r"喘不上气|呼吸困难|受伤|摔伤|骨折|车祸|撞车|被车撞|撞人了|快不行了|病危|犯病|胸口疼|胸痛|"
        # 我爸在门口摔倒了 起不来了 流血了: a fall now.
        r"摔倒|跌倒|起不来了|流血了|出血了|"
        # 在你们大厅门口摔了一跤 头磕破了流了好多血: a fall and a wound now.
        r"摔了一跤|磕破|流了(?:好多|很多|一地|不少)?(?:的)?血|头破血流|"
        # 娃烧到39度了: a fever told by the thermometer.
        r"烧到\d{2}(?:\.\d)?度|烧到[三四]十[一二三四五六七八九]?度|[三四]十[一二三四五六七八九]度[多了]|"
        # 伢烧得好厉害 39度多: a high fever told by how bad it is, or by the degrees beside the fever.
        r"烧得(?:好|很|特别|太|蛮)厉害|(?:烧|体温)\w{0,6}?(?:3[89]|4[0-2])\d?度|"
        r"倒在地上|倒地不起|喊不应|叫不应|叫不醒|喊不醒|没反应了|口吐白沫|昏过去|"
        # 头痛得很厉害还吐了，嘴巴也歪了: the signs of a stroke or a heart attack, now.
        r"嘴巴?(?:也|都)?歪了|嘴歪|口眼歪斜|口角歪斜|说不出话来?了|半边(?:身子|身体|脸)(?:突然)?(?:不能动了|动不了了|麻了)|"
        r"头(?:痛|疼)得(?:很|好|特别|要命)?厉害|剧烈头(?:痛|疼)",
    ),
    (
        "110",
        r"被(?:人)?打|挨打|打人|打架|斗殴|抢劫|被(?:人)?抢|抢钱|闹事|持刀|拿刀|砍人|杀人|绑架|被跟踪|有人跟踪|家暴|被骗|诈骗|小偷|"
        # 报警了 / 报过警: done already, not a call for help.
        r"入室|报警(?![了过])|被偷|偷东西|性骚扰|救命|"
        # 给几个烂仔打了, 手机都给抢了: the passive said with 给 / 让 / 叫, by whom or of what.
        r"(?:给|让|叫)(?:人|几个|一帮|一伙|俩|两个|流氓|小偷|烂仔|混混|小混混|坏人)\w{0,3}?打(?:了|伤)|"
        r"(?:给|让|叫)(?:人)?抢(?:了|走)|"
        # 回来砸东西还打我 我现在躲在屋里: violence at home now (not 钱打我卡上, 打我电话).
        r"打我(?!电话|手机|号码|卡|账|的|这|那)|把我打|砸东西|躲在(?:屋|房|厕所|卫生间|柜)|要杀我|威胁我|"
        # 正在砸门 说要打死我: someone breaking in, a threat to kill, now.
        r"(?:砸|踹|撬)(?:门|窗)|(?:打|弄|砍|掐)死我|杀了我",
    ),
)
_DANGER_PATTERNS = tuple((number, re.compile(f"(?<![没不未无])(?:{words})")) for number, words in _DANGERS)
#: Words of a service question: with them, a danger word is part of a story about a service.
_SERVICE = re.compile(
    r"办理|补办|补领|换领|申领|申请|报销|证|材料|手续|户口|户籍|户口本|社保|医保|公积金|护照|驾照|登记|认定|补贴|"
    r"津贴|保险|理赔|赔偿|门诊|医院|窗口|预约|怎么补|怎么办理|要带|需要什么|受理|营业执照|回执|报案|培训|报名|考试|"
    # 回头要补, 去补一个: a document to be replaced.
    r"要补|去补|补个|补一个|补张|补一张|"
    # 上个月摔伤了 住院花了两万 能报多少: the bill of what happened, asked (a time alone says nothing: a
    # danger that began last month may be back now).
    r"能报|报多少|报不报|医药费|住院费"
)
_REPLIES = {
    Kind.THANKS: "不客气！还有其他问题，随时发给我。",
    Kind.ACK: "好的。还有其他想了解的，直接发给我就行。",
    Kind.GOODBYE: "不客气，祝您办事顺利，再见！",
    Kind.ABILITY: (
        "我能解答本中心办理事项的办事指南：需要什么材料、多久办好、收不收费、在哪个窗口办、办公时间、能否网上办。"
        "请直接说您要办的事，比如“身份证丢了怎么补办”“社保卡在哪办”；回复“人工”联系工作人员。"
    ),
}
#: What the assistant can do, asked (你能帮我办啥, 你都会些什么, 机器人能干嘛).
_ABILITY = re.compile(
    r"^(?:那|请问|那么)?(?:你|您|机器人|小助手|助手)(?:们)?(?:都|到底|一般|还)?(?:能|会|可以)(?:帮我|帮忙|给我)?"
    r"(?:办|干|做|回答|查|问|解答)?(?:些|点)?(?:啥|什么|哪些|嘛|么)(?:事|事情|业务|问题)?(?:呀|啊|呢|吗|哦)*$"
)
_EMERGENCY_FIRST = {"119": "119（火警）", "120": "120（急救）", "110": "110（报警）"}
_EMERGENCY_ADVICE = {
    "119": "请先撤离到安全的地方，不要乘电梯。",
    "120": "请说清地址和病人情况，在原地等候救护车。",
    "110": "请先确保自身安全，到人多的地方等候民警。",
}
#: Dangers that may still be going on while someone asks about a document, and the line to add.
_AFTERTHOUGHTS = (
    (
        re.compile(r"(?<![没不未无])(?:着火|失火|起火|火灾|烧起来|煤气泄漏|燃气泄漏)"),
        "如果火情还没有扑灭，请立即拨打119。",
    ),
    (
        re.compile(
            r"(?<![没不未无])(?:晕倒|昏倒|昏迷|不省人事|大出血|流血不止|抽搐|休克|呼吸困难|快不行了|倒在地上|叫不醒|喊不应)"
        ),
        "如果有人需要急救，请立即拨打120。",
    ),
    (
        re.compile(r"被(?:人)?打|挨打|打人|打架|斗殴|抢劫|持刀|拿刀|砍人|绑架|家暴|闹事|救命"),
        "如果仍有危险，请立即拨打110报警。",
    ),
)
#: English words citizens use that are also pinyin syllables (so they are not taken for pinyin).
_ENGLISH_COMMON = frozenset(
    "a an and are can do does for get go he hi how i id in is it me my need of on open or she the to"
    " what when where which who why you your hall office passport card visa time help please english long"
    " change".split()
)


#: Emoji that thank (🙏, WeChat's [抱拳] and [合十]) rather than nod.
_THANKING_EMOJI = re.compile(r"🙏|\[(?:抱拳|合十|感谢|谢谢)\]")


def _emoji_only(text: str) -> bool:
    """Whether ``text`` holds an emoji (a pictograph, WeChat's [强]) and nothing but emoji and punctuation."""
    rest = _WECHAT_EMOJI.sub("", text)
    pictographs = [ch for ch in rest if unicodedata.category(ch) == "So"]
    return (rest != text or bool(pictographs)) and not re.sub(r"[^\w]|_", "", rest)


def _compact(text: str) -> str:
    text = _WECHAT_EMOJI.sub("", to_simplified(to_halfwidth(text)).lower())
    return re.sub(r"[^\w👌]|_", "", text)


def classify(text: str) -> SmallTalk | None:
    """What ``text`` is when it is not a service question (thanks, greeting, emergency, English), or None."""
    compact = _compact(text)
    emergency = _emergency(compact)
    if emergency:
        return SmallTalk(Kind.EMERGENCY, emergency)
    if _ABILITY.match(compact):
        return SmallTalk(Kind.ABILITY)
    if not compact and _emoji_only(text):
        # 👍, [强], 🙏: a reaction, the way WeChat users nod or thank; nothing to look up.
        return SmallTalk(Kind.THANKS if _THANKING_EMOJI.search(text) else Kind.ACK)
    if compact and len(compact) <= 24 and not _ATOMS.sub("", compact):
        found = {kind for match in _ATOMS.finditer(compact) for kind in _PHRASES if match.group(kind.value)}
        return SmallTalk(next((kind for kind in _PRIORITY if kind in found), Kind.ACK))
    if len(compact) <= 24 and _SIGNED_OFF.search(compact) and not _QUESTION.search(compact):
        # 行 那我们再看看日子 拜拜: what they will do, then goodbye; nothing asked.
        return SmallTalk(Kind.GOODBYE)
    if _is_english(text):
        return SmallTalk(Kind.ENGLISH)
    return None


#: A goodbye that ends a message (…拜拜, …再见): the citizen signs off.
_SIGNED_OFF = re.compile(r"(?:拜拜|再见|回见|下次见|byebye|bye)$")

#: A question (吗, 怎么, ？…): a short message with one is never small talk.
#: 中不中, 能不能; 行不 and 可以不 at the end ask too.
_QUESTION = re.compile(r"[?？]|吗|么|嘛|怎么|怎样|如何|什么|啥|哪|几|多少|咋|(.)不\1|[行中能好]不$|可以不$")


def loose(text: str) -> SmallTalk | None:
    """A short message that thanks, acknowledges, greets or says goodbye among other words ("好 谢谢你啊闺女",
    "嗯嗯 晓得了") and asks nothing; the engine takes it only when it names no service either."""
    compact = _compact(text)
    if not compact or len(compact) > 10 or _QUESTION.search(compact) or compact.endswith("呢"):
        return None  # 那要是初中的呢 asks (呢), though 中 and 的 are polite words elsewhere
    # The polite words must be most of the message: 好 of 好久能拿到 or 好停车不 is not "好的".
    if len(_ATOMS.sub("", compact)) * 2 > len(compact):
        return None
    found = {kind for match in _ATOMS.finditer(compact) for kind in _PHRASES if match.group(kind.value)}
    kind = next((kind for kind in _PRIORITY if kind in found), None)
    return SmallTalk(kind) if kind is not None else None


#: Theft that has happened (被偷了, 小偷偷的): told in a conversation about a document, it is the story of a
#: loss (丢失、被盗补领), not a danger now.
_THEFT = re.compile(r"被(?:人)?偷|偷(?:了|走|的)|小偷|被盗|失窃")
_VIOLENCE = re.compile(
    r"被(?:人)?打|挨打|打人|打架|斗殴|抢劫|被(?:人)?抢|抢钱|闹事|持刀|拿刀|砍人|杀人|绑架|跟踪|家暴|救命"
)


def theft_told(text: str) -> bool:
    """Whether ``text``'s only danger is a theft already done (被偷的), with no violence in it."""
    compact = _compact(text)
    return bool(_THEFT.search(compact)) and not _VIOLENCE.search(compact) and _dangers(compact) == ("110",)


def _dangers(compact: str) -> tuple[str, ...]:
    return tuple(number for number, pattern in _DANGER_PATTERNS if pattern.search(compact))


#: A time weeks or years ago (上个月着火了, 前年出车祸): a fire or an accident then is over now; violence may
#: not be.
_LONG_AGO = re.compile(r"上个?月|去年|前年|上周|上星期|上礼拜|前几年|那年")


def _emergency(compact: str) -> tuple[str, ...]:
    if _SERVICE.search(compact):
        return ()
    dangers = _dangers(compact)
    return tuple(n for n in dangers if n == "110") if _LONG_AGO.search(compact) else dangers


def emergency_line(text: str) -> str | None:
    """For a service question that mentions a danger that may still be going on (a fire, someone collapsed,
    violence): one line to add ("如果火情还没有扑灭，请立即拨打119。"); None otherwise. Stories of what is
    over (被偷, 发烧住院的费用, 车祸受伤的医疗费) get none."""
    compact = _compact(text)
    if not _SERVICE.search(compact):
        return None
    return next((line for number, line in _AFTERTHOUGHTS if number.search(compact)), None)


def reply(talk: SmallTalk, hall: Hall | None = None) -> str:
    """A short polite reply (at most 300 bytes, no item list); emergencies name the number first."""
    if talk.kind is Kind.EMERGENCY:
        numbers = talk.numbers or ("110",)
        first = f"请立即拨打{'、'.join(_EMERGENCY_FIRST[n] for n in numbers)}！"
        return f"{first}\n{_EMERGENCY_ADVICE[numbers[0]]}\n我是政务服务导办助手，无法派出救援。"
    if talk.kind is Kind.GREETING:
        who = f"{hall.name}的" if hall else ""
        return f"您好！我是{who}智能导办助手，请直接说您要办的事，比如“身份证丢了怎么补办”。"
    if talk.kind is Kind.ENGLISH:
        name = hall.name if hall else "the service hall"
        phone = f" at {hall.phone}" if hall and hall.phone else ""
        text = f"Hello! This assistant answers in Chinese only. Please ask in Chinese, or call {name}{phone}."
        # Where and when, in the record's own words: enough to find the hall without reading Chinese.
        if hall and hall.address:
            text += f"\nAddress: {hall.address}"
        if hall and hall.hours:
            text += f"\nOpening hours: {hall.hours}"
        return text
    return _REPLIES[talk.kind]


# -- English or pinyin ---------------------------------------------------------------------------

#: An English message about the hall itself (when it opens, where it is, its phone): the English reply
#: answers it from the hall's record, so it is a hall answer, not small talk.
_ENGLISH_HALL = re.compile(
    r"\b(?:open|opens|opening|close|closed|closes|hours?|saturday|sunday|weekends?|holidays?|lunch|address|"
    r"where|located|location|phone|call|number|when)\b",
    re.IGNORECASE,
)


def english_asks_hall(text: str) -> bool:
    """Whether an English message asks about the hall's hours, address or phone ("Are you open on
    Saturday?")."""
    return bool(_ENGLISH_HALL.search(text))


@functools.lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    found = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = to_normal(reading)
            if any(vowel in plain for vowel in "aeiouü"):
                found.update({plain.replace("ü", "v"), plain.replace("ü", "u")})
    return frozenset(found)


def _is_pinyin(word: str) -> bool:
    """True when ``word`` splits into pinyin syllables ("shebaoka" → she bao ka)."""
    syllables = _syllables()
    reachable = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        reachable[end] = any(reachable[s] and word[s:end] in syllables for s in range(max(0, end - 6), end))
    return reachable[-1]


_VOWEL = re.compile(r"[aeiouy]")


def _is_english(text: str) -> bool:
    """Mostly Latin letters, and more English words than pinyin ("shebaoka zenme ban" is pinyin); pinyin
    initials ("sfz", "gjj") count as neither."""
    letters = len(re.findall(r"[A-Za-z]", text))
    chinese = len(re.findall(r"[\u4e00-\u9fff]", text))
    if letters < 3 or chinese * 3 > letters:
        return False
    words = re.findall(r"[a-z]+", text.lower())
    english = sum(
        1 for word in words if word in _ENGLISH_COMMON or (_VOWEL.search(word) and not _is_pinyin(word))
    )
    return english > 0 and english >= len(words) - english
