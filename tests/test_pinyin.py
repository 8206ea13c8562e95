"""bot.matching.pinyin: Latin pinyin and initials read back as the knowledge base's words."""

import pytest

from bot.matching.pinyin import PinyinReader

WORDS = ["社保卡", "身份证", "公积金", "护照", "结婚证", "户口簿", "户口本", "提取", "补办", "驾驶证"]


@pytest.fixture(scope="module")
def reader() -> PinyinReader:
    return PinyinReader(WORDS)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("shebaoka zenme ban", "社保卡怎么办"),
        ("gjj tiqu", "公积金提取"),
        ("sfz diule zenme buban", "身份证丢了怎么补办"),
        ("hu zhao duo shao qian", "护照多少钱"),
        ("GJJ怎么取", "公积金怎么取"),
        ("jiehunzheng", "结婚证"),
    ],
    ids=["full", "initials", "initials-and-full", "spaced", "upper-case-with-han", "joined"],
)
def test_pinyin_is_read_as_words(reader, typed, read):
    assert reader.read(typed) == read


@pytest.mark.parametrize(
    "text",
    ["How do I renew my passport?", "ID card lost", "身份证丢了怎么补办", "Windows 10 报错"],
    ids=["english", "english-short", "chinese", "brand-and-code"],
)
def test_english_and_chinese_are_left_alone(reader, text):
    assert reader.read(text) == text


def test_initials_only_for_knowledge_base_words(reader):
    # "zm" would be the initials of 怎么, a common word: initials are only read for the catalogue's words.
    assert reader.read("zm") == "zm"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("gongjijin zui duo neng dai duo shao", "公积金最多能贷多少"),
        ("shuang fang dou jiao ne", "双方都交呢"),
        ("yao dai shen me cai liao", "要带什么材料"),
    ],
    ids=["how-much", "who", "what-to-bring"],
)
def test_a_whole_question_in_pinyin_is_read_with_its_question_words(reader, typed, read):
    assert reader.read(typed) == read
