"""knowledge.hall_time: the hall's time zone for every time staff read."""

import datetime as dt

import pytest

from knowledge import hall_time

NOON_UTC = dt.datetime(2026, 6, 30, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 July in Beijing


@pytest.mark.parametrize(
    ("name", "shown", "day"),
    [(None, "2026-07-01 00:30", "2026-07-01"), ("", "2026-07-01 00:30", "2026-07-01"),
     ("Asia/Urumqi", "2026-06-30 22:30", "2026-06-30"), ("UTC", "2026-06-30 16:30", "2026-06-30")],
    ids=["default", "empty", "urumqi", "utc"],
)
def test_times_and_days_in_the_zone(name, shown, day):
    zone = hall_time.hall_zone(name)
    assert hall_time.format_time(NOON_UTC, zone) == shown
    assert hall_time.today(zone, now=NOON_UTC).isoformat() == day


def test_naive_database_times_are_utc():
    zone = hall_time.hall_zone()
    assert hall_time.format_time(NOON_UTC.replace(tzinfo=None), zone) == "2026-07-01 00:30"
    assert hall_time.format_time(None, zone) == "—"


@pytest.mark.parametrize(
    "name", ["Asia/Beijing", "../etc/passwd", "北京"], ids=["not-iana", "path", "chinese"]
)
def test_a_bad_name_is_refused_in_chinese(name):
    with pytest.raises(hall_time.TimezoneError) as raised:
        hall_time.hall_zone(name)
    assert "GUIDEBOT_TIMEZONE" in raised.value.message and "Asia/Shanghai" in raised.value.message


def test_the_default_works_without_a_time_zone_database(monkeypatch):
    def missing(_key):
        raise hall_time.ZoneInfoNotFoundError("no tzdata")

    monkeypatch.setattr(hall_time, "ZoneInfo", missing)
    zone = hall_time.hall_zone()
    assert hall_time.format_time(NOON_UTC, zone) == "2026-07-01 00:30"
    assert hall_time.zone_label(zone) == "北京时间"
    with pytest.raises(hall_time.TimezoneError):
        hall_time.hall_zone("Asia/Urumqi")
