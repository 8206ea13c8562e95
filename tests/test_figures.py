"""bot.matching.figures: sums of money a message tells."""

import pytest

from bot.matching.figures import chinese_sum, holds_sum, sums_told


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三千六", 3600),
        ("三千六百", 3600),
        ("八百五", 850),
        ("一万二", 12000),
        ("两千五百", 2500),
        ("一百二十", 120),
    ],
)
def test_chinese_sums(text, value):
    assert chinese_sum(text) == value


@pytest.mark.parametrize(
    ("text", "sums"),
    [
        ("听人讲娃儿每年能领三千六百块", {3600}),
        ("那个3600块的补贴", {3600}),
        ("交了十六年社保", set()),  # a count of years, no sum
        ("2025年生的 住90平的房子", set()),  # a year and an area
        ("每个月给好多", set()),
    ],
)
def test_sums_told(text, sums):
    assert sums_told(text) == sums


def test_a_record_holds_a_sum_as_a_number_of_its_own():
    assert holds_sum("每孩每年3600元", 3600)
    assert not holds_sum("最高36000元", 3600)
