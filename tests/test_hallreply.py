"""bot.conversation.hallreply: answers about the hall itself, dated, from the hall record or an item."""

import datetime as dt

import pytest

from bot.conversation.hall import hall_question
from bot.conversation.hallreply import LIMIT, hall_reply
from bot.conversation.holidays import load_calendar
from bot.conversation.hours import CHINA
from knowledge.schema import Hall, Item, Online, Window

COUNTY = Hall(
    name="示范县政务服务中心",
    address="示范县人民路88号",
    hours="周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）",
    phone="0999-1234567",
    complaint_phone="0999-7654321",
    website="https://zwfw.example.gov.cn",
)
SATURDAY = Hall(
    name="青禾区政务服务中心",
    address="青禾区长安路1号",
    hours=(
        "周一至周五 9:00-12:00，14:00-17:30；周六 9:00-12:00 户籍、社保、公积金窗口延时服务；"
        "周日及法定节假日休息"
    ),
    phone="0777-5550000",
)
BARE = Hall(name="某镇便民服务中心", phone="0888-1111111")
PASSPORT = Item(
    code="T-1",
    name="普通护照申请",
    department="公安局",
    materials=[],
    windows=[Window(name="出入境窗口", number="7号")],
    hours="周一至周五 9:00-17:30（中午不休息）；周六 9:00-12:00（仅受理出入境证件，法定节假日除外）",
    phone="0999-6211002",
    online=Online(available=True, url="https://zwfw.example.gov.cn/item/T-1", note="须本人到场。"),
)
BIRTH = Item(
    code="T-2", name="出生医学证明补发", department="卫健局", materials=[], address="示范县健康路16号"
)


@pytest.fixture(scope="module")
def calendar():
    return load_calendar()


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHINA)


def reply(text, calendar, now, hall=COUNTY, item=None):
    question = hall_question(text, hall.name)
    assert question is not None, text
    answer = hall_reply(question, hall, now, calendar, item)
    assert len(answer.encode("utf-8")) <= LIMIT
    return answer


@pytest.mark.parametrize(
    ("text", "now", "hall", "item", "expected"),
    [
        (
            "今天开门吗",
            at(10, 1),
            COUNTY,
            None,
            ["今天（10月1日，周四）休息", "国庆节放假", "10月8日（周四）起正常上班"],
        ),
        ("明天上班吗", at(9, 30), COUNTY, None, ["明天（10月1日，周四）休息", "10月8日（周四）起正常上班"]),
        (
            "国庆放假吗",
            at(9, 10),
            COUNTY,
            None,
            # the holiday, then the usual week
            ["国庆节放假（10月1日至10月7日），10月8日（周四）起正常上班", "平时办公时间：周一至周五"],
        ),
        (
            "春节放假几天",
            at(1, 10),
            COUNTY,
            None,
            ["春节放假（2月15日至2月23日），2月24日（周二）起正常上班"],
        ),
        (
            "今天上班吗",
            at(10, 10, 8),
            COUNTY,
            None,
            ["今天（10月10日，周六）是调休上班日", "正常办公：9:00-12:00，13:30-17:30"],
        ),
        ("9月20日上班吗", at(9, 15), COUNTY, None, ["9月20日（周日）是调休上班日"]),
        ("周六上班吗", at(11, 23), COUNTY, None, ["周六（11月28日）休息", "11月30日（周一）9:00起正常办公"]),
        (
            "周六上班吗",
            at(11, 23),
            SATURDAY,
            None,
            ["周六（11月28日）也上班：9:00-12:00", "户籍、社保、公积金窗口延时服务"],
        ),
        ("周六上班吗", at(9, 28), SATURDAY, None, ["周六（10月3日）休息，国庆节放假"]),
        (
            "周六上班吗",
            at(11, 23),
            COUNTY,
            PASSPORT,
            ["出入境窗口周六（11月28日）也上班", "仅受理出入境证件"],
        ),
        ("星期天开不开", at(11, 23), SATURDAY, None, ["星期天（11月29日）休息", "11月30日（周一）9:00"]),
        ("你们几点上班", at(11, 23), COUNTY, None, ["办公时间：周一至周五 9:00-12:00，13:30-17:30"]),
        ("几点上班", at(10, 2), COUNTY, None, ["办公时间：", "今天休息，国庆节放假"]),
        ("中午休息吗", at(11, 23), COUNTY, None, ["中午12:00-13:30休息，13:30开始下午办公"]),
        ("中午休息吗", at(11, 23), COUNTY, PASSPORT, ["出入境窗口中午不休息，9:00-17:30连续办公"]),
        ("现在有人吗", at(11, 23, 12, 30), COUNTY, None, ["现在是午休时间，13:30开始下午办公"]),
        ("现在有人吗", at(11, 23, 19), COUNTY, None, ["今天17:30已下班", "明天（11月24日，周二）9:00"]),
        ("现在开门吗", at(10, 3, 9), COUNTY, None, ["今天休息，国庆节放假", "10月8日（周四）起正常上班"]),
        ("上班了吗", at(11, 23, 9, 30), COUNTY, None, ["现在正在办公，今天17:30下班（中午12:00-13:30休息）"]),
        (
            "节假日上班吗",
            at(9, 10),
            COUNTY,
            None,
            ["法定节假日休息，调休上班日正常办公", "最近的假期：中秋节放假"],
        ),
        ("节假日上班吗", at(11, 23), COUNTY, None, ["法定节假日休息"]),
        ("你们政务中心在哪里 电话多少", at(11, 23), COUNTY, None, ["地址：示范县人民路88号", "0999-1234567"]),
        ("在哪", at(11, 23), COUNTY, BIRTH, ["示范县健康路16号"]),
        ("怎么走", at(11, 23), COUNTY, None, ["示范县人民路88号", "地图App", "示范县政务服务中心"]),
        ("电话多少", at(11, 23), COUNTY, PASSPORT, ["出入境窗口咨询电话：0999-6211002"]),
        ("投诉电话多少", at(11, 23), COUNTY, None, ["投诉电话：0999-7654321"]),
        ("投诉电话多少", at(11, 23), BARE, None, ["没有单独的投诉电话", "0888-1111111", "12345"]),
        ("网站是多少", at(11, 23), COUNTY, None, ["https://zwfw.example.gov.cn"]),
        ("网上能办吗", at(11, 23), COUNTY, PASSPORT, ["可以网上办理", "item/T-1", "须本人到场"]),
        ("网站是多少", at(11, 23), BARE, None, ["没有网上办事的网址", "0888-1111111"]),
        ("有停车场吗", at(11, 23), COUNTY, None, ["没有停车方面的信息", "0999-1234567"]),
        ("在哪", at(11, 23), BARE, None, ["没有写地址", "0888-1111111"]),
        ("几点上班", at(11, 23), BARE, None, ["没有写办公时间", "0888-1111111"]),
    ],
    ids=[
        "holiday-today",
        "holiday-tomorrow",
        "named-holiday",
        "spring-festival-nine-days",
        "makeup-today",
        "makeup-date",
        "closed-saturday",
        "saturday-mornings-with-services",
        "saturday-hall-on-holiday",
        "item-open-on-saturday",
        "sunday",
        "hours",
        "hours-on-a-holiday",
        "lunch",
        "item-without-lunch",
        "now-lunch",
        "now-evening",
        "now-holiday",
        "open-now",
        "holidays-with-next",
        "holidays-none-known-soon",
        "address-and-phone",
        "item-address",
        "route",
        "item-phone",
        "complaint",
        "no-complaint-phone",
        "website",
        "item-online",
        "no-website",
        "parking-honest",
        "no-address",
        "no-hours",
    ],
)
def test_reply(calendar, text, now, hall, item, expected):
    answer = reply(text, calendar, now, hall, item)
    for part in expected:
        assert part in answer, answer


def test_without_calendar_only_the_weekly_pattern(calendar):
    question = hall_question("今天开门吗")
    answer = hall_reply(question, COUNTY, at(10, 1))
    assert answer.startswith("今天（10月1日，周四）正常上班")
    assert "法定节假日休息。" in hall_reply(hall_question("节假日上班吗"), COUNTY, at(10, 1))


def test_holiday_not_yet_published_is_told_from_the_law_with_a_caveat(calendar):
    # 2027's notice is not out: the law's days (除夕 to 初三), and the notice named as the authority.
    answer = reply("过年开门吗", calendar, at(11, 10))
    assert answer.startswith("春节放假（2月5日至2月8日），2月9日（周二）起正常上班")
    assert "以国务院办公厅当年通知为准" in answer
    # A year the package knows needs no caveat.
    assert "通知为准" not in reply("国庆节上班吗", calendar, at(9, 20))


def test_weekend_answers_both_days(calendar):
    answer = reply("周末上班吗", calendar, at(11, 23), SATURDAY)
    assert answer.splitlines()[0].startswith("周六（11月28日）也上班")
    assert answer.splitlines()[1].startswith("周日（11月29日）休息")


def test_a_part_of_a_day_the_hall_keeps_closed_says_when_it_opens(calendar):
    # 2026-11-28 is a Saturday, open 9:00-12:00 only.
    afternoon = reply("周六下午开门吗", calendar, at(11, 23), SATURDAY)
    assert afternoon.startswith("周六（11月28日）下午不办公（当天办公时间：9:00-12:00），")
    assert "11月30日（周一）9:00起可以办理" in afternoon
    # The morning is open: the usual day line.
    assert reply("周六上午开门吗", calendar, at(11, 23), SATURDAY).startswith("周六（11月28日）也上班")


def test_weekend_lunch_differs(calendar):
    item = PASSPORT.model_copy(update={"hours": "周一至周五 9:00-17:30；周六、周日 9:00-12:00，14:00-17:00"})
    answer = reply("中午休息吗", calendar, at(11, 23), COUNTY, item)
    assert "出入境窗口工作日中午不休息，9:00-17:30连续办公" in answer
    assert "出入境窗口周六、周日中午12:00-14:00休息" in answer


def test_opens_on_holidays(calendar):
    hall = Hall(name="某市民中心", hours="每天 9:00-21:00（节假日照常办公）", phone="0111-1")
    assert "节假日照常办公" in reply("节假日上班吗", calendar, at(9, 10), hall)
    assert "虽是国庆节，照常办公：9:00-21:00" in reply("10月2号开门吗", calendar, at(9, 10), hall)


def test_the_demo_hall_passport_item_on_saturday(calendar, county_kb_path):
    from knowledge.schema import KnowledgeBase

    kb = KnowledgeBase.model_validate_json(county_kb_path.read_text(encoding="utf-8"))
    passport = next(item for item in kb.items if item.code == "SF-GA-009")
    answer = reply("周六上班吗", calendar, at(11, 23), kb.hall, passport)
    assert answer.startswith("出入境证件受理窗口周六（11月28日）也上班：9:00-12:00")
    assert "休息" in reply("周六上班吗", calendar, at(11, 23), kb.hall)


def test_one_day_named_twice_is_answered_once(calendar):
    # 2026-11-29 is a Sunday: 今天 and 星期天 are the same day.
    answer = reply("今天星期天开门吗", calendar, at(11, 29, 10))
    assert answer.count("11月29日") == 1


def test_parking_written_into_the_address_is_told() -> None:
    address = "海湾大道168号（地下停车场入口在海湾北街，凭取号单免费停车2小时）"
    hall = Hall(name="湾口区政务服务中心", address=address)
    asked = hall_question("停车方便吗", hall.name)
    assert asked is not None
    text = hall_reply(asked, hall, dt.datetime(2026, 12, 8, 10, 30, tzinfo=CHINA), load_calendar())
    assert "地下停车场入口在海湾北街" in text and "免费停车2小时" in text


LATE = Hall(
    name="竹林县政务服务中心",
    hours=(
        "周一至周五 8:30-12:00，14:00-17:30（12:00-14:00午休）；每周四延时服务至19:30（17:30-19:30开放户籍"
        "身份证、社保医保窗口）；周六9:00-12:00"
    ),
    phone="0792-6218000",
)


def test_hours_run_on_late_one_day_are_open_then_and_say_which_windows(calendar):
    # Thursday 12 November 2026, 18:50: in the late hours.
    answer = reply("还有人不", calendar, dt.datetime(2026, 11, 12, 18, 50, tzinfo=CHINA), LATE)
    assert "19:30下班" in answer and "户籍身份证、社保医保窗口" in answer
    # Wednesday at the same time: closed.
    wednesday = dt.datetime(2026, 11, 11, 18, 50, tzinfo=CHINA)
    assert "今天17:30已下班" in reply("还有人不", calendar, wednesday, LATE)


SEASONAL = Item(
    code="T-3",
    name="生源地信用助学贷款",
    department="教育局",
    materials=[],
    windows=[Window(name="学生资助窗口", number="40号")],
    hours="每年7月1日至9月30日集中受理，期间周一至周日 8:30-12:00，14:30-17:30；其他时间不受理",
)


def test_an_item_taking_applications_part_of_the_year_says_so_out_of_season(calendar):
    now = reply("现在能去办吗", calendar, at(12, 8), COUNTY, SEASONAL)
    assert now.startswith("现在不在受理期（每年7月1日至9月30日受理），下次受理：2027年7月1日（周四）8:30。")
    day = reply("明天能办吗", calendar, at(12, 8), COUNTY, SEASONAL)
    assert day.startswith("学生资助窗口明天（12月9日，周三）不在受理期（每年7月1日至9月30日受理）")
    # In season its days are its own, weekends included.
    sunday = reply("周日能办吗", calendar, at(8, 3), COUNTY, SEASONAL)
    assert sunday.startswith("学生资助窗口周日（8月9日）也上班：8:30-12:00，14:30-17:30")


WEEKEND_WINDOWS = Hall(
    name="平原县政务服务中心",
    address="平原县迎宾大道1号",
    hours=(
        "周一至周五 8:30-12:00，14:00-17:30；周六 9:00-12:00 仅开放户政窗口（1-6号）和医保窗口（13-15号），"
        "其他窗口不办公；周日及法定节假日休息"
    ),
    phone="0394-1111111",
)
LICENCE = Item(
    code="T-4",
    name="个体工商户设立登记",
    department="市场监管局",
    materials=[],
    windows=[Window(name="市场监管窗口", number="16-19号")],
)


def test_a_desk_the_hall_keeps_closed_on_saturday_says_so(calendar):
    # 2026-12-26 is a Saturday; the hall opens windows 1-6 and 13-15 only.
    closed = reply("今天能办吗", calendar, at(12, 26, 9, 20), WEEKEND_WINDOWS, LICENCE)
    assert closed.startswith("市场监管窗口今天（12月26日，周六）休息，12月28日（周一）8:30起正常办公。")
    id_desk = LICENCE.model_copy(update={"windows": [Window(name="户政窗口", number="1-6号")]})
    assert "也上班：9:00-12:00" in reply("今天能办吗", calendar, at(12, 26, 9, 20), WEEKEND_WINDOWS, id_desk)
    # The hall itself is open that morning.
    assert "也上班" in reply("今天上班吗", calendar, at(12, 26, 9, 20), WEEKEND_WINDOWS)


def test_a_hall_with_summer_and_winter_hours_answers_for_the_season_asked_in(calendar):
    hall = Hall(
        name="绿洲县政务服务中心",
        hours=(
            "夏季（5月1日—9月30日）周一至周五 10:00-14:00，16:00-19:30；"
            "冬季（10月1日—次年4月30日）周一至周五 10:00-13:30，15:30-19:00；周六、周日及法定节假日休息"
        ),
        phone="0997-1",
    )
    assert reply("中午休息吗", calendar, at(7, 14), hall).startswith("中午14:00-16:00休息，16:00开始下午办公")
    assert reply("中午休息吗", calendar, at(12, 8), hall).startswith("中午13:30-15:30休息")
    assert reply("现在上班吗", calendar, at(12, 8, 19, 20), hall).startswith(
        "今天19:00已下班，下次办公：明天"
    )
    assert reply("现在上班吗", calendar, at(7, 14, 19, 20), hall).startswith("现在正在办公，今天19:30下班")


def test_after_hours_says_when_today_ended(calendar) -> None:
    # Asked at 17:50 on a Friday: today's closing time, not only Monday's opening.
    text = reply("你们现在几点下班", calendar, at(10, 23, 17, 50), COUNTY)
    assert text.startswith("今天17:30已下班，下次办公：10月26日（周一）9:00")
    # On a Saturday nothing ended today: closed, and when it opens.
    assert reply("现在有人吗", calendar, at(10, 24, 9, 30), COUNTY).startswith("现在不在办公时间")


def test_a_make_up_working_day_is_a_hall_question(calendar) -> None:
    assert "调休上班日" in reply("今天补班，大厅开不开门", calendar, at(2, 28, 10), COUNTY)
    assert "调休上班日" in reply("今天补班吗", calendar, at(2, 28, 10), COUNTY)


def test_an_unusual_day_also_gives_the_usual_week(calendar) -> None:
    # A holiday or a make-up working day asked about: that day, then the usual hours to plan by.
    holiday = reply("今天办事大厅开门吗", calendar, at(10, 2, 10), COUNTY)
    assert "国庆节放假" in holiday and "平时办公时间：周一至周五" in holiday
    makeup = reply("今天你们上班不", calendar, at(10, 10, 10), COUNTY)
    assert "调休上班日" in makeup and "平时办公时间：周一至周五" in makeup
    # An ordinary working day needs no more than its own hours.
    assert "平时办公时间" not in reply("今天你们上班不", calendar, at(10, 13, 10), COUNTY)


def test_what_is_open_over_lunch_is_said_beside_the_break(calendar):
    lake = COUNTY.model_copy(
        update={
            "hours": "周一至周五 8:30-12:00，14:00-17:30；中午12:00-14:00午休，"
            "午休期间1号窗口提供午间延时服务（身份证、社保卡）；周六休息"
        }
    )
    answer = reply("中午有人上班吗", calendar, at(12, 1, 12, 30), lake)
    assert "1号窗口提供午间延时服务" in answer
    assert "延时" not in reply("中午休息吗", calendar, at(12, 1, 12, 30))  # a hall with nothing over lunch
