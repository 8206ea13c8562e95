"""Mask personal data in citizen messages before anything is stored, logged or matched.

Citizens paste their ID number, mobile or bank card into questions ("我身份证号4101…，换证要带啥").
``mask_personal_data`` replaces each with a fixed token, so the text can be logged and shown to staff
and the digits never disturb matching. Masking does not depend on checksums: a mistyped ID number
is still personal data. Full-width digits (１３９…) are turned into ASCII digits first.

Tokens (stable; ``bot.matching.normalize`` strips them before matching):
    〔身份证号〕  18-digit (last may be X) or 15-digit resident ID number
    〔手机号〕    mainland mobile, 1[3-9] + 9 digits, optional +86 / 86 prefix, spaces or dashes allowed
    〔银行卡号〕  16–19 digits, optionally grouped by spaces or dashes
"""

import re

from stdnum import luhn
from stdnum.cn import ric

ID_TOKEN = "〔身份证号〕"
MOBILE_TOKEN = "〔手机号〕"
CARD_TOKEN = "〔银行卡号〕"
TOKENS: tuple[str, ...] = (ID_TOKEN, MOBILE_TOKEN, CARD_TOKEN)

# Full-width digits, X and separators to ASCII, so "１１０１…" is caught like "1101…".
_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－　", "0123456789Xx+- ")

_SEP = r"[ \-]?"
# An ID number written with or without separators after the region (6) and birth date (8) parts.
_ID18 = re.compile(rf"(?<![0-9A-Za-z])\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[\dXx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])")
_MOBILE = re.compile(
    rf"(?<![0-9A-Za-z+])(?:(?:\+|00)?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?![0-9A-Za-z])"
)
# 16–19 digits, either solid or in groups of 4 (the last group 1–4 digits long).
_CARD = re.compile(r"(?<![0-9A-Za-z])(?:\d{16,19}|\d{4}(?:[ \-]\d{4}){3}(?:[ \-]?\d{1,3})?)(?![0-9A-Za-z])")


def _digits(text: str) -> str:
    return re.sub(r"[ \-]", "", text)


def _looks_like_id(number: str) -> bool:
    """An 18-character number is an ID when its checksum holds or it carries a plausible birth date."""
    if number[-1] in "Xx" or ric.is_valid(number):
        return True
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def _id18(match: re.Match[str]) -> str:
    number = _digits(match.group(0))
    if _looks_like_id(number):
        return ID_TOKEN
    # Eighteen digits with no birth date inside: most likely a bank card; masked either way.
    return CARD_TOKEN if luhn.is_valid(number) or number.isdigit() else ID_TOKEN


def mask_personal_data(text: str) -> str:
    """``text`` with ID numbers, mobiles and bank-card numbers replaced by fixed tokens.

    Full-width digits are converted to ASCII first; other characters are left as they are.
    """
    text = text.translate(_WIDTH)
    text = _ID18.sub(_id18, text)
    text = _CARD.sub(CARD_TOKEN, text)
    text = _ID15.sub(ID_TOKEN, text)
    text = _MOBILE.sub(MOBILE_TOKEN, text)
    return text


def strip_tokens(text: str) -> str:
    """``text`` without the mask tokens, for matching (a token says nothing about the item)."""
    for token in TOKENS:
        text = text.replace(token, " ")
    return text
