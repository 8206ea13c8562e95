"""bot.conversation.engine.respond: the twelve behaviours of DIALOGUES.md, paging, ratings and events.

The matcher here is lexical (no semantic stage), as on a platform where the model cannot load: every
behaviour must work there too. ``test_conversation_semantic.py`` covers what the semantic stage adds.
"""

import datetime as dt
import itertools

import pytest

from bot.conversation import answers
from bot.conversation.engine import HELP, NOT_TEXT, VOICE_NOT_RECOGNISED, Context, respond
from bot.conversation.holidays import load_calendar
from bot.conversation.hours import CHINA, parse_hours
from bot.conversation.knowledge import StaticKnowledge
from bot.conversation.messages import Message, Reply
from bot.conversation.records import MemoryRecorder
from bot.conversation.state import MemoryStore
from knowledge.schema import KnowledgeBase, Situation, load_kb

TUESDAY = dt.datetime(2026, 12, 8, 10, 30, tzinfo=CHINA)
SUNDAY_NIGHT = dt.datetime(2026, 12, 13, 23, 10, tzinfo=CHINA)
NATIONAL_DAY = dt.datetime(2026, 10, 2, 10, 0, tzinfo=CHINA)
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def county(county_kb_path) -> KnowledgeBase:
    return load_kb(county_kb_path)


@pytest.fixture(scope="module")
def knowledge(county) -> StaticKnowledge:
    return StaticKnowledge(county)


def make_context(knowledge, now: dt.datetime = TUESDAY, **extra) -> Context:
    return Context(
        knowledge=knowledge,
        store=MemoryStore(),
        recorder=MemoryRecorder(),
        clock=lambda: now,
        calendar=load_calendar(),
        **extra,
    )


@pytest.fixture
def context(knowledge) -> Context:
    return make_context(knowledge)


def say(context: Context, text: str, openid: str = "oCitizen") -> Reply:
    return respond(Message(kind="text", openid=openid, text=text, msg_id=str(next(_ids))), context)


def event(context: Context, name: str, key: str | None = None, openid: str = "oCitizen") -> Reply:
    message = Message(kind="event", openid=openid, event=name, event_key=key, create_time=next(_ids))
    return respond(message, context)


# -- 1. one trip ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["身份证丢了怎么补办", "身份证丢了补办要带什么"], ids=["how", "what-to-bring"]
)
def test_first_answer_is_the_one_trip_block(context, question):
    reply = say(context, question)
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-GA-003", None)
    for fact in ("所需材料", "1-6号", "人民路88号", "17:30", "15个工作日", "40元", "网上办理"):
        assert fact in reply.text, fact
    assert answers.size(reply.text) <= answers.LIMIT


def test_a_single_field_question_gets_that_field_short(context):
    reply = say(context, "开个有限公司要交多少钱")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-SJ-004", "fee")
    assert "所需材料" not in reply.text and answers.size(reply.text) < 600


# -- 2. follow-ups ----------------------------------------------------------------------------------


def test_follow_ups_stay_on_the_item(context):
    say(context, "身份证丢了怎么补办")
    fee = say(context, "那要多少钱")
    where = say(context, "在几号窗口")
    assert (fee.item, fee.field) == ("SF-GA-003", "fee") and "40元" in fee.text
    assert (where.item, where.field) == ("SF-GA-003", "location") and "1-6号" in where.text


def test_a_follow_up_that_begins_like_thanks_is_still_a_follow_up(context):
    say(context, "身份证丢了怎么补办")
    reply = say(context, "要好多钱")  # 好多 = 多少 in the south-west: not "好的"
    assert reply.action == "answer" and reply.item == "SF-GA-003"


def test_asking_whether_someone_else_may_go_tells_the_proxy_situation(context):
    say(context, "无犯罪记录证明怎么开")
    reply = say(context, "我人在外地上学，让我妈去帮我开行不行")
    assert (reply.action, reply.item, reply.situation) == ("answer", "SF-GA-014", "委托他人代办")
    assert "委托书" in reply.text and reply.field is None


def test_saying_one_cannot_wait_tells_the_urgent_situation(context):
    say(context, "身份证丢了怎么补办")
    reply = say(context, "我下礼拜一要坐高铁去省城，等不了那么久咋办")
    assert (reply.action, reply.item, reply.situation) == ("answer", "SF-GA-003", "急需用证")
    assert "临时居民身份证" in reply.text


def test_saying_one_cannot_wait_leads_with_what_the_record_offers(county):
    # An item with no situation for it, whose record says what to do when the card is needed at once.
    urgent = "急需用证的可同时申领临时居民身份证。"
    items = [
        item.model_copy(
            update={"situations": None, "time_limit": item.time_limit.model_copy(update={"note": urgent})}
        )
        if item.code == "SF-GA-002" and item.time_limit
        else item
        for item in county.items
    ]
    context = make_context(StaticKnowledge(county.model_copy(update={"items": items})))
    say(context, "身份证到期了怎么换")
    reply = say(context, "后天要坐火车，等不了那么久")
    assert (reply.action, reply.item) == ("answer", "SF-GA-002")
    assert reply.text.startswith("急需用证的可同时申领临时居民身份证")


def test_asking_whether_it_is_done_in_time_gives_the_time_and_what_the_record_offers(context):
    say(context, "身份证丢了怎么补办")
    reply = say(context, "下礼拜要坐高铁 来得及不")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-GA-003", "time_limit")
    assert reply.situation == "急需用证"
    # The urgent situation's note leads (临时居民身份证), then how long the card takes.
    assert reply.text.startswith("可同时申请临时居民身份证") and "15个工作日" in reply.text


def test_asking_whether_the_desk_is_still_open_today_is_no_time_limit(context):
    say(context, "护照怎么办")
    reply = say(context, "今天下午还来得及吗")
    assert reply.field != "time_limit" and "临时居民身份证" not in reply.text


@pytest.mark.parametrize(
    "asked", ["有时间限制吗", "有期限没有 拖久了是不是就不给报了", "那些票据放多久就不能报了"]
)
def test_asking_by_when_it_must_be_done_leads_with_the_records_deadline(context, asked):
    say(context, "医药费报销怎么办")
    reply = say(context, asked)
    assert (reply.action, reply.item) == ("answer", "SF-YB-005")
    assert reply.text.startswith("原则上应在费用发生后12个月内申请")


def test_asking_where_to_apply_for_what_needs_no_application_says_so_first(context):
    reply = say(context, "高龄津贴申领要去哪里申请")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-MZ-006", "location")
    # The record says 免申即享: that comes before the window, which only some still need.
    assert reply.text.index("免申即享") < reply.text.index("45-46号")
    # A plain field question about it stays short and plain.
    assert "免申即享" not in say(context, "高龄津贴申领要多少钱").text.split("\n")[0]


def test_a_follow_up_answered_by_a_situations_note_is_in_that_situation(context):
    say(context, "港澳通行证怎么办")
    reply = say(context, "证还没过期，就是签注用完了")
    assert (reply.item, reply.situation) == ("SF-GA-010", "证件有效、只需再次签注")
    # Told in its words (没过期 → 有效): the situation's whole block, its note (自助签注机) among it.
    assert "自助签注机" in reply.text and reply.field is None
    assert say(context, "要多少钱").situation == "证件有效、只需再次签注"


def test_words_settling_a_situation_get_its_whole_block(context):
    say(context, "户口迁入怎么办")
    reply = say(context, "房产证还没下来，只有购房合同和发票，能办吗")
    # 购房 is listed in the item's name (户口迁入（投靠、购房、就业等）), yet it tells 购房落户.
    assert (reply.item, reply.situation, reply.field) == ("SF-GA-006", "购房落户（合法稳定住所）", None)
    assert "其他共有人同意落户的书面意见" in reply.text  # the situation's own materials


def test_a_word_of_one_situations_name_tells_it(context):
    reply = say(context, "户口本丢了怎么办")
    assert (reply.item, reply.situation) == ("SF-GA-016", "遗失补领")


def test_a_story_telling_a_family_role_tells_the_situation_of_it(context):
    say(context, "户口迁入怎么办")
    reply = say(context, "我是从外省嫁过来的，想把户口迁到我老公这边")
    assert (reply.item, reply.situation) == ("SF-GA-006", "投靠配偶")
    assert "结婚证" in reply.text


def test_a_numbered_question_about_a_day_gives_the_likely_options_hours_and_place(context):
    from bot.conversation.engine import _Conversation
    from bot.matching.decision import Decision

    conversation = _Conversation(Message(kind="text", openid="oDay", text="x", msg_id="d1"), context)

    def likely(code: str) -> Decision:
        return Decision("clarify", candidates=(code, "SF-RS-001"), scores=((code, 0.9), ("SF-RS-001", 0.02)))

    # 护照 far ahead: its own window works on Saturday mornings, though the hall does not.
    lead = conversation.day_lead("周六能去办不", likely("SF-GA-009"))
    assert lead is not None and lead.startswith("【普通护照申请") and "9:00-12:00" in lead
    # 出生医学证明 is handled at the hospital: where to go, too.
    lead = conversation.day_lead("明天能去办不", likely("SF-WJ-002"))
    assert lead is not None and "办理地点：示范县健康路16号" in lead


def test_asking_about_a_proxy_the_record_is_silent_on_says_so_and_whom_to_call(context):
    say(context, "公积金买房提取怎么办")
    reply = say(context, "能代办吗")
    assert reply.item == "SF-GJJ-001"
    # 本人银行卡 is whose card, not who must come: the record says nothing of a proxy, and the reply says so.
    assert reply.text.startswith("办事指南没有写明能否委托他人代办，请先致电确认：0999-")
    assert "本人银行卡" not in reply.text.split("\n")[0]


def test_a_day_asked_after_a_situation_keeps_it(context):
    say(context, "身份证丢了怎么补办")
    reply = say(context, "周六能办吗")
    assert (reply.item, reply.field, reply.situation) == ("SF-GA-003", "hours", "丢失、被盗补领")


def test_asking_to_hurry_what_the_record_says_nothing_of_says_so(context):
    say(context, "办护照要多久")
    reply = say(context, "加急能快点吗")
    assert reply.item == "SF-GA-009"
    assert reply.text.startswith("办事指南没有写明可以加急办理，请先致电确认：0999-")
    assert "7个工作日" in reply.text  # the time limit asked before still follows


def test_a_field_asked_under_a_list_of_situations_settles_none(county):
    from knowledge.schema import Situation

    late = Situation(name="出生超过一个月补报", materials=[])
    items = [
        item.model_copy(update={"situations": [*(item.situations or []), late]})
        if item.code == "SF-GA-005"
        else item
        for item in county.items
    ]
    context = make_context(StaticKnowledge(county.model_copy(update={"items": items})))
    first = say(context, "出生登记怎么办")
    assert len(first.choices) >= 2  # its situations, offered by number
    reply = say(context, "在哪个窗口")
    # 个 of 哪个 is no word of 出生超过一个月补报: a field asked, no situation chosen.
    assert (reply.item, reply.field, reply.situation) == ("SF-GA-005", "location", None)


def test_a_follow_up_leads_with_the_sentence_its_own_words_find(context):
    say(context, "户口迁入怎么办")
    say(context, "我是从外省嫁过来的，想把户口迁到我老公这边")
    reply = say(context, "我们才结婚半年，能迁吗")
    # 迁 is in half the item's sentences; 结婚 finds the one that answers.
    assert reply.text.startswith("投靠配偶：夫妻投靠不受结婚年限限制")


def test_a_new_item_named_in_a_follow_up_starts_afresh(context):
    say(context, "身份证丢了怎么补办")
    reply = say(context, "那社保卡在哪办")
    assert (reply.item, reply.field) == ("SF-RS-001", "location")


# -- 3. choices stay alive -------------------------------------------------------------------------


GJJ = ["SF-GJJ-001", "SF-GJJ-002", "SF-GJJ-003", "SF-GJJ-004"]


def test_a_broad_topic_asks_the_deciding_question_first(context):
    reply = say(context, "公积金怎么取")
    assert reply.action == "clarify" and set(GJJ) <= set(reply.choices)
    assert "1." in reply.text and reply.item is None


@pytest.mark.parametrize(
    ("answer", "code"),
    [("2", None), ("第二个", None), ("②", None), ("租赁住房的", "SF-GJJ-003"), ("退休了", "SF-GJJ-004")],
    ids=["digit", "ordinal", "circled", "option-words", "option-word"],
)
def test_a_choice_is_made_by_number_or_words(context, answer, code):
    question = say(context, "公积金怎么取")
    reply = say(context, answer)
    assert reply.action == "answer"
    assert reply.item == (code or question.choices[1])


def test_words_that_settle_a_choice_ask_their_own_field(context):
    question = say(context, "公积金在哪办")  # the numbered question keeps "location"
    assert question.action == "clarify" and question.field == "location"
    reply = say(context, "租赁住房的要多少钱")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-GJJ-003", "fee")
    say(context, "公积金在哪办", openid="oOther")
    assert say(context, "2", openid="oOther").field == "location"  # a number keeps the question's field


def test_an_out_of_range_number_says_which_numbers(context):
    question = say(context, "公积金怎么取")
    reply = say(context, "9")
    assert reply.action == "clarify" and f"1–{len(question.choices)}" in reply.text
    assert say(context, "1").item == question.choices[0]  # still alive


def test_a_side_question_keeps_the_choice(context):
    question = say(context, "公积金怎么取")
    side = say(context, "你们中午休息吗")
    assert side.action == "hall" and "12:00" in side.text and "13:30" in side.text
    assert say(context, "第三个").item == question.choices[2]


def test_asking_who_may_go_picks_no_situation(county):
    # An item whose situations say nothing of a proxy: 我帮他去办行不行 asks about the item (who may go),
    # it does not pick 非本市户籍离开本市 for the 开 of 走不开.
    situations = [
        Situation(name="离职后账户封存满6个月", materials=[]),
        Situation(name="非本市户籍离开本市", materials=[]),
    ]
    items = [
        item.model_copy(update={"situations": situations}) if item.code == "SF-RS-004" else item
        for item in county.items
    ]
    context = make_context(StaticKnowledge(county.model_copy(update={"items": items})))
    assert say(context, "失业保险金申领").choices == tuple(s.name for s in situations)
    reply = say(context, "他白天要打零工走不开，我帮他去办行不行")
    assert (reply.action, reply.item, reply.situation) == ("answer", "SF-RS-004", None)


def test_a_document_told_lost_moves_to_the_item_that_replaces_it(context):
    assert say(context, "残疾人证申领").item == "SF-CL-001"
    reply = say(context, "不对不对，我是证丢了要补")
    assert (reply.item, reply.situation) == ("SF-CL-002", "遗失补领")


def test_and_that_card_after_a_theft_is_replaced_too(context):
    assert say(context, "钱包被偷了，身份证在里面，怎么补办").item == "SF-GA-003"
    assert say(context, "社保卡呢").item == "SF-RS-002"  # stolen with it: 挂失与补换, not 申领


def test_a_situation_told_earlier_holds_for_an_item_asked_later(context):
    say(context, "我闺女今年12岁了")
    reply = say(context, "给她办个护照要带啥")
    assert (reply.item, reply.situation) == ("SF-GA-009", "未满16周岁")


def test_a_first_option_named_apart_is_answered_with_the_way_back(context):
    # 身分证 到期 … 换: the message names 居民身份证换领 by words its neighbours lack; not very likely (a
    # long story), so the answer says the runner-up and the way to a person.
    reply = say(context, "俺户口在河南，在这边打工，身分证下个月就到期了，能在恁这换不")
    assert (reply.action, reply.item) == ("answer", "SF-GA-002")
    assert "请直接发送该事项名称" in reply.text and "回复“人工”" in reply.text


# -- 4. situations from the story --------------------------------------------------------------------


def test_the_situation_comes_from_the_story(context):
    reply = say(context, "护照丢了怎么补办")
    assert reply.item == "SF-GA-009" and reply.situation == "补发（遗失、被盗）"


def test_an_untold_situation_is_offered_by_number_and_settled_by_words(context):
    first = say(context, "户口迁入要带什么")
    assert first.action == "answer" and first.item == "SF-GA-006" and first.situation is None
    assert "投靠配偶" in first.choices
    settled = say(context, "投靠配偶")
    assert settled.situation == "投靠配偶" and "结婚证" in settled.text


def test_one_situation_is_never_assumed(context):
    reply = say(context, "临时身份证怎么办")  # the item's only situation is 未满16周岁
    assert reply.item == "SF-GA-004" and reply.situation is None


# -- 6. the hall itself -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("你们几点上班", "9:00"),
        ("你们中午休息吗", "13:30"),
        ("政务中心在哪里 电话多少", "人民路88号"),
        ("你们周六上班吗", "周一"),
        ("投诉电话是多少", "0999-7654321"),
    ],
    ids=["hours", "lunch", "address-and-phone", "saturday", "complaint-phone"],
)
def test_the_hall_is_answered_from_its_record(context, question, expected):
    reply = say(context, question)
    assert reply.action == "hall" and reply.item is None and expected in reply.text


def test_a_first_question_about_a_day_gets_that_day_where_and_the_way_online(knowledge):
    context = make_context(knowledge, SUNDAY_NIGHT)
    reply = say(context, "明天可以去补办身份证吗，丢了")
    # A question about the day is an hours question (rule 1: a single field, short): the day, then what the
    # trip that day needs to know, not the whole block.
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-GA-003", "hours")
    first = reply.text.split("\n\n")[0]
    assert "9:00" in first and "周一" in first
    assert "1-6号" in reply.text and "网上办理" in reply.text and "所需材料" not in reply.text
    assert reply.situation and "丢失" in reply.situation  # the story still tells the situation
    block = say(context, "要带啥")
    assert (block.item, block.field) == ("SF-GA-003", None) and "所需材料" in block.text


def test_a_story_asking_about_a_day_on_the_way_gets_the_one_trip_block(knowledge):
    story = "我是农村的，在家种了一辈子地，孩子都在外地打工，现在身份证丢了想补办，今天能办吗，要带啥"
    reply = say(make_context(knowledge), story)
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-GA-003", None)
    assert "公安户政窗口今天" in reply.text.split("\n\n")[0] and "所需材料" in reply.text


def test_a_numbered_question_about_a_day_says_that_day_first(knowledge):
    lunch = dt.datetime(2026, 12, 8, 12, 40, tzinfo=CHINA)
    reply = say(make_context(knowledge, lunch), "现在过去能办社保卡吗")
    assert reply.action == "clarify" and len(reply.choices) >= 2
    assert "13:30" in reply.text.split("\n\n")[0] and "1." in reply.text


def test_parking_asked_after_an_item_is_the_halls(context):
    assert say(context, "身份证丢了怎么补办").item == "SF-GA-003"
    reply = say(context, "有停车的地方不")
    assert reply.action == "hall" and reply.item is None and reply.text


def test_the_hall_addressed_after_an_item_with_its_own_hours_answers_both(knowledge):
    context = make_context(knowledge)
    say(context, "护照怎么办")  # its window also opens on Saturday mornings
    reply = say(context, "对了你们周六上班吗")
    assert reply.action == "hall" and "【普通护照申请" in reply.text and "休息" in reply.text
    there = say(context, "那边几点上班")  # the passport office itself
    assert (there.action, there.item, there.field) == ("answer", "SF-GA-009", "hours")


def test_where_an_item_handled_elsewhere_is_answered_with_its_own_address(context):
    say(context, "出生医学证明丢了怎么补")  # 妇幼保健院, not the hall
    reply = say(context, "在哪办，是在你们大厅吗")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-WJ-002", "location")
    assert "健康路16号" in reply.text


def test_a_holiday_is_known(knowledge):
    reply = say(make_context(knowledge, NATIONAL_DAY), "今天上班吗")
    assert reply.action == "hall" and "国庆" in reply.text


# -- 7. FAQ first -------------------------------------------------------------------------------------


def test_a_yes_no_question_gets_the_faq_answer_first(context):
    say(context, "身份证丢了怎么补办")
    reply = say(context, "身份证丢了要先登报挂失吗")
    assert reply.item == "SF-GA-003" and reply.text.startswith("不需要登报")


# -- 8. small talk and emergencies -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["谢谢", "好的", "嗯", "你好"], ids=["thanks", "ok", "mm", "hello"])
def test_small_talk_is_short_and_lists_nothing(context, text):
    reply = say(context, text)
    assert reply.action == "smalltalk" and reply.item is None and not reply.choices
    assert answers.size(reply.text) <= 400 and "1." not in reply.text


@pytest.mark.parametrize(
    ("text", "number"),
    [("小孩发高烧了怎么办", "120"), ("楼下着火了", "119"), ("有人在大厅门口打人", "110")],
    ids=["fever", "fire", "violence"],
)
def test_emergencies_point_to_the_number(context, text, number):
    reply = say(context, text)
    assert reply.action == "smalltalk" and number in reply.text.splitlines()[0]


def test_a_theft_told_about_a_document_is_its_situation_not_an_emergency(context):
    say(context, "身份证丢了怎么补办")
    reply = say(context, "被偷的")
    assert (reply.action, reply.item) == ("answer", "SF-GA-003") and not reply.text.startswith("请立即拨打")
    violence = say(context, "有人在大厅门口打人")
    assert violence.action == "smalltalk" and "110" in violence.text.splitlines()[0]


# -- 9. visible handoffs --------------------------------------------------------------------------------


def test_a_handoff_in_service_hours_transfers_with_a_notice(context):
    reply = say(context, "转人工")
    assert reply.kind == "transfer" and reply.action == "handoff" and "正在为您转接" in reply.text


def test_a_complaint_also_gets_the_complaint_phone(context):
    reply = say(context, "我要投诉窗口态度差")
    assert reply.action == "handoff" and "0999-7654321" in reply.text


def test_outside_hours_the_next_opening_and_an_open_line(knowledge):
    reply = say(make_context(knowledge, SUNDAY_NIGHT), "人工")
    assert reply.kind == "text" and reply.action == "handoff"
    assert "9:00" in reply.text and "12345" in reply.text
    assert "工作时间可拨打咨询电话 0999-1234567" in reply.text
    assert "正在为您转接" not in reply.text


def test_service_hours_setting_decides_who_is_online(knowledge):
    always = parse_hours("每天 0:00-23:59")
    reply = say(make_context(knowledge, SUNDAY_NIGHT, service_hours=always), "人工")
    assert reply.kind == "transfer"


# -- 10. honest out of scope ----------------------------------------------------------------------------


def test_out_of_scope_is_honest_then_goes_to_people(context):
    first = say(context, "今天天气怎么样")
    assert first.action == "handoff" and first.item is None
    assert "0999-1234567" in first.text or "12345" in first.text
    second = say(context, "县医院几点挂号")
    assert second.action == "handoff" and ("转接" in second.text or "人工" in second.text)


# -- 11. English ----------------------------------------------------------------------------------------


def test_english_gets_a_short_english_reply_with_the_phone(context):
    reply = say(context, "Hello, I lost my ID card. What should I do?")
    assert "0999-1234567" in reply.text and "Chinese" in reply.text
    assert answers.size(reply.text) <= 1024
    assert reply.action == "smalltalk"


def test_an_english_question_about_the_hall_is_a_hall_answer(context):
    reply = say(context, "OK. Are you open on Saturday?")
    assert reply.action == "hall" and "Opening hours" in reply.text and "0999-1234567" in reply.text


# -- 12. personal data and size ---------------------------------------------------------------------------


def test_personal_data_is_never_echoed_and_replies_fit(context):
    for text in (
        "我身份证号320102197806154311，电话13805181234，想迁户口要哪些材料",
        "房子是我跟我老婆两个人的名字",
    ):
        reply = say(context, text)
        assert "320102197806154311" not in reply.text and "13805181234" not in reply.text
        assert answers.size(reply.text) <= answers.LIMIT
    # What the conversation keeps of the citizen's words is masked too.
    kept = str(context.store.load("oCitizen"))
    assert "320102197806154311" not in kept and "13805181234" not in kept
    assert context.store.load("oCitizen").get("told")


# -- paging, ratings, events, other message kinds -------------------------------------------------------


def test_rating_after_an_answer(context):
    say(context, "身份证丢了怎么补办")
    assert "感谢" in say(context, "评价 5").text
    assert context.recorder.ratings[-1]["item_code"] == "SF-GA-003"


def test_welcome_lists_common_items_by_number(context):
    reply = event(context, "subscribe")
    assert reply.action == "smalltalk" and reply.item is None and "1." in reply.text
    assert say(context, "1").action == "answer"


def test_a_question_under_the_welcome_list_is_its_own_question(context):
    welcome = event(context, "subscribe")
    reply = say(context, "有哪些补贴可以申请")
    # Not one of the listed items picked by loose likeness: the question is matched on its own.
    assert reply.item not in welcome.choices and not set(reply.choices) & set(welcome.choices)
    assert reply.action in ("answer", "clarify")


def test_menu_keys(context):
    assert event(context, "click", "ITEM:SF-RS-001").item == "SF-RS-001"
    assert event(context, "click", "HUMAN").action == "handoff"
    assert "1." in event(context, "click", "COMMON").text


def test_other_message_kinds(context):
    image = respond(Message(kind="image", openid="o", msg_id="i1"), context)
    voice = respond(Message(kind="voice", openid="o", msg_id="v1"), context)
    heard = respond(Message(kind="voice", openid="o", msg_id="v2", recognition="社保卡在哪办"), context)
    assert image.text == NOT_TEXT and voice.text == VOICE_NOT_RECOGNISED
    assert heard.item == "SF-RS-001"
    assert say(context, "   ").text == HELP


def test_unsubscribe_forgets_the_citizen(context):
    say(context, "身份证丢了怎么补办", openid="oGone")
    event(context, "unsubscribe", openid="oGone")
    assert context.store.load("oGone") is None


def test_questions_are_recorded_masked(context):
    say(context, "我身份证320102197806154311丢了怎么补办")
    recorded = context.recorder.questions[-1]
    assert "320102197806154311" not in recorded["text"] and recorded["item_code"] == "SF-GA-003"


def test_the_way_a_story_moves_something_tells_the_situation(context):
    reply = say(context, "我以前在老家交过五年社保，现在想把老家的养老保险转过来，要怎么弄")
    assert (reply.item, reply.situation) == ("SF-RS-006", "外地转入本县")


def test_two_fields_asked_together_are_both_answered(context):
    say(context, "公证怎么办")
    reply = say(context, "公证在哪办 多少钱")
    assert (reply.item, reply.field) == ("SF-SFJ-002", "fee")
    assert "53号" in reply.text and "收费" in reply.text


def test_a_single_character_leads_no_sentence_alone(context):
    say(context, "医疗费用手工报销")
    # 打 of 钱打到卡上 is in 打印件 too; the sentence holding 报销 and 卡 answers.
    reply = say(context, "报销的钱打到这张卡上行不：6222 0212 3456 7890 128")
    assert reply.text.startswith("本人银行卡") and "6222" not in reply.text


def test_a_follow_up_the_record_answers_is_answered_from_it(context):
    # Words foreign to names and FAQ questions, told by the item's notes: the sentence that tells leads.
    say(context, "护照补发要带什么材料")
    mailed = say(context, "做好了能寄给我吗")
    assert (mailed.action, mailed.item) == ("answer", "SF-GA-009")
    assert mailed.text.splitlines()[0].endswith("证件可邮寄。") or "邮寄" in mailed.text.splitlines()[0]
    found = say(context, "要是旧的又找到了还能用不")
    assert (found.action, found.item) == ("answer", "SF-GA-009")
    assert "找回后也不能使用" in found.text.split("\n\n")[0]


def test_a_follow_up_the_record_does_not_tell_is_not_kept_on_the_item(context):
    say(context, "护照补发要带什么材料")
    for text in ("能帮我订一间酒店吗", "有没有充电宝可以借我用一下"):
        reply = say(context, text)
        assert (reply.action, reply.item) == ("handoff", None), text


def test_a_first_can_i_question_gets_the_one_trip_block(context):
    reply = say(context, "打官司请不起律师，能申请法律援助吗")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-SFJ-001", None)
    for part in ("所需材料", "办理地点", "办公时间"):
        assert part in reply.text


def test_asking_whether_someone_else_may_go_gets_what_the_record_says_of_who_comes(context):
    say(context, "居民身份证首次申领，年满16周岁，要带什么材料")
    reply = say(context, "我儿子在外地读书，我替他去办可以不")
    assert (reply.action, reply.item) == ("answer", "SF-GA-001")
    assert "本人到场" in reply.text.split("\n\n")[0]


def test_a_refinement_in_the_items_own_words_with_story_words_stays_on_it(context):
    say(context, "港澳通行证续签注要带什么")
    reply = say(context, "证还没过期，就是签注用完了")
    assert (reply.action, reply.item) == ("answer", "SF-GA-010")


def test_asking_whether_the_person_must_come_gets_what_the_record_says(context):
    say(context, "居民身份证首次申领要带什么")
    reply = say(context, "要他本人去吗")
    assert reply.item == "SF-GA-001"
    assert "本人到场" in reply.text.split("\n\n")[0]


def test_a_closed_day_asked_about_gets_the_weeks_hours_too(context):
    reply = say(context, "你们周六开门吗")
    assert reply.action == "hall"
    assert "休息" in reply.text and "12月14日（周一）9:00起正常办公" in reply.text
    assert "办公时间：周一至周五" in reply.text


def test_a_situation_told_in_a_follow_up_gets_its_block_not_a_sentence(context):
    say(context, "办残疾人证收费吗")  # a field asked: no numbered question of situations pending
    reply = say(context, "他下不了床，去不了医院评定，咋办")
    assert (reply.item, reply.situation) == ("SF-CL-001", "行动不便无法到评定机构")
    assert "上门" in reply.text


def test_a_story_ending_in_one_question_gets_its_answer_then_the_one_trip_block(context):
    story = "我爸今年八十二了，听邻居说可以领高龄津贴，想问一下高龄津贴申领要多久能办好"
    reply = say(context, story)
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-MZ-006", "time_limit")
    assert reply.text.startswith("办理时限：")  # the question asked, first
    assert "所需材料" in reply.text  # then what the trip needs
    short = say(make_context(context.knowledge), "高龄津贴申领要多久")
    assert short.field == "time_limit" and "所需材料" not in short.text  # a plain field question stays short


def test_back_to_an_item_answered_before_answers_the_field_asked(context):
    say(context, "结婚登记要带什么")
    say(context, "户口迁入要带什么")
    reply = say(context, "再问下领证那个，周六周日能办吗")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-MZ-001", "hours")
    assert "所需材料" not in reply.text  # its one-trip block was given the first time


def test_the_conditions_asked_by_name_are_one_field_a_can_i_question_the_whole_block(knowledge):
    asked = say(make_context(knowledge), "低保要什么条件才能申请")
    assert (asked.item, asked.field) == ("SF-MZ-004", "conditions")
    assert "所需材料" not in asked.text
    both = say(make_context(knowledge), "低保要啥条件要带啥")
    assert (both.item, both.field) == ("SF-MZ-004", None)
    assert "所需材料" in both.text


def test_the_item_turned_to_by_its_name_again_gets_the_whole_block(context):
    say(context, "纳税记录开具要带什么")
    again = say(context, "那开个纳税证明呢，买房要用")
    assert (again.action, again.item, again.field) == ("answer", "SF-SW-004", None)
    assert "29-34号" in again.text and "所需材料" in again.text


def test_online_asked_under_a_numbered_question_is_the_options_way_not_the_halls_site(context):
    say(context, "公积金怎么取")
    online = say(context, "在手机上能办不")
    assert (online.action, online.field) == ("clarify", "online")
    picked = say(context, "1")
    assert (picked.action, picked.item, picked.field) == ("answer", "SF-GJJ-004", "online")


def test_online_asked_after_a_list_an_unanswered_question_closed_is_the_halls_site(context):
    say(context, "公积金怎么取")
    assert say(context, "我家狗丢了怎么办").action == "handoff"
    site = say(context, "在手机上可以办不")
    assert site.action == "hall" and "https://zwfw.example.gov.cn" in site.text


def test_whether_a_material_is_needed_is_answered_first(context):
    say(context, "身份证丢了怎么补办")
    book = say(context, "还要带户口本吗")
    assert book.item == "SF-GA-003"
    # The record makes it conditional (本县户籍的请携带): said so, not a bare yes.
    assert book.text.startswith("视情况需要。居民户口簿")
    # Who goes is not a material question.
    proxy = say(context, "我拿她户口本去帮她办得行不")
    assert not proxy.text.startswith("视情况需要")


def test_where_a_material_is_got_is_answered_from_its_note(context):
    say(context, "驾照下个月到期了要换")
    reply = say(context, "体检在哪做")
    assert reply.item == "SF-GA-012"
    # 身体条件证明's note says who issues it; the window alone would send the citizen to the wrong place.
    assert reply.text.startswith("身体条件证明（原件）：县级以上医疗机构")
    # Where the errand itself is handled is no material question.
    where = say(context, "换证在哪办")
    assert where.field == "location" and not where.text.startswith("身体条件证明")


def test_where_a_material_is_got_comes_before_an_faq_that_only_names_it():
    from pathlib import Path

    oasis = Path(__file__).resolve().parent.parent / "bench" / "heldout" / "oasis-hall.json"
    context = make_context(StaticKnowledge(load_kb(oasis)))
    say(context, "我种的棉花卖给收购站，人家要发票，咋开")
    reply = say(context, "自产证明找谁开")
    assert reply.item == "LZX-SW-001" and reply.text.startswith("自产农产品证明（原件）：村委会")


def test_a_withdrawal_asks_its_reason_first():
    from pathlib import Path

    marsh = Path(__file__).resolve().parent.parent / "bench" / "heldout" / "marsh-hall.json"
    context = make_context(StaticKnowledge(load_kb(marsh)))
    # One item whose situations are the reasons (购房, 还贷, 租房, 退休, 离职): asked first, not guessed.
    asked = say(context, "公积金咋个取法")
    assert (asked.action, asked.item) == ("clarify", "LD-GJJ-002")
    assert asked.choices == ("购房", "还贷", "租房", "退休", "离职") and "1. 购房" in asked.text
    told = say(context, "我去年从厂里退下来了")
    assert (told.action, told.item, told.situation) == ("answer", "LD-GJJ-002", "退休")
    # A reason told at once is answered at once.
    again = make_context(StaticKnowledge(load_kb(marsh)))
    assert say(again, "租房子住，公积金咋个取").situation == "租房"


def test_a_withdrawal_named_with_its_reason_is_answered(context):
    # 住房公积金提取（租赁住房）: the reason is in the name; its situations are kinds of renting.
    reply = say(context, "公积金租房提取怎么办")
    assert (reply.action, reply.item) == ("answer", "SF-GJJ-003")


def test_how_much_a_month_of_a_benefit_is_what_it_pays(context):
    say(context, "高龄津贴怎么领")
    pays = say(context, "一个月多少钱")
    assert (pays.item, pays.field) == ("SF-MZ-006", "conditions")
    assert "每月100元" in pays.text and "收费标准" not in pays.text


def test_back_to_the_earlier_item_by_its_document(context):
    say(context, "我老公社保卡丢了，我能帮他补吗")
    say(context, "他身份证也一起丢了，身份证我能代他补吗")
    back = say(context, "那刚才那个社保卡，在几号窗口办")
    # 社保卡 alone would be 社会保障卡申领; 刚才那个 is the replacement talked about before.
    assert (back.item, back.field) == ("SF-RS-002", "location")


def test_a_neighbour_named_by_its_own_words_is_turned_to(context):
    say(context, "我爸中风后一直卧床，想给他办个残疾证，他下不了床去不了医院评残咋办")
    # 护理补贴 is said in one item's name only, not in 残疾人证申领's: that item, though the story before it
    # (缓过来了) keeps it below the usual bar for leaving the item at hand.
    turned = say(context, "缓过来了。办下来以后那个护理补贴怎么申请")
    assert (turned.action, turned.item) == ("answer", "SF-CL-003")


def test_what_to_bring_is_no_question_whether_something_is_needed(context):
    # 么 of 要带什么 asks what; no "需要。<one material>" line leads the block.
    reply = say(context, "离婚去哪里办，要带什么")
    assert reply.item == "SF-MZ-002"
    assert not reply.text.startswith("需要。")


def test_whether_something_was_done_tells_a_case_of_the_item_at_hand(context):
    say(context, "我在县城租房子住，公积金怎么取")
    # 没去备案过 tells 租住商品住房（未办理租赁备案）; 备案 alone would name 房屋租赁登记备案.
    case = say(context, "租房合同没去备案过那也能取吗")
    assert (case.action, case.item) == ("answer", "SF-GJJ-003")
    assert case.situation and "未办理租赁备案" in case.situation


def test_never_having_had_one_picks_the_first_time_option_of_a_list(context):
    assert say(context, "身份证咋办").action == "clarify"
    picked = say(context, "是给我闺女办，她今年刚上初二，十四岁，还从来没办过")
    assert (picked.action, picked.item) == ("answer", "SF-GA-001")


def test_which_of_two_errands_first_goes_to_the_other_one_named(context):
    story = (
        "俺今年虚岁六十了，在县里企业上了一辈子班，单位说明年开春就该退了。俺想问问退休手续是单位给办还是"
        "得俺自个去跑？还有俺那个公积金账户里还有几万块钱，退了以后能一把都取出来不？"
    )
    first = say(context, story)
    assert first.item == "SF-GJJ-004"
    # 退休 is in 住房公积金提取（离休、退休） too; 先说退休那个 turns to the other errand it names.
    other = say(context, "先说退休那个")
    assert (other.action, other.item) == ("answer", "SF-RS-005")


def test_someone_going_for_the_citizen_is_the_proxy_case_though_the_story_says_本人(context):
    say(context, "我儿子要出国读书，学校要无犯罪记录证明")
    proxy = say(context, "他本人在外地读书回不来，我当娘的能帮他开不")
    assert proxy.item == "SF-GA-014" and proxy.situation == "委托他人代办"


def test_the_item_at_hand_named_first_is_no_other_errand(context):
    say(context, "我们一家从外省搬过来买了房，想把户口迁过来，孩子明年也要上学")
    # 户口 is 户口迁入's own thing: 先办户口的 stays on it rather than another 户口 item.
    again = say(context, "先办户口的，要带啥")
    assert again.item == "SF-GA-006"


def test_a_card_told_lost_is_the_lost_case_not_the_temporary_freeze(context):
    # 挂失 and 遗失 are one word to the matcher; the story tells the card lost: 遗失补卡.
    lost = say(context, "社保卡丢了")
    assert lost.item == "SF-RS-002" and lost.situation == "遗失补卡"


def test_asking_again_about_the_document_at_hand_is_no_other_errand(context):
    say(context, "身份证丢了怎么补办")
    # 再问一下 goes on with the item at hand; only 先说/先问 chooses between two errands.
    again = say(context, "再问一下办身份证的材料")
    assert again.item == "SF-GA-003"


def test_a_number_with_a_field_answers_that_field_of_the_option(context):
    first = say(context, "身份证", openid="oNumberField")
    assert first.action == "clarify"
    reply = say(context, "2 要多久", openid="oNumberField")
    assert reply.item == first.choices[1] and reply.field == "time_limit"


def test_how_much_of_a_benefit_is_what_it_pays(context):
    say(context, "育儿补贴怎么领", openid="oBenefit")
    paid = say(context, "能领多少钱", openid="oBenefit")
    assert "3600" in paid.text and "收费标准" not in paid.text
    assert say(context, "办这个要交钱吗", openid="oBenefit").field == "fee"


def test_an_ordinal_takes_up_the_citizens_own_question_over_a_situation_list(context):
    first = say(context, "问两件事，一个是公积金怎么提取，一个是身份证丢了咋补", openid="oPaired")
    assert first.action == "clarify" and "回复“第二个问题”" in first.text  # 第二个 picks from the list
    second = say(context, "再说第二个问题", openid="oPaired")
    assert second.item == "SF-GA-003"
    back = say(context, "那第一个呢，在哪个窗口", openid="oPaired")
    assert back.field == "location"


def test_an_ordinal_beside_situations_takes_up_the_second_question(context):
    first = say(context, "问两件事，一个是低保怎么申请，一个是老年证咋办", openid="oPairedSituations")
    assert first.item == "SF-MZ-004" and first.choices and "回复“第二个”" in first.text
    assert say(context, "先说第二个", openid="oPairedSituations").item == "SF-MZ-008"


def test_an_online_question_typed_with_a_homophone_asks_online(context):
    say(context, "驾驶证丢了", openid="oTypedOnline")
    assert say(context, "这个能网伤办吗", openid="oTypedOnline").field == "online"


def test_an_item_asked_after_a_day_answered_for_the_hall_gets_its_hours(context):
    say(context, "周六上班吗", openid="oHallDay")
    reply = say(context, "护照呢", openid="oHallDay")
    assert reply.item == "SF-GA-009" and reply.field == "hours"
    assert "周六" in reply.text


def test_when_and_what_to_bring_names_no_item(context):
    say(context, "护照怎么办", openid="oWhenWhat")
    reply = say(context, "现在去来得及吗 要带啥", openid="oWhenWhat")
    assert reply.item == "SF-GA-009" and reply.field is None


def test_back_to_an_item_answered_before_a_numbered_question(context):
    assert say(context, "二手房过户要带什么").item == "SF-ZR-001"
    asked = say(context, "我的公积金能取出来吗")
    assert asked.action == "clarify" and "SF-ZR-001" not in asked.choices
    # 刚才说的那个 goes back to the transfer, not to one of the options listed just now.
    back = say(context, "刚才说的那个过户，要交多少钱")
    assert (back.action, back.item, back.field) == ("answer", "SF-ZR-001", "fee")


def test_back_to_an_item_after_a_word_of_assent_and_another_errand(context):
    assert say(context, "孩子3岁了想给他办张社保卡").item == "SF-RS-001"
    assert say(context, "县里哪家医院看牙好").action == "handoff"
    # 好 还是刚才那个…: the card applied for, not a question between applying and replacing.
    back = say(context, "好 还是刚才那个社保卡 在几号窗口")
    assert (back.action, back.item, back.field) == ("answer", "SF-RS-001", "location")


def test_a_conversation_keeps_the_items_it_answered_latest_first(context):
    say(context, "孩子3岁了想给他办张社保卡")
    say(context, "二手房过户要带什么")
    say(context, "社保卡办好要几天")
    state = context.store.load("oCitizen")
    assert state["seen"][:2] == ["SF-RS-001", "SF-ZR-001"]


def test_a_situation_told_again_with_a_question_gets_the_answer_not_its_note(context):
    say(context, "孩子前几天刚生的，户口怎么上")
    assert say(context, "那孩子的医保呢").situation == "新生儿"
    # 新生儿 told again, but the question is the deadline: not the situation's note (一件事), the record's
    # sentence on it.
    deadline = say(context, "新生儿的医保要几天之内交上")
    assert deadline.item == "SF-YB-001" and "90天" in deadline.text


def test_a_material_of_the_errand_at_hand_asked_to_confirm_stays_on_it(context):
    say(context, "我爸八十了 想给他办个老年证 他走不动 我去给他办行不行")
    # 要带…吧 asks to confirm a material of 老年人优待证, not about 身份证's own items.
    reply = say(context, "那要带他的身份证原件吧")
    assert reply.item == "SF-MZ-008" and reply.text.startswith("需要")


def _hall_context(name: str) -> Context:
    """A conversation over one of the development halls of ``bench/heldout`` (``dune`` → dune-hall.json)."""
    from pathlib import Path

    hall = Path(__file__).resolve().parent.parent / "bench" / "heldout" / f"{name}-hall.json"
    return make_context(StaticKnowledge(load_kb(hall)))


def test_what_a_material_is_gets_its_line():
    context = _hall_context("dune")
    say(context, "想把我家自己种的枸杞卖给收购点 要开发票 咋开")
    # 村: only 自产农产品证明（村委会出具） of the materials; its bracket says what it is and who issues it.
    reply = say(context, "村里那个证明是什么")
    assert reply.item == "SPX-SW-01" and reply.text.startswith("自产农产品证明（村委会出具）")


def test_where_to_complain_of_a_complaint_errand_is_its_desk():
    context = _hall_context("dune")
    say(context, "干了半年活 老板一分工钱都不给")
    where = say(context, "这个去哪投诉")
    assert (where.action, where.item, where.field) == ("answer", "SPX-SB-11", "location")
    # A complaint about the hall still goes to a person.
    assert say(context, "我要投诉你们窗口的工作人员").action == "handoff"


def test_an_age_told_beside_a_first_application_decides_the_situation(knowledge):
    # 首次申请 is the ordinary case; 10岁 tells the minor's (未满16周岁), whose materials differ.
    reply = say(make_context(knowledge), "女儿10岁，首次申请护照要带什么")
    assert (reply.item, reply.situation) == ("SF-GA-009", "未满16周岁")
    # No age bound fits a grown-up: the first application stays.
    assert say(make_context(knowledge), "我35了，首次申请护照要带什么").situation == "首次申请"


def test_whether_both_must_come_is_answered_from_the_record():
    context = _hall_context("marsh")
    say(context, "结婚证找不着了")
    # The FAQ says 一方 (one of the two): that is who must come.
    reply = say(context, "是不是得俩人一块去")
    assert reply.item == "LD-MZ-003" and reply.text.startswith("不用。一方")


def test_where_an_application_form_is_got_is_its_line(context):
    say(context, "家里困难想申请低保")
    # The form's line says where it is got (窗口或村（社区）领取), before the window.
    reply = say(context, "低保申请书去哪领")
    assert reply.item == "SF-MZ-004" and reply.text.startswith("《最低生活保障申请书》")


def test_a_side_question_handed_off_under_a_numbered_question_says_the_list_is_still_open(context):
    listed = say(context, "公积金怎么取").choices
    reply = say(context, "附近有没有卖早点的")
    assert reply.action == "handoff"
    assert reply.text.endswith(f"上面列出的事项仍可选择，回复1–{len(listed)}中的数字即可。")
    assert say(context, "3").item == listed[2]  # and it is


def test_asking_whether_it_is_done_in_time_in_a_story_of_a_loss_leads_with_the_urgent_case(context):
    reply = say(context, "身分证丢了 后天要坐高铁回老家 补还来得及不")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-GA-003", "time_limit")
    assert reply.situation == "丢失、被盗补领"  # the case the story told stays
    assert reply.text.startswith("可同时申请临时居民身份证")


@pytest.mark.parametrize("asked", ["村里能不能办", "非得去县里吗 村里能不能办"])
def test_whether_it_is_done_nearer_home_leads_with_what_the_record_says_of_that_place(context, asked):
    say(context, "我是农村的 交了十五年那个新农保 今年满六十了 咋领钱")
    reply = say(context, asked)
    assert (reply.action, reply.item) == ("answer", "SF-RS-009")
    assert "村（社区）" in reply.text.split("【")[0]  # said first, before the item's title


def test_a_count_asked_of_the_errand_at_hand_leads_with_the_records_sentence(context):
    say(context, "我在城东鞋厂干了三年 厂子裁人把我们辞了 能领失业金不")
    reply = say(context, "批下来多久到钱 能领几个月")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-RS-004", "time_limit")
    assert "最长领取12个月" in reply.text.split("【")[0]  # said first, before the item's title
    assert "承诺5个工作日" in reply.text  # and the time asked too


def test_an_open_saturday_asked_of_an_item_also_gives_its_week(county):
    context = make_context(StaticKnowledge(county), TUESDAY)
    say(context, "办护照要带什么")
    reply = say(context, "周六上班吗")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-GA-009", "hours")
    assert "也上班" in reply.text and "办公时间：" in reply.text


@pytest.mark.parametrize(
    "asked", ["你们中午几点休息 我表弟上午要看店", "你们政务中心具体地址在哪 我们导航过去"]
)
def test_the_hall_spoken_to_beside_an_item_is_answered_from_the_hall_record(context, asked):
    say(context, "个体户营业执照变更要带什么")
    reply = say(context, asked)
    assert reply.action == "hall"


def test_a_bare_reply_naming_a_case_of_the_item_at_hand_stays_on_it(context):
    say(context, "公积金怎么取")
    say(context, "买房")
    reply = say(context, "二手的")  # alone, 存量房（二手房）转移登记 surely
    assert (reply.action, reply.item, reply.situation) == ("answer", "SF-GJJ-001", "购买二手房")


def test_taking_someones_card_along_asks_of_the_errand_at_hand(context):
    say(context, "我奶奶六十五了还没办老年证 老年证怎么办")
    reply = say(context, "她本人不去 我拿她身份证去能办不")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-008")


def test_a_case_said_in_filler_words_under_the_topic_moves_to_its_sibling(context):
    say(context, "社保卡的事")
    reply = say(context, "就是卡不见了要补的那个")
    assert (reply.action, reply.item) == ("answer", "SF-RS-002")


def test_an_item_not_offered_named_under_a_numbered_question_is_answered(context):
    first = say(context, "家里困难 想申请点补助")
    assert first.action == "clarify" and "SF-MZ-004" not in first.choices
    # 低保 names 最低生活保障申请, not offered; 困难残疾人生活补贴's case merely mentions 低保金.
    reply = say(context, "就是低保")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-004")


@pytest.mark.parametrize(
    ("first", "asked", "code"),
    [
        ("结婚登记要带什么", "那520要是赶上周末你们开不开门", "SF-MZ-001"),  # a day of its own hours
        ("办护照要带什么", "周六你们出入境那边开不", "SF-GA-009"),  # its office over there
    ],
)
def test_the_items_own_office_or_days_beside_you_stay_on_the_item(context, first, asked, code):
    say(context, first)
    reply = say(context, asked)
    assert (reply.action, reply.item, reply.field) == ("answer", code, "hours")


def test_the_same_way_for_someone_else_stays_on_the_errand(context):
    say(context, "公积金怎么取")
    say(context, "租房")
    reply = say(context, "我媳妇在另一个单位也交着，她也能这样取吗")
    assert (reply.action, reply.item) == ("answer", "SF-GJJ-003")


def test_where_a_step_of_the_errand_is_done_leads_with_the_record_that_says_it(context):
    say(context, "我儿子去年12月退伍回来的 还没去报到")
    reply = say(context, "他户口当兵时迁走了 回来落户在哪办")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-TY-002", "location")
    assert "公安户政窗口（1-6号）" in reply.text.split("【")[0]  # said first, before the item's own desk


def test_asking_at_night_whether_it_can_be_done_now_gives_the_way_that_needs_no_desk(knowledge):
    night = make_context(knowledge, now=dt.datetime(2026, 12, 8, 20, 0, tzinfo=CHINA))
    say(night, "社保卡丢了")
    reply = say(night, "现在能先挂失吗")
    assert (reply.action, reply.item, reply.field, reply.situation) == (
        "answer",
        "SF-RS-002",
        "hours",
        "临时挂失",
    )
    assert "已下班" in reply.text and "12333" in reply.text  # closed, and the way open at any hour
    day = make_context(knowledge, now=dt.datetime(2026, 12, 8, 10, 0, tzinfo=CHINA))
    say(day, "社保卡丢了")
    assert "12333" not in say(day, "现在能先挂失吗").text  # open now: the desk is the way


def test_the_matter_of_a_bare_name_asks_which_errand(context):
    reply = say(context, "驾照的事")
    assert reply.action == "clarify"
    assert set(reply.choices) == {"SF-GA-012", "SF-GA-013"}


@pytest.mark.parametrize(
    ("first", "asked", "code"),
    [
        ("驾照到期了怎么换", "我人在广东 要回来吗", "SF-GA-012"),
        ("想办个护照", "我在深圳上班 要回来办吗", "SF-GA-009"),
        ("残疾证到期了要换", "我在外地打工 要回来吗", "SF-CL-002"),
    ],
)
def test_whether_one_away_must_come_back_is_asked_of_the_errand_at_hand(context, first, asked, code):
    say(context, first)
    reply = say(context, asked)
    # 回来 of the ask names no errand that moves something back (养老保险转回来, 返乡落户).
    assert (reply.action, reply.item) == ("answer", code)


def test_one_away_who_cannot_come_back_gets_the_way_online(context):
    say(context, "我想办理异地就医备案")
    reply = say(context, "人在广州回不来 怎么弄")
    assert (reply.action, reply.item) == ("answer", "SF-YB-002")
    assert reply.text.startswith("网上办理：")  # the way the record offers, not "the guide does not say"


def test_how_much_a_case_of_a_benefit_pays_picked_from_its_list_is_the_amount(context):
    reply = say(context, "残疾人两项补贴要啥材料")
    assert reply.choices  # its cases listed
    reply = say(context, "护理补贴一个月多少钱")
    assert (reply.item, reply.situation) == ("SF-CL-003", "申请护理补贴")
    assert "每月100元" in reply.text.split("【")[0]  # what it pays, first; nothing is charged for it


def test_a_word_naming_the_option_picked_tells_no_case_of_another(context):
    reply = say(context, "驾照")
    assert reply.action == "clarify"
    # 换证 names 期满换证, and is also a word of 遗失补领's 损毁换证 case: the option named is the pick.
    reply = say(context, "到期了换证")
    assert (reply.action, reply.item) == ("answer", "SF-GA-012")


def test_a_step_not_taken_in_time_is_the_case_told_not_a_hurry(context):
    say(context, "我妈下个月去外省做手术 医保要先备案吗")
    reply = say(context, "要是来不及备案就住进去了呢")
    assert (reply.item, reply.situation) == ("SF-YB-002", "急诊抢救来不及备案")
    assert "手工报销" in reply.text and "加急" not in reply.text


def test_whether_it_can_be_done_together_leads_with_what_the_record_says_of_it(context):
    say(context, "娃上个月出生的 上户口要带啥")  # its cases listed: 婚内, 非婚, 外国人…
    reply = say(context, "医保也要给他交吧 能一起办不")
    assert reply.situation is None or "外国人" not in reply.situation  # no case picked by 一 of 一起
    assert "一件事" in reply.text.split("【")[0]  # said first: 新生儿出生一件事…一并办理


def test_a_child_born_in_another_city_tells_the_case_born_elsewhere(context):
    say(context, "出生医学证明怎么补发")
    reply = say(context, "孩子是在深圳生的")
    assert (reply.item, reply.situation) == ("SF-WJ-002", "在外地出生")


def test_a_complaint_the_hall_takes_in_as_an_errand_gets_that_errand(county_kb_path, tmp_path):
    import json

    data = json.loads(county_kb_path.read_text(encoding="utf-8"))
    data["items"].append(
        {
            "code": "SF-RS-099",
            "name": "农民工欠薪投诉（劳动保障监察投诉）",
            "aliases": ["拖欠工资", "讨薪", "老板不给工资"],
            "department": "示范县人力资源和社会保障局",
            "materials": [{"name": "居民身份证", "form": "原件"}],
        }
    )
    path = tmp_path / "hall.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    context = make_context(StaticKnowledge(load_kb(path)))
    reply = say(context, "在工地干了三个月 老板不给工资 我想投诉他")
    assert (reply.action, reply.item) == ("answer", "SF-RS-099")
    assert say(context, "我要投诉你们窗口的人态度太差").action == "handoff"


def test_another_document_asked_after_a_loss_is_replaced_by_its_own_item(context):
    say(context, "身份证丢了怎么补")
    reply = say(context, "结婚证呢")
    # 补领婚姻登记证 shares no run of characters with 内地居民结婚登记; the aliases name 结婚证 on both.
    assert (reply.action, reply.item) == ("answer", "SF-MZ-003")


def test_another_errand_asked_to_be_the_one_at_hand_is_told_apart(context):
    say(context, "单位给交了生育保险，产假的津贴怎么申请")
    reply = say(context, "给3岁以下小孩每年发的育儿补贴，跟这个是一回事吗")
    assert reply.item == "SF-WJ-003"
    assert reply.text.startswith("不是。")


def test_how_many_trips_where_the_record_lists_no_steps_gets_the_one_trip_block(county):
    items = [
        item.model_copy(update={"process": None}) if item.code == "SF-RS-006" else item
        for item in county.items
    ]
    context = make_context(StaticKnowledge(county.model_copy(update={"items": items})))
    reply = say(context, "养老保险关系转移接续要跑几趟")
    assert (reply.item, reply.field) == ("SF-RS-006", None)
    assert "一次性告知" in reply.text and "暂未登记" not in reply.text
    # With its steps listed, the steps.
    asked = say(make_context(StaticKnowledge(county)), "养老保险关系转移接续要跑几趟")
    assert (asked.item, asked.field) == ("SF-RS-006", "process")


def test_a_word_the_records_rarely_hold_but_this_one_does_keeps_the_follow_up_on_it(context):
    say(context, "买二手房过户要带什么")
    reply = say(context, "那个契税按多少收")
    assert reply.item == "SF-ZR-001" and "契税" in reply.text


def test_someone_away_who_cannot_come_asks_of_the_errand_at_hand(context):
    say(context, "买二手房过户要带什么")
    reply = say(context, "房主在外省上班赶不回来怎么办")
    assert (reply.action, reply.item) == ("answer", "SF-ZR-001")


def test_a_field_asked_of_now_gets_no_opening_hours_first(context):
    reply = say(context, "社保卡现在是不是网上也能办")
    assert reply.action == "clarify" and "正常上班" not in reply.text and "下班" not in reply.text
    assert "正常上班" in say(context, "今天能去办社保卡吗").text  # whether the desk is open today


def test_when_in_the_year_one_may_apply_is_the_period_the_record_sets(context):
    say(context, "教师资格证认定要带什么")
    reply = say(context, "几月份可以申请")
    assert reply.item == "SF-JY-001" and "春" in reply.text.split("\n")[0]
