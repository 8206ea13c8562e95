"""bot.conversation.holidays: public holidays and make-up working days (package and staff file)."""

import datetime as dt
import logging

import pytest

from bot.conversation.holidays import (
    Calendar,
    HolidayFileError,
    load_calendar,
    read_holidays_file,
    statutory_holidays,
)

D = dt.date


@pytest.fixture(scope="module")
def calendar() -> Calendar:
    return load_calendar()


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2026, 2, 15), "春节"),
        (D(2026, 2, 18), "春节"),
        (D(2026, 2, 23), "春节"),
        (D(2026, 10, 1), "国庆节"),
        (D(2026, 10, 3), "国庆节"),
        (D(2026, 10, 7), "国庆节"),
        (D(2026, 1, 1), "元旦"),
        (D(2026, 4, 6), "清明节"),
        (D(2026, 6, 19), "端午节"),
        (D(2026, 9, 25), "中秋节"),
        (D(2026, 2, 24), None),
        (D(2026, 10, 8), None),
        (D(2026, 10, 10), None),
        (D(2026, 11, 21), None),
    ],
    ids=[
        "spring-first",
        "spring-middle",
        "spring-last",
        "national-first",
        "national-saturday",
        "national-last",
        "new-year",
        "qingming-full-name",
        "duanwu-full-name",
        "mid-autumn-full-name",
        "after-spring",
        "after-national",
        "makeup-saturday",
        "plain-saturday",
    ],
)
def test_is_holiday_2026(calendar, day, name):
    assert calendar.is_holiday(day) == name


@pytest.mark.parametrize(
    ("day", "makeup", "workday"),
    [
        (D(2026, 9, 20), True, True),
        (D(2026, 10, 10), True, True),
        (D(2026, 2, 14), True, True),
        (D(2026, 2, 16), False, False),
        (D(2026, 10, 5), False, False),
        (D(2026, 11, 23), False, True),
        (D(2026, 11, 22), False, False),
    ],
    ids=["sep-20-sunday", "oct-10-saturday", "feb-14", "spring-monday", "national-monday", "monday", "sun"],
)
def test_makeup_and_workday(calendar, day, makeup, workday):
    assert calendar.is_makeup_workday(day) is makeup
    assert calendar.is_workday(day) is workday


def test_datetime_is_taken_as_its_date(calendar):
    assert calendar.is_holiday(dt.datetime(2026, 10, 1, 23, 59)) == "国庆节"


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (D(2026, 10, 4), (D(2026, 10, 1), D(2026, 10, 7), "国庆节")),
        (D(2026, 2, 20), (D(2026, 2, 15), D(2026, 2, 23), "春节")),
        (D(2026, 10, 8), None),
    ],
    ids=["national", "spring-nine-days", "not-a-holiday"],
)
def test_holiday_period(calendar, day, period):
    assert calendar.holiday_period(day) == period


def test_next_holiday(calendar):
    assert calendar.next_holiday(D(2026, 9, 28)) == (D(2026, 10, 1), D(2026, 10, 7), "国庆节")
    assert calendar.next_holiday(D(2026, 10, 3)) == (D(2026, 10, 1), D(2026, 10, 7), "国庆节")
    assert calendar.next_holiday(D(2026, 1, 10), "国庆节") == (D(2026, 10, 1), D(2026, 10, 7), "国庆节")
    # 2027 is unknown to the package: the law's three days, which fall on Friday to Sunday.
    assert calendar.next_holiday(D(2026, 10, 8), "国庆节") == (D(2027, 10, 1), D(2027, 10, 3), "国庆节")


def test_unknown_year_uses_the_statutory_days_and_weekends_and_logs_once(caplog):
    calendar = load_calendar()
    with caplog.at_level(logging.WARNING, logger="bot.conversation.holidays"):
        assert calendar.is_holiday(D(2099, 10, 1)) == "国庆节"  # a Thursday, fixed by law
        assert not calendar.is_workday(D(2099, 10, 3))  # a Saturday
        assert calendar.is_workday(D(2099, 10, 5))  # a Monday after: no notice, so no bridge days
        assert not calendar.is_makeup_workday(D(2099, 9, 26))  # nor make-up Saturdays
    assert not calendar.knows(2099)
    warnings = [r for r in caplog.records if "2099" in r.getMessage()]
    assert len(warnings) == 1


@pytest.mark.parametrize(
    "year, expected",
    [
        # Checked against the State Council's notices for years the package knows.
        (2025, {D(2025, 1, 28): "春节", D(2025, 1, 31): "春节", D(2025, 4, 4): "清明节"}),
        (2026, {D(2026, 2, 16): "春节", D(2026, 6, 19): "端午节", D(2026, 9, 25): "中秋节"}),
        # 2027: Chinese New Year falls on 6 February.
        (2027, {D(2027, 1, 1): "元旦", D(2027, 2, 5): "春节", D(2027, 2, 8): "春节"}),
    ],
)
def test_statutory_holidays_follow_the_lunar_calendar(year, expected):
    days = statutory_holidays(year)
    assert len(days) == 13  # 元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3
    for day, name in expected.items():
        assert days[day] == name
    package = load_calendar()
    if package.knows(year):  # every statutory day is a rest day in the year's notice too
        assert all(package.is_holiday(day) for day in days)


def test_file_extends_a_year_the_package_does_not_know(tmp_path):
    path = tmp_path / "holidays.json"
    text = '{"holidays": {"2099-01-01": "元旦", "2099-01-02": "元旦"}, "workdays": ["2099-01-04"]}'
    path.write_text(text, encoding="utf-8")
    calendar = load_calendar(str(path))
    assert calendar.knows(2099)
    assert calendar.is_holiday(D(2099, 1, 1)) == "元旦"
    assert calendar.is_makeup_workday(D(2099, 1, 4))  # a Sunday
    assert calendar.is_holiday(D(2026, 10, 1)) == "国庆节"  # the package still counts


def test_yaml_file_overrides_the_package(tmp_path):
    path = tmp_path / "holidays.yaml"
    text = "holidays:\n  2026-10-08: 国庆节\n  '2026-10-10': 国庆节\nworkdays:\n  - 2026-10-01\n"
    path.write_text(text, encoding="utf-8")
    calendar = load_calendar(str(path))
    assert calendar.is_holiday(D(2026, 10, 8)) == "国庆节"
    assert calendar.is_holiday(D(2026, 10, 10)) == "国庆节"
    assert not calendar.is_makeup_workday(D(2026, 10, 10))
    assert calendar.is_holiday(D(2026, 10, 1)) is None and calendar.is_workday(D(2026, 10, 1))


@pytest.mark.parametrize(
    ("content", "entry", "problem"),
    [
        ('{"holidays": {"2027-13-01": "元旦"}}', "2027-13-01", "YYYY-MM-DD"),
        ('{"holidays": {"2027-01-01": ""}}', "2027-01-01", "节日名称"),
        ('{"workdays": ["2027/02/07"]}', "2027/02/07", "YYYY-MM-DD"),
        ('{"holidays": {"2027-01-01": "元旦"}, "workdays": ["2027-01-01"]}', "2027-01-01", "既是"),
        ('{"holiday": {}}', "holiday", "未知"),
        ('{"workdays": "2027-02-07"}', "workdays", "列表"),
        ('{"holidays": ["2027-01-01"]}', "holidays", "对应表"),
        ("[1, 2]", "", "对象"),
        ("{not json", "", "JSON"),
    ],
    ids=[
        "bad-month",
        "no-name",
        "slashes",
        "both",
        "unknown-key",
        "workdays-not-list",
        "holidays-not-map",
        "not-object",
        "broken",
    ],
)
def test_bad_file_names_the_entry_in_chinese(tmp_path, content, entry, problem):
    path = tmp_path / "holidays.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HolidayFileError) as caught:
        load_calendar(str(path))
    assert caught.value.entry == entry
    assert problem in str(caught.value)
    assert str(path) in str(caught.value)
    if entry:
        assert f"“{entry}”" in str(caught.value)


def test_missing_file_is_a_chinese_error(tmp_path):
    with pytest.raises(HolidayFileError, match="无法读取"):
        read_holidays_file(str(tmp_path / "none.yaml"))


def test_explicit_calendar():
    calendar = Calendar({D(2030, 5, 1): "劳动节"}, [D(2030, 4, 27)])
    assert calendar.knows(2030)
    assert calendar.is_holiday(D(2030, 5, 1)) == "劳动节"
    assert calendar.is_makeup_workday(D(2030, 4, 27))
    assert calendar.holiday_period(D(2030, 5, 1)) == (D(2030, 5, 1), D(2030, 5, 1), "劳动节")  # a Wednesday
