"""Sums of money a message tells (一年给三千六, 那个3600块的补贴): a figure that names a benefit or fee."""

import re

_UNITS = {"十": 10, "百": 100, "千": 1000}
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}

#: A sum in Chinese numerals with a unit of hundreds or more (三千六, 八百, 一万二, 两千五百块).
_CHINESE = re.compile(r"[零一二两三四五六七八九十百千万]*[百千万][零一二两三四五六七八九十百千]*")
#: A sum in digits, not a year, an age, a date, a count or an area (3600, 3600块; not 2025年, 90平).
_ARABIC = re.compile(
    r"(?<![\d.])(\d{2,6})(?![\d.])(?!\s*(?:年|岁|周岁|月|个月|日|号|天|个|平|米|%|次|周|号码|点))"
)
#: The smallest sum read as one (below it, 一二十 are ages, counts or days).
SMALLEST = 50


def _below_ten_thousand(text: str) -> int | None:
    """三千六 → 3600, 八百五 → 850, 一百二十 → 120 (no 万); None when a character is no numeral."""
    total, digit, last_unit = 0, None, 10000
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            unit = _UNITS[char]
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    if digit is not None:
        # 三千六 is 3600, 八百五 is 850: a last digit counts in the unit below the one before it.
        total += digit * (last_unit // 10 if last_unit >= 100 and len(text) > 1 and text[-2] in _UNITS else 1)
    return total


def chinese_sum(text: str) -> int | None:
    """三千六 → 3600, 一万二 → 12000, 八百 → 800; None when it is not a number."""
    high, _, low = text.partition("万")
    if "万" not in text:
        return _below_ten_thousand(text)
    tens_of_thousands = _below_ten_thousand(high) if high else 1
    if tens_of_thousands is None:
        return None
    rest = 0
    if low:
        if len(low) == 1 and low in _DIGITS:
            rest = _DIGITS[low] * 1000  # 一万二 is 12000
        else:
            found = _below_ten_thousand(low)
            if found is None:
                return None
            rest = found
    return tens_of_thousands * 10000 + rest


def sums_told(text: str) -> set[int]:
    """The sums of money ``text`` tells, in numbers (50 and more)."""
    found = {int(m.group(1)) for m in _ARABIC.finditer(text)}
    for match in _CHINESE.finditer(text):
        value = chinese_sum(match.group(0))
        if value is not None:
            found.add(value)
    return {value for value in found if value >= SMALLEST}


def holds_sum(record: str, value: int) -> bool:
    """Whether a record's text states ``value`` as a number of its own (3600 of 3600元, not of 36000)."""
    return re.search(rf"(?<![\d.,]){value}(?![\d.,])", record) is not None
