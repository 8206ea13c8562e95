"""bot.conversation.hall: recognising questions about the hall itself (precision first)."""

import pytest

from bot.conversation.hall import Ask, addresses_hall, day_asked, hall_question, names_hall

NAME = "岷山市政务服务中心（岷山市民之家）"

A = Ask


@pytest.mark.parametrize(
    ("text", "asks", "days", "named"),
    [
        ("你们政务中心在哪里 电话多少", [A.ADDRESS, A.PHONE], [], True),
        ("你们几点上班", [A.HOURS], [], True),
        ("办公时间", [A.HOURS], [], False),
        ("上班时间是几点到几点", [A.HOURS], [], False),
        ("下午几点开门", [A.HOURS], [], False),
        ("今天开门吗", [A.OPEN], ["今天"], False),
        ("明天开不开？", [A.OPEN], ["明天"], False),
        ("周六上班吗", [A.OPEN], ["周六"], False),
        ("拜六有上班无", [A.OPEN], ["周六"], False),  # Hokkien: 拜六 is 周六, a final 无 asks
        ("星期天你们上班不", [A.OPEN], ["星期天"], True),
        ("周末办事大厅开门吗", [A.OPEN], ["周末"], True),
        ("周六周日开门吗", [A.OPEN], ["周六", "周日"], False),
        ("现在有人吗", [A.OPEN], ["现在"], False),
        ("上班了吗", [A.OPEN], [], False),
        ("中午休息吗", [A.LUNCH], [], False),
        ("中午几点上班", [A.LUNCH], [], False),
        ("节假日上班吗", [A.HOLIDAYS], [], False),
        ("国庆放假吗", [A.HOLIDAYS], ["国庆"], False),
        ("春节放假几天", [A.HOLIDAYS], ["春节"], False),
        ("五一你们放到哪天", [A.HOLIDAYS], ["五一"], True),  # how long the break runs
        ("10月1号上班吗", [A.OPEN], ["10月1号"], False),
        ("地址在哪", [A.ADDRESS], [], False),
        ("政务中心在佗位", [A.ADDRESS], [], True),  # Hokkien: 佗位 is 哪里
        ("政务服务中心怎么走", [A.ROUTE], [], True),
        ("坐几路车能到你们那", [A.ROUTE], [], True),
        ("联系方式", [A.PHONE], [], False),
        ("投诉电话多少", [A.COMPLAINT], [], False),
        ("你们官网是什么", [A.WEBSITE], [], True),
        ("网上能办吗", [A.WEBSITE], [], False),
        ("有停车场吗", [A.PARKING], [], False),
        ("有停车的地方不", [A.PARKING], [], False),
        ("你们那停车方便吗", [A.PARKING], [], True),
        ("岷山市民之家几点开门", [A.HOURS], [], True),
        ("岷山政务中心在哪", [A.ADDRESS], [], True),
        ("請問你們中心電話", [A.PHONE], [], True),
        ("你好，几点上班", [A.HOURS], [], False),
        ("星期六可以去吗", [A.OPEN], ["星期六"], False),
        # The trip told beside the question: nothing more asked.
        ("几点开始上班啊，我想赶早去排队", [A.HOURS, A.OPEN], [], False),
        ("现在过去还来得及吗", [A.OPEN], ["现在"], False),
        ("那大厅别的业务周六也办吗", [A.OPEN], ["周六"], True),  # the hall's other desks
    ],
    ids=[
        "address-and-phone",
        "hours-named",
        "hours-bare",
        "hours-range",
        "afternoon",
        "today",
        "tomorrow",
        "saturday",
        "saturday-hokkien",
        "sunday-named",
        "weekend-hall",
        "two-days",
        "now",
        "open-now",
        "lunch",
        "lunch-hours",
        "holidays",
        "national-day",
        "spring-festival-length",
        "labour-day-until",
        "date",
        "address",
        "address-hokkien",
        "route",
        "bus",
        "contact",
        "complaint-phone",
        "website",
        "online",
        "parking",
        "parking-place",
        "parking-easy",
        "hall-alias",
        "hall-place-shorthand",
        "traditional-characters",
        "greeting-is-not-naming",
        "can-i-come-saturday",
        "hours-and-the-trip",
        "still-in-time-now",
        "other-desks-saturday",
    ],
)
def test_hall_questions(text, asks, days, named):
    question = hall_question(text, NAME)
    assert question is not None
    assert list(question.asks) == asks
    assert [day.words for day in question.days] == days
    assert question.names_hall is named


@pytest.mark.parametrize(
    "text",
    [
        "身份证在哪办",
        "护照要多少钱",
        "身份证几点能办",
        "公积金几点下班",
        "社保电话多少",
        "民政局在哪",
        "派出所电话",
        "厕所在哪",
        "7号窗口在哪",
        "要多长时间",
        "几天能拿到",
        "周六能办身份证吗",
        "你们这里能办护照吗",
        "车位产权怎么办",
        "停车证怎么办理",
        "需要带什么材料",
        "有人吗",
        "在吗",
        "你好",
        "可以办吗",
        "我要投诉",
        "人工",
        "今天",
        "怎么办",
        "身份证号码填错了",
    ],
    ids=[
        "id-card-where",
        "passport-fee",
        "id-card-when",
        "fund-hours",
        "social-security-phone",
        "other-office",
        "police-station",
        "toilet",
        "window",
        "time-limit",
        "days",
        "service-on-saturday",
        "service-here",
        "parking-space-property",
        "parking-permit",
        "materials",
        "greeting",
        "anyone-there",
        "hello",
        "can-i",
        "complaint-handoff",
        "human",
        "bare-day",
        "how",
        "id-number",
    ],
)
def test_not_hall_questions(text):
    assert hall_question(text, NAME) is None


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("你们中心在哪", True),
        ("政务大厅", True),
        ("岷山市民之家电话", True),
        ("身份证在哪办", False),
        ("在哪", False),
        ("你们能办护照吗", False),
    ],
    ids=["center", "hall-alone", "hall-name", "service", "bare-follow-up", "service-here"],
)
def test_names_hall(text, named):
    assert names_hall(text, NAME) is named


def test_without_hall_name_the_place_is_a_leftover():
    assert hall_question("岷山政务中心在哪") is None
    assert hall_question("政务中心在哪") is not None


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("今天可以办护照吗", True),
        ("明天能去办社保卡吗", True),
        ("周六可以办营业执照吗", True),
        ("身份证丢了怎么补办", False),
        ("明天要交材料吗", False),
        # A voice story without punctuation: 上班 is the citizen's job, 过年 a plan far from it.
        ("我在这边厂里上班昨天钱包被人偷了身份证也在里面过两个月要回老家过年怎么办", False),
    ],
    ids=["today-passport", "tomorrow-card", "saturday-licence", "no-day", "day-but-no-can-do", "far-apart"],
)
def test_a_day_asked_beside_a_service(text, asked):
    found = day_asked(text)
    assert (found is not None) == asked
    if found is not None:
        assert found.asks == (Ask.OPEN,) and found.days


@pytest.mark.parametrize(
    ("text", "ask"),
    [
        ("对了你们中午休息不", Ask.LUNCH),  # 对了 opens a side question, it asks nothing
        ("顺便问下你们几点下班", Ask.HOURS),
        ("你们门口好停车不", Ask.PARKING),  # 门口: the hall's surroundings
        ("附近有停车场吗", Ask.PARKING),
        ("你们几点开门 我已经在门口了", Ask.HOURS),  # 已经 tells, it asks nothing
        ("你们大厅的总电话是多少", Ask.PHONE),  # the switchboard is the hall's phone
    ],
    ids=[
        "by-the-way-lunch",
        "by-the-way-hours",
        "parking-at-the-door",
        "parking-nearby",
        "already-at-the-door",
        "switchboard",
    ],
)
def test_side_questions_about_the_hall(text, ask):
    asked = hall_question(text, "示范县政务服务中心")
    assert asked is not None and ask in asked.asks


def test_speaking_to_the_hall_or_pointing_at_a_place():
    assert addresses_hall("你们中午休息吗") and addresses_hall("政务中心几点开门")
    assert addresses_hall("示范县几点上班", "示范县政务服务中心")
    assert not addresses_hall("那边几点上班") and not addresses_hall("这里周六开吗")


def test_now_beside_a_time_gone_by_asks_whether_it_is_too_late() -> None:
    assert day_asked("现在能去办社保卡吗") is not None
    assert day_asked("去年12月忘交了 现在还能补不") is None
    # How long the citizen has been here, then 现在: whether it is possible yet, not whether the desk is open.
    assert day_asked("我是来上班的 才过来一个多月 现在能办不") is None
    assert day_asked("在这住了半年了，现在可以办了吗") is None


def test_a_birth_date_is_no_day_to_come() -> None:
    assert day_asked("娃是9月2号生的 今年能报不") is None
    assert day_asked("9月2号能去办吗") is not None


def test_a_phone_to_do_it_on_is_no_phone_number_asked() -> None:
    assert hall_question("手机上能查不", "示范县政务服务中心") is None
    asked = hall_question("你们的手机号是多少", "示范县政务服务中心")
    assert asked is not None and Ask.PHONE in asked.asks


def test_a_day_told_as_a_plan_is_not_the_day_asked_about() -> None:
    assert day_asked("今天可以办护照吗") is not None
    assert day_asked("今天周六，能办吗") is not None  # the day, then the question
    # 过年 is when they travel; whether they can apply here is asked clauses later.
    plan = "俺们两口子在这边厂里干了十来年，过年想出国看看闺女，她在日本读书，俺户口在老家，能在恁这办护照不"
    assert day_asked(plan) is None


def test_the_citizens_own_work_is_no_day_asked() -> None:
    assert day_asked("现在回老家上班了，社保怎么转") is None
    assert day_asked("我在厂里上班，今天能去办吗") is not None  # 今天能去办 still asks
    assert day_asked("明天你们上班吗") is not None


def test_you_in_dialect_addresses_the_hall() -> None:
    for text in ("恁大厅在哪？开车去好停车不", "恁几点下班", "侬几点开门"):
        asked = hall_question(text, "平川县政务服务中心")
        assert asked is not None and asked.names_hall, text
    assert hall_question("恁那能办身份证不", "平川县政务服务中心") is None  # a service named


def test_a_day_alone_asks_whether_the_desks_work_then() -> None:
    for text in ("周六?", "明天呢", "礼拜天？", "春节呢"):
        asked = hall_question(text)
        assert asked is not None and Ask.OPEN in asked.asks and asked.days, text
    assert hall_question("周六 身份证") is None  # a service named beside the day
    assert hall_question("礼拜天") is None  # not asked: it may tell when something happened


def test_the_latest_time_to_come_and_the_days_around_a_holiday_ask_the_hall() -> None:
    latest = hall_question("上午最迟几点以前到")
    assert latest is not None and Ask.HOURS in latest.asks
    holiday = hall_question("国庆那几天开门不")
    assert holiday is not None and Ask.OPEN in holiday.asks and holiday.days
    # 几天 of how long an errand takes is still no hall question.
    assert hall_question("要办几天") is None
