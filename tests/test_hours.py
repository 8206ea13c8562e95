"""bot.conversation.hours: parsing hall hours and deciding whether people are at their desks."""

import datetime as dt

import pytest

from bot.conversation.holidays import load_calendar
from bot.conversation.hours import (
    CHINA,
    HoursError,
    Span,
    describe_date,
    describe_opening,
    describe_periods,
    describe_when,
    parse_hours,
    window_numbers,
)

COUNTY = "周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in China time; 2026-11-23 is a Monday."""
    return dt.datetime(2026, 11, 23 + day, hour, minute, tzinfo=CHINA)


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        (COUNTY, [Span(d, 540, 720) for d in range(5)] + [Span(d, 810, 1050) for d in range(5)]),
        (
            "周一至周五 9:00-12:00，13:30-17:30；周六 9:00-12:00（仅受理出入境证件，法定节假日除外）",
            [Span(d, 540, 720) for d in range(5)]
            + [Span(d, 810, 1050) for d in range(5)]
            + [Span(5, 540, 720)],
        ),
        (
            "工作日上午9点-12点，下午2点半-5点",
            [Span(d, 540, 720) for d in range(5)] + [Span(d, 870, 1020) for d in range(5)],
        ),
        ("每天 8:30-20:00", [Span(d, 510, 1200) for d in range(7)]),
        ("星期六至星期日 10：00—16：00", [Span(5, 600, 960), Span(6, 600, 960)]),
        ("9:00-17:00", [Span(d, 540, 1020) for d in range(5)]),
        ("周一、周三 9:00-11:00", [Span(0, 540, 660), Span(2, 540, 660)]),
    ],
    ids=[
        "county",
        "with-saturday",
        "colloquial",
        "every-day",
        "weekend-fullwidth-colon",
        "no-days",
        "list-of-days",
    ],
)
def test_parse(text, spans):
    assert sorted(parse_hours(text).spans, key=lambda s: (s.start, s.weekday)) == sorted(
        spans, key=lambda s: (s.start, s.weekday)
    )


@pytest.mark.parametrize(
    "text", ["", "法定节假日除外", "请电话咨询"], ids=["empty", "no-times", "phone-only"]
)
def test_unparseable(text):
    with pytest.raises(HoursError) as caught:
        parse_hours(text)
    assert caught.value.text == text


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (at(0, 9, 0), True),
        (at(0, 8, 59), False),
        (at(0, 11, 59), True),
        (at(0, 12, 0), False),
        (at(0, 13, 0), False),
        (at(2, 15, 0), True),
        (at(4, 17, 29), True),
        (at(4, 17, 30), False),
        (at(5, 10, 0), False),
        (at(6, 10, 0), False),
        (dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC), True),  # 10:00 in China
        (dt.datetime(2026, 11, 23, 10, 0), True),  # naive = China time
    ],
    ids=[
        "opening",
        "before",
        "last-minute",
        "noon",
        "lunch",
        "wednesday",
        "friday-late",
        "closing",
        "saturday",
        "sunday",
        "utc",
        "naive",
    ],
)
def test_is_open(moment, open_):
    assert parse_hours(COUNTY).is_open(moment) is open_


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(0, 7, 0), at(0, 9, 0)),
        (at(0, 12, 30), at(0, 13, 30)),
        (at(4, 18, 0), at(7, 9, 0)),
        (at(5, 10, 0), at(7, 9, 0)),
        (at(0, 9, 0), at(0, 13, 30)),
    ],
    ids=["morning", "lunch", "friday-evening", "saturday", "while-open"],
)
def test_next_opening(moment, expected):
    assert parse_hours(COUNTY).next_opening(moment) == expected


def test_describe_opening():
    assert describe_opening(at(7, 9, 0)) == "周一 9:00"
    assert describe_opening(at(0, 13, 30)) == "周一 13:30"


# -- holidays and make-up working days -----------------------------------------------------------

CITY = (
    "周一至周五 9:00-12:00，14:00-17:30；"
    "周六 9:00-12:00（“周六不打烊”，仅办理身份证、户籍、社保卡、住房公积金业务）；"
    "周日及法定节假日休息，节假日调休上班日正常办公"
)
PASSPORT = "周一至周五 9:00-12:00，13:30-17:30；周六 9:00-12:00（仅受理和发放出入境证件，法定节假日除外）"


@pytest.fixture(scope="module")
def calendar():
    return load_calendar()


def china(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHINA)


@pytest.mark.parametrize(
    ("text", "moment", "open_"),
    [
        (COUNTY, china(2026, 10, 1, 10), False),
        (COUNTY, china(2026, 10, 8, 10), True),
        (COUNTY, china(2026, 2, 18, 10), False),
        (COUNTY, china(2026, 10, 10, 10), True),
        (COUNTY, china(2026, 9, 20, 14), True),
        (COUNTY, china(2026, 9, 20, 12, 30), False),
        (CITY, china(2026, 10, 3, 10), False),
        (CITY, china(2026, 11, 28, 10), True),
        (CITY, china(2026, 10, 10, 15), True),
        ("每天 8:30-20:00（节假日照常办公）", china(2026, 10, 1, 10), True),
    ],
    ids=[
        "national-day-closed",
        "after-national-day",
        "spring-festival-closed",
        "makeup-saturday-open",
        "makeup-sunday-afternoon",
        "makeup-lunch",
        "saturday-hall-closed-on-holiday",
        "saturday-hall-plain-saturday",
        "saturday-hall-makeup-afternoon",
        "opens-on-holidays",
    ],
)
def test_is_open_with_calendar(calendar, text, moment, open_):
    assert parse_hours(text, calendar).is_open(moment) is open_


def test_without_calendar_holidays_are_unknown():
    assert parse_hours(COUNTY).is_open(china(2026, 10, 1, 10))
    assert not parse_hours(COUNTY).is_open(china(2026, 10, 10, 10))


@pytest.mark.parametrize(
    ("text", "moment", "expected"),
    [
        (COUNTY, china(2026, 9, 30, 18), china(2026, 10, 8, 9)),
        (COUNTY, china(2026, 10, 1, 8), china(2026, 10, 8, 9)),
        (COUNTY, china(2026, 10, 9, 18), china(2026, 10, 10, 9)),
        (COUNTY, china(2026, 2, 13, 18), china(2026, 2, 14, 9)),
        (COUNTY, china(2026, 2, 14, 18), china(2026, 2, 24, 9)),
        ("周三 9:00-11:00", china(2026, 2, 12, 12), china(2026, 2, 25, 9)),
        (CITY, china(2026, 9, 30, 18), china(2026, 10, 8, 9)),
    ],
    ids=[
        "eve-of-national-day",
        "during-national-day",
        "to-makeup-saturday",
        "to-makeup-before-spring",
        "spring-festival-nine-days",
        "weekly-hall-over-spring",
        "saturday-hall-skips-holiday-saturday",
    ],
)
def test_next_opening_skips_holidays(calendar, text, moment, expected):
    assert parse_hours(text, calendar).next_opening(moment) == expected


def test_with_calendar_keeps_the_schedule(calendar):
    plain = parse_hours(COUNTY)
    known = plain.with_calendar(calendar)
    assert known == plain and known.calendar is calendar and plain.calendar is None


@pytest.mark.parametrize(
    ("text", "date", "periods", "holiday", "makeup", "note"),
    [
        (COUNTY, dt.date(2026, 10, 2), (), "国庆节", False, None),
        (COUNTY, dt.date(2026, 10, 10), ((540, 720), (810, 1050)), None, True, None),
        (PASSPORT, dt.date(2026, 10, 10), ((540, 720), (810, 1050)), None, True, None),
        (PASSPORT, dt.date(2026, 11, 28), ((540, 720),), None, False, "仅受理和发放出入境证件"),
        ("周一 9:00-11:00；周二至周五 9:00-17:00", dt.date(2026, 9, 20), ((540, 660),), None, True, None),
        ("每天 8:30-20:00，节假日照常办公", dt.date(2026, 10, 1), ((510, 1200),), "国庆节", False, None),
        (CITY, dt.date(2026, 11, 29), (), None, False, None),
        ("周二至周六 9:00-17:00", dt.date(2026, 9, 20), (), None, True, None),
    ],
    ids=[
        "holiday",
        "makeup",
        "makeup-uses-weekday-not-saturday",
        "saturday-with-note",
        "makeup-uses-monday",
        "open-on-holiday",
        "sunday",
        "closed-on-mondays-keeps-its-pattern",
    ],
)
def test_day(calendar, text, date, periods, holiday, makeup, note):
    day = parse_hours(text, calendar).day(date)
    assert (day.periods, day.holiday, day.makeup, day.note) == (periods, holiday, makeup, note)
    assert day.is_open is bool(periods)


@pytest.mark.parametrize(
    ("text", "opens"),
    [
        (COUNTY, False),
        (CITY, False),
        ("周一至周五 9:00-17:00；周六、周日及法定节假日不办理离婚登记", False),
        ("周一至周五 9:00-17:00，节假日均不办理", False),
        ("每天 9:00-17:00（节假日照常办公）", True),
        ("每天 9:00-21:00，全年无休", True),
        ("周一至周日 9:00-17:00（含法定节假日）", True),
        ("周一至周五 9:00-17:00，法定节假日正常上班", True),
    ],
    ids=[
        "except",
        "makeup-remark",
        "not-on-holidays",
        "never",
        "as-usual",
        "all-year",
        "including",
        "at-work",
    ],
)
def test_opens_on_holidays(text, opens):
    assert parse_hours(text).opens_on_holidays is opens


# -- lunch break and weekend services -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "weekday", "lunch"),
    [
        (COUNTY, 0, (720, 810)),
        (COUNTY, 5, None),
        ("周一至周五 8:00-11:30，14:30-17:30", 2, (690, 870)),
        ("周一至周五 9:00-17:30（中午不休息）；周六、周日 9:00-12:00，14:00-17:00", 0, None),
        ("周一至周五 9:00-17:30（中午不休息）；周六、周日 9:00-12:00，14:00-17:00", 6, (720, 840)),
        ("周一至周五 8:00-10:00，18:00-20:00", 0, None),
    ],
    ids=["county", "county-saturday", "early-lunch", "no-lunch", "weekend-lunch", "evening-shift-no-lunch"],
)
def test_lunch_break(text, weekday, lunch):
    assert parse_hours(text).lunch_break(weekday) == lunch


@pytest.mark.parametrize(
    ("text", "notes"),
    [
        (COUNTY, {}),
        (PASSPORT, {5: "仅受理和发放出入境证件"}),
        (CITY, {5: "仅办理身份证、户籍、社保卡、住房公积金业务"}),
        (
            "周一至周五 9:00-17:00；周六 9:00-12:00 户籍、社保、公积金窗口延时服务",
            {5: "户籍、社保、公积金窗口延时服务"},
        ),
        ("周一至周五 9:00-17:30（中午不休息）", {d: "中午不休息" for d in range(5)}),
        ("工作日上午9点-12点，下午2点半-5点", {}),
    ],
    ids=[
        "none",
        "passport-saturday",
        "slogan-dropped",
        "no-parentheses",
        "weekday-remark",
        "colloquial-none",
    ],
)
def test_notes(text, notes):
    schedule = parse_hours(text)
    assert {day: schedule.note(day) for day in range(7) if schedule.note(day)} == notes


def test_semicolon_inside_parentheses_stays_in_its_clause():
    schedule = parse_hours("周一至周五 9:00-17:00；周六 9:00-12:00（仅办理户籍；社保）")
    assert schedule.periods(5) == ((540, 720),)
    assert schedule.note(5) == "仅办理户籍，社保"


def test_descriptions():
    now = china(2026, 9, 30, 18)
    assert describe_periods(((540, 720), (810, 1050))) == "9:00-12:00，13:30-17:30"
    assert describe_date(dt.date(2026, 10, 8)) == "10月8日（周四）"
    assert describe_when(china(2026, 9, 30, 19), now) == "今天19:00"
    assert describe_when(china(2026, 10, 1, 9), now) == "明天（10月1日，周四）9:00"
    assert describe_when(china(2026, 10, 8, 9, 30), now) == "10月8日（周四）9:30"


def test_parts_that_say_closed_open_nothing():
    hours = parse_hours(
        "周一至周五 上午8:30-12:00，下午14:30-17:30；中午12:00-14:30午休，窗口暂停受理；"
        "周六上午9:00-12:00仅开放公安户政窗口，周六下午及周日休息"
    )
    spans = {(span.weekday, span.start, span.end) for span in hours.spans}
    assert (0, 12 * 60, 14 * 60 + 30) not in spans  # the lunch break is no opening
    assert not [span for span in hours.spans if span.weekday == 6]  # 周日休息
    assert {(s.weekday, s.start, s.end) for s in hours.spans if s.weekday == 5} == {(5, 540, 720)}
    assert hours.note(5) == "仅开放公安户政窗口"
    # Not closed: 中午不休息.
    open_all_day = parse_hours("周一至周五8:30-17:30，中午不休息")
    assert {(s.start, s.end) for s in open_all_day.spans} == {(510, 1050)}


def test_window_numbers_are_not_hours():
    # 综合受理1-2号 names windows; read as 1:00-2:00 it made the next opening "1:00".
    text = "周一至周五 8:30-12:00，13:00-17:00；工作日中午12:00-13:00，综合受理1-2号、户政11-12号窗口照常办理"
    schedule = parse_hours(text)
    periods = sorted({(span.start, span.end) for span in schedule.spans})
    assert periods == [(510, 720), (720, 780), (780, 1020)]
    assert "综合受理1-2号" in dict(schedule.notes)[0]


def test_a_yearly_season_closes_the_rest_of_the_year():
    schedule = parse_hours("每年7月1日至9月30日集中受理，期间周一至周日 8:30-12:00，14:30-17:30")
    assert schedule.season == ((7, 1), (9, 30)) and schedule.season_text() == "每年7月1日至9月30日"
    assert schedule.in_season(dt.date(2026, 7, 1)) and schedule.in_season(dt.date(2026, 9, 30))
    assert not schedule.in_season(dt.date(2026, 12, 8))
    assert schedule.day(dt.date(2026, 12, 8)).off_season and not schedule.day(dt.date(2026, 12, 8)).is_open
    assert schedule.day(dt.date(2026, 8, 9)).is_open  # a Sunday in season
    # The next opening is the season's first day, however far ahead.
    after = schedule.next_opening(dt.datetime(2026, 12, 8, 10, 0, tzinfo=CHINA))
    assert after == dt.datetime(2027, 7, 1, 8, 30, tzinfo=CHINA)


def test_a_season_across_new_year_wraps():
    for text in (
        "每年11月1日至次年2月28日受理 周一至周五 9:00-17:00",
        "每年11月1日-2月28日受理 周一至周五 9:00-17:00",
    ):
        wrapped = parse_hours(text)
        assert wrapped.season == ((11, 1), (2, 28))
        assert wrapped.in_season(dt.date(2027, 1, 15)) and not wrapped.in_season(dt.date(2026, 6, 1))
        after = wrapped.next_opening(dt.datetime(2026, 6, 1, 10, 0, tzinfo=CHINA))
        assert after == dt.datetime(2026, 11, 2, 9, 0, tzinfo=CHINA)  # 11月1日 2026 is a Sunday


def test_no_season_means_all_year():
    schedule = parse_hours("周一至周五 9:00-17:00")
    assert schedule.season is None and schedule.in_season(dt.date(2026, 12, 8))


def test_a_weekend_note_opening_other_windows_closes_a_desk():
    text = (
        "周一至周五 8:30-12:00，14:00-17:30；周六 9:00-12:00 仅开放户政窗口（1-6号）和医保窗口（13-15号），"
        "其他窗口不办公；周日休息"
    )
    hall = parse_hours(text)
    assert hall.periods(5) == ((540, 720),)
    assert hall.for_windows(frozenset({16, 17, 18, 19})).periods(5) == ()
    assert hall.for_windows(frozenset({16})).periods(0) == hall.periods(0)  # weekdays as they were
    assert hall.for_windows(frozenset({14})).periods(5) == ((540, 720),)
    assert hall.for_windows(frozenset()).periods(5) == ((540, 720),)  # no number known: as the hall


def test_late_hours_for_some_windows_close_no_desk():
    hall = parse_hours(
        "周一至周五 9:00-17:00；周四延时服务至19:30（开放1-3号窗口）；周六 9:00-12:00（延时服务1-3号）"
    )
    assert hall.for_windows(frozenset({10})).periods(3) == hall.periods(3)
    assert hall.for_windows(frozenset({10})).periods(5) == hall.periods(5)


def test_window_numbers_as_halls_write_them():
    assert window_numbers("仅开放户政窗口（1-3号）、社保卡窗口（8号）") == frozenset({1, 2, 3, 8})
    assert window_numbers("综合受理窗口") == frozenset()
    assert window_numbers("1-999号") == frozenset()  # no hall has such a range


SUMMER_WINTER = (
    "夏季（5月1日—9月30日）周一至周五 10:00-14:00，16:00-19:30；"
    "冬季（10月1日—次年4月30日）周一至周五 10:00-13:30，15:30-19:00（均为北京时间）；"
    "周六、周日及法定节假日休息"
)


def test_parts_of_the_year_with_hours_of_their_own():
    schedule = parse_hours(SUMMER_WINTER)
    assert schedule.day(dt.date(2026, 7, 15)).periods == ((600, 840), (960, 1170))
    assert schedule.day(dt.date(2026, 12, 8)).periods == ((600, 810), (930, 1140))
    assert schedule.day(dt.date(2027, 4, 30)).periods == ((600, 810), (930, 1140))  # across New Year
    assert not schedule.day(dt.date(2026, 12, 12)).is_open  # the clauses common to both parts hold
    assert schedule.at(dt.date(2026, 12, 8)).periods(0) == ((600, 810), (930, 1140))
    assert schedule.at(dt.date(2026, 7, 8)).lunch_break() == (840, 960)  # 14:00-16:00, a Xinjiang lunch
    # The whole text is still what citizens are shown.
    assert schedule.at(dt.date(2026, 12, 8)).text == SUMMER_WINTER
    # September's last evening is summer's (open until 19:30); 1 October's is winter's (closed at 19:00).
    assert schedule.is_open(dt.datetime(2026, 9, 30, 19, 15, tzinfo=CHINA))
    assert not schedule.is_open(dt.datetime(2026, 10, 1, 19, 15, tzinfo=CHINA))  # no calendar: a Thursday


def test_one_dated_part_alone_is_no_part_of_the_year():
    schedule = parse_hours("（5月1日—9月30日）周一至周五 9:00-17:00")
    assert schedule.variants == ()


def test_a_date_months_ahead_in_another_year_is_said_with_its_year():
    now = dt.datetime(2026, 12, 8, 10, 0, tzinfo=CHINA)
    assert describe_when(dt.datetime(2027, 7, 1, 8, 30, tzinfo=CHINA), now) == "2027年7月1日（周四）8:30"
    soon = dt.datetime(2026, 12, 31, 17, 0, tzinfo=CHINA)
    assert describe_when(dt.datetime(2027, 1, 4, 9, 0, tzinfo=CHINA), soon) == "1月4日（周一）9:00"


def test_a_desk_closed_on_weekends_stays_closed_in_each_part_of_the_year():
    schedule = parse_hours(
        "夏季（5月1日—9月30日）周一至周五 9:00-17:00；冬季（10月1日—次年4月30日）周一至周五 9:30-17:00；"
        "周六 9:30-12:00 仅开放户政窗口（1-6号）"
    )
    desk = schedule.for_windows(frozenset({16}))
    assert not desk.day(dt.date(2026, 7, 11)).is_open and not desk.day(dt.date(2026, 12, 12)).is_open
    assert desk.day(dt.date(2026, 12, 14)).periods == ((570, 1020),)  # a winter Monday as it was
    id_desk = schedule.for_windows(frozenset({3}))
    assert id_desk.day(dt.date(2026, 12, 12)).periods == ((570, 720),)
