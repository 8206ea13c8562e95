"""bot.conversation.answers: 一次性告知 texts within 2047 bytes, field answers with a hint, paging,
questions."""

import pytest
import xmltodict

from bot.conversation import answers
from bot.conversation.messages import Message, Reply
from bot.wechat import protocol as wechat
from knowledge.schema import Hall, Item, load_kb

HALL = Hall(
    name="示范县政务服务中心", address="示范县人民路88号", hours="周一至周五 9:00-17:00", phone="0999-1234567"
)
MESSAGE = Message(kind="text", openid="oCitizen", text="q", msg_id="1", account="gh_x")


def make_item(**changes) -> Item:
    data = {
        "code": "T-001",
        "name": "测试事项",
        "department": "测试局",
        "materials": [
            {"name": "居民身份证", "form": "原件"},
            {"name": "申请表", "form": "原件", "copies": 2},
        ],
        "time_limit": {"promised": "即办", "legal": "20个工作日"},
        "fee": {"free": True},
        "windows": [{"name": "综合窗口", "number": "8号", "location": "一楼"}],
        "visits": 1,
    }
    data.update(changes)
    return Item.model_validate(data)


def as_delivered(text: str) -> str:
    """What WeChat shows after our reply XML is parsed: also proves the XML is valid."""
    return xmltodict.parse(wechat.render_reply(Reply.say(text), MESSAGE))["xml"]["Content"]


@pytest.fixture(scope="module")
def county(county_kb_path):
    return load_kb(county_kb_path)


def test_every_county_answer_fits_and_renders(county):
    for item in county.items:
        for situation in [None, *(item.situations or [])]:
            answer = answers.overview(item, county.hall, situation)
            for text in (answer.text, *answer.pages):
                assert answers.size(text) <= answers.LIMIT, (item.code, situation)
                assert as_delivered(text) == text
            for field in answers.FIELD_LABELS:
                text = answers.field_answer(item, field, county.hall, situation).text
                assert answers.size(text) <= answers.LIMIT and as_delivered(text) == text


def test_guangdong_overviews_fit(guangdong_kb_path):
    kb = load_kb(guangdong_kb_path)
    for item in kb.items:
        answer = answers.overview(item, kb.hall)
        assert all(answers.size(text) <= answers.LIMIT for text in (answer.text, *answer.pages)), item.code


def test_overview_is_the_one_time_checklist(county):
    item = county.item("SF-GA-003")
    text = answers.overview(item, county.hall).text
    for expected in (
        "【居民身份证补领（丢失、损坏）】",
        "一次性告知",
        "所需材料",
        "1. ",
        "办理时限：",
        "收费：",
        "办理地点：",
        "办公时间：",
        "咨询电话：0999-6211001",
        "网上办理：",
        "到现场：最多跑1次",
        "评价 5",
    ):
        assert expected in text


def test_situation_materials_are_added_once():
    item = make_item(
        situations=[
            {
                "name": "代办",
                "materials": [{"name": "居民身份证", "form": "原件"}, {"name": "委托书", "form": "原件"}],
                "note": "代办人须携带本人身份证。",
            }
        ]
    )
    text = answers.overview(item, HALL, item.situations[0]).text
    assert "情形：代办" in text and "提示：代办人须携带本人身份证。" in text
    assert text.count("居民身份证") == 1 and "3. 委托书（原件）" in text


def test_long_answer_is_paged_not_cut():
    materials = [
        {
            "name": f"第{n}项证明材料" + "说明" * 30,
            "form": "原件及复印件",
            "copies": 2,
            "note": "注意]]>事项" * 5,
        }
        for n in range(1, 41)
    ]
    item = make_item(materials=materials, conditions="条件" * 300)
    answer = answers.overview(item, HALL)
    assert answer.text.endswith(answers.MORE_MATERIALS)
    assert answers.size(answer.text) <= answers.LIMIT and "所需材料（共40项）" in answer.text
    assert "办理时限：" in answer.text and "咨询电话：0999-1234567" in answer.text  # essentials kept
    assert len(answer.pages) > 1
    joined = "\n".join(answer.pages)
    for n in range(1, 41):
        assert f"{n}. 第{n}项证明材料" in joined  # nothing lost
    for number, page in enumerate(answer.pages, 1):
        assert answers.size(page) <= answers.LIMIT and as_delivered(page) == page
        assert f"（第{number}/{len(answer.pages)}页）" in page
    assert all(page.endswith(answers.NEXT_PAGE) for page in answer.pages[:-1])


def test_long_field_answer_offers_the_rest():
    item = make_item(materials=[{"name": f"材料{n}" + "很长" * 40} for n in range(30)])
    answer = answers.field_answer(item, "materials", HALL)
    assert answer.text.endswith(answers.MORE_MATERIALS) and answers.size(answer.text) <= answers.LIMIT
    assert answer.pages and "材料29" in answer.pages[-1]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("fee", "收费标准：不收费"),
        ("time_limit", "办理时限：承诺即办，法定20个工作日"),
        ("location", "办理地点：综合窗口8号（一楼），示范县人民路88号"),
        ("hours", "办公时间：周一至周五 9:00-17:00"),
        ("phone", "咨询电话：0999-1234567"),
        ("materials", "申请材料：\n1. 居民身份证（原件）\n2. 申请表（原件，2份）"),
        ("process", "办理流程：暂未登记办理流程信息，请咨询 0999-1234567"),
        ("basis", "设定依据：暂未登记设定依据信息，请咨询 0999-1234567"),
    ],
    ids=[
        "fee",
        "time-limit",
        "location",
        "hall-hours",
        "hall-phone",
        "materials",
        "missing-process",
        "missing-basis",
    ],
)
def test_field_answers_with_hint(field, expected):
    text = answers.field_answer(make_item(), field, HALL).text
    assert text.startswith("【测试事项】\n" + expected)
    hint = text.rsplit("\n", 1)[1]
    assert hint.startswith("还可以问：") and answers._HINT_WORDS.get(field, "@") not in hint


def test_paid_fee_carries_its_basis():
    item = make_item(fee={"free": False, "text": "每证20元", "basis": "价格文件"})
    assert "收费标准：\n每证20元\n收费依据：价格文件" in answers.field_answer(item, "fee", HALL).text


def test_a_free_item_says_what_its_record_adds():
    free = make_item(fee={"free": True, "text": "参保登记不收费；个人缴费每人每年400元"})
    assert "每人每年400元" in answers.field_answer(free, "fee", HALL).text
    plain = make_item(fee={"free": True, "text": "不收费"})
    assert "不收费（免费办理）" in answers.field_answer(plain, "fee", HALL).text


def test_numbered_questions():
    item = make_item(situations=[{"name": "本人办理", "materials": []}, {"name": "代办", "materials": []}])
    question = answers.situation_question(item)
    assert "1. 本人办理\n2. 代办" in question and "回复 0" in question
    clarify = answers.clarify_question([f"事项{n}" for n in range(1, 9)])
    assert "5. 事项5" in clarify and "6. " not in clarify and "人工" in clarify


def test_fit_cuts_at_a_character_boundary():
    text = answers.fit("办" * 1000, 100)
    assert answers.size(text) <= 100 and text.endswith("…")


def test_the_steps_say_how_many_trips_they_take():
    item = make_item(process=["提交申请", "30日冷静期", "期满后再次到场领证"], visits=2)
    text = answers.field_text(item, "process", HALL)
    assert text == "1. 提交申请\n2. 30日冷静期\n3. 期满后再次到场领证\n到现场：最多跑2次"
    # Without steps the record does not tell the process: the trips alone are no answer to it.
    assert answers.field_text(make_item(visits=1), "process", HALL) is None


def test_conditions_carry_the_citizens_own_case_terms():
    from knowledge.schema import Situation

    item = make_item(conditions="租房自住的可申请提取。")
    case = Situation(name="未办理租赁备案", materials=[], note="每人每月最高1000元。")
    text = answers.field_text(item, "conditions", HALL, case)
    assert text == "租房自住的可申请提取。\n未办理租赁备案：每人每月最高1000元。"
    assert answers.field_text(item, "conditions", HALL) == "租房自住的可申请提取。"
