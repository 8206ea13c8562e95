"""Matcher decisions on the demo county hall: answers, clarifications, handoffs and follow-up rules."""

import dataclasses
from pathlib import Path

import pytest

from bot.matching.decision import Decision, Turn
from bot.matching.matcher import Matcher
from knowledge.schema import Item, load_kb


@pytest.fixture(scope="module")
def matcher(county_kb_path: Path) -> Matcher:
    return Matcher.build(load_kb(county_kb_path).items)


def leader(decision: Decision) -> str | None:
    """The item a decision puts first: the answer, or the first option of a numbered question.

    The fitted models answer only where a wrong answer is unlikely (the lexical models here, without the
    semantic stage, are the more careful ones): where a question is merely clear, the right item must
    at least lead.
    """
    if decision.action == "answer":
        return decision.item
    return decision.candidates[0] if decision.action == "clarify" and decision.candidates else None


ANSWERS = [
    ("社保卡丢了怎么补", "SF-RS-002", None),
    ("社宝卡第一次怎么办", "SF-RS-001", None),  # homophone typo + 第一次
    ("办残积证要带什么", "SF-CL-001", "materials"),
    ("請問身分證遺失了要怎麼補辦", "SF-GA-003", None),  # traditional characters + typo
    ("户口本丢了要带什么", "SF-GA-016", "materials"),
    ("驾照过期了怎么换", "SF-GA-012", None),
    ("我身份证号410105198807230617，身份证到期了怎么换", "SF-GA-002", None),
    ("你好，我想问一下二手房过户要交多少钱", "SF-ZR-001", "fee"),
]


@pytest.mark.parametrize(
    ("text", "code", "field"),
    ANSWERS,
    ids=[
        "shebaoka-lost",
        "homophone-first",
        "canjizheng-typo",
        "traditional",
        "hukouben",
        "jiazhao-expired",
        "pii-masked",
        "filler-fee",
    ],
)
def test_answers(matcher: Matcher, text: str, code: str, field: str | None) -> None:
    decision = matcher.decide(text)
    assert (decision.action, decision.item, decision.field) == ("answer", code, field)
    assert decision.reason == "confident"
    assert decision.scores[0][0] == code


def test_a_field_is_kept_when_the_item_is_asked_back(matcher: Matcher) -> None:
    decision = matcher.decide("领结婚证可以网上预约吗")
    assert (leader(decision), decision.field) == ("SF-MZ-001", "online")


def test_clarifies_when_the_item_is_open(matcher: Matcher) -> None:
    decision = matcher.decide("证件丢了怎么补办")
    assert decision.action == "clarify"
    assert {"SF-GA-003", "SF-GA-013"} <= set(decision.candidates)
    assert 2 <= len(decision.candidates) <= 5
    assert decision.reason == "ambiguous"


def test_default_operation_wins_over_unasked_ones(matcher: Matcher) -> None:
    # 身份证怎么办: 首次申领 is the plain reading; 换领/补领 name operations the citizen did not mention.
    decision = matcher.decide("身份证怎么办")
    assert decision.scores[0][0] == "SF-GA-001"


HANDOFFS = [
    ("转人工", "human"),
    ("我要找客服", "human"),
    ("1号窗口那个女的态度太差了，我要投诉她", "complaint"),
    ("身份证办得太慢了，我要投诉", "complaint"),
    ("明天天气怎么样", "out_of_scope"),
    ("你好，谢谢", "empty"),
    ("13907561234", "empty"),
]


@pytest.mark.parametrize(
    ("text", "reason"),
    HANDOFFS,
    ids=[
        "zhuanrengong",
        "kefu",
        "complaint",
        "complaint-with-item",
        "weather",
        "greeting",
        "only-pii",
    ],
)
def test_handoffs(matcher: Matcher, text: str, reason: str) -> None:
    decision = matcher.decide(text)
    assert decision.action == "handoff"
    assert decision.reason == reason
    assert decision.item is None


def test_foreign_word_is_not_human(matcher: Matcher) -> None:
    # 外国人工作 contains 人工 but asks for no person.
    assert matcher.decide("外国人工作证要什么材料").reason != "human"


FOLLOW_UPS = [
    # (earlier messages, message, expected action, item, field, reason)
    (["你好，我身份证过期了要去换"], "那要多少钱", "answer", "SF-GA-002", "fee", "follow_up"),
    (["异地就医备案怎么弄"], "咨询电话是多少", "answer", "SF-YB-002", "phone", "follow_up"),
    (["生育津贴怎么领"], "能在网上申请吗", "answer", "SF-YB-003", "online", "follow_up"),
    (["想申请公租房"], "要交钱吗", "answer", "SF-ZJ-001", "fee", "follow_up"),
    (["身份证怎么办"], "丢了", "answer", "SF-GA-003", None, "picked"),  # the option 补领（丢失、损坏）
    (["公积金怎么提取"], "租房的", "answer", "SF-GJJ-003", None, "picked"),  # 租 only in 租赁住房
    (["我的驾驶证丢了"], "手机上能补吗 我电话13588001234", "answer", "SF-GA-013", "online", "follow_up"),
]


@pytest.mark.parametrize(
    ("context", "text", "action", "item", "field", "reason"),
    FOLLOW_UPS,
    ids=[
        "fee-after-answer",
        "phone-after-answer",
        "online-after-answer",
        "fee-short",
        "refine-clarification",
        "refine-gongjijin",
        "pii-in-follow-up",
    ],
)
def test_follow_ups(
    matcher: Matcher,
    context: list[str],
    text: str,
    action: str,
    item: str | None,
    field: str | None,
    reason: str,
) -> None:
    decision = matcher.decide(text, matcher.replay(context))
    assert (decision.action, decision.item, decision.field, decision.reason) == (action, item, field, reason)


def test_a_new_item_named_after_an_answer_is_answered_with_its_field(matcher: Matcher) -> None:
    decision = matcher.decide("对了户口本也一起丢了，补户口本要带啥", matcher.replay(["身份证丢了怎么补办"]))
    assert (decision.action, decision.item, decision.field) == ("answer", "SF-GA-016", "materials")


@pytest.mark.parametrize(
    ("context", "text", "code"),
    [
        ("驾驶证到期了怎么换", "那丢了呢", "SF-GA-013"),
        ("港澳通行证怎么办", "那台湾的呢", "SF-GA-011"),
        ("身份证首次申领要什么", "那临时的呢", "SF-GA-004"),
    ],
    ids=["licence-lost", "taiwan-permit", "temporary-id-card"],
)
def test_a_follow_up_naming_a_neighbour_moves_to_it(
    matcher: Matcher, context: str, text: str, code: str
) -> None:
    decision = matcher.decide(text, matcher.replay([context]))
    assert (decision.action, decision.item) == ("answer", code)


def test_a_follow_up_naming_no_item_stays_although_another_item_fits_it_alone(matcher: Matcher) -> None:
    assert matcher.decide("要他本人去吗").item == "SF-ZR-002"  # alone: a mortgage FAQ fits best
    decision = matcher.decide("要他本人去吗", matcher.replay(["身份证丢了怎么补办"]))
    assert (decision.action, decision.item, decision.reason) == ("answer", "SF-GA-003", "follow_up")


def test_a_field_question_naming_another_items_name_moves_to_it(matcher: Matcher) -> None:
    # 无犯罪记录证明's FAQ speaks of 公证, so it "explains" 公证 too; but 公证 is the other item's name.
    decision = matcher.decide("公证要多少钱", matcher.replay(["要出国留学，开无犯罪记录证明"]))
    assert (decision.action, decision.item, decision.field) == ("answer", "SF-SFJ-002", "fee")


@pytest.mark.parametrize(
    ("context", "text", "field"),
    [("办护照多少钱", "港澳通行证呢", "fee"), ("结婚登记要带什么材料", "离婚呢", "materials")],
    ids=["fee", "materials"],
)
def test_a_bare_and_x_asks_again_what_was_asked(
    matcher: Matcher, context: str, text: str, field: str
) -> None:
    decision = matcher.decide(text, matcher.replay([context]))
    assert decision.action == "answer" and decision.field == field
    assert matcher.decide(text).field is None  # alone it asks nothing in particular


def test_a_word_of_the_items_own_situations_stays_on_it(matcher: Matcher) -> None:
    # 评定 names a neighbour (残疾人证换领's alias 重新评定), but also this item's own situation
    # 行动不便无法到评定机构.
    decision = matcher.decide("他下不了床，去不了医院评定，咋办", matcher.replay(["残疾证怎么办"]))
    assert decision.item != "SF-CL-002"


@pytest.mark.parametrize(
    ("reply", "index"),
    [("2", 1), ("第1个", 0), ("三", 2), (" 3 ", 2)],
    ids=["digit", "di-ge", "chinese-digit", "spaces"],
)
def test_number_picks_a_candidate(matcher: Matcher, reply: str, index: int) -> None:
    previous = Turn(candidates=("SF-GA-001", "SF-GA-002", "SF-GA-003"), field="fee")
    decision = matcher.decide(reply, previous)
    assert (decision.action, decision.item, decision.reason) == (
        "answer",
        previous.candidates[index],
        "picked",
    )
    assert decision.field == "fee"


def test_number_out_of_range_asks_again(matcher: Matcher) -> None:
    previous = Turn(candidates=("SF-GA-001", "SF-GA-002"))
    decision = matcher.decide("7", previous)
    assert (decision.action, decision.candidates) == ("clarify", previous.candidates)


def test_number_without_pending_question_is_not_a_pick(matcher: Matcher) -> None:
    assert matcher.decide("2").reason != "picked"


def test_field_only_without_context_hands_off(matcher: Matcher) -> None:
    decision = matcher.decide("要多少钱")
    assert (decision.action, decision.field) == ("handoff", "fee")


def test_replay_remembers_topic_and_item(matcher: Matcher) -> None:
    turn = matcher.replay(["你好", "结婚证丢了"])
    assert turn.item == "SF-MZ-003"
    assert turn.extra["topic"]
    assert matcher.replay([]) == Turn()


def test_foreign_topic_is_not_answered(matcher: Matcher) -> None:
    previous = matcher.replay(["第一次办护照要带什么"])
    assert matcher.decide("护照办好了，美国签证你们这能办吗", previous).action != "answer"


def test_an_opinion_on_businesses_is_not_the_errands_answer(matcher: Matcher) -> None:
    previous = matcher.replay(["办结婚证要带照片吗"])
    for text in ["城里哪家照相馆拍得好看，能推荐一下不", "哪家公证处比较靠谱"]:
        assert matcher.decide(text, previous) == Decision("handoff", reason="out_of_scope"), text
    # Which bank or hospital does it (a place the record may name) is no opinion.
    assert leader(matcher.decide("哪家银行能办社会保障卡")) == "SF-RS-001"


def test_turn_after_keeps_topic_for_field_follow_up(matcher: Matcher) -> None:
    first = matcher.decide("残疾证怎么办")
    turn = matcher.turn_after("残疾证怎么办", first)
    second = matcher.decide("在哪里办", turn)
    assert (second.item, second.reason) == (turn.item, "follow_up")
    after = matcher.turn_after("在哪里办", second, turn)
    assert after.extra["topic"] == turn.extra["topic"]


def test_item_lookup(matcher: Matcher) -> None:
    assert matcher.item("SF-GA-001").name == "居民身份证首次申领"
    with pytest.raises(KeyError):
        matcher.item("NOPE")


def test_as_json_contract(matcher: Matcher) -> None:
    line = matcher.decide("社保卡丢了怎么补").as_json("q1")
    assert set(line) == {"id", "action", "item", "candidates", "field", "score"}
    assert isinstance(line["score"], float)


def _item(code: str, name: str, department: str, **extra: object) -> Item:
    return Item.model_validate(
        {"code": code, "name": name, "department": department, "materials": [], **extra}
    )


@pytest.fixture(scope="module")
def provincial() -> Matcher:
    return Matcher.build(
        [
            _item("P1", "兼职律师执业许可", "广东省司法厅"),
            _item("C1", "兼职律师执业许可", "广州市司法局"),
            _item("C2", "兼职律师执业许可", "深圳市司法局"),
            _item("P2", "办理往来港澳通行证", "广东省公安厅"),
            _item("P3", "居住证办理进度查询", "广东省公安厅"),
            _item("P4", "居住证签注", "广东省公安厅"),
        ]
    )


def test_named_city_picks_its_department(provincial: Matcher) -> None:
    assert leader(provincial.decide("广州兼职律师执业许可要什么条件")) == "C1"


def test_no_city_prefers_the_halls_own_level(provincial: Matcher) -> None:
    assert leader(provincial.decide("兼职律师执业许可要什么条件")) == "P1"


def test_unasked_operation_costs(provincial: Matcher) -> None:
    # 居住证 questions without 查询/进度 must not go to the progress-query item first.
    decision = provincial.decide("居住证签注怎么办")
    assert decision.item == "P4" or decision.candidates[:1] == ("P4",)


def test_staff_synonym_changes_matching() -> None:
    items = [_item("A", "机动车驾驶证期满换证", "县公安局"), _item("B", "居民身份证换领", "县公安局")]
    without = Matcher.build(items).decide("摩托本换证")
    with_synonym = Matcher.build(items, synonyms={"摩托本": "机动车驾驶证"}).decide("摩托本换证")
    assert without.item != "A"
    assert (with_synonym.action, with_synonym.item) == ("answer", "A")


def test_empty_knowledge_base_hands_off() -> None:
    decision = Matcher.build([]).decide("身份证怎么办")
    assert decision == Decision("handoff", reason="out_of_scope")


def test_refinement_stays_on_the_item_being_discussed() -> None:
    matcher = Matcher.build(
        [
            _item("N1", "亲属关系公证指引", "广东省司法厅"),
            _item("N2", "用于继承的亲属关系公证指引", "广东省司法厅"),
            _item("T1", "办理往来港澳通行证探亲签注", "广州市公安局"),
        ]
    )
    asked = matcher.replay(["我要开亲属关系公证"])
    refined = matcher.decide("用于出国探亲", asked)
    assert refined.item != "T1" and "T1" not in refined.candidates[:1]  # 探亲 does not make it a 签注
    decision = matcher.decide("周末上班吗", Turn(item="N1", extra={"topic": "亲属关系 公证"}))
    assert (decision.action, decision.item, decision.field) == ("answer", "N1", "hours")


TOPIC_SWITCHES = [
    # (earlier message, new question naming another item, expected action, item or a candidate it must offer)
    (["身份证丢了怎么补办"], "提取公积金", "clarify", "SF-GJJ-003"),
    (["异地就医备案怎么弄"], "提取公积金要带什么", "clarify", "SF-GJJ-001"),
    (["结婚证丢了"], "户口怎么迁", "clarify", "SF-GA-007"),
    (["残疾证怎么办"], "营业执照怎么注销", "clarify", "SF-SJ-003"),
    (["社保卡丢了怎么补"], "二手房过户要交多少钱", "answer", "SF-ZR-001"),
    (["领结婚证要带什么"], "公租房怎么申请", "answer", "SF-ZJ-001"),
    (["想申请公租房"], "法律援助", "answer", "SF-SFJ-001"),
    (["护照第一次办"], "高龄津贴", "clarify", "SF-MZ-006"),
]


@pytest.mark.parametrize(
    ("context", "text", "action", "code"),
    TOPIC_SWITCHES,
    ids=[
        "idcard-to-gongjijin",
        "medical-to-gongjijin-field",
        "marriage-to-hukou",
        "disability-to-licence",
        "shebaoka-to-house-fee",
        "marriage-to-public-housing",
        "housing-to-legal-aid",
        "passport-to-allowance",
    ],
)
def test_new_topic_starts_afresh(
    matcher: Matcher, context: list[str], text: str, action: str, code: str
) -> None:
    previous = matcher.replay(context)
    decision = matcher.decide(text, previous)
    assert decision.reason != "follow_up"
    assert decision.item != previous.item
    assert decision.action == action
    assert code == decision.item or code in decision.candidates
    # Exactly what the question alone gets: the earlier topic leaves no trace.
    assert decision == matcher.decide(text)


GENUINE_FOLLOW_UPS = [
    # (earlier messages, follow-up, item, field)
    (["你好，我身份证过期了要去换"], "那要多少钱", "SF-GA-002", "fee"),
    (["异地就医备案怎么弄"], "在哪办", "SF-YB-002", "location"),
    (["生育津贴怎么领"], "要多久", "SF-YB-003", "time_limit"),
    (["残疾证怎么办"], "这个能网上办吗", "SF-CL-001", "online"),
    (["身份证怎么办"], "丢了", "SF-GA-003", None),
    (["提取公积金"], "租房的", "SF-GJJ-003", None),
    (["提取公积金"], "2", "SF-GJJ-003", None),
    (["户口怎么迁"], "1", "SF-GA-007", None),
]


@pytest.mark.parametrize(
    ("context", "text", "code", "field"),
    GENUINE_FOLLOW_UPS,
    ids=["fee", "location", "time-limit", "online", "lost-refines", "renting-refines", "pick-2", "pick-1"],
)
def test_follow_ups_still_stay_on_topic(
    matcher: Matcher, context: list[str], text: str, code: str, field: str | None
) -> None:
    decision = matcher.decide(text, matcher.replay(context))
    assert (decision.action, decision.item, decision.field) == ("answer", code, field)


@pytest.mark.parametrize(
    "context", [["身份证丢了怎么补办"], ["营业执照怎么办"]], ids=["bank-after-id", "bank-after-licence"]
)
def test_an_unrelated_question_after_an_answer_is_decided_as_without_context(
    matcher: Matcher, context: list[str]
) -> None:
    # A question of its own that shares no word with the item: not a follow-up, whatever the models say of it.
    decision = matcher.decide("附近有银行吗", matcher.replay(context))
    fresh = matcher.decide("附近有银行吗")
    assert fresh.action != "answer"
    assert (decision.action, decision.item, decision.candidates) == (fresh.action, None, fresh.candidates)


def test_a_bare_refinement_after_an_answer_stays(matcher: Matcher) -> None:
    decision = matcher.decide("我儿子的", matcher.replay(["身份证丢了怎么补办"]))
    assert (decision.action, decision.item) == ("answer", "SF-GA-003")


NARRATIVE_ANSWERS = [
    # Ages, years and names in the question are details, not what it is about.
    ("孩子12岁能办身份证吗", "SF-GA-001"),
    ("小孩明年要上小学了", "SF-JY-002"),
    ("老人90岁了高龄津贴怎么领", "SF-MZ-006"),
    ("我叫李明，想开无犯罪记录证明", "SF-GA-014"),
]


@pytest.mark.parametrize(("text", "code"), NARRATIVE_ANSWERS, ids=["age", "next-year", "old-age", "own-name"])
def test_clear_leader_leads_despite_details(matcher: Matcher, text: str, code: str) -> None:
    assert leader(matcher.decide(text)) == code


def test_item_lacking_the_most_specific_word_is_not_answered(guangdong_kb_path: Path) -> None:
    # Guangdong has only the 工伤 异地就医备案 item: a 医疗保险 question is asked back, not answered.
    gd = Matcher.build(load_kb(guangdong_kb_path).items)
    decision = gd.decide("医疗保险异地就医备案在哪办")
    assert decision.action != "answer"
    assert gd.decide("工伤异地就医备案怎么弄").action == "answer"


@pytest.fixture(scope="module")
def named() -> Matcher:
    return Matcher.build(
        [
            _item("AID", "法律援助", "示范省司法厅"),
            _item("AID-LAW1", "法律援助律师执业许可(（占编人员）)", "示范省司法厅"),
            _item("AID-LAW2", "法律援助律师执业许可(（聘用人员）)", "示范省司法厅"),
            _item("FILE-IN", "档案接收", "示范省人力资源和社会保障厅"),
            _item("FILE-OUT", "档案转出", "示范省人力资源和社会保障厅"),
            _item("FILE-KEEP", "档案材料的收集、鉴别和归档", "示范省人力资源和社会保障厅"),
            _item("CARD", "社会保障卡申领", "示范省人力资源和社会保障厅", aliases=["社保卡办理"]),
            _item("TWIN-P", "公证员执业许可", "示范省司法厅"),
            _item("TWIN-C", "公证员执业许可", "示范市司法局"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("家里困难，法律援助怎么申请", "AID"),
        ("从原单位调档案过来，档案接收要带什么", "FILE-IN"),
        ("档案转出去外省怎么办", "FILE-OUT"),
    ],
    ids=["short-name-beats-longer-name-with-unasked-words", "name-amid-narrative", "named-operation"],
)
def test_item_named_whole_in_the_question_leads(named: Matcher, text: str, code: str) -> None:
    assert leader(named.decide(text)) == code


def test_longer_name_found_whole_beats_the_short_one(named: Matcher) -> None:
    decision = named.decide("法律援助律师执业许可怎么办")
    assert decision.item != "AID"
    assert "AID" not in decision.candidates[:1]


def test_named_item_lacking_the_asked_operation_gets_no_name_bonus(named: Matcher) -> None:
    plain = named.scorer.rank(named.prepare("社保卡办理"))[0]
    query = named.scorer.rank(named.prepare("社保卡办理进度查询"))[0]
    assert named.codes[plain.index] == named.codes[query.index] == "CARD"
    assert plain.named > 0 and not plain.missing_operation
    assert query.named > 0 and query.missing_operation


def test_same_name_in_two_departments_is_not_decided_by_the_name(named: Matcher) -> None:
    ranked = named.scorer.rank(named.prepare("公证员执业许可"))
    assert [r.named for r in ranked[:2]] == [len("公证员执业许可")] * 2


@pytest.fixture(scope="module")
def superset() -> Matcher:
    return Matcher.build(
        [
            _item(
                "REFUND",
                "企业职工重复缴费退款",
                "示范省人力资源和社会保障厅",
                conditions="同一个月内在两个单位重复缴费的",
            ),
            _item("ARREARS", "企业职工社会保险费欠费补缴申报", "示范省人力资源和社会保障厅"),
            _item("GAP", "企业职工社会保险费断缴补缴申报", "示范省人力资源和社会保障厅"),
            _item("INJURY", "工伤异地就医备案", "示范省人力资源和社会保障厅"),
            _item("BIRTH", "生育保险待遇申领", "示范省医疗保障局"),
            _item("RADIO", "放射性同位素异地使用备案", "示范省生态环境厅"),
        ]
    )


def test_item_with_every_word_of_its_rivals_and_more_leads(superset: Matcher) -> None:
    assert leader(superset.decide("上个季度社保重复缴费了，钱怎么退")) == "REFUND"


@pytest.mark.parametrize(
    ("text", "code", "lacks_named_main"),
    [("生育保险异地就医备案", "INJURY", True), ("同一个月社保重复缴费退款", "REFUND", False)],
    ids=["concept-named-by-another-item", "narrative-word"],
)
def test_lacking_the_main_word_matters_when_it_names_something(
    superset: Matcher, text: str, code: str, lacks_named_main: bool
) -> None:
    ranked = {superset.codes[r.index]: r for r in superset.scorer.rank(superset.prepare(text))}
    assert ranked[code].lacks_main is True
    assert ranked[code].lacks_named_main is lacks_named_main


@pytest.fixture(scope="module")
def transfer() -> Matcher:
    return Matcher.build(
        [
            _item("HOUSE", "存量房（二手房）转移登记", "示范县不动产登记中心", aliases=["二手房过户"]),
            _item("OLD", "老年人优待证办理", "示范县民政局"),
            _item("DIV", "内地居民离婚登记", "示范县民政局"),
        ]
    )


@pytest.mark.parametrize(
    ("text", "action"),
    [("游艇能过户吗", "clarify"), ("二手房过户", "answer")],
    ids=["unknown-object-unasked-operation", "named-object"],
)
def test_far_ahead_item_naming_an_unasked_operation_is_not_answered_on_ratio_alone(
    transfer: Matcher, text: str, action: str
) -> None:
    decision = transfer.decide(text)
    assert decision.action == action
    assert "HOUSE" in (decision.item, *decision.candidates)


def test_cached_decisions_do_not_depend_on_earlier_turns(county_kb_path: Path) -> None:
    # The per-text caches hold only what the text alone decides: the same message after different
    # turns, and in a different order, decides as on a matcher that never saw it.
    items = load_kb(county_kb_path).items
    used = Matcher.build(items)
    turns = [None, Turn(item="SF-GA-003"), Turn(candidates=("SF-RS-001", "SF-RS-002"), field="fee")]
    texts = ["那要多少钱", "2", "社保卡丢了怎么补", "丢了", "转人工", "在哪办"]
    seen = {(text, index): used.decide(text, turn) for index, turn in enumerate(turns) for text in texts}
    for (text, index), decision in reversed(seen.items()):
        assert used.decide(text, turns[index]) == decision
        assert Matcher.build(items).decide(text, turns[index]) == decision
    assert seen[("2", 2)] == Decision("answer", item="SF-RS-002", field="fee", score=1.0, reason="picked")
    assert seen[("2", 0)].action == "handoff"


def test_a_story_telling_a_situation_of_the_one_credible_item_is_answered(matcher: Matcher) -> None:
    from bot.matching.features import Candidate
    from bot.matching.ranker import Verdict

    first, second = matcher.position["SF-GA-001"], matcher.position["SF-GA-004"]
    ordered = (Candidate(first, {}), Candidate(second, {}))

    def decided(text: str, p2: float) -> tuple[str, str | None]:
        verdict = Verdict("clarify", ordered, (0.8, p2), 0.5, 0.9, {})
        decision = matcher._decision(verdict, None, "hybrid", text)
        return decision.action, decision.item

    # 满16 tells 年满16周岁 of 居民身份证首次申领, the only credible item: answered.
    assert decided("我闺女今年满16了，还没办过身份证", 0.05) == ("answer", "SF-GA-001")
    # Another item nearly as likely: still asked.
    assert decided("我闺女今年满16了，还没办过身份证", 0.3) == ("clarify", None)
    # No situation told: still asked.
    assert decided("身份证怎么办", 0.05) == ("clarify", None)


def test_a_told_situation_needs_the_story_to_say_what_the_item_is_about(matcher: Matcher) -> None:
    def decided(text: str) -> tuple[str, str | None]:
        return _decided(matcher, ("SF-GA-009", "SF-GA-003"), (0.9, 0.02), text)[:2]

    # 丢了 tells 补发（遗失、被盗）, although the alias 护照丢了补办 says it too; 护照 says the item.
    assert decided("出差的时候护照丢了，想补一个，要带啥") == ("answer", "SF-GA-009")
    # The same situation told of something the item is not about (户口本): still asked.
    assert decided("户口本丢了，想补一个，要带啥") == ("clarify", None)


def test_a_question_saying_the_one_credible_items_name_is_answered(matcher: Matcher) -> None:
    from bot.matching.features import Candidate
    from bot.matching.ranker import Verdict

    first, second = matcher.position["SF-MZ-006"], matcher.position["SF-WJ-003"]

    def decided(text: str, named: float, p2: float) -> tuple[str, str | None, str]:
        ordered = (Candidate(first, {"named": named}), Candidate(second, {"named": 0.0}))
        verdict = Verdict("clarify", ordered, (0.9, p2), 0.5, 0.9, {})
        decision = matcher._decision(verdict, None, "hybrid", text)
        return decision.action, decision.item, decision.reason

    story = "俺娘今年刚满八十听说有个高龄补贴要去哪里申请"
    assert decided(story, 1.0, 0.01) == ("answer", "SF-MZ-006", "named")
    assert decided(story, 1.0, 0.5)[0] == "clarify"  # another item close behind
    # The name not said (高龄补贴 is an alias of this item alone, said whole).
    assert decided("俺娘今年刚满八十听说有钱领要去哪里申请", 0.0, 0.01)[0] == "clarify"
    # A name in a message that asks nothing (a suggestion, a complaint) is not a question about the item.
    assert decided("关于高龄补贴发放的建议", 1.0, 0.01)[0] == "clarify"


def _clarification(first: str, second: str, p2: float = 0.02) -> Decision:
    """A numbered question offering ``first`` (probability 0.9) and ``second`` (``p2``)."""
    scores = ((first, 0.9), (second, p2))
    return Decision("clarify", candidates=(first, second), reason="ambiguous", scores=scores)


def test_a_field_asked_while_a_clarification_is_pending_goes_to_its_only_credible_item(
    matcher: Matcher,
) -> None:
    # The first option far ahead of the rest: the clarification remembers it as likely.
    sole = _clarification("SF-GA-009", "SF-WJ-001")
    turn = matcher.turn_after("现在能去办护照吗", sole)
    assert turn.extra["likely"] == "SF-GA-009"
    decision = matcher.decide("要带什么", turn)
    assert (decision.action, decision.item, decision.field, decision.reason) == (
        "answer",
        "SF-GA-009",
        "materials",
        "likely",
    )
    # A pick still picks.
    assert matcher.decide("2", turn).item == "SF-WJ-001"
    # Two credible options: the field question asks again, now with the field.
    close = dataclasses.replace(sole, scores=(("SF-GA-009", 0.6), ("SF-WJ-001", 0.5)))
    turn = matcher.turn_after("现在能去办护照吗", close)
    assert "likely" not in turn.extra
    again = matcher.decide("要带什么", turn)
    assert (again.action, again.candidates, again.field) == ("clarify", close.candidates, "materials")


def test_a_question_saying_a_short_alias_only_the_one_credible_item_has_is_answered(matcher: Matcher) -> None:
    def decided(text: str) -> tuple[str, str | None, str]:
        return _decided(matcher, ("SF-MZ-001", "SF-YB-003"), (0.84, 0.003), text)

    # 扯证 is an alias of 内地居民结婚登记 and of no other item.
    assert decided("我和对象打算下个月去扯证，要准备点啥？") == ("answer", "SF-MZ-001", "named")
    # A message that asks nothing is not a question about it.
    assert decided("我和对象下个月去扯证")[0] == "clarify"
    # 结婚 alone is no alias.
    assert decided("我和对象打算下个月结婚，要准备点啥？")[0] == "clarify"


def test_a_follow_up_the_items_record_tells_stays_though_its_words_name_other_items(matcher: Matcher) -> None:
    # 回老家 names 户口迁入, but nothing else is sure and 身份证换领's record tells 邮寄: it asks about
    # the card.
    previous = Turn(item="SF-GA-002", field="time_limit", extra={"topic": "身份证 换领"})
    decision = matcher.decide("新证能寄回老家不", previous)
    assert (decision.action, decision.item) == ("answer", "SF-GA-002")
    # A question of its own about another item still moves there.
    assert matcher.decide("提取公积金要带什么", previous).item != "SF-GA-002"


def test_and_what_about_another_item_turns_to_it(matcher: Matcher) -> None:
    previous = matcher.replay(["今天可以办护照吗"])
    # 那婚姻登记呢 turns to marriage registration though the whole message fits no item well enough.
    decision = matcher.decide("那婚姻登记呢，今天能办离婚吗", previous)
    assert "SF-GA-009" not in (decision.item, *decision.candidates)
    assert "SF-MZ-002" in (decision.item, *decision.candidates)
    # A bare refinement (那丢了呢) still stays with the item.
    assert matcher.decide("那丢了呢", previous).item == "SF-GA-009"


def test_a_name_said_without_its_default_operation_is_said(matcher: Matcher) -> None:
    def decided(text: str) -> str:
        return _decided(matcher, ("SF-MZ-006", "SF-MZ-005"), (0.8, 0.02), text)[0]

    # 高龄津贴 is 高龄津贴申领 without 申领, and no other item's name holds it.
    assert decided("今年81了，能领高龄津贴吗") == "answer"
    assert decided("今年81了，能领点钱吗") == "clarify"


def test_a_follow_up_the_likely_options_record_tells_goes_to_it(matcher: Matcher) -> None:
    sole = _clarification("SF-GA-002", "SF-GA-012")
    turn = matcher.turn_after("俺户口在河南，身分证下个月就到期了，能在恁这换不", sole)
    # 邮寄 is in 身份证换领's record: the question left unanswered, this is about its only credible option.
    decision = matcher.decide("新证能寄回老家不", turn)
    assert (decision.action, decision.item, decision.reason) == ("answer", "SF-GA-002", "likely")
    # Without a likely option, the same message is not settled that way.
    close = dataclasses.replace(sole, scores=(("SF-GA-002", 0.6), ("SF-GA-012", 0.5)))
    unsure = matcher.turn_after("身份证到期了能在这换不", close)
    assert matcher.decide("新证能寄回老家不", unsure).reason != "likely"


def test_a_clarification_between_moving_in_and_out_follows_the_way_said(matcher: Matcher) -> None:
    def decided(text: str) -> tuple[str, str | None]:
        return _decided(matcher, ("SF-GA-007", "SF-GA-006"), (0.73, 0.70), text)[:2]

    assert decided("俺想把爹娘的户口迁到俺这来要准备啥") == ("answer", "SF-GA-006")
    assert decided("户口怎么迁") == ("clarify", None)


def _decided(
    matcher: Matcher, codes: tuple[str, ...], probabilities: tuple[float, ...], text: str
) -> tuple[str, str | None, str]:
    """What a clarification of ``codes`` (with these candidate probabilities) becomes for ``text``."""
    from bot.matching.features import Candidate
    from bot.matching.ranker import Verdict

    ordered = tuple(Candidate(matcher.position[code], {}) for code in codes)
    verdict = Verdict("clarify", ordered, probabilities, 0.5, 0.9, {})
    decision = matcher._decision(verdict, None, "hybrid", text)
    return decision.action, decision.item, decision.reason


def test_the_current_items_operation_said_alone_keeps_the_follow_up_on_it(matcher: Matcher) -> None:
    # 换 is 身份证换领's operation; 外省户口 fits another item's FAQ, which does not 换.
    assert matcher._current_operation("外省户口 换", "SF-GA-002", "SF-MZ-001")
    assert not matcher._current_operation("外省户口 换", "SF-GA-002", "SF-GA-012")  # 期满换证 换s too
    assert not matcher._current_operation("外省户口", "SF-GA-002", "SF-MZ-001")


def test_the_item_discussed_before_named_surely_is_gone_back_to(matcher: Matcher) -> None:
    turn = None
    for text in ("离婚要带什么", "结婚证找不到了怎么补"):
        turn = matcher.turn_after(text, matcher.decide(text, turn), turn)
    assert turn is not None and turn.item == "SF-MZ-003" and turn.extra.get("earlier") == "SF-MZ-002"
    # 补领婚姻登记证's name holds 离婚证, yet 离婚 names the item before it surely.
    assert matcher.decide("那离婚还要带什么", turn).item == "SF-MZ-002"


def test_a_field_alone_under_a_list_of_equals_asks_the_list_again(matcher: Matcher) -> None:
    # 几天 and 多钱 are field words only, whatever some record's FAQ happens to say (提前几天…).
    even = _clarification("SF-GA-009", "SF-GA-001", p2=0.8)
    turn = matcher.turn_after("第一次办护照", even)
    for text, field in (("几天", "time_limit"), ("多钱", "fee")):
        decision = matcher.decide(text, turn)
        assert (decision.action, decision.candidates, decision.field) == ("clarify", even.candidates, field)


def test_a_field_under_a_list_far_ahead_is_answered_for_its_first_option(matcher: Matcher) -> None:
    ahead = _clarification("SF-MZ-006", "SF-WJ-003", p2=0.3)
    turn = matcher.turn_after("八十岁以上国家给补贴，俺咋一分钱没见着", ahead)
    assert "likely" not in turn.extra and turn.extra["leading"] == "SF-MZ-006"
    decision = matcher.decide("一个月给多少钱啊", turn)
    assert (decision.action, decision.item) == ("answer", "SF-MZ-006")


def test_whether_to_bring_one_of_the_items_materials_stays_on_it(matcher: Matcher) -> None:
    turn = matcher.turn_after("娃娃12岁了能办身份证不", matcher.decide("娃娃12岁了能办身份证不"))
    # 户口本 names 居民户口簿补领 too; here it is a material of 居民身份证首次申领.
    decision = matcher.decide("还要带户口本吗", turn)
    assert (decision.action, decision.item, decision.field) == ("answer", "SF-GA-001", "materials")
    # Its loss told, it is a new errand.
    assert matcher.decide("户口本丢了怎么补", turn).item == "SF-GA-016"


def test_back_to_the_item_before_goes_back(matcher: Matcher) -> None:
    turn = matcher.replay(["身份证丢了怎么补办", "结婚登记要带什么"])
    back = matcher.decide("回到身份证那个，要多久", turn)
    assert (back.action, back.item, back.field) == ("answer", "SF-GA-003", "time_limit")
    assert matcher.decide("刚才那个，在哪办", turn).item == "SF-GA-003"
    # Without 回到/刚才 it is about the item at hand.
    assert matcher.decide("要多久", turn).item == "SF-MZ-001"


def test_a_thing_referred_to_by_its_words_is_the_earlier_item_they_name(matcher: Matcher) -> None:
    turn = matcher.replay(["结婚登记要带什么", "户口迁入要带什么"])
    assert turn.item == "SF-GA-006"
    back = matcher.decide("再问下领证那个，周六周日能办吗", turn)
    assert (back.action, back.item, back.field) == ("answer", "SF-MZ-001", "hours")
    # The words of the item at hand keep it.
    assert matcher.decide("户口迁入那个要多久", turn).item == "SF-GA-006"


def test_an_errand_called_off_reads_what_comes_instead(matcher: Matcher) -> None:
    turn = matcher.replay(["个体户注销要什么材料"])
    assert turn.item == "SF-SJ-003"
    instead = matcher.decide("算了先不注销了，想改个经营范围", turn)
    assert (instead.action, instead.item) == ("answer", "SF-SJ-002")
    # Calling off alone says nothing new: still the item at hand.
    assert matcher.decide("先不注销了", turn).item == "SF-SJ-003"


def test_the_errand_before_its_purpose_decides(matcher: Matcher) -> None:
    # What it is for (孩子入学报名用) names another item; the errand before it is what is asked.
    proof = matcher.decide("开个参保证明，孩子入学报名用")
    assert (proof.action, proof.item) == ("answer", "SF-RS-010")
    record = matcher.decide("开个无犯罪记录证明，孩子上学要用")
    assert (record.action, record.item) == ("answer", "SF-GA-014")


def test_a_question_about_one_of_the_items_materials_stays_on_it(matcher: Matcher) -> None:
    turn = matcher.replay(["办个体营业执照要带哪些东西"])
    assert turn.item == "SF-SJ-001"
    # 房产证 (不动产权证书) and 产权证明 of its 经营场所使用证明.
    stays = matcher.decide("门面是租的 房东不给房产证复印件咋办", turn)
    assert (stays.action, stays.item) == ("answer", "SF-SJ-001")


def test_the_words_of_the_field_asked_hint_at_no_option(matcher: Matcher) -> None:
    # 手 of 在手机上能办不 is no 手 of 医疗费用手工（零星）报销: the question is asked again, with the field.
    decision = matcher.decide("在手机上能办不", Turn(candidates=("SF-YB-002", "SF-YB-005")))
    assert (decision.action, decision.field) == ("clarify", "online")
    assert decision.candidates == ("SF-YB-002", "SF-YB-005")


def test_a_field_asked_with_only_a_particle_left_names_nothing(matcher: Matcher) -> None:
    # 不 of 在手机上可以办不 is no word: the item under discussion is asked about, nothing is ranked.
    turn = matcher.replay(["身份证丢了怎么补办"])
    follow = matcher.decide("在手机上可以办不", turn)
    assert (follow.action, follow.item, follow.field) == ("answer", "SF-GA-003", "online")
    alone = matcher.decide("在手机上可以办不")
    assert alone.action == "handoff" and not alone.candidates


def test_whether_the_same_holds_for_someone_else_stays_on_the_item(matcher: Matcher) -> None:
    turn = matcher.replay(["港澳通行证签注要带什么"])
    same = matcher.decide("我老婆的证过期了 她的也一样吗", turn)
    assert (same.action, same.item) == ("answer", "SF-GA-010")


def test_a_bare_and_what_about_x_turns_to_the_item_x_names(matcher: Matcher) -> None:
    turn = matcher.replay(["户口本和身份证一起丢了咋办", "户口本补要钱不"])
    assert turn.item == "SF-GA-016"
    other = matcher.decide("身份证呢", turn)
    assert (other.action, other.item, other.field) == ("answer", "SF-GA-003", "fee")


def test_the_clause_saying_what_is_wanted_decides_a_story(matcher: Matcher) -> None:
    # Where the citizen is from and works pulls other items in; 想办个居住证 alone is sure.
    story = "我老家是河南的，在这边厂里打工好几年了，老婆孩子都跟过来了，想办个居住证"
    decision = matcher.decide(story)
    assert (decision.action, decision.item) == ("answer", "SF-GA-008")


def test_a_document_no_item_of_the_hall_is_about_is_handed_off() -> None:
    hill = Path(__file__).resolve().parent.parent / "bench" / "heldout" / "hill-hall.json"
    matcher = Matcher.build(load_kb(hill).items)
    # The hill hall has no driving-licence desk: its ID-card renewal is no answer to a driving licence.
    assert matcher.decide("驾驶证到期换证在你们这边整得不").action == "handoff"
    assert matcher.decide("身份证到期换证在你们这边整得不").item == "SLX-GA-002"


def test_a_document_asked_of_as_something_to_bring_keeps_its_errand(matcher: Matcher) -> None:
    # 结婚登记 no longer asks for 户口簿: the question is still about the marriage registration.
    decision = matcher.decide("结婚登记要带户口本吗")
    assert decision.item == "SF-MZ-001" or "SF-MZ-001" in decision.candidates


def test_the_regular_one_after_a_temporary_document_is_its_counterpart(matcher: Matcher) -> None:
    # 身份证丢了 then 临时的要多少钱: 补正式的 is the regular card's errand, answered before.
    seen = ["SF-GA-004", "SF-GA-003"]
    after = Turn(item="SF-GA-004", field="fee", extra={"earlier": "SF-GA-003", "seen": seen})
    decision = matcher.decide("那补正式的呢 多少钱", after)
    assert (decision.action, decision.item, decision.field) == ("answer", "SF-GA-003", "fee")
    # Of another document (残疾人证申领 shares only 证申领 with 临时居民身份证申领): passed over.
    between = Turn(item="SF-GA-004", field="fee", extra={"seen": ["SF-GA-004", "SF-CL-001", "SF-GA-003"]})
    assert matcher.decide("正式的那个呢 多少钱", between).item == "SF-GA-003"


def test_and_what_about_another_item_named_apart_leaves_the_item_at_hand(guangdong_kb_path: Path) -> None:
    # 那专用发票呢 after 代开普通发票: the what-if turn names the other item apart; it is not the one at hand.
    gd = Matcher.build(load_kb(guangdong_kb_path).items)
    plain = gd.decide("代开普通发票要什么材料")
    assert plain.action == "answer"
    turn = gd.turn_after("代开普通发票要什么材料", plain)
    assert gd.decide("那专用发票呢", turn).item != plain.item


def test_a_complaint_the_hall_takes_in_as_an_errand_is_answered_not_handed_off() -> None:
    from knowledge.schema import Material

    def item(code: str, name: str, *aliases: str) -> Item:
        return Item(
            code=code,
            name=name,
            department="人社局",
            materials=[Material(name="居民身份证")],
            aliases=list(aliases),
        )

    hall = Matcher.build(
        [
            item("W-1", "农民工欠薪投诉（劳动保障监察投诉）", "拖欠工资", "讨薪", "老板不给工资"),
            item("I-1", "居民身份证补领", "身份证丢了"),
            item("L-1", "法律援助申请", "请不起律师", "免费律师"),
        ]
    )
    lodged = hall.decide("老板不给工资 我想投诉他")
    assert (lodged.action, lodged.item) == ("answer", "W-1")
    # A complaint about the hall is still one: a person takes it.
    assert hall.decide("我要投诉你们窗口态度太差").reason == "complaint"


def test_a_what_about_question_naming_another_kind_moves_to_it(guangdong_kb_path: Path) -> None:
    # 那…呢 asks of another kind of invoice: no statement of the record at hand, however it ends.
    guangdong = Matcher.build(load_kb(guangdong_kb_path).items)
    ordinary = guangdong.decide("代开普通发票要什么材料")
    asked = guangdong.decide("那增值税专用发票呢", Turn(item=ordinary.item, field=ordinary.field))
    assert ordinary.item is not None and asked.item not in (None, ordinary.item)
    assert "专用发票" in guangdong.item(str(asked.item)).name


def test_where_a_hukou_is_or_was_moved_is_told_apart_from_a_move_asked_for():
    from bot.matching.matcher import HUKOU_TOLD, MOVE_ASKED
    from bot.matching.normalize import normalize

    def told(text: str) -> bool:
        compact = normalize(text).replace(" ", "")
        return bool(HUKOU_TOLD.search(compact)) and not MOVE_ASKED.search(compact)

    assert told("她户口去年才从外省迁过来的")
    assert told("我是外地户口 能领吗")
    assert told("他户口前几年就迁到县城了")
    assert not told("户口怎么迁过来")  # a move asked for
    assert not told("想把户口迁到县城")
    assert not told("身份证丢了")
