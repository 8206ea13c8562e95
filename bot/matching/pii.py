"""Mask personal data in citizen messages before anything is stored, logged or matched.

Citizens paste their ID number, mobile or bank card into questions ("我身份证号4101…，换证要带啥",
"sfz410105199001011234", "tel13912345678", "139.1234.5678"). ``mask_personal_data`` replaces each
with a fixed token, so the text can be logged and shown to staff and the digits never disturb
matching.

Numbers are found by character class, not by word boundaries: a run of digits ends where a
non-digit begins, so digits glued to letters (``ID4101…``, ``…1234abc``) or grouped with spaces,
dashes or dots are caught like any other. The run's digit count says what it is; the ID checksum,
a plausible birth date and the Luhn check are hints that name the token, never gates that let a
number through. The one exception is a code that interleaves letters and digits (an item code
such as ``11440000MB2D0344…``, a 统一社会信用代码): its digit runs are masked only when a hint says
they are personal (checksum-valid ID, Luhn-valid card, mobile). Full-width digits are turned into
ASCII digits first.

Tokens (stable; ``bot.matching.normalize`` strips them before matching):
    〔身份证号〕  18-digit (last may be X) or 15-digit resident ID number
    〔手机号〕    mainland mobile, 1[3-9] + 9 digits, optional +86 / 86 / 0086 prefix
    〔银行卡号〕  16–19 digits (and 18 digits without a birth date)
    〔号码〕      20 or more digits in one group: nothing recognisable, possibly several numbers glued
"""

import re
import unicodedata
from collections.abc import Iterator

from stdnum import luhn
from stdnum.cn import ric

ID_TOKEN = "〔身份证号〕"
MOBILE_TOKEN = "〔手机号〕"
CARD_TOKEN = "〔银行卡号〕"
NUMBER_TOKEN = "〔号码〕"
TOKENS: tuple[str, ...] = (ID_TOKEN, MOBILE_TOKEN, CARD_TOKEN, NUMBER_TOKEN)

# Full-width digits, X, plus, dashes, dots and spaces to ASCII, so "１１０１…" is caught like "1101…".
_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－．　", "0123456789Xx+-. ")

#: One character that may sit between the digit groups of one number.
_SEP = r"[ \-.\u2010-\u2015]"
#: A run of digit groups (a trailing X belongs to an ID number), bounded by non-digits only.
_RUN = re.compile(rf"(?<![0-9])[0-9]+(?:{_SEP}[0-9]+)*(?:[Xx])?(?![0-9])")
#: Decimal digits of any script other than ASCII (full-width １, Arabic-Indic ١…).
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
_LETTER = re.compile(r"[A-Za-z]")
#: Letters between digits inside one alphanumeric token: a code, not a number someone typed.
_CODE = re.compile(r"[0-9][A-Za-z]+[0-9]")
_ALNUM = re.compile(r"[0-9A-Za-z]")


def _is_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


def _plausible_birth(number: str) -> bool:
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def classify(number: str, *, strict: bool = False) -> str | None:
    """The token for ``number`` (digits, maybe a final X), or None when it is not personal data.

    ``strict`` (digits inside a code): only numbers a check confirms are personal.
    """
    digits = number.upper()
    if digits.endswith("X"):
        return ID_TOKEN if len(digits) == 18 and digits[:17].isdigit() else None
    length = len(digits)
    if _is_mobile(digits) or (length == 13 and digits.startswith("86") and _is_mobile(digits[2:])):
        return MOBILE_TOKEN
    if length == 15 and digits.startswith("0086") and _is_mobile(digits[4:]):
        return MOBILE_TOKEN
    if strict:
        if length == 18 and ric.is_valid(digits):
            return ID_TOKEN
        return CARD_TOKEN if 16 <= length <= 19 and luhn.is_valid(digits) else None
    if length == 18:
        if ric.is_valid(digits) or _plausible_birth(digits):
            return ID_TOKEN
        return CARD_TOKEN  # eighteen digits without a birth date: most likely a card; masked either way
    if length == 15:
        return ID_TOKEN
    if 16 <= length <= 19:
        return CARD_TOKEN
    return None


def _groups(run: str) -> list[tuple[int, int]]:
    """(start, end) of each digit group of ``run`` (a trailing X stays with the last group)."""
    return [(m.start(), m.end()) for m in re.finditer(r"[0-9]+[Xx]?", run)]


def _in_code(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` sits in an alphanumeric token that interleaves letters and digits."""
    left = start
    while left > 0 and _ALNUM.match(text[left - 1]):
        left -= 1
    right = end
    while right < len(text) and _ALNUM.match(text[right]):
        right += 1
    token = text[left:right]
    return bool(_LETTER.search(token)) and bool(_CODE.search(token))


def _spans(run: str, strict: bool) -> Iterator[tuple[int, int, str]]:
    """(start, end, token) of the personal numbers inside one run, left to right, longest first."""
    groups = _groups(run)
    index = 0
    while index < len(groups):
        found = None
        for last in range(len(groups) - 1, index - 1, -1):
            digits = "".join(run[s:e] for s, e in groups[index : last + 1])
            if len(digits) > 19:
                continue
            token = classify(digits, strict=strict)
            if token is not None:
                found = (groups[index][0], groups[last][1], token, last)
                break
        if found is not None:
            yield found[0], found[1], found[2]
            index = found[3] + 1
            continue
        start, end = groups[index]
        if not strict and end - start >= 20:
            yield start, end, NUMBER_TOKEN
        index += 1


def _mask_run(text: str, match: re.Match[str]) -> str:
    run = match.group(0)
    strict = _in_code(text, match.start(), match.end())
    pieces: list[str] = []
    position = 0
    for start, end, token in _spans(run, strict):
        if run[end - 1 : end] in "Xx" and token != ID_TOKEN:
            end -= 1  # an X after a number that is not an ID number is just a letter
        pieces += [run[position:start], token]
        position = end
    if not pieces:
        return run
    pieces.append(run[position:])
    return "".join(pieces)


def mask_personal_data(text: str) -> str:
    """``text`` with ID numbers, mobiles, bank cards and long digit runs replaced by fixed tokens.

    Full-width digits are converted to ASCII first; other characters are left as they are. A ``+``
    right before a masked mobile goes with it.
    """
    text = text.translate(_WIDTH)
    if not text.isascii():
        text = _OTHER_DIGIT.sub(lambda match: str(unicodedata.digit(match.group(0))), text)
    if not any("0" <= char <= "9" for char in text):
        return text
    masked = _RUN.sub(lambda match: _mask_run(text, match), text)
    return masked.replace("+" + MOBILE_TOKEN, MOBILE_TOKEN)


def strip_tokens(text: str) -> str:
    """``text`` without the mask tokens, for matching (a token says nothing about the item)."""
    for token in TOKENS:
        text = text.replace(token, " ")
    return text
