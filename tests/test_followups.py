"""bot.matching.followups: a follow-up that names a neighbour of the topic, or another topic altogether."""

import pytest

from bot.matching.decision import Turn
from bot.matching.followups import key_words, names_other_topic, sibling_named
from bot.matching.matcher import Matcher
from knowledge.schema import load_kb


@pytest.fixture(scope="module")
def matcher(county_kb_path) -> Matcher:
    return Matcher.build(load_kb(county_kb_path).items)


def sibling(matcher: Matcher, text: str, current: str, codes: list[str]) -> str | None:
    return sibling_named(
        matcher.scorer, matcher.prepare(text), current, codes, told=matcher.prepare, meaning=None
    )


def test_a_word_the_item_lacks_names_its_neighbour(matcher):
    assert sibling(matcher, "那丢了呢", "SF-GA-012", ["SF-GA-012", "SF-GA-013"]) == "SF-GA-013"


def test_a_neighbour_shares_the_topics_key_words(matcher):
    # 孩子 is in 身份证首次申领's aliases, but it shares nothing with 往来港澳通行证.
    assert sibling(matcher, "小孩的呢", "SF-GA-010", ["SF-GA-010", "SF-GA-001"]) is None


def test_closer_in_meaning_to_the_item_stays(matcher):
    codes = ["SF-GA-012", "SF-GA-013"]
    meaning = [0.0] * len(matcher.codes)
    meaning[matcher.position["SF-GA-012"]] = 0.9
    meaning[matcher.position["SF-GA-013"]] = 0.8
    found = sibling_named(
        matcher.scorer, matcher.prepare("那丢了呢"), "SF-GA-012", codes, told=matcher.prepare, meaning=meaning
    )
    assert found is None


def test_another_topic_altogether(matcher):
    after_id_card = Turn(item="SF-GA-003")
    assert names_other_topic(matcher.scorer, matcher.prepare("提取公积金"), after_id_card, 0.5)
    assert not names_other_topic(matcher.scorer, matcher.prepare("补办身份证"), after_id_card, 0.5)
    assert "驾驶证" in key_words(matcher.scorer, matcher.prepare("驾驶证遗失补领"))
