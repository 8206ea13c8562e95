"""Personal data is masked whatever its checksum, width or grouping."""

import pytest

from bot.matching.pii import (
    CARD_TOKEN,
    ID_TOKEN,
    MOBILE_TOKEN,
    NUMBER_TOKEN,
    mask_personal_data,
    strip_tokens,
)

CASES = [
    ("身份证510107199302151826，想开证明", f"身份证{ID_TOKEN}，想开证明"),
    ("号码11010519491231002X", f"号码{ID_TOKEN}"),
    ("号码11010519491231002x", f"号码{ID_TOKEN}"),
    ("身份证号410105198807230618到期了", f"身份证号{ID_TOKEN}到期了"),  # checksum wrong, still masked
    ("身份证号４１０１０５１９８８０７２３０６１７", f"身份证号{ID_TOKEN}"),
    ("老身份证110105491231002", f"老身份证{ID_TOKEN}"),
    ("身份证 410105 19880723 0617 可以吗", f"身份证 {ID_TOKEN} 可以吗"),
    ("手机15866012345怎么补", f"手机{MOBILE_TOKEN}怎么补"),
    ("电话+8613907561234", f"电话{MOBILE_TOKEN}"),
    ("电话 86 139 0756 1234", f"电话 {MOBILE_TOKEN}"),
    ("电话139-0756-1234", f"电话{MOBILE_TOKEN}"),
    ("手机１３９０７５６１２３４", f"手机{MOBILE_TOKEN}"),
    ("卡号6222021234567890123", f"卡号{CARD_TOKEN}"),
    ("卡号6222 0212 3456 7890", f"卡号{CARD_TOKEN}"),
    ("卡号6222-0212-3456-7890-123", f"卡号{CARD_TOKEN}"),
    ("卡号622202123456789012", f"卡号{CARD_TOKEN}"),
    ("身份证510107199302151826手机13588001234", f"身份证{ID_TOKEN}手机{MOBILE_TOKEN}"),
]

# Issue 15, finding 4: numbers touching letters or dots were stored raw. Masking goes by character
# class (a digit run ends where a non-digit begins), not by word boundaries.
GLUED = [
    ("sfz410105199001011234", f"sfz{ID_TOKEN}"),
    ("ID410105199001011234", f"ID{ID_TOKEN}"),
    ("身份证410105199001011234abc", f"身份证{ID_TOKEN}abc"),
    ("tel13912345678", f"tel{MOBILE_TOKEN}"),
    ("139.1234.5678", MOBILE_TOKEN),
    ("4101.0519.9001.0112.34", ID_TOKEN),
    ("我的号11010519491231002Xabc", f"我的号{ID_TOKEN}abc"),
    ("card6222021234567890123end", f"card{CARD_TOKEN}end"),
    ("tel:0086-139-0756-1234", f"tel:{MOBILE_TOKEN}"),
    ("手机１３９．１２３４．５６７８", f"手机{MOBILE_TOKEN}"),
    ("身份证号410105199001011234 13912345678", f"身份证号{ID_TOKEN} {MOBILE_TOKEN}"),
    ("41010519900101123413912345678", NUMBER_TOKEN),
    ("手机١٣٩١٢٣٤٥٦٧٨", f"手机{MOBILE_TOKEN}"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    GLUED,
    ids=[
        "id-after-letters",
        "id-after-ID",
        "id-before-letters",
        "mobile-after-tel",
        "mobile-dotted",
        "id-dotted-in-fours",
        "id-X-before-letters",
        "card-between-letters",
        "mobile-0086-dashed",
        "mobile-fullwidth-dots",
        "id-space-mobile",
        "glued-numbers",
        "arabic-indic-digits",
    ],
)
def test_masks_numbers_touching_letters_and_dots(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    ["身份证号410105198807230618", "身份证号410105198813990618", "卡号6222021234567890124"],
    ids=["bad-checksum", "impossible-date", "bad-luhn"],
)
def test_checksums_are_hints_not_gates(text: str) -> None:
    assert not any(char.isdigit() for char in mask_personal_data(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    CASES,
    ids=[
        "id18",
        "id18-X",
        "id18-x",
        "id18-bad-checksum",
        "id18-fullwidth",
        "id15",
        "id18-grouped",
        "mobile",
        "mobile-plus86",
        "mobile-86-spaced",
        "mobile-dashed",
        "mobile-fullwidth",
        "card19",
        "card16-spaced",
        "card19-dashed",
        "card18-no-date",
        "id-and-mobile",
    ],
)
def test_masks(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "窗口电话0999-6211001",
        "工本费20元，15个工作日",
        "3600元补贴",
        "2026年3月2日",
        "12345",
        "1-6号窗口",
        "事项编码11440000MB2D0344212440172027001",
        "办公时间2026-03-02 13:30",
        "版本3.10.12，地址192.168.1.100",
        "工本费12.50元",
    ],
    ids=[
        "landline",
        "fee-days",
        "amount",
        "date",
        "short-number",
        "window-range",
        "item-code",
        "date-time",
        "version-ip",
        "decimal",
    ],
)
def test_leaves_other_numbers(text: str) -> None:
    assert mask_personal_data(text) == text


def test_idempotent() -> None:
    once = mask_personal_data("身份证510107199302151826，手机15866012345")
    assert mask_personal_data(once) == once


def test_strip_tokens() -> None:
    assert ID_TOKEN not in strip_tokens(mask_personal_data("身份证510107199302151826"))
