"""bot.matching.records: an item's whole record, and the words of a follow-up that it tells."""

import pytest

from bot.matching.records import Records, content_tokens, record_text
from knowledge.schema import FaqEntry, Item, Material, Online, Situation


def _item(code: str, name: str, **extra) -> Item:
    return Item(code=code, name=name, department="公安局", materials=[Material(name="居民身份证")], **extra)


@pytest.fixture
def records() -> Records:
    passport = _item(
        "P",
        "普通护照补发",
        online=Online(available=True, note="须本人到场，证件可邮寄。"),
        situations=[Situation(name="遗失", materials=[], note="原护照一经报失即作废，找回后也不能使用。")],
        faq=[FaqEntry(q="护照有效期多久？", a="十年。")],
    )
    others = [_item(f"O{n}", f"其他事项{n}", conditions="须本人申请。") for n in range(5)]
    return Records([passport, *others])


def test_the_record_holds_notes_steps_and_faq_answers(records):
    text = records.texts[0]
    for part in ("邮寄", "找回后", "十年", "居民身份证"):
        assert part in text


def test_grammar_alone_is_not_content_and_complements_fall_away():
    assert content_tokens("旧 又找到 用不") == ["旧", "找", "用"]
    assert content_tokens("寄回老家") == ["寄", "回老家"]
    assert content_tokens("abc 12") == []


def test_words_the_record_tells_and_few_others_do_ground_a_follow_up(records):
    assert records.grounded("寄到家里", 0) == ["寄"]
    assert records.grounded("旧 找到", 0) == ["找"]
    assert records.grounded("酒店", 0) == []
    # 本人 is in every record: it tells nothing about this one.
    assert records.used_by("本人") == 6
    assert not records.distinct("本人")
    assert records.grounded("本人", 0) == []


def test_rarer_words_weigh_more(records):
    assert records.weight("邮寄") > records.weight("本人")


def test_record_text_is_half_width_lower_case():
    item = _item("X", "ＡＢＣ证明", conditions="ＡＰＰ可办")
    assert "abc证明" in record_text(item)
    assert "app可办" in record_text(item)


def test_a_word_the_segmenter_splits_grounds_a_follow_up_whole():
    licence = _item(
        "L", "驾驶证遗失补领", situations=[Situation(name="遗失", materials=[], note="无需登报声明。")]
    )
    records = Records([licence, *(_item(f"O{n}", f"其他事项{n}") for n in range(5))])
    assert "登报" in records.grounded("登报不", 0)
    assert records.grounded("报纸", 0) == []
