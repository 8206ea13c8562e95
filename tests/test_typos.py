"""Non-homophone typo correction with rapidfuzz Levenshtein distance against candidate words."""

from pathlib import Path

import pytest

from bot.matching.matcher import Matcher
from bot.matching.segment import is_word, tokens
from bot.matching.typos import candidate_words, correct
from knowledge.schema import load_kb

WORDS = candidate_words(
    ["住房公积金 提取", "营业执照 个体工商户", "社会保障卡 挂失", "二手房 转移登记", "高龄津贴"], tokens
)
KNOWN = {
    "住房",
    "房公",
    "公积",
    "积金",
    "营业",
    "业执",
    "执照",
    "社会",
    "会保",
    "保障",
    "障卡",
    "二手",
    "手房",
}


def _correct(text: str) -> str:
    return correct(text, WORDS, known_pair=KNOWN.__contains__, common_word=is_word)


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("公积全 提取", "公积金 提取"),  # 全 for 金: same shape, other sound
        ("营业执找", "营业执照"),
        ("社会保障卞遗失", "社会保障卡遗失"),
        ("二手车过户", "二手车过户"),  # a real word is not a typo
        ("公积金", "公积金"),  # knowledge-base text already
        ("营业", "营业"),  # too short to correct
        ("家里前几天", "家里前几天"),  # no candidate word that close
    ],
    ids=["shape", "slip", "before-more-text", "real-word", "known", "short", "nothing-close"],
)
def test_correct(text: str, fixed: str) -> None:
    assert _correct(text) == fixed


def test_ambiguous_correction_is_left_alone() -> None:
    words = {3: ["居住证", "居住地"]}  # 居住x: two words one character away
    assert correct("居住正", words, known_pair=lambda pair: False, common_word=lambda w: False) == "居住正"


def test_candidate_words_by_length() -> None:
    assert WORDS[3] == ["二手房", "公积金"]
    assert "社会保障卡" in WORDS[5] or "社会保障" in WORDS[4]


@pytest.mark.parametrize(
    ("word", "expected"),
    [("二手车", True), ("公积全", False), ("营业执照", True), ("几天", True)],
    ids=["rare-word", "typo", "common-word", "two-characters"],
)
def test_is_word(word: str, expected: bool) -> None:
    assert is_word(word) is expected


@pytest.fixture(scope="module")
def matcher(county_kb_path: Path) -> Matcher:
    return Matcher.build(load_kb(county_kb_path).items)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("营业执找怎么办", "SF-SJ-001"),
        ("社会保障卞丢了", "SF-RS-002"),
        ("高铃津贴怎么领", "SF-MZ-006"),
        ("残疾症要带什么", "SF-CL-001"),
    ],
    ids=["licence", "social-card", "allowance", "disability"],
)
def test_typos_reach_the_item(matcher: Matcher, text: str, code: str) -> None:
    decision = matcher.decide(text)
    # Answered, or asked back with the right item first (the lexical models answer only when sure).
    led = decision.item if decision.action == "answer" else (decision.candidates or (None,))[0]
    assert led == code


def test_real_word_is_not_bent_into_an_item(matcher: Matcher) -> None:
    assert "二手车" in matcher.prepare("二手车过户在哪办")


def test_words_out_of_the_usual_order_are_not_typos(matcher: Matcher) -> None:
    # 户口销了 is 销户口 said the other way round: 销 forms 销户 with 户, a word the knowledge base uses.
    assert "销" in matcher.prepare("要去把他户口销了")
    words = {3: ["户口簿"]}
    never = lambda word: False  # noqa: E731
    assert correct("户口销", words, known_pair={"户口", "销户"}.__contains__, common_word=never) == "户口销"
    assert correct("户口薄", words, known_pair={"户口"}.__contains__, common_word=never) == "户口簿"


def test_a_three_character_document_name_is_a_candidate_though_the_tokeniser_cuts_it() -> None:
    words = candidate_words(["居住证期满 居住证签注"], tokens)
    assert "居住证" in words[3]
    known = {"居住", "住证", "证期", "期满", "签注"}
    fixed = correct("居往证期满 签注", words, known_pair=known.__contains__, common_word=is_word)
    assert fixed == "居住证期满 签注"


def test_a_typo_in_a_long_story_is_corrected_against_what_its_own_word_points_at(matcher: Matcher) -> None:
    # The story (work, 户口, 河南) points at household items; 居往证 alone points at 居住证申领.
    story = "我手机13812345678，想办个居往证，在这边厂里上班快一年了，户口在河南"
    assert "居住证" in matcher.prepare(story)
