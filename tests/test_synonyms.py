"""Synonym table rows and pinyin homophone corrections, one row each."""

import pytest

from bot.matching.segment import common_pairs
from bot.matching.synonyms import HomophoneFixer, Synonyms, default_synonyms

SYNONYMS = [
    ("户口本丢了", "户口簿遗失"),
    ("社保卡", "社会保障卡"),
    ("驾照过期", "驾驶证期满"),
    ("身分证", "身份证"),
    ("补办", "补领"),
    ("到期", "期满"),
    ("港澳通行证", "往来港澳通行证"),
    ("往来港澳通行证", "往来港澳通行证"),
    ("个体户注销", "个体工商户注销"),
    ("个体工商户", "个体工商户"),
    ("二建", "二级建造师"),
    ("第一次办", "首次办"),
    ("取公积金", "提取公积金"),
    ("新农合", "城乡居民基本医疗保险"),
    ("社保转移", "社会保险转移"),
    ("退伍", "退役"),
    ("辞职了", "离职了"),
    ("欠工钱", "欠劳动报酬"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    SYNONYMS,
    ids=[
        "hukouben",
        "shebaoka",
        "jiazhao-guoqi",
        "shenfenzheng-typo",
        "buban",
        "daoqi",
        "gangao-expands",
        "gangao-canonical-kept",
        "getihu",
        "getigongshanghu-kept",
        "erjian",
        "diyici",
        "qu-gongjijin",
        "xinnonghe",
        "shebao-not-shebaoka",
        "tuiwu",
        "cizhi",
        "gongqian",
    ],
)
def test_default_synonyms(text: str, expected: str) -> None:
    assert Synonyms().canonical(text) == expected


def test_staff_synonyms_are_added_and_override() -> None:
    table = Synonyms({"一网通办": "政务服务网", "驾照": "机动车驾驶证"})
    assert table.canonical("一网通办") == "政务服务网"
    assert table.canonical("驾照") == "机动车驾驶证"


def test_staff_synonyms_are_normalised() -> None:
    assert Synonyms({"ＡＢ證": "甲证"}).canonical("ab证") == "甲证"


def test_table_has_no_self_loops() -> None:
    assert all(word != canonical for word, canonical in default_synonyms())


VOCABULARY = [
    "居民身份证首次申领",
    "社会保障卡申领",
    "社保卡",
    "残疾证申领",
    "二级建造师初始注册",
    "高等学校教师资格认定",
    "文件出具",
    "证件遗失",
]

HOMOPHONES = [
    ("身分证", "身份证"),
    ("社宝卡丢了", "社保卡丢了"),
    ("办残积证", "办残疾证"),
    ("初始注测", "初始注册"),
    ("教师姿格", "教师资格"),
    ("二建初始注测", "二建初始注册"),  # 建初 sounds like nothing useful: 初始 is known, so it stays
    ("遗失了", "遗失了"),
    ("我要办证", "我要办证"),
    ("天气怎么样", "天气怎么样"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    HOMOPHONES,
    ids=[
        "shenfen",
        "shebao",
        "canji",
        "zhuce-tone",
        "zige-tone",
        "known-neighbour-kept",
        "known-word-kept",
        "nothing-alike",
        "foreign",
    ],
)
def test_homophones(text: str, expected: str) -> None:
    assert HomophoneFixer(VOCABULARY).fix(text) == expected


def test_two_characters_need_the_same_tones() -> None:
    # 注测 (zhu4 ce4) → 注册 (zhu4 ce4); 住侧 (zhu4 ce4) too, but 珠册 (zhu1 ce4) is not corrected.
    fixer = HomophoneFixer(["注册"])
    assert fixer.fix("住侧") == "注册"
    assert fixer.fix("珠册") == "珠册"


def test_common_words_are_not_typos() -> None:
    # 查部到 sounds like the knowledge-base span 察部到; 查到 is an ordinary word.
    assert HomophoneFixer(["检察部到岗"]).fix("查部到") == "察部到"
    assert HomophoneFixer(["检察部到岗"], known=frozenset({"查部"})).fix("查部到") == "查部到"


def test_function_characters_are_never_typos() -> None:
    # 户口不在这 reaches the fixer as 户口不 (在这 removed): 不 is a word by itself, not a typo of 簿;
    # and 户口 is a common word (the matcher's known pairs), so 不 ends no name either.
    assert HomophoneFixer(["居民户口簿补领"], known=common_pairs()).fix("户口不") == "户口不"
    assert HomophoneFixer(["居民户口簿补领"]).fix("户口部") == "户口簿"


def test_a_kin_word_is_never_a_typo() -> None:
    # 我爸户口迁过来 (wo ba hukou) sounds like 把户口 of 把户口迁入; 爸 says for whom, it is no typo.
    assert HomophoneFixer(["把户口迁入本县"]).fix("爸户口迁过来") == "爸户口迁过来"
    assert HomophoneFixer(["把户口迁入本县"]).fix("靶户口迁过来") == "把户口迁过来"


def test_a_character_before_a_word_is_no_typo_of_a_longer_name() -> None:
    # 领补贴 (ling bu tie) sounds like 龄补贴 of 高龄补贴; 补贴 is a word, so 领 is the verb before it.
    assert HomophoneFixer(["高龄补贴申领"], known=frozenset({"补贴"})).fix("领补贴") == "领补贴"
    assert HomophoneFixer(["高龄补贴申领"]).fix("领补贴") == "龄补贴"  # without the word known: as before


def test_a_function_character_ending_a_name_is_a_typo_of_it():
    fixer = HomophoneFixer(["城乡居民医保 新农合"], known=frozenset({"户口"}))
    assert fixer.fix_function_characters("新农和今年交多少") == "新农合今年交多少"
    # 户口 is a word by itself: 不 after it is no typo of 簿.
    fixer = HomophoneFixer(["户口簿"], known=frozenset({"户口"}))
    assert fixer.fix_function_characters("户口不在这边") == "户口不在这边"


def test_a_questions_last_word_is_no_typo() -> None:
    fixer = HomophoneFixer(["能领补贴", "新农合"])
    assert fixer.fix("手机上能领不") == "手机上能领不"  # 不 asks; no 能领补 of 能领补贴
    assert fixer.fix("新农和") == "新农合"  # a name's last character still is
