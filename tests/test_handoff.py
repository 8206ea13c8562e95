"""bot.conversation.handoff: the visible texts of a handoff, in and out of service hours."""

import datetime as dt

import pytest

from bot.conversation.handoff import (
    HOTLINE,
    LIMIT,
    TRANSFERRING,
    handoff_text,
    hotline,
    out_of_scope_text,
)
from bot.conversation.holidays import load_calendar
from bot.conversation.hours import CHINA, parse_hours
from knowledge.schema import Hall, Item

COUNTY = Hall(
    name="示范县政务服务中心",
    hours="周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）",
    phone="0999-1234567",
    complaint_phone="0999-7654321",
)
NIGHT = Hall(
    name="某区政务服务中心", hours="周一至周五 9:00-17:00", phone="0888-2222222；夜间值班 0888-2220000"
)
#: Closed now: the desk's number is still given, for working hours.
LATER = "工作时间可拨打咨询电话 0999-1234567"
NO_COMPLAINT = Hall(name="某镇便民服务中心", hours="周一至周五 9:00-17:00", phone="0777-3333333")
NOTHING = Hall(name="某村便民服务站")
SATURDAY_ITEM = Item(
    code="T-1",
    name="普通护照申请",
    department="公安局",
    materials=[],
    hours="周一至周五 9:00-17:00；周六 9:00-12:00",
    phone="0999-6211002",
)


@pytest.fixture(scope="module")
def calendar():
    return load_calendar()


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CHINA)


def text(reason, now, calendar, hall=COUNTY, **options):
    answer = handoff_text(reason, hall, now, calendar=calendar, **options)
    assert 0 < len(answer.encode("utf-8")) <= LIMIT
    return answer


@pytest.mark.parametrize(
    ("reason", "now", "hall", "present", "absent"),
    [
        # The desk's number too, should nobody pick the chat up; no hotline while the desk is open.
        (
            "human",
            at(11, 23, 10),
            COUNTY,
            [TRANSFERRING, "也可拨打咨询电话 0999-1234567"],
            ["12345政务", "非工作时间"],
        ),
        ("complaint", at(11, 23, 10), COUNTY, [TRANSFERRING, "投诉电话：0999-7654321"], ["12345"]),
        ("complaint", at(11, 23, 10), NO_COMPLAINT, [TRANSFERRING, "投诉请拨打咨询电话：0777-3333333"], []),
        (
            "human",
            at(11, 23, 19),
            COUNTY,
            ["现在是非工作时间", "明天（11月24日，周二）9:00恢复人工服务", HOTLINE, LATER],
            [TRANSFERRING, "可拨打咨询电话 0999-1234567，"],
        ),
        ("human", at(11, 27, 18), COUNTY, ["11月30日（周一）9:00恢复人工服务", HOTLINE], [TRANSFERRING]),
        ("human", at(11, 23, 12, 30), COUNTY, ["今天13:30恢复人工服务"], [TRANSFERRING]),
        (
            "human",
            at(9, 30, 18),
            COUNTY,
            ["10月8日（周四）9:00恢复人工服务", HOTLINE],
            ["10月1日", TRANSFERRING],
        ),
        (
            "human",
            at(10, 2, 10),
            COUNTY,
            ["今天是国庆节假期", "10月8日（周四）9:00恢复人工服务", HOTLINE],
            [],
        ),
        ("human", at(2, 13, 18), COUNTY, ["明天（2月14日，周六）9:00恢复人工服务"], []),
        ("human", at(2, 16, 10), COUNTY, ["春节", "2月24日（周二）9:00恢复人工服务"], []),
        (
            "complaint",
            at(11, 23, 19),
            COUNTY,
            # After hours: the complaint line, 12345, and the hall's desk for when it opens again.
            ["投诉电话：0999-7654321（办公时间）", HOTLINE, "工作时间也可拨打咨询电话 0999-1234567"],
            [TRANSFERRING],
        ),
        (
            "low_confidence",
            at(11, 23, 20),
            NIGHT,
            ["没能确定", "值班电话 0888-2220000", "工作时间可拨打咨询电话 0888-2222222"],
            ["可拨打咨询电话 0888-2222222，"],
        ),
        (
            "out_of_scope",
            at(11, 23, 10),
            COUNTY,
            ["超出了我能解答的范围", "材料", "窗口", TRANSFERRING, "咨询电话 0999-1234567", HOTLINE],
            [],
        ),
        (
            "out_of_scope",
            at(11, 28, 10),
            COUNTY,
            ["材料", HOTLINE, LATER],
            [TRANSFERRING, "可拨打咨询电话 0999-1234567，"],
        ),
        ("human", at(11, 23, 19), NOTHING, ["人工客服暂时不在线", HOTLINE], [TRANSFERRING]),
    ],
    ids=[
        "in-hours",
        "complaint-in-hours",
        "complaint-without-complaint-phone",
        "evening",
        "friday-evening",
        "lunch",
        "eve-of-national-day",
        "on-national-day",
        "before-makeup-saturday",
        "during-spring-festival",
        "complaint-after-hours",
        "night-line",
        "out-of-scope-in-hours",
        "out-of-scope-saturday",
        "no-hours-no-phone",
    ],
)
def test_handoff_text(calendar, reason, now, hall, present, absent):
    answer = text(reason, now, calendar, hall)
    for part in present:
        assert part in answer, answer
    for part in absent:
        assert part not in answer, answer


def test_nobody_online_in_hours_promises_no_time(calendar):
    answer = text("human", at(11, 23, 10), calendar, online=False)
    assert "人工客服暂时不在线" in answer and "恢复" not in answer and TRANSFERRING not in answer
    assert "咨询电话 0999-1234567" in answer  # the hall itself is open


def test_someone_online_outside_hours(calendar):
    assert TRANSFERRING in text("human", at(11, 23, 19), calendar, online=True)


def test_service_hours_differ_from_the_hall(calendar):
    service = parse_hours("周一至周五 9:00-11:00")
    assert TRANSFERRING in text("human", at(11, 23, 10), calendar, service=service)
    answer = text("human", at(11, 23, 11, 30), calendar, service=service)
    assert "明天（11月24日，周二）9:00恢复人工服务" in answer
    assert "咨询电话 0999-1234567" in answer  # the hall is still open: its phone is the line to call


def test_without_calendar_holidays_are_not_known():
    answer = handoff_text("human", COUNTY, at(10, 2, 10))
    assert answer.startswith(TRANSFERRING) and "放假" not in answer


@pytest.mark.parametrize(
    ("now", "item", "hall", "number"),
    [
        (at(11, 23, 10), None, COUNTY, "0999-1234567"),
        (at(11, 23, 19), None, COUNTY, "12345"),
        (at(10, 1, 10), None, COUNTY, "12345"),
        (at(11, 28, 10), SATURDAY_ITEM, COUNTY, "0999-6211002"),
        (at(11, 28, 10), None, COUNTY, "12345"),
        (at(11, 23, 22), None, NIGHT, "0888-2220000"),
        (at(11, 23, 10), None, NIGHT, "0888-2222222"),
    ],
    ids=["open", "closed", "holiday", "item-open-saturday", "hall-closed-saturday", "night-line", "day-line"],
)
def test_hotline(calendar, now, item, hall, number):
    assert hotline(hall, now, item=item, calendar=calendar) == number


def test_holiday_wording_in_hours_text_is_not_a_night_line(calendar):
    hall = Hall(name="某中心", hours="周一至周五 9:00-17:00", phone="0666-1234567（法定节假日除外）")
    assert hotline(hall, at(11, 23, 22), calendar=calendar) == "12345"


def test_out_of_scope_text(calendar):
    answer = out_of_scope_text(COUNTY, at(11, 23, 10), calendar=calendar)
    assert answer.startswith("抱歉，这个问题超出了我能解答的范围。")
    assert "咨询电话 0999-1234567" in answer and HOTLINE in answer and TRANSFERRING not in answer
    evening = out_of_scope_text(COUNTY, at(11, 23, 20), calendar=calendar)
    assert "可拨打咨询电话 0999-1234567，" not in evening and LATER in evening


def test_after_hours_an_items_own_desk_goes_beside_the_halls(calendar):
    # Sunday evening after a passport question: both numbers for tomorrow, the hall's answers anything.
    answer = text("human", at(11, 29, 22), calendar, item=SATURDAY_ITEM)
    assert "工作时间可拨打咨询电话 0999-6211002（本事项）或中心 0999-1234567" in answer
    # Without an item, the hall's number alone.
    assert "工作时间可拨打咨询电话 0999-1234567。" in text("human", at(11, 29, 22), calendar)


def test_a_question_the_bot_could_not_tell_also_gets_a_number_in_hours(calendar):
    answer = text("low_confidence", at(11, 23, 10), calendar)
    assert TRANSFERRING in answer and "也可拨打咨询电话 0999-1234567" in answer
    # A citizen who asked for a person gets the desk's number as a fallback only, no hotline.
    asked = text("human", at(11, 23, 10), calendar)
    assert "如长时间无人接入" in asked and "12345政务" not in asked


def test_in_hours_a_person_asked_for_after_an_item_also_gets_the_halls_number(calendar):
    # The chat may not be picked up; the citizen asked for a person, not for the item's desk alone.
    answer = text("human", at(11, 23, 10), calendar, item=SATURDAY_ITEM)
    assert TRANSFERRING in answer
    assert "也可拨打咨询电话 0999-6211002（本事项）或中心 0999-1234567。" in answer
