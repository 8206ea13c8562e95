"""bot.conversation.choices: numbered questions answered by number, ordinal or circled digit."""

import pytest

from bot.conversation.choices import Pick, number_in

OPTIONS = [
    "住房公积金提取（购买自住住房）",
    "住房公积金提取（偿还购房贷款）",
    "住房公积金提取（租赁住房）",
    "住房公积金提取（离休、退休）",
]


@pytest.mark.parametrize(
    ("text", "pick"),
    [
        ("2", Pick(index=1)),
        ("第二个", Pick(index=1)),
        ("②", Pick(index=1)),
        ("选3", Pick(index=2)),
        ("第4项吧", Pick(index=3)),
        ("最后一个", Pick(index=3)),
        ("９", Pick(out_of_range=9)),
        ("第七个", Pick(out_of_range=7)),
    ],
    ids=[
        "digit",
        "ordinal",
        "circled",
        "xuan",
        "ordinal-with-particle",
        "last",
        "full-width-out-of-range",
        "ordinal-out-of-range",
    ],
)
def test_numbers(text, pick):
    assert number_in(text, 4) == pick


@pytest.mark.parametrize(
    "text", ["租房的", "身份证怎么办", "2026年买的房", ""], ids=["words", "question", "year", "empty"]
)
def test_not_a_number(text):
    assert number_in(text, 4) is None
