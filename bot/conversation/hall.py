"""Questions about the hall itself (开门时间, 周六, 午休, 节假日, 地址, 电话, 投诉电话, 网站, 停车).

:func:`hall_question` recognises them; :func:`bot.conversation.hallreply.hall_reply` answers them from the
hall record.
Precision comes first: a message is a hall question only when, once the hall's names, the asked things (cues),
the days and the filler words are taken out, nothing is left. "身份证在哪办" leaves 身份证 (a service: the
matcher's business), "护照要多少钱" asks about a fee (an item field), "你们政务中心在哪里 电话多少" leaves
nothing (address and phone).
"""

import dataclasses
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from bot.conversation.dayrefs import DayRef, find_days
from bot.matching.normalize import rewrite_colloquial, to_halfwidth, to_simplified


class Ask(enum.Enum):
    """One thing a citizen asks about the hall."""

    HOURS = "hours"  # 几点上班 / 办公时间
    OPEN = "open"  # 今天开门吗 / 周六上班吗 / 现在有人吗
    LUNCH = "lunch"  # 中午休息吗
    HOLIDAYS = "holidays"  # 节假日上班吗 / 什么时候放假
    ADDRESS = "address"  # 地址 / 在哪
    ROUTE = "route"  # 怎么走 / 坐几路车
    PHONE = "phone"  # 电话 / 联系方式
    COMPLAINT = "complaint"  # 投诉电话
    WEBSITE = "website"  # 网站 / 网上办
    PARKING = "parking"  # 停车


class DayPart(NamedTuple):
    """A part of a day a citizen names: its word and the minutes from midnight it covers."""

    words: str
    start: int
    end: int


#: Parts of a day a citizen names.
_PARTS_OF_DAY = (
    (re.compile(r"上午|早上|早晨"), DayPart("上午", 0, 12 * 60)),
    (re.compile(r"下午"), DayPart("下午", 12 * 60, 18 * 60)),
    (re.compile(r"晚上|傍晚|夜里"), DayPart("晚上", 18 * 60, 24 * 60)),
)


@dataclass(frozen=True)
class HallQuestion:
    """What a message asks about the hall, and the days it names (resolved when answering)."""

    asks: tuple[Ask, ...]
    days: tuple[DayRef, ...] = ()
    #: The message names the hall or office ("你们", "政务中心", the hall's name), not only asks "在哪".
    #: Without it, a bare follow-up ("几点", "在哪") may be about the item just answered.
    names_hall: bool = False
    #: The part of the day asked about (周六下午开门吗: 下午), or None.
    part: DayPart | None = None


def part_of_day(text: str) -> DayPart | None:
    """The one part of the day ``text`` names (上午, 下午, 晚上), or None."""
    found = [part for pattern, part in _PARTS_OF_DAY if pattern.search(text)]
    return found[0] if len(found) == 1 else None


#: Questions about an item's fields, never about the hall (time limits, fees, materials, process).
_ITEM_FIELDS = re.compile(
    r"多长时间|多久|(?<!放假)(?<!放)(?<!休)(?<![那这])几天(?!假)|多少天|几个?工作日|多少钱|收费|费用|要钱|免费|材料|证件|"
    r"手续|要带|带什么|流程|步骤|条件|进度|期限|有效期|邮寄|代办|本人"
)
_HALL_WORDS = re.compile(
    r"(?:政务|行政|市民|便民|公共|综合)(?:服务)?(?:中心|大厅|之家)|办事大厅|服务大厅|服务中心|市民之家|"
    r"贵(?:单位|中心|厅|处)|你们(?:单位|中心|大厅|这里|那里|这边|那边|那儿|这儿)?|本中心|大厅|"
    r"(?:你|您)(?:这里|那里|这边|那边)|咱们?(?:这里|这边|这儿)|这里|这边|那边|你们?|您|门口|附近|周边|旁边|"
    # "you" in dialect: 恁 (Henan, Shandong), 侬 (Wu), 你哋 / 你地 (Cantonese).
    r"恁们?(?:那|那儿|这|这儿|那边|这边)?|侬|你哋|你地"
)
#: Cues in the order they are taken out: specific phrases before the words inside them.
_CUES: tuple[tuple[Ask, str], ...] = (
    (
        Ask.COMPLAINT,
        r"投诉(?:要|应该|可以)?(?:打|拨)?(?:哪个|什么|啥)?(?:电话|热线|号码)|投诉(?:方式|渠道)|监督电话",
    ),
    (
        Ask.PARKING,
        r"停车(?:场|位|的地方|的位置|的位子)?|停哪|车(?:能|可以|好|要)停|(?:有没有|有)车位|车位(?:多|够|紧张|好找)|开车(?:过)?去",
    ),
    (
        Ask.WEBSITE,
        r"网站|网址|官网|网页|(?:网上|线上)(?:办事)?(?:大厅|平台)|"
        r"(?:网上|线上|在线|手机上)(?:能|可以|能不能|可不可以)?(?:办理?|申请|预约)",
    ),
    (Ask.LUNCH, r"午休|午间|中午|午饭|吃饭时间"),
    # 过年放到几号, 国庆放到哪天: how long the break runs.
    (
        Ask.HOLIDAYS,
        r"法定节假日|节假日|节假|假期|假日|放假安排|放假几天|放假|放几天假?|放到(?:几号|哪天|什么时候|初几)",
    ),
    (
        Ask.HOURS,
        r"(?:上班|下班|办公|工作|营业|服务|开放|作息|开门|关门|办理|办事|受理|上下班)时间|"
        r"几点(?:钟)?(?:到几点)?(?:上班|下班|开门|关门|开始|结束|营业|办公|截止|停止|开|关)?|到几点|"
        r"什么时候(?:上班|下班|开门|关门|营业|办公)|时间(?:表|安排)?",
    ),
    (
        Ask.OPEN,
        r"开不开门|开没开门|开门|关门|开不开|开没开|开着|上不上班|上班|下班|办公|营业|开放|休息|值班|有人|"
        # 今天补班，大厅开门吗: a make-up working day (补 here is no errand).
        r"补班|调休|调班|"
        r"(?:能|可以)办(?:事|业务|理)?|办(?:事|业务)|(?:能|可以)(?:去|过去|来)|开(?=吗|么|嘛|不|没|$)|"
        # 现在过去还来得及吗: whether the desk is still open when they arrive.
        r"来得及|来不来得及|赶得及|赶得上|赶趟|"
        # 大厅别的业务周六也办吗: whether the desks work that day.
        r"也办(?=吗|么|不)|办不办",
    ),
    (
        Ask.ROUTE,
        r"怎么(?:走|去|过去|到|找)|如何(?:去|到达|前往|走)|坐几路车?|几路车|坐什么车|坐车|公交车?|地铁|导航|路线",
    ),
    (
        Ask.ADDRESS,
        r"地址|地点|位置|定位|在哪(?:里|儿)?|在什么地方|什么地方|哪里|哪儿|哪条(?:路|街)|门牌号?",
    ),
    # 手机号 asks a number; 手机上能查不 asks whether it can be done on a phone.
    (Ask.PHONE, r"总(?:电话|机)|电话(?:号码?)?|联系方式|怎么联系|热线|号码|手机号|座机"),
)
#: Other words a loose reading may leave when the message does not name the hall ("现在过去有人没有").
LOOSE_REST = 3
#: Left-over words asking for a service (电动车上牌在哪办, 考驾照在哪报名): never a hall question.
_SERVICE_WORDS = re.compile(r"[办补换领交开考报注销登迁]|申请|报名|上牌|过户|证|卡|照")
_CUE_PATTERNS = tuple((ask, re.compile(pattern)) for ask, pattern in _CUES)
_FILLERS = re.compile(
    r"请问|请|问一下|问下|问问|想问|打扰|麻烦|一下|你好|您好|那个|就是|是不是|是否|可不可以|能不能|有没有|"
    r"对了|顺便|另外|还有|再问|现在|已经|马上|立刻|过去|过来|"
    # 大厅别的业务周六也办吗: the hall's other desks, i.e. the hall itself.
    r"别的业务|其他业务|其它业务|别的窗口|其他窗口|其它窗口|别的事项|其他事项|"
    # The trip told beside the question (我想赶早去排队): how they will come, nothing more asked.
    r"想|打算|准备|赶早|趁早|早点|排队|排号|取号|跑一趟|去一趟|"
    # 下午最晚几点之前到, 元旦那几天上班不: when they may come, the days around one named.
    r"最晚|最迟|最早|之前|以前|那几天|这几天|那两天|这两天|那段时间|"
    r"多少|是多少|几号|什么|啥|咋|怎么|怎样|如何|哪个|知道|告诉|一般|具体|大概|正常|照常|平时|平常|办理|"
    r"上午|下午|早上|早晨|晚上|傍晚|方便|容易|(?:\d+|[一二三四五六七八九十两]+)点(?:半|\d+分?)?|"
    r"[的了吗嘛么呢呀啊吧哈啦哦嗯没不是有可以能会要需得我咱给个还也都开去到办查几号下在多好那这]"
)
#: Open-or-not cues that ask about the hall even with no day and no name ("开门了吗").
_STRONG_OPEN = re.compile(
    r"开门|关门|开不开|开没开|开着|上班|下班|营业|补班|调休|调班|"
    # 晚上还有人不，我现在过去: whether anyone is there now.
    r"还有人(?:不|吗|没|在|么)|有人(?:在|值班)(?:不|吗|没|么)|来得及|来不来得及|赶得及|赶得上|赶趟"
)
_PUNCTUATION = re.compile(r"[^\w]|_")
#: A message that asks: a question mark or a closing question particle.
_ASKED = re.compile(r"[?？]|[呢吗么嘛][?？!！。.]*\s*$")
#: Greetings go first, so that the 你/您 in them does not count as naming the hall.
_GREETINGS = re.compile(r"你们好|你好|您好")


@dataclass(frozen=True)
class _Reading:
    asks: tuple[Ask, ...]
    days: tuple[DayRef, ...]
    names_hall: bool
    rest: str


def _name_variants(hall_name: str) -> list[str]:
    """The hall's name, its bracketed alias and its place ("岷川市", "岷川"): citizens shorten names."""
    name = to_simplified(to_halfwidth(hall_name)).strip()
    if not name:
        return []
    variants = [name, *re.findall(r"[（(]([^）)]+)[）)]", name), re.sub(r"[（(][^）)]*[）)]", "", name)]
    place = re.match(r"^(.+?[省市县区州旗])", variants[-1])
    if place:
        variants += [place.group(1), place.group(1)[:-1]] if len(place.group(1)) > 2 else [place.group(1)]
    return sorted({v for v in variants if len(v) >= 2}, key=len, reverse=True)


def _read(text: str, hall_name: str = "") -> _Reading:
    # In standard words (拜六 → 周六, 佗位 → 哪里): the cues below are written in them.
    work = rewrite_colloquial(to_simplified(to_halfwidth(text)).lower())
    work = _GREETINGS.sub(" ", _PUNCTUATION.sub(" ", work))
    names = False
    for variant in _name_variants(hall_name):
        if variant in work:
            names, work = True, work.replace(variant, " ")
    work, count = _HALL_WORDS.subn(" ", work)
    names = names or count > 0
    days, work = find_days(work)
    asks: list[Ask] = []
    for ask, pattern in _CUE_PATTERNS:
        work, count = pattern.subn(" ", work)
        if count:
            asks.append(ask)
    rest = _FILLERS.sub("", work).replace(" ", "")
    return _Reading(tuple(asks), tuple(days), names, rest)


def hall_question(text: str, hall_name: str = "", *, loose: bool = False) -> HallQuestion | None:
    """What ``text`` asks about the hall itself, or None when it is not (only) about the hall.

    ``hall_name`` (the record's name) lets "岷川市民之家几点开门" count as naming the hall. ``loose``
    accepts other words beside the asks ("我已经到门口了", "对了"): the caller must then make sure they
    name no service (the engine asks the matcher).
    """
    compact = to_simplified(to_halfwidth(text))
    if _ITEM_FIELDS.search(compact):
        return None
    reading = _read(text, hall_name)
    if not reading.asks and reading.days and not reading.rest and _ASKED.search(compact):
        # 周六? / 明天呢: a day alone, asked, is whether the desks work then (a bare 今天 may tell when).
        reading = dataclasses.replace(reading, asks=(Ask.OPEN,))
    if not reading.asks or (reading.rest and not loose) or _SERVICE_WORDS.search(reading.rest):
        return None
    if loose and not reading.names_hall and len(reading.rest) > LOOSE_REST:
        return None  # "县医院几点挂号": other words about another place
    asks = list(reading.asks)
    if Ask.LUNCH in asks:  # 中午几点上班 / 中午休息吗: the lunch answer says both
        asks = [ask for ask in asks if ask not in (Ask.HOURS, Ask.OPEN)]
    if Ask.HOLIDAYS in asks and Ask.OPEN in asks:  # 节假日上班吗
        asks.remove(Ask.OPEN)
    if Ask.ROUTE in asks and Ask.ADDRESS in asks:  # 在哪怎么走: the route answer gives the address
        asks.remove(Ask.ADDRESS)
    # "有人吗" greets and "可以办吗" asks about an item; "开门了吗" and "现在有人吗" ask about the hall.
    weak = asks == [Ask.OPEN] and not reading.days and not reading.names_hall
    if weak and not _STRONG_OPEN.search(compact):
        return None
    return HallQuestion(tuple(asks), reading.days, reading.names_hall, part_of_day(compact))


def names_hall(text: str, hall_name: str = "") -> bool:
    """True when ``text`` refers to the hall or office ("你们中心", "政务大厅", its name) and names no
    service, so the engine should answer from the hall record rather than an item."""
    reading = _read(text, hall_name)
    return reading.names_hall and not reading.rest


#: "能办吗", "可以去吗", "开门吗", "上班吗": whether something can be done (on a day the message names).
_CAN_DO = re.compile(r"能|可以|可不可以|行不行|开门|开着|开不开|开没开|上班|营业|办公|有人")


#: A span of time told (一个多月, 半年, 三年): how long the citizen has been somewhere or done something.
_SPAN = re.compile(r"(?:[一两二三四五六七八九十几\d]+个?多?|半)(?:个月|月|年|周|星期)")
#: A time gone by (去年, 上个月, 过了期限): beside 现在, the question is whether it is too late.
_PAST = re.compile(
    r"去年|前年|上个?月|上周|上星期|上礼拜|以前|之前|当时|那时|过了|过期|超过|逾期|晚了|忘了|忘交|没交"
)


#: A date something happened on (娃是9月2号生的): no day the citizen means to come; and the citizen's own
#: work (现在回示范县上班了, 我在厂里上班): no desk's hours asked.
_BORN = re.compile(
    r"[0-9一二三四五六七八九十]+月[0-9一二三四五六七八九十]+[号日](?:出)?生|"
    r"(?:在|回|到)[^，,。.！!？?；;\s吗]{1,8}上班|上班了"
)


def day_asked(text: str) -> HallQuestion | None:
    """A question whether something can be done on a day it names, beside a service ("今天可以办护照吗",
    "明天能去办社保卡吗"): the days, asked as OPEN; None when it names no day or asks no such thing."""
    compact = _PUNCTUATION.sub(" ", to_simplified(to_halfwidth(text)).lower())
    days, rest = find_days(_BORN.sub(" ", compact))
    if not days or not _CAN_DO.search(rest):
        return None
    if not _day_beside_can_do(_BORN.sub(" ", to_simplified(to_halfwidth(text)).lower())):
        return None  # 过年想出国看看闺女…能在这办护照不: the day is a plan told, not the day asked about
    if all(day.now for day in days) and (_PAST.search(rest) or _SPAN.search(rest)):
        # 去年12月忘交了，现在还能补不 / 才过来一个多月，现在能办不: whether it is possible yet (or still),
        # not whether the desk is open.
        return None
    return HallQuestion((Ask.OPEN,), tuple(days), False)


_CLAUSE = re.compile(r"[，,。.！!？?；;\s]+")


def _day_beside_can_do(text: str) -> bool:
    """Whether a clause naming a day asks whether something can be done, itself or in the next clause
    (今天周六，能办吗)."""
    clauses = [clause for clause in _CLAUSE.split(text) if clause]
    for i, clause in enumerate(clauses):
        days, rest = find_days(clause)
        if days and (_near_can_do(clause, days) or (i + 1 < len(clauses) and _CAN_DO.search(clauses[i + 1]))):
            return True
    return False


#: How far apart a day and the words asking whether something can be done may be in one clause.
_NEAR = 8


def _near_can_do(clause: str, days: Sequence[DayRef]) -> bool:
    """Whether a day ``clause`` names stands near words asking whether something can be done (今天能办吗),
    not at the other end of a story without punctuation (…在厂里上班…过两个月要回老家过年怎么办)."""
    for day in days:
        at = clause.find(day.words)
        if at < 0:
            continue
        for found in _CAN_DO.finditer(clause):
            gap = found.start() - (at + len(day.words)) if found.start() >= at else at - found.end()
            if gap <= _NEAR:
                return True
    return False


#: Words that address the hall itself, not a place just talked about (这里, 那边).
_ADDRESSED = re.compile(
    r"你们|您们|贵(?:单位|中心|厅|处)|本中心|(?:政务|行政|市民|便民|公共|综合)(?:服务)?(?:中心|大厅|之家)|"
    r"办事大厅|服务大厅|服务中心|市民之家|大厅"
)


def addresses_hall(text: str, hall_name: str = "") -> bool:
    """True when ``text`` speaks to or of the hall itself (你们, 政务中心, its name) rather than pointing at
    a place just talked about ("那边几点上班" after an item with an office of its own)."""
    compact = to_simplified(to_halfwidth(text))
    return bool(_ADDRESSED.search(compact)) or any(v in compact for v in _name_variants(hall_name))
