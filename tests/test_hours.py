"""bot.conversation.hours: parsing hall hours and deciding whether people are at their desks."""

import datetime as dt

import pytest

from bot.conversation.hours import CHINA, HoursError, Span, describe_opening, parse_hours

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
