"""bot.matching.settled: numbered questions that need not be asked."""

from pathlib import Path

import pytest

from bot.matching.decision import Decision
from bot.matching.normalize import normalize
from bot.matching.scoring import ItemScorer
from bot.matching.settled import (
    answer_first,
    errands,
    likely_item,
    plainly_named,
    says_own_name,
    stem,
    tells_loss,
)
from knowledge.schema import load_kb


@pytest.fixture(scope="module")
def scorer(county_kb_path: Path) -> ItemScorer:
    return ItemScorer.build(load_kb(county_kb_path).items)


def test_the_likely_item_is_a_first_option_far_ahead_of_the_rest() -> None:
    def clarify(p1: float, p2: float) -> Decision:
        return Decision("clarify", candidates=("A", "B"), scores=(("A", p1), ("B", p2)))

    assert likely_item(clarify(0.9, 0.02)) == "A"
    assert likely_item(clarify(0.6, 0.5)) is None
    assert likely_item(Decision("answer", item="A", scores=(("A", 0.9),))) is None
    # The scores ranked another item first than the list shows (a family put first): no likely item.
    family = Decision("clarify", candidates=("B", "A"), scores=(("A", 0.9), ("B", 0.02)))
    assert likely_item(family) is None


def test_a_name_is_said_without_its_default_operation() -> None:
    assert stem("高龄津贴申领") == "高龄津贴"
    assert stem("个体工商户设立登记") == "个体工商户"  # 登记, then 设立
    assert stem("居民身份证补领") == "居民身份证补领"  # 补领 is no default: it says which service


def test_an_item_says_its_own_name_only_when_no_other_item_holds_it(scorer: ItemScorer) -> None:
    marriage = scorer.position["SF-MZ-001"]
    assert says_own_name(scorer, marriage, scorer.prepare("我和对象想去扯证"))
    # 结婚证 is in 补领婚姻登记证's names too (结婚证遗失): not this item's alone.
    assert not says_own_name(scorer, marriage, scorer.prepare("结婚证"))
    allowance = scorer.position["SF-MZ-006"]
    assert says_own_name(scorer, allowance, scorer.prepare("今年81了能领高龄津贴吗"))


def test_a_conversation_answers_first_only_a_very_likely_option_its_words_set_apart() -> None:
    names = {"A": "居民身份证补领", "B": "居民户口簿补领", "C": "居民身份证首次申领"}

    def clarify(p1: float, p2: float, p3: float = 0.0) -> Decision:
        scores = (("A", p1), ("B", p2), ("C", p3))
        return Decision("clarify", candidates=("A", "B", "C"), scores=scores)

    assert answer_first(clarify(0.9, 0.1), "身份证丢了补领", names) == "A"
    assert answer_first(clarify(0.45, 0.1), "身份证丢了补领", names) is None  # not likely enough
    # Less likely still, but alone: the runner-up is no real choice beside it.
    assert answer_first(clarify(0.45, 0.05), "身份证丢了补领", names) == "A"
    assert answer_first(clarify(0.25, 0.02), "身份证丢了补领", names) is None
    # Less likely, but clearly first and named apart by its name's own words (身份证 … 补领).
    assert answer_first(clarify(0.7, 0.05), "身份证丢了补领", names) == "A"
    assert answer_first(clarify(0.7, 0.6), "身份证丢了补领", names) is None  # the runner-up close behind
    travel = {"A": "普通护照签发", "B": "往来港澳通行证签发", "C": "出生登记"}
    # 护照 named, 港澳通行证 not: answered though the runner-up is not far behind.
    assert answer_first(clarify(0.67, 0.47), "帮他办个护照 他才9岁", travel) == "A"
    assert answer_first(clarify(0.7, 0.05), "证件丢了", names) is None  # nothing sets it apart
    # A runner-up matched by the operation alone (补领), its thing (户口簿) unsaid, is no real choice; said,
    # it is.
    assert answer_first(clarify(0.9, 0.8), "身份证丢了补领", names) == "A"
    assert answer_first(clarify(0.9, 0.8), "身份证和户口簿丢了补领", names) is None
    # 身份证 alone is as much 首次申领's: nothing sets the first option apart.
    assert answer_first(clarify(0.9, 0.05, 0.05), "身份证怎么办", names) is None


def test_a_name_said_whole_settles_nothing_when_the_runner_up_holds_the_other_words() -> None:
    from types import SimpleNamespace

    from bot.matching.settled import _runner_up_said
    from knowledge.schema import Item

    items = [
        Item(code="A", name="社会保障卡申领", department="人社", aliases=["社保卡"], materials=[]),
        Item(code="B", name="社会保障卡挂失、补领", department="人社", materials=[]),
    ]
    scorer = ItemScorer.build(items)
    verdict = SimpleNamespace(ordered=[SimpleNamespace(position=0), SimpleNamespace(position=1)])
    # 找不到了 → 遗失 (挂失 → 遗失): the runner-up's word, not the first option's.
    assert _runner_up_said(verdict, scorer, scorer.prepare("社保卡找不到了怎么办"))  # type: ignore[arg-type]
    assert not _runner_up_said(verdict, scorer, scorer.prepare("社保卡怎么办"))  # type: ignore[arg-type]


def test_taking_money_out_is_the_catalogue_s_withdrawal(scorer: ItemScorer) -> None:
    # 取出来 / 提出来 say 提取, the operation every 住房公积金提取 item has: they set none apart.
    assert "提取" in scorer.prepare("公积金怎么取出来")
    assert "提取" in scorer.prepare("公积金咋提出来")


def test_a_count_of_time_said_in_words_names_no_item(scorer: ItemScorer) -> None:
    words = {word: key for word, *_, key in scorer.weighted_words(scorer.prepare("多少钱一年 一个月 两次"))}
    assert words and not any(words.values())


def test_a_situation_said_whole_settles_a_list_only_one_credible_option_has_it() -> None:
    from types import SimpleNamespace

    from bot.matching.settled import _situation_said_whole
    from knowledge.schema import Item, Situation

    def item(code: str, name: str, *situations: str) -> Item:
        told = [Situation(name=s, materials=[]) for s in situations]
        return Item(code=code, name=name, department="公积金", materials=[], situations=told)

    items = [
        item("A", "住房公积金提取（购买自住住房）", "购买二手房", "购买新建商品房"),
        item("B", "住房公积金提取（租赁住房）", "租住商品住房"),
        item("C", "个人住房公积金贷款", "购买二手房"),
    ]
    ordered = [SimpleNamespace(position=i) for i in range(3)]

    def verdict(*p: float) -> object:
        return SimpleNamespace(ordered=ordered, probabilities=list(p))

    text = "上个月买了套二手房，公积金能取出来吗"
    assert _situation_said_whole(verdict(0.8, 0.3, 0.01), text, items, normalize)  # type: ignore[arg-type]
    # The loan item, credible too, has the same situation: the list is still asked.
    assert not _situation_said_whole(verdict(0.8, 0.3, 0.2), text, items, normalize)  # type: ignore[arg-type]


def test_only_a_family_of_names_needs_the_message_to_set_the_first_apart() -> None:
    def clarify(names: dict[str, str]) -> Decision:
        codes = tuple(names)
        scores = ((codes[0], 0.92), (codes[1], 0.05))
        return Decision("clarify", candidates=codes, scores=scores)

    # 个体工商户设立登记 and 有限责任公司设立登记 are no family: 开个小卖部 is answered by meaning alone.
    shops = {"A": "个体工商户设立登记", "B": "有限责任公司设立登记"}
    assert answer_first(clarify(shops), "想在镇上开个小卖部，要办啥子执照", shops) == "A"
    # Two 住房公积金提取 items are: the message must say what sets the first apart.
    fund = {"A": "住房公积金提取（离休、退休）", "B": "住房公积金提取（租赁住房）"}
    assert answer_first(clarify(fund), "公积金怎么提取", fund) is None
    assert answer_first(clarify(fund), "退休了公积金怎么提取", fund) == "A"


def test_a_first_option_is_set_apart_from_its_family_by_its_aliases() -> None:
    names = {"A": "居民身份证补领", "B": "居民身份证首次申领", "C": "居民身份证换领"}
    described = {
        "A": "居民身份证补领 身份证丢了 身份证被偷了 身份证遗失",
        "B": "居民身份证首次申领 第一次办身份证 未满16周岁",
        "C": "居民身份证换领 身份证到期 身份证坏了",
    }
    decision = Decision("clarify", candidates=("A", "B", "C"), scores=(("A", 0.89), ("B", 0.04), ("C", 0.03)))
    told = "钱包被人偷了，身份证要怎么重新办"
    assert answer_first(decision, told, names) is None  # its name alone says nothing of the theft
    assert answer_first(decision, told, names, described) == "A"
    assert answer_first(decision, "身份证要怎么办", names, described) is None


def test_a_document_told_lost_is_replaced_not_issued(county_kb_path) -> None:
    from bot.matching.settled import lost_sibling
    from knowledge.schema import load_kb

    items = {item.code: item for item in load_kb(county_kb_path).items}
    scores = (("SF-RS-001", 0.73), ("SF-GA-004", 0.06), ("SF-RS-002", 0.05))
    # 社会保障卡申领 answered to a theft: the item that replaces the card, which shares its name.
    assert lost_sibling("SF-RS-001", scores, "钱包被盗 身份证社会保障卡 里面", items) == "SF-RS-002"
    assert lost_sibling("SF-RS-001", scores, "社会保障卡 怎么", items) is None  # nothing lost
    # An item that replaces already stays.
    assert lost_sibling("SF-RS-002", (("SF-RS-002", 0.9),), "社会保障卡遗失", items) is None


def test_a_document_told_stolen_is_replaced_by_the_one_item_replacing_it(county_kb_path) -> None:
    from bot.matching.settled import lost_document

    items = load_kb(county_kb_path).items
    # The wallet is what was stolen; the card in it is the document named.
    assert lost_document("钱包让人 被盗 身份证 里头 现在", items) == "SF-GA-003"
    assert lost_document("身份证 里头 现在", items) is None  # nothing lost
    assert lost_document("钱包 被盗 里头", items) is None  # no document named
    # Two documents told lost: which first is the citizen's to say.
    assert lost_document("钱包 被盗 身份证 社会保障卡 里面", items) is None


def test_a_question_between_issuing_and_replacing_a_lost_card_is_answered(county_kb_path) -> None:
    from bot.matching.settled import replacing_choice
    from knowledge.schema import load_kb

    items = {item.code: item for item in load_kb(county_kb_path).items}
    choices = ("SF-RS-001", "SF-RS-002")  # 社会保障卡申领 / 社会保障卡挂失与补换
    assert replacing_choice(choices, "社会保障卡遗失 怎么办", items) == "SF-RS-002"
    assert replacing_choice(choices, "社会保障卡 怎么办", items) is None  # nothing lost: the question stays
    assert replacing_choice(("SF-GA-003", "SF-GA-012"), "证件遗失", items) is None  # two documents


def test_a_question_asking_for_a_card_again_is_answered_with_the_replacing_item(county_kb_path) -> None:
    from bot.matching.settled import replacing_choice
    from knowledge.schema import load_kb

    items = {item.code: item for item in load_kb(county_kb_path).items}
    choices = ("SF-RS-002", "SF-RS-001")  # 社会保障卡挂失与补换 / 社会保障卡申领
    # 补办 says the operation itself: the card is asked for again, not for the first time.
    assert replacing_choice(choices, "深圳社会保障卡 补领", items) == "SF-RS-002"
    assert replacing_choice(choices, "社会保障卡补一张", items) == "SF-RS-002"
    # 补贴 is not 补办: a subsidy asks for nothing again.
    assert replacing_choice(choices, "社会保障卡 补贴", items) is None


def test_a_short_message_is_named_apart_only_by_names_far_ahead() -> None:
    names = {"A": "往来港澳通行证及签注", "B": "往来台湾通行证及签注", "C": "普通护照申请"}
    described = {
        "A": "往来港澳通行证及签注 港澳通行证",
        "B": "往来台湾通行证及签注 去台湾",
        "C": "普通护照申请",
    }
    question = Decision("clarify", candidates=("A", "B"), scores=(("A", 0.97), ("B", 0.54), ("C", 0.0)))
    # A bare name of two services (港澳台 names both): asked, however far the first leads in a story.
    assert answer_first(question, "港澳台通行证怎么办理", names, described, story=False) is None
    assert answer_first(question, "港澳台通行证怎么办理", names, described, story=True) == "A"


def test_the_leading_option_is_far_ahead_of_the_rest() -> None:
    from bot.matching.settled import leading_option

    ahead = Decision("clarify", candidates=("A", "B"), scores=(("A", 0.78), ("B", 0.12)))
    assert leading_option(ahead) == "A"
    close = Decision("clarify", candidates=("A", "B"), scores=(("A", 0.6), ("B", 0.4)))
    assert leading_option(close) is None


def test_an_option_named_only_in_what_the_citizen_has_is_no_runner_up() -> None:
    names = {"A": "出生登记（新生儿入户）", "B": "内地居民结婚登记", "C": "生育登记"}
    described = {
        "A": "出生登记（新生儿入户） 给孩子上户口 新生儿落户",
        "B": "内地居民结婚登记 领结婚证",
        "C": "生育登记 生育服务证",
    }
    scores = (("A", 0.56), ("B", 0.49), ("C", 0.03))
    close = Decision("clarify", candidates=("A", "B", "C"), scores=scores)
    story = "我俩都是本县户口，结婚证也有，现在要给孩子上户口，要带什么东西"
    # 结婚 is said only in 结婚证也有: 结婚登记 is not asked for, and 出生登记 is named by its alias.
    assert answer_first(close, story, names, described) == "A"
    assert answer_first(close, "我俩要去领结婚证，也要给孩子上户口", names, described) is None


def test_a_first_option_named_only_in_what_the_citizen_has_gives_way_to_the_next() -> None:
    names = {"A": "个体工商户设立登记", "B": "食品经营许可证核发", "C": "有限责任公司设立登记"}
    described = {
        "A": "个体工商户设立登记 办营业执照 开店办执照",
        "B": "食品经营许可证核发 餐饮许可证",
        "C": "有限责任公司设立登记 注册公司",
    }
    scores = (("A", 0.78), ("B", 0.6), ("C", 0.05))
    close = Decision("clarify", candidates=("A", "B", "C"), scores=scores)
    # 营业执照 is had already; the permit is what the rest asks for.
    assert answer_first(close, "开了个米粉店，营业执照已经办好了，还要办什么许可", names, described) == "B"
    assert answer_first(close, "开了个米粉店，营业执照和许可证都要办吗", names, described) is None


def test_only_a_credible_member_of_the_first_options_family_holds_it_back() -> None:
    names = {"A": "个人所得税综合所得年度汇算", "B": "代开增值税发票", "C": "个人所得税经营所得汇算清缴"}

    def clarify(p3: float) -> Decision:
        scores = (("A", 0.915), ("B", 0.039), ("C", p3))
        return Decision("clarify", candidates=("A", "B", "C"), scores=scores)

    text = "我去年在外面打零工被扣了个税 能退吗"
    assert answer_first(clarify(0.011), text, names) == "A"  # 经营所得 at 1%: no case meant
    assert answer_first(clarify(0.12), text, names) is None  # a case the message may mean: ask


def test_an_item_named_plainly_beside_a_qualified_kind_of_it_is_the_plain_one() -> None:
    permits = ["居住证申领", "台湾居民居住证申领"]
    assert plainly_named("那居住证要带什么", permits) == 0
    assert plainly_named("台湾的居住证要带什么", permits) is None  # the qualifier said
    # Another operation on the same thing is another service, no qualified kind: the question stays.
    assert plainly_named("社保卡怎么办", ["社会保障卡申领", "社会保障卡挂失与补换"]) is None
    names = {"A": "居住证申领", "B": "台湾居民居住证申领"}
    decision = Decision("clarify", candidates=("A", "B"), scores=(("A", 0.91), ("B", 0.86)))
    assert answer_first(decision, "那居住证要带什么", names) == "A"


def test_a_first_option_whose_thing_is_said_beside_options_matched_by_operations_alone() -> None:
    names = {"A": "普通护照签发", "B": "居民身份证首次申领"}
    decision = Decision("clarify", candidates=("A", "B"), scores=(("A", 0.93), ("B", 0.41)))
    # 首次 named 居民身份证首次申领 too; 护照 is the thing asked about, and 身份证 is not said.
    assert answer_first(decision, "第一次办护照 首次办护照", names, story=False) == "A"
    # A bare topic with no operation is asked back.
    assert answer_first(decision, "护照的事", names, story=False) is None
    # Both things said: the question is due.
    assert answer_first(decision, "首次办护照和身份证", names, story=False) is None


def test_two_errands_told_at_once_are_both_found_the_likeliest_first() -> None:
    names = {"A": "出生登记（新生儿入户）", "B": "城乡居民基本医疗保险参保登记", "C": "异地就医备案"}
    decision = Decision("clarify", candidates=("A", "B"), scores=(("A", 0.6), ("B", 0.5), ("C", 0.01)))
    assert errands(decision, "小孩要报户口 入户 还有医保那些 医疗保险", names) == ("A", "B")
    # One thing said (社会保险 is one word, though its halves begin different names): no two errands.
    pension = {"A": "灵活就业人员参加职工基本养老保险登记", "B": "社会保障卡申领、补换"}
    one = Decision("clarify", candidates=("A", "B"), scores=(("A", 0.76), ("B", 0.35)))
    assert errands(one, "我想问社保的事 社会保险", pension) == ()


def test_a_lost_document_named_in_a_story_picks_its_replacement_whatever_comes_first() -> None:
    from bot.matching.settled import replacing_choice
    from knowledge.schema import Item

    def item(code: str, name: str) -> Item:
        return Item(code=code, name=name, department="公安局", materials=[])

    items = {
        "D": item("D", "死亡人员户口注销"),
        "R": item("R", "居民身份证有效期满换领"),
        "L": item("L", "居民身份证补领"),
        "F": item("F", "补发外国人永久居留身份证"),
    }
    content = "昨天坐公交车钱包被人被盗身份证 里面过两个月 回老家过年"
    # The story put 户口注销 first; the one option replacing the document it names is the answer.
    assert replacing_choice(("D", "R", "L"), content, items) == "L"
    # A replacing item whose name qualifies the document the message does not (外国人永久居留) is no answer.
    assert replacing_choice(("D", "F"), "身份证遗失 补领", items) is None
    assert replacing_choice(("D", "R", "L"), "身份证 怎么办", items) is None  # nothing lost


def test_a_first_card_for_someone_is_the_issuing_option(county_kb_path) -> None:
    from bot.matching.settled import issuing_choice, same_document
    from knowledge.schema import load_kb

    items = {item.code: item for item in load_kb(county_kb_path).items}
    choices = ("SF-RS-001", "SF-RS-002")  # 社会保障卡申领 / 社会保障卡挂失与补换
    assert issuing_choice(choices, "孙女刚满月，想给她办张社保卡", items) == "SF-RS-001"
    # An earlier card told (坏了, 补): not the issuing option.
    assert issuing_choice(choices, "社保卡坏了想办张新的", items) is None
    assert issuing_choice(choices, "社保卡怎么补办", items) is None
    # Nothing said of obtaining one: the question stays.
    assert issuing_choice(choices, "社保卡的事", items) is None
    # Never had one (从来没办过): the first card, however it is asked.
    assert issuing_choice(choices, "我社保卡从来没办过，要怎么弄", items) == "SF-RS-001"
    # A child just born has had none: the first card, though no counter (办张) is said.
    assert issuing_choice(choices, "帮我那刚出生的外孙女弄社保卡", items) == "SF-RS-001"
    # A loss told in plain words (掉了) keeps a counted wish from the first card.
    assert issuing_choice(choices, "社保卡掉了 想办张新的", items) is None
    assert same_document("社会保障卡申领", "社会保障卡挂失与补换")
    assert not same_document("社会保障卡申领", "居民身份证补领")


def test_a_replacing_option_qualifying_the_document_is_no_answer_to_its_bare_name() -> None:
    from bot.matching.settled import replacing_choice
    from knowledge.schema import Item

    def item(code: str, name: str) -> Item:
        return Item(code=code, name=name, department="公安局", materials=[])

    items = {"F": item("F", "补发外国人永久居留身份证"), "Q": item("Q", "居民身份证办理进度查询")}
    # 身份证补办了…怎么查办好没有: 补办 said, but the only replacing option is a kind of card it does not say.
    assert replacing_choice(("F", "Q"), "身份证补领 快一个月 查办好没有", items) is None


def test_the_goal_after_a_step_is_the_errand(county_kb_path) -> None:
    from bot.matching.settled import goal_choice
    from knowledge.schema import load_kb

    items = {item.code: item for item in load_kb(county_kb_path).items}
    choices = ("SF-ZR-003", "SF-ZR-001")  # 不动产抵押权注销登记 / 存量房买卖转移登记
    # 解押 is the step the agent named; 过户 is what the citizen is after.
    assert goal_choice(choices, "房贷没还完，中介说得先还清解押才能过户，是真的不", items) == "SF-ZR-001"
    assert goal_choice(choices, "房贷没还完能过户吗", items) is None  # no step-then-goal told


def test_a_document_told_broken_in_few_words_is_told_lost_or_broken():
    assert tells_loss("社会保障卡坏 插不进去") and tells_loss("卡坏")
    assert not tells_loss("社会保障卡 不坏") and not tells_loss("坏账")


HELDOUT = Path(__file__).resolve().parent.parent / "bench" / "heldout"


def test_an_option_named_by_the_end_of_its_name_is_picked_when_the_words_rank_it_first() -> None:
    from bot.matching.settled import named_choice

    every = load_kb(HELDOUT / "oasis-hall.json").items
    items = {item.code: item for item in every}
    hall = ItemScorer.build(every)
    prepare = hall.prepare
    # 流动人口居住登记, beside 居住证申领 and the school item whose FAQ tells of 居住登记.
    choices = ("LZX-JY-001", "LZX-GA-005", "LZX-GA-006")
    assert named_choice(choices, "居住登记要带啥", items, hall, prepare, lexical_first="LZX-GA-005") == (
        "LZX-GA-005"
    )
    # The words alone rank another option first: the question stays.
    assert named_choice(choices, "居住登记要带啥", items, hall, prepare, lexical_first="LZX-JY-001") is None
    # The name is a word on the way to what is asked; and a message that asks nothing picks nothing.
    long = "房东不肯给我开居住登记用的租房证明怎么办"
    assert named_choice(choices, long, items, hall, prepare, lexical_first="LZX-GA-005") is None
    assert named_choice(choices, "居住登记", items, hall, prepare, lexical_first="LZX-GA-005") is None


def test_an_operation_or_another_options_faq_is_no_name(county_kb_path: Path) -> None:
    from bot.matching.settled import named_choice

    every = load_kb(county_kb_path).items
    items = {item.code: item for item in every}
    hall = ItemScorer.build(every)
    prepare = hall.prepare
    # 首次申领 ends 居民身份证首次申领, yet says only what is done, not what: 驾驶证 is no ID card.
    choices = ("SF-GA-001", "SF-GA-013")
    text = "驾驶证初次申领要带什么材料"
    assert named_choice(choices, text, items, hall, prepare, lexical_first="SF-GA-001") is None
    fen = load_kb(HELDOUT / "fen-hall.json").items
    # 要先办营业执照不: the workshop item's FAQ asks it in more of its words than 营业执照 names.
    fen_items = {item.code: item for item in fen}
    fen_hall = ItemScorer.build(fen)
    fen_prepare = fen_hall.prepare
    pair = ("FYP-SC-001", "FYP-SC-002")
    assert (
        named_choice(pair, "要先办营业执照不", fen_items, fen_hall, fen_prepare, lexical_first="FYP-SC-001")
        is None
    )
    assert named_choice(
        pair, "营业执照要带啥", fen_items, fen_hall, fen_prepare, lexical_first="FYP-SC-001"
    ) == ("FYP-SC-001")


def test_a_document_named_that_an_item_does_not_hold_is_not_its_question() -> None:
    from bot.matching.settled import names_other_document

    id_card = "居民身份证有效期满换领居民身份证户口簿"
    assert names_other_document(id_card, "驾驶证到期了在你们这换得了吗")
    assert not names_other_document(id_card, "身份证到期了怎么换")
    assert not names_other_document(id_card, "到期了怎么换")  # no document named: nothing to tell
    # 居住证明 is a certificate of residence, not the 居住证 card.
    assert not names_other_document(id_card, "居住证明怎么开") and names_other_document(
        id_card, "居住证怎么办"
    )


def test_a_family_s_first_option_is_answered_when_the_message_holds_its_hint() -> None:
    names = {
        "RENT": "住房公积金提取（租赁住房）",
        "BUY": "住房公积金提取（购买、建造、翻建自住住房）",
        "QUIT": "住房公积金提取（离职、离开本地、死亡等销户提取）",
    }

    def clarify(p1: float, p2: float, p3: float) -> Decision:
        scores = (("RENT", p1), ("BUY", p2), ("QUIT", p3))
        return Decision("clarify", candidates=("RENT", "BUY", "QUIT"), scores=scores)

    told = "那公积金能取不 我在镇上租房子住"
    # 租 only the first option has: what a reply to the numbered question would say is said already.
    assert answer_first(clarify(0.79, 0.40, 0.29), told, names) == "RENT"
    assert answer_first(clarify(0.79, 0.40, 0.29), "那公积金能取不", names) is None  # no hint: asked
    # A hint is weak evidence: the ranker's lead must be clear, and the hint the first option's.
    assert answer_first(clarify(0.79, 0.55, 0.29), told, names) is None
    assert answer_first(clarify(0.45, 0.20, 0.10), told, names) is None


def test_a_person_hurt_is_no_document_damaged():
    assert tells_loss("社保卡坏了刷不出来")
    assert tells_loss("身份证泡烂了")
    assert not tells_loss("三岁那年发高烧烧坏了脑子 智力跟不上")


def test_the_replacing_item_is_found_by_the_document_its_aliases_name(county_kb_path) -> None:
    from bot.matching.settled import replacement

    items = load_kb(county_kb_path).items
    assert replacement("SF-MZ-001", items) == "SF-MZ-003"  # 领结婚证 / 结婚证丢了
    assert replacement("SF-GA-001", items) == "SF-GA-003"  # by the names, as before


def test_a_first_option_without_credible_neighbours_is_still_told_apart_from_the_next() -> None:
    names = {"A": "死亡人员户口注销", "B": "继承、受遗赠不动产转移登记", "C": "基本殡葬服务费用减免"}
    # Every other option far below a neighbour's probability: the first is set apart from the runner-up by
    # words of its own name (户口 … 销), not left without anyone to be told apart from.
    lone = Decision("clarify", candidates=("A", "B"), scores=(("A", 0.8), ("B", 0.004), ("C", 0.003)))
    assert answer_first(lone, "我爸上个月走了，家里事多，先问下户口要怎么销", names) == "A"
    # Words of neither name: still the question.
    assert answer_first(lone, "我爸上个月走了，家里事多，先问下要办啥", names) is None


def test_a_document_told_lost_is_replaced_not_issued_again() -> None:
    names = {"A": "内地居民结婚登记", "B": "补领婚姻登记证", "C": "内地居民离婚登记"}
    tied = Decision("clarify", candidates=("A", "B", "C"), scores=(("A", 0.88), ("B", 0.86), ("C", 0.05)))
    # 结婚证 is the thing of 结婚登记's name, but it is lost: the option that replaces it is the errand.
    assert answer_first(tied, "结婚证搬家的时候遗失了，想在这边补领", names) == "B"
    # Not lost: the thing named still answers the first.
    assert answer_first(tied, "结婚证想在这边补领，要带啥", names) != "B"
