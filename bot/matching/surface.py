"""What one message says before any matching: its normal form, the field it asks about, a request for a
person or a complaint, a bare number, and the clause that asks in a long story. Pure functions of the text.
"""

import re
from collections.abc import Callable
from typing import NamedTuple

from bot.matching.fields import HOW_TO, detect_field
from bot.matching.normalize import normalize

HUMAN = re.compile(
    r"(?:转接?|找|接|要|喊|叫|请|换|联系|问|咨询|需要|等)(?:个|一个|一下|下)?人工|人工(?:客服|服务|坐席|接待|回复)|"
    r"真人|客服|^人工[吧啊呀呢!！。]*$|有没有人工|有人工吗|人工在吗|找个人|"
    # 我想跟工作人员说几句, 找你们工作人员, 找个工作人员跟我说说: a person of the hall.
    r"(?:跟|和|找|联系|转)(?:你们|您们)?(?:的)?(?:个|一个|位|一位)?工作人员|(?:跟|和|同|让)(?:个|一个)?人工(?:说|讲|聊|谈|沟通|对接)|"
    # 什么破机器人 问半天都答不对: a citizen fed up with the bot wants a person, not another try.
    r"(?:破|垃圾|笨|傻|智障|废物|没用的?)(?:机器人|机器|系统|玩意儿?)|答非所问|听不懂人话|"
    r"(?:问|说|弄)了?半天(?:都|也|还是?)?(?:答|回|说)?(?:不对|不上|没用|没答|不明白)"
)
COMPLAINT = re.compile(r"投诉|举报|态度(太|很|真|非常)?(差|恶劣|不好)")
#: Which business is good, or a recommendation (哪家影楼拍得好看, 给推荐个驾校): an opinion no service guide
#: gives, whatever errand its words touch.
OPINION = re.compile(
    r"哪(?:家|个店|个师傅)[^，。？！,.?!\s]{0,8}?(?:好|靠谱|便宜|实惠|划算|专业|正规|不错)|"
    r"推荐(?:一下|一个|一家|个|几家|几个)|给(?:我|俺|咱)?推荐|有(?:没有|啥|什么)(?:好的)?推荐"
)
_PICK = re.compile(r"^(?:选|第)?([1-9]|[一二三四五六七八九])(?:个|项|条|号)?$")
_CN_DIGITS = "一二三四五六七八九"
#: Clause boundaries of a normalised message (punctuation and the spaces normalisation leaves).
_CLAUSES = re.compile(r"[，。？！；,.?!;\s]+")
#: A clause that asks: question words and the verbs of asking for a service.
ASKS = re.compile(
    r"怎么|怎样|如何|什么|哪|吗|呢|多少|多久|几|能不能|可不可以|可以|要不要|需要|要带|办理|申请|手续|材料"
)
#: Colloquial question words and a question mark: a message asks, though they pick no clause (the models
#: were fitted on ASKS's clauses).
_ASKS_TOO = re.compile(r"啥|咋|[?？]")
#: A question ending in a tag (能用不, 行不行, 有没有): asks, though no question word does.
TAG_ASK = re.compile(r"(?:[不没]|没有)[?？]?$|(\w)[不没]\1")

#: Messages shorter than this (characters) are one clause.
STORY_LENGTH = 24


def asks(normal: str) -> bool:
    """Whether a normalised message asks something: a question word, or a tag at its end (能用不)."""
    return bool(ASKS.search(normal) or _ASKS_TOO.search(normal) or TAG_ASK.search(normal.replace(" ", "")))


class Surface(NamedTuple):
    """What one message's text says before any matching: a pure function of the text."""

    normal: str
    field: str | None
    complaint: bool
    human: bool
    #: The number a bare pick ("2", "第二个") names, or None.
    pick: int | None


#: Messages up to this long are read for a field asked in a homophone typo: the short follow-ups that ask
#: one (这个能网伤办吗); a longer question's field is in its own words, and a second pass costs every one.
FIXED_LENGTH = 12


def read_surface(text: str, fix: Callable[[str], str] | None = None) -> Surface:
    """The surface of one message (already read from pinyin); ``fix`` corrects homophone typos, for a field
    asked in them (能网伤办吗 → 网上, 要登保吗 → 登报) when the text as typed asks none but conditions."""
    normal = normalize(text)
    pick = _PICK.match(normal.replace(" ", ""))
    number = None
    if pick:
        digit = pick.group(1)
        number = int(digit) if digit.isdigit() else _CN_DIGITS.index(digit) + 1
    # In a story the clause that asks names the field (…老年人免费…那个老年证去哪里办 → location); one that
    # asks how to get it done (…还能减免一些费用，我该怎么给他办) asks for all of it.
    clause = ask_clause(normal)
    last = clause.rsplit(" ", 1)[-1]
    if clause and HOW_TO.search(last) and detect_field(last) is None:
        field = None
    elif not clause and len(normal.replace(" ", "")) >= STORY_LENGTH and HOW_TO.search(normal):
        # …这个到底要怎么办去哪里办呢, told in one breath (a voice message): how to get it done asks for the
        # whole trip, which says where too.
        field = None
    else:
        field = (detect_field(clause) if clause else None) or detect_field(text)
    if fix is not None and field in (None, "conditions") and len(text) <= FIXED_LENGTH:
        fixed = fix(text)
        field = (detect_field(fixed) if fixed != text else None) or field
    return Surface(
        normal,
        field if normal else None,
        bool(COMPLAINT.search(normal)),
        bool(HUMAN.search(normal)),
        number,
    )


def clauses(text: str) -> list[str]:
    """The clauses of a normalised message, in order."""
    return [part for part in _CLAUSES.split(text) if part]


def ask_clause(text: str) -> str:
    """The last clause of a long message that asks something (with the one before it), or empty."""
    if len(text.replace(" ", "")) < STORY_LENGTH:
        return ""
    parts = clauses(text)
    asking = [i for i, part in enumerate(parts) if ASKS.search(part)]
    if len(parts) < 2 or not asking:
        return ""
    last = asking[-1]
    return " ".join(parts[max(0, last - 1) : last + 1])
