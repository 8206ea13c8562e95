"""Answers to a numbered question: a digit, 第二个, ②, the option's own words (租房的), or a sentence that
settles it (我是给儿子买房).

A number is read first (out of range is said so, not guessed); otherwise each option is scored by the words
that set it apart from the others (租赁 in 住房公积金提取（租赁住房）, not 公积金) and, when the semantic
stage is on, by how close the message is to it in meaning. An option is taken only when it is clearly ahead.
"""

import re
from dataclasses import dataclass

from bot.matching.fields import detect_field
from bot.matching.normalize import to_halfwidth

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_NUMBER = re.compile(
    r"^(?:我?选|选择|就|要|是)?(?:第)?\s*(\d{1,2}|[一二两三四五六七八九十])\s*(?:个|项|条|号|种|类)?"
    r"(?:吧|啊|呀|的|那个|这个)?$"
)
_ORDINAL = re.compile(r"第\s*(\d{1,2}|[一二两三四五六七八九十])\s*(?:个|项|条|种|类)(?!问题|事)")
#: An ordinal of the citizen's own questions (第二个问题), or any (第二个).
_ORDINAL_ASKED = re.compile(r"第\s*(\d{1,2}|[一二两三四五六七八九十])\s*(?:个|件)?(?:问题|事)")
_ORDINAL_ANY = re.compile(r"第\s*(\d{1,2}|[一二两三四五六七八九十])\s*(?:个|项|条|种|类|件)")
#: An ordinal picks only near the start (那就第二个吧, ③ 被偷了): 我有两个问题第一个… counts the citizen's own
#: questions.
_ORDINAL_START = 4
_LAST = re.compile(r"^(?:就|选|要)?(?:最后|最后面|后面|最下面)(?:一个|那个|一项|那项|那条)(?:吧|啊|呀)?$")
_FIRST = re.compile(r"^(?:就|选|要)?(?:最前面|前面|最上面)(?:一个|那个|一项|那项|那条)(?:吧|啊|呀)?$")
#: A digit alone at the start, set apart from a question after it (2 要多久, ② 在哪办).
_LEADING = re.compile(
    r"^(\d{1,2}|[①②③④⑤⑥⑦⑧⑨⑩])(?:\s+|\s*[，,、。.:：]\s*)(?=\S)(?![月号日点年岁个块元分天周])"
)


@dataclass(frozen=True)
class Pick:
    """How a message answers a numbered question of ``count`` options."""

    index: int | None = None  # 0-based option, when settled
    out_of_range: int | None = None  # the number given, when it is not 1..count


def number_in(text: str, count: int) -> Pick | None:
    """The option a message names by number (2, 第二个, ②, 选二) or place (最后一个, 后面那个, 前面那个), or
    None when it names none."""
    compact = to_halfwidth(text).strip().replace(" ", "").rstrip("。.!！")
    if not compact:
        return None
    if len(compact) == 1 and compact in _CIRCLED:
        return _checked(_CIRCLED.index(compact) + 1, count)
    if _LAST.match(compact):
        return Pick(index=count - 1)
    if _FIRST.match(compact):
        return Pick(index=0)
    typed = to_halfwidth(text).strip()
    leading = _LEADING.match(typed)
    if leading is not None and detect_field(typed[leading.end() :]) is not None:
        # 2 要多久, ③，多少钱: the option, then what is asked of it.
        raw = leading.group(1)
        number = int(raw) if raw.isdigit() else _CIRCLED.index(raw) + 1
        return _checked(number, count)
    match = _NUMBER.match(compact) or _ORDINAL.search(compact)
    if match is None or match.start() > _ORDINAL_START:
        return None
    raw = match.group(1)
    return _checked(int(raw) if raw.isdigit() else _CN[raw], count)


def _ordinal_near_start(compact: str, pattern: re.Pattern[str]) -> re.Match[str] | None:
    found = pattern.search(compact)
    return found if found is not None and found.start() <= _ORDINAL_START else None


def counted_ordinal(text: str, *, asked: bool = False) -> int | None:
    """The number of an ordinal word near the start (先说第二个 → 2), not a bare digit, or None; ``asked``:
    only one of a question (第二个问题)."""
    compact = to_halfwidth(text).strip().replace(" ", "")
    found = _ordinal_near_start(compact, _ORDINAL_ASKED if asked else _ORDINAL_ANY)
    if found is None:
        return None
    raw = found.group(1)
    return int(raw) if raw.isdigit() else _CN[raw]


def after_ordinal(text: str) -> str:
    """What ``text`` asks beside its ordinal (那第一个呢，在哪个窗口 → 在哪个窗口), or ""."""
    compact = to_halfwidth(text).strip().replace(" ", "")
    found = _ordinal_near_start(compact, _ORDINAL_ANY)
    rest = compact[found.end() :] if found is not None else ""
    rest = rest.removeprefix("问题").removeprefix("事")
    return rest.lstrip("呢吧啊，,。：:").strip("，,。 ")


def _checked(number: int, count: int) -> Pick:
    return Pick(index=number - 1) if 1 <= number <= count else Pick(out_of_range=number)


#: Where a message counts its own questions (第二个, 第2, 第二个问题是); a part runs to the next mark.
_COUNTED = re.compile(r"第\s*(\d|[一二两三四五六七八九])\s*(?:个|项|点|条)?(?:问题|事)?(?:是)?[，,:：]?")


def counted_parts(message: str) -> list[str]:
    """The questions a message counts out in order (我有两个问题第一个…第二个… → the two), or [] when it
    counts fewer than two, or not from 第一 on."""
    compact = to_halfwidth(message).replace(" ", "")
    marks = list(_COUNTED.finditer(compact))
    numbers = [int(m.group(1)) if m.group(1).isdigit() else _CN[m.group(1)] for m in marks]
    if len(marks) < 2 or numbers != list(range(1, len(marks) + 1)):
        return _paired(compact)
    ends = [m.start() for m in marks[1:]] + [len(compact)]
    parts = [compact[m.end() : end].strip("，,。；;") for m, end in zip(marks, ends, strict=True)]
    return parts if all(parts) else []


#: Two questions told as 一个是…，一个是… (or 一是…二是…, 一个是…另一个是…).
_PAIRED = re.compile(r"(?:一个是|一是)(.+?)[，,；;。](?:另外?一个是?|一个是|二是)(.+)")


#: Longer, the two are a story's errands (…厂里把我们辞了…一是想领点钱，二是社保断了…), which the matcher
#: tells apart with the story behind them.
_PAIRED_LENGTH = 50


def _paired(compact: str) -> list[str]:
    """The two questions of 一个是我家老汉的低保，一个是给我妈申请高龄补贴, or []."""
    found = _PAIRED.search(compact) if len(compact) <= _PAIRED_LENGTH else None
    if found is None:
        return []
    parts = [found.group(1).strip("，,。；;"), found.group(2).strip("，,。；;")]
    return parts if all(parts) else []


def counted_part(told: list[str], number: int) -> str | None:
    """The ``number``-th question a citizen's earlier message counted out (…第二个医保要不要也转 → 医保要不要
    也转, for 第二个呢), the latest such message first; None when none counted so far."""
    for message in reversed(told):
        parts = counted_parts(message)
        if parts:
            return parts[number - 1] if 1 <= number <= len(parts) else None
    return None
