"""bot.conversation.engine.respond: answers, situations, picks, follow-ups, paging, ratings, handoffs,
events."""

import datetime as dt
import itertools

import pytest

from bot.conversation import answers
from bot.conversation.engine import (
    HELP,
    NO_CHOICE,
    NOT_FOUND,
    NOT_TEXT,
    VOICE_NOT_RECOGNISED,
    Context,
    respond,
)
from bot.conversation.hours import CHINA, parse_hours
from bot.conversation.knowledge import Knowledge, StaticKnowledge
from bot.conversation.messages import Message, Reply
from bot.conversation.records import MemoryRecorder
from bot.conversation.state import MemoryStore
from bot.matching.decision import Decision, Turn
from knowledge.schema import Hall, Item, KnowledgeBase, load_kb

OPEN = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CHINA)  # Monday 10:00
CLOSED = dt.datetime(2026, 11, 28, 10, 0, tzinfo=CHINA)  # Saturday 10:00
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def county(county_kb_path) -> KnowledgeBase:
    return load_kb(county_kb_path)


@pytest.fixture(scope="module")
def knowledge(county) -> StaticKnowledge:
    return StaticKnowledge(county)


def make_context(knowledge, now: dt.datetime = OPEN) -> Context:
    return Context(knowledge=knowledge, store=MemoryStore(), recorder=MemoryRecorder(), clock=lambda: now)


@pytest.fixture
def context(knowledge) -> Context:
    return make_context(knowledge)


def say(context: Context, text: str, openid: str = "oCitizen") -> Reply:
    return respond(Message(kind="text", openid=openid, text=text, msg_id=str(next(_ids))), context)


def event(context: Context, name: str, key: str | None = None, openid: str = "oCitizen") -> Reply:
    message = Message(kind="event", openid=openid, event=name, event_key=key, create_time=next(_ids))
    return respond(message, context)


def test_answer_names_the_situation_the_question_implies(context):
    reply = say(context, "身份证丢了怎么补办")
    assert reply.kind == "text"
    assert reply.text.startswith("【居民身份证补领（丢失、损坏）】\n情形：丢失、被盗补领\n一次性告知")


def test_situation_is_asked_with_numbers_then_picked(context, county):
    item = county.item("SF-GA-006")
    question = say(context, "户口迁入需要什么材料")
    assert question.text == answers.situation_question(item)
    picked = say(context, "5")
    assert picked.text.startswith(f"【{item.name}】\n情形：{item.situations[4].name}")
    assert "房屋租赁登记备案证明" in picked.text


def test_situation_zero_gives_the_general_materials(context, county):
    say(context, "户口迁入需要什么材料")
    reply = say(context, "0")
    assert (
        reply.text.startswith("【户口迁入（投靠、购房、就业等）】\n申请材料：") and "情形" not in reply.text
    )


def test_clarification_by_number(context):
    question = say(context, "提取公积金")
    assert question.text.startswith("您想办理的是以下哪一项？")
    lines = question.text.split("\n")
    number = next(line.split(". ")[0] for line in lines if line.endswith("住房公积金提取（租赁住房）"))
    picked = say(context, number)
    assert "【住房公积金提取（租赁住房）】" in picked.text


def test_field_follow_up_keeps_the_item(context):
    say(context, "社保卡在哪办")
    reply = say(context, "要多少钱")
    assert reply.text.startswith("【社会保障卡申领】\n收费标准：")
    assert reply.text.rsplit("\n", 1)[1].startswith("还可以问：")


def test_stray_number_is_not_a_question(context):
    assert say(context, "2").text == NO_CHOICE
    assert context.recorder.questions == []


def _long_kb() -> KnowledgeBase:
    materials = [{"name": f"第{n}项证明材料" + "说明" * 30, "form": "原件"} for n in range(1, 41)]
    item = Item.model_validate(
        {
            "code": "T-1",
            "name": "超长材料事项",
            "aliases": ["超长事项"],
            "department": "测试局",
            "materials": materials,
        }
    )
    other = Item.model_validate(
        {"code": "T-2", "name": "另一个事项", "department": "测试局", "materials": []}
    )
    return KnowledgeBase(
        format="guidebot-kb/1", hall=Hall(name="测试大厅", phone="0999-1"), items=[item, other]
    )


def test_long_answer_pages_with_1():
    context = make_context(StaticKnowledge(_long_kb()))
    first = say(context, "超长材料事项")
    assert first.text.endswith(answers.MORE_MATERIALS)
    pages = [say(context, "1").text]
    while pages[-1].endswith(answers.NEXT_PAGE):
        pages.append(say(context, "1").text)
    assert len(pages) > 1 and "40. 第40项证明材料" in pages[-1]
    assert all(answers.size(page) <= answers.LIMIT for page in pages)


def test_rating_after_an_answer_is_stored_per_item(context):
    say(context, "社保卡在哪办")
    assert say(context, "评价 5").text.startswith("感谢您的评价")
    assert say(context, "评价５").text.startswith("请在收到办事解答后再评价")  # one rating per answer
    assert [(r["item_code"], r["score"]) for r in context.recorder.ratings] == [("SF-RS-001", 5)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("评价 5", "请在收到办事解答后再评价"),
        ("评价 9", "请回复“评价”加1到5的数字"),
    ],
    ids=["nothing-to-rate", "out-of-range"],
)
def test_rating_refusals(context, text, expected):
    assert say(context, text).text.startswith(expected)
    assert context.recorder.ratings == []


@pytest.mark.parametrize(
    ("now", "kind"), [(OPEN, "transfer"), (CLOSED, "text")], ids=["inside-hours", "outside"]
)
def test_human_handoff_depends_on_service_hours(knowledge, now, kind):
    context = make_context(knowledge, now)
    reply = say(context, "转人工")
    assert reply.kind == kind
    if kind == "text":
        assert "人工服务时间为周一至周五 9:00-12:00，13:30-17:30" in reply.text
        assert "下次在线时间：周一 9:00" in reply.text and "0999-1234567" in reply.text
    assert context.recorder.questions[-1]["reason"] == "human"


def test_complaint_outside_hours_gives_the_complaint_phone(knowledge):
    reply = say(make_context(knowledge, CLOSED), "我要投诉窗口工作人员")
    assert "投诉请拨打 0999-7654321" in reply.text


def test_configured_service_hours_override_the_hall(knowledge):
    context = make_context(knowledge, CLOSED)
    context.service_hours = parse_hours("每天 8:00-20:00")
    assert say(context, "人工").kind == "transfer"
    context.service_hours = None
    assert "0999-1234567" in say(context, "人工").text


class _ScriptedMatcher:
    """A matcher that returns the given decision, for reasons hard to provoke with real questions."""

    def __init__(self, items: list[Item], *decisions: Decision) -> None:
        self.items, self.decisions = items, list(decisions)

    def decide(self, text: str, previous: Turn | None = None) -> Decision:
        return self.decisions.pop(0)

    def turn_after(self, text: str, decision: Decision, previous: Turn | None = None) -> Turn:
        return Turn.after(decision, previous)

    def item(self, code: str) -> Item:
        return next(item for item in self.items if item.code == code)

    def prepare(self, text: str) -> str:
        return text


def scripted(county, *decisions: Decision, now: dt.datetime = OPEN) -> Context:
    knowledge = Knowledge(matcher=_ScriptedMatcher(county.items, *decisions), hall=county.hall)  # type: ignore[arg-type]
    return make_context(lambda: knowledge, now)


OUT = Decision("handoff", reason="out_of_scope", score=0.05)
ANSWER = Decision("answer", item="SF-RS-001", field="location", score=0.9)


def test_second_unanswered_question_in_a_row_goes_to_people(county):
    context = scripted(county, OUT, OUT, now=CLOSED)
    assert say(context, "今天天气怎么样").text == NOT_FOUND
    second = say(context, "火星移民怎么申请")
    assert second.text.startswith("抱歉，这个问题我暂时回答不了") and "0999-1234567" in second.text
    assert [q["reason"] for q in context.recorder.questions] == ["out_of_scope", "out_of_scope"]


def test_second_unanswered_question_inside_hours_is_transferred(county):
    context = scripted(county, OUT, OUT)
    assert say(context, "今天天气怎么样").text == NOT_FOUND
    assert say(context, "火星移民怎么申请").kind == "transfer"


def test_an_answer_resets_the_unanswered_streak(county):
    context = scripted(county, OUT, ANSWER, OUT)
    assert say(context, "今天天气怎么样").text == NOT_FOUND
    assert say(context, "社保卡在哪办").text.startswith("【社会保障卡申领】")
    assert say(context, "今天天气怎么样").text == NOT_FOUND


def test_real_matcher_out_of_scope_is_not_answered(context):
    reply = say(context, "今天天气怎么样")
    assert reply.kind in ("text", "transfer") and not reply.text.startswith("【")


def test_low_confidence_goes_to_people_at_once(county):
    decision = Decision("handoff", reason="low_confidence", score=0.3, scores=(("SF-GA-003", 0.3),))
    context = scripted(county, decision)
    assert say(context, "那个证怎么弄").kind == "transfer"
    assert context.recorder.questions[0]["candidates"] == [["SF-GA-003", 0.3]]


def test_questions_are_recorded_masked(context):
    say(context, "我的身份证110101199003074514丢了怎么办，电话13912345678")
    text = context.recorder.questions[0]["text"]
    assert "110101199003074514" not in text and "13912345678" not in text
    assert context.recorder.questions[0]["openid_hash"] != "oCitizen"


def test_subscribe_welcome_offers_numbered_common_items(context):
    welcome = event(context, "subscribe")
    assert welcome.text.startswith("您好，欢迎关注示范县政务服务中心！") and "1. " in welcome.text
    second_name = welcome.text.split("2. ", 1)[1].split("\n", 1)[0]
    assert f"【{second_name}】" in say(context, "2").text


def test_most_asked_items_lead_the_common_list(context):
    for _ in range(3):
        say(context, "社保卡在哪办", openid="oOther")
    listing = event(context, "click", "COMMON")
    assert listing.text.startswith("常办事项") and "1. 社会保障卡申领" in listing.text


def test_unsubscribe_forgets_the_citizen(context):
    say(context, "社保卡在哪办")
    assert context.store.load("oCitizen") is not None
    assert event(context, "unsubscribe").kind == "empty"
    assert context.store.load("oCitizen") is None


@pytest.mark.parametrize(
    ("key", "check"),
    [
        ("ITEM:SF-RS-004", lambda r: r.text.startswith("【失业保险金申领】")),
        ("ITEM:NO-SUCH", lambda r: r.text == HELP),
        ("HUMAN", lambda r: r.kind == "transfer"),
        ("SOMETHING", lambda r: r.text == HELP),
    ],
    ids=["item", "unknown-item", "human", "unknown-key"],
)
def test_menu_clicks(context, key, check):
    assert check(event(context, "click", key))


@pytest.mark.parametrize("name", ["view", "location", "scancode_waitmsg", "templatesendjobfinish"])
def test_other_events_get_nothing(context, name):
    assert event(context, name, "x") == Reply.nothing()


@pytest.mark.parametrize(
    ("kind", "recognition", "expected"),
    [
        ("image", None, NOT_TEXT),
        ("video", None, NOT_TEXT),
        ("location", None, NOT_TEXT),
        ("link", None, NOT_TEXT),
        ("voice", None, VOICE_NOT_RECOGNISED),
        ("unknown", None, ""),
    ],
    ids=["image", "video", "location", "link", "voice-without-recognition", "unknown"],
)
def test_other_message_kinds(context, kind, recognition, expected):
    reply = respond(Message(kind=kind, openid="oCitizen", msg_id="9", recognition=recognition), context)
    assert reply.text == expected and reply.kind == ("empty" if kind == "unknown" else "text")


def test_voice_uses_the_recognition(context):
    message = Message(kind="voice", openid="oCitizen", msg_id="10", recognition="社保卡在哪办。")
    assert respond(message, context).text.startswith("【社会保障卡申领】")


def test_greeting_gets_help(context):
    assert say(context, "你好").text == HELP


class _DownStore(MemoryStore):
    def load(self, key):
        raise ConnectionError("store down")

    def save(self, key, data):
        raise ConnectionError("store down")


class _DownRecorder(MemoryRecorder):
    def question(self, question):
        raise ConnectionError("database down")

    def most_asked(self, limit):
        raise ConnectionError("database down")


def test_answers_survive_a_store_and_recorder_outage(knowledge):
    context = Context(knowledge=knowledge, store=_DownStore(), recorder=_DownRecorder(), clock=lambda: OPEN)
    assert say(context, "社保卡在哪办").text.startswith("【社会保障卡申领】")
    assert event(context, "subscribe").text.startswith("您好，欢迎关注")
