"""Item scoring on the demo county hall: ranking, coverage, word weights, foreign words."""

from pathlib import Path

import pytest

from bot.matching.scoring import TOP_K, ItemScorer
from knowledge.schema import Item, load_kb


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


def _item(code: str, name: str, department: str = "示范省人力资源和社会保障厅") -> Item:
    return Item.model_validate({"code": code, "name": name, "department": department, "materials": []})


@pytest.fixture(scope="module")
def audience_scorer() -> ItemScorer:
    return ItemScorer.build(
        [
            _item("A", "机关事业单位人员领取养老保险待遇资格认证"),
            _item("B", "企业职工领取养老保险待遇资格认证"),
            _item("C", "城乡居民养老保险待遇资格认证"),
            _item("D", "养老保险关系转移接续"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "penalised", "spared"),
    [
        ("企业退休人员养老保险资格认证", {"A", "C"}, {"B"}),
        ("机关事业单位养老保险资格认证", {"B", "C"}, {"A"}),
        ("城乡居民养老保险资格认证", {"A", "B"}, {"C"}),
    ],
    ids=["enterprise", "public-institution", "residents"],
)
def test_items_for_another_audience_lose(
    audience_scorer: ItemScorer, text: str, penalised: set[str], spared: set[str]
) -> None:
    ranked = audience_scorer.rank(audience_scorer.prepare(text))
    order = [audience_scorer.codes[r.index] for r in ranked]
    assert order[0] in spared
    assert all(order.index(code) > order.index(next(iter(spared))) for code in penalised)


def test_no_audience_named_leaves_the_audiences_open(audience_scorer: ItemScorer) -> None:
    ranked = audience_scorer.rank(audience_scorer.prepare("养老保险资格认证"))
    scores = {audience_scorer.codes[r.index]: r.score for r in ranked}
    # Without an audience word no item is pushed down: the three stay within a small band.
    assert max(scores[c] for c in "ABC") - min(scores[c] for c in "ABC") < 0.1


@pytest.fixture(scope="module")
def operations_scorer() -> ItemScorer:
    return ItemScorer.build(
        [
            _item("ALL", "首次、延期、换发、补发工作类居留证件", "示范市公安局"),
            _item("LOST", "居留证件遗失补领", "示范市公安局"),
            _item("CANCEL", "居留证件注销", "示范市公安局"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "code", "unasked"),
    [
        ("工作类居留证件", "ALL", False),
        ("工作类居留证件注销", "ALL", True),
        ("居留证件注销", "CANCEL", False),
    ],
    ids=["no-operation-asked", "other-operation-asked", "own-operation"],
)
def test_item_naming_every_operation_serves_a_question_naming_none(
    operations_scorer: ItemScorer, text: str, code: str, unasked: bool
) -> None:
    ranked = operations_scorer.rank(operations_scorer.prepare(text))
    flags = {operations_scorer.codes[r.index]: r.unasked_operation for r in ranked}
    assert flags[code] is unasked


def test_printing_is_an_operation_the_question_can_ask() -> None:
    scorer = ItemScorer.build(
        [_item("PRINT", "个人权益记录（参保证明）查询打印"), _item("PAY", "参保缴费凭证申请")]
    )
    ranked = {scorer.codes[r.index]: r for r in scorer.rank(scorer.prepare("打印参保证明"))}
    assert ranked["PRINT"].unasked_operation is False
    assert ranked["PAY"].missing_operation is True


@pytest.mark.parametrize(
    ("name", "unasked"),
    [("往来港澳通行证及签注", False), ("往来港澳通行证签注", True)],
    ids=["document-and-operation", "operation-only"],
)
def test_document_and_its_operation_serves_a_question_naming_none(name: str, unasked: bool) -> None:
    scorer = ItemScorer.build([_item("HK", name, "示范县公安局"), _item("POOR", "特困人员救助供养申请")])
    ranked = {scorer.codes[r.index]: r for r in scorer.rank(scorer.prepare("去香港要办港澳通行证"))}
    assert ranked["HK"].unasked_operation is unasked


def test_foreign_share_counts_words_not_pairs_across_them(scorer: ItemScorer) -> None:
    # 期满就是签注: 满就 and 是签 are pairs across two words, no one's words; 签注 and 期满 are the hall's.
    content = scorer.prepare("证还没过期，就是签注用完了")
    assert scorer.foreign_share(content) < 0.5
    assert scorer.foreign_share(scorer.prepare("能帮我订一间酒店吗")) == 1.0
    assert scorer.foreign_share(scorer.prepare("好")) == 0.0  # a character alone tells nothing
