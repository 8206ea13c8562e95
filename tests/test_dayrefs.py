"""bot.conversation.dayrefs: days as citizens name them, resolved against today."""

import datetime as dt

import pytest

from bot.conversation.dayrefs import find_days
from bot.conversation.holidays import load_calendar

D = dt.date
SUNDAY = D(2026, 9, 27)
MONDAY = D(2026, 11, 23)


@pytest.fixture(scope="module")
def calendar():
    return load_calendar()


@pytest.mark.parametrize(
    ("text", "today", "dates"),
    [
        ("今天开门吗", MONDAY, [[MONDAY]]),
        ("明天上班吗", MONDAY, [[D(2026, 11, 24)]]),
        ("后天呢", MONDAY, [[D(2026, 11, 25)]]),
        ("周六上班吗", MONDAY, [[D(2026, 11, 28)]]),
        ("星期天开不开", MONDAY, [[D(2026, 11, 29)]]),
        ("礼拜六", D(2026, 11, 28), [[D(2026, 11, 28)]]),
        ("下周一", SUNDAY, [[D(2026, 9, 28)]]),
        ("下周一", MONDAY, [[D(2026, 11, 30)]]),
        ("周末上班吗", MONDAY, [[D(2026, 11, 28), D(2026, 11, 29)]]),
        ("周末上班吗", SUNDAY, [[SUNDAY]]),
        ("周六周日开门吗", MONDAY, [[D(2026, 11, 28)], [D(2026, 11, 29)]]),
        ("国庆放假吗", SUNDAY, [[D(2026, 10, 1)]]),
        ("十一上班吗", SUNDAY, [[D(2026, 10, 1)]]),
        ("过年开门吗", D(2026, 1, 5), [[D(2026, 2, 15)]]),
        ("你们初几上班", D(2026, 1, 5), [[D(2026, 2, 15)]]),
        ("10月1号上班吗", SUNDAY, [[D(2026, 10, 1)]]),
        ("1月2日", D(2026, 12, 20), [[D(2027, 1, 2)]]),
        ("5号上班吗", MONDAY, [[D(2026, 12, 5)]]),
        ("现在有人吗", MONDAY, [[MONDAY]]),
    ],
    ids=[
        "today",
        "tomorrow",
        "day-after",
        "saturday",
        "xingqitian",
        "libailiu-today",
        "next-monday-from-sunday",
        "next-monday-from-monday",
        "weekend",
        "weekend-on-sunday",
        "two-days",
        "national-day",
        "shiyi",
        "spring-festival",
        "chuji",
        "month-day",
        "next-year",
        "day-of-next-month",
        "now",
    ],
)
def test_dates(calendar, text, today, dates):
    refs, _ = find_days(text)
    assert [ref.dates(today, calendar) for ref in refs] == dates


@pytest.mark.parametrize(
    "text",
    ["十一点开门吗", "7号窗口在哪", "身份证怎么办", "几点上班"],
    ids=["eleven-oclock", "window-number", "no-day", "hours"],
)
def test_no_day(text):
    assert find_days(text)[0] == []


def test_the_days_are_taken_out_of_the_text():
    refs, rest = find_days("明天和周六开门吗")
    assert [ref.words for ref in refs] == ["明天", "周六"]
    assert "明天" not in rest and "周六" not in rest and "开门吗" in rest


def test_unknown_dates_are_empty(calendar):
    refs, _ = find_days("2月30日")
    assert refs and refs[0].dates(MONDAY, calendar) == []


def test_a_holiday_whose_notice_is_not_published_is_the_laws_first_day(calendar):
    # 2027's notice is not out: 春节 from the law's own days (除夕, 5 February 2027).
    refs, _ = find_days("过年开门吗")
    assert refs and refs[0].dates(D(2026, 11, 1), calendar) == [D(2027, 2, 5)]


def test_holiday_without_calendar_is_unknown():
    refs, _ = find_days("国庆上班吗")
    assert refs[0].holiday == "国庆节" and refs[0].dates(SUNDAY) == []


def test_now_is_marked():
    refs, _ = find_days("现在开门吗")
    assert refs[0].now and refs[0].offset == 0
