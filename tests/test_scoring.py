"""Item scoring on the demo county hall: ranking, coverage, word weights, foreign words."""

from pathlib import Path

import pytest

from bot.scoring import TOP_K, ItemScorer
from knowledge.schema import load_kb


@pytest.fixture(scope="module")
def scorer(county_kb_path: Path) -> ItemScorer:
    return ItemScorer.build(load_kb(county_kb_path).items)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("社保卡丢了怎么补", "SF-RS-002"),
        ("身分证遗失", "SF-GA-003"),
        ("二手房过户", "SF-ZR-001"),
        ("异地就医备案", "SF-YB-002"),
    ],
    ids=["synonym-and-operation", "homophone", "bracket-name", "plain-name"],
)
def test_rank_puts_the_item_first(scorer: ItemScorer, text: str, code: str) -> None:
    ranked = scorer.rank(scorer.prepare(text))
    assert scorer.codes[ranked[0].index] == code
    assert len(ranked) <= TOP_K
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)


def test_prepare_drops_question_and_field_words(scorer: ItemScorer) -> None:
    assert scorer.prepare("请问社保卡丢了要带什么材料") == "社会保障卡遗失"


def test_rank_of_nothing_is_empty(scorer: ItemScorer) -> None:
    assert scorer.rank("") == []


def test_coverage_is_higher_for_the_item_named(scorer: ItemScorer) -> None:
    content = scorer.prepare("结婚证丢了")
    named = scorer.coverage(content, scorer.position["SF-MZ-003"])
    other = scorer.coverage(content, scorer.position["SF-GJJ-001"])
    assert named > 0.5 > other


def test_operation_words_weigh_less_and_are_not_key(scorer: ItemScorer) -> None:
    words = {word: (weight, key) for word, _, weight, key in scorer.weighted_words("公积金 提取")}
    assert words["公积金"][1] and not words["提取"][1]
    assert words["提取"][0] < words["公积金"][0]


def test_foreign_share(scorer: ItemScorer) -> None:
    assert scorer.foreign_share("美国签证") > 0.5
    assert scorer.foreign_share("身份证") == 0.0


@pytest.mark.parametrize("number", ["12", "2024"], ids=["age", "year"])
def test_numbers_are_not_key_words(scorer: ItemScorer, number: str) -> None:
    words = {word: key for word, _, _, key in scorer.weighted_words(f"孩子 {number} 身份证")}
    assert words[number] is False
    assert words["身份证"] is True


def test_lacks_main_marks_items_without_the_most_specific_word(scorer: ItemScorer) -> None:
    ranked = scorer.rank(scorer.prepare("高龄津贴"))
    flags = {scorer.codes[r.index]: r.lacks_main for r in ranked}
    assert flags["SF-MZ-006"] is False
    assert any(flags.values())
