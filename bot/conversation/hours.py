"""Service hours: parse what halls write ("周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）") and
decide whether people are at their desks now.

Halls are in China (UTC+8, no daylight saving). Public holidays and 调休 working weekends change
every year and are not in the text, so they are not known here: a handoff on a holiday says so in
its wording ("法定节假日除外") rather than pretending to know.
"""

import datetime as dt
import re
from dataclasses import dataclass

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

_DAY_NUMBERS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_DAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_DAY = r"(?:周|星期|礼拜)([一二三四五六日天七])"
_DAY_RANGE = re.compile(_DAY + r"\s*[至到~\-—–]\s*" + _DAY)
_DAY_SINGLE = re.compile(_DAY)
_CLOCK = r"(上午|下午|中午|晚上)?\s*(\d{1,2})(?:[:：](\d{2})|(点半)|点|时)?"
_TIME_RANGE = re.compile(_CLOCK + r"\s*[-~—–至到]\s*" + _CLOCK)
_PARENTHESES = re.compile(r"[（(][^）)]*[）)]")


class HoursError(ValueError):
    """Text with no recognisable opening times."""

    def __init__(self, text: str) -> None:
        super().__init__(f"no opening times found in {text!r}")
        self.text = text


@dataclass(frozen=True)
class Span:
    """One opening period on one weekday (0 = Monday); times in minutes after midnight."""

    weekday: int
    start: int
    end: int


@dataclass(frozen=True)
class Schedule:
    """Weekly opening periods and the text they came from (shown to citizens as written)."""

    spans: tuple[Span, ...]
    text: str

    def is_open(self, now: dt.datetime) -> bool:
        """True when ``now`` (any time zone; naive means China time) falls in an opening period."""
        local = _china(now)
        minute = local.hour * 60 + local.minute
        return any(s.weekday == local.weekday() and s.start <= minute < s.end for s in self.spans)

    def next_opening(self, now: dt.datetime) -> dt.datetime | None:
        """The start of the next opening period after ``now`` (China time), or None if there is none."""
        local = _china(now)
        minute = local.hour * 60 + local.minute
        for days_ahead in range(8):
            day = local.date() + dt.timedelta(days=days_ahead)
            starts = sorted(
                s.start for s in self.spans if s.weekday == day.weekday() and (days_ahead or s.start > minute)
            )
            if starts:
                start = dt.datetime.combine(day, dt.time(starts[0] // 60, starts[0] % 60), CHINA)
                return start
        return None


def _china(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=CHINA) if moment.tzinfo is None else moment.astimezone(CHINA)


def _days(clause: str) -> list[int] | None:
    if "每天" in clause or "每日" in clause or "全天" in clause:
        return list(range(7))
    days: list[int] = []
    if "工作日" in clause:
        days.extend(range(5))
    for first, last in _DAY_RANGE.findall(clause):
        start, end = _DAY_NUMBERS[first], _DAY_NUMBERS[last]
        days.extend(range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)])
    for name in _DAY_SINGLE.findall(_DAY_RANGE.sub("", clause)):
        days.append(_DAY_NUMBERS[name])
    return sorted(set(days)) or None


def _minutes(half: str | None, hour: str, minute: str | None, half_hour: str | None) -> int:
    value = int(hour) % 24
    if half in ("下午", "晚上") and value < 12:
        value += 12
    return value * 60 + (int(minute) if minute else 30 if half_hour else 0)


def parse_hours(text: str) -> Schedule:
    """The weekly schedule in ``text``; clauses without days inherit the previous clause's days
    (Monday to Friday when none is named). Raises :class:`HoursError` when no times are found."""
    spans: list[Span] = []
    days: list[int] = list(range(5))
    for clause in re.split(r"[；;\n]", _PARENTHESES.sub("", text)):
        named = _days(clause)
        ranges = list(_TIME_RANGE.finditer(clause))
        if not ranges:
            continue
        if named is not None:
            days = named
        for match in ranges:
            start_half, start_hour, start_minute, start_30, end_half, end_hour, end_minute, end_30 = (
                match.groups()
            )
            start = _minutes(start_half, start_hour, start_minute, start_30)
            end = _minutes(end_half or start_half, end_hour, end_minute, end_30)
            if end_half is None and start_half is None and end <= start and end < 12 * 60:
                end += 12 * 60  # "9点-5点" means until five in the afternoon
            if not 0 <= start < end <= 24 * 60:
                continue
            spans.extend(Span(day, start, end) for day in days)
    if not spans:
        raise HoursError(text)
    return Schedule(spans=tuple(spans), text=text.strip())


def describe_opening(moment: dt.datetime) -> str:
    """ "周一 9:00" for a citizen."""
    local = _china(moment)
    return f"{_DAY_NAMES[local.weekday()]} {local.hour}:{local.minute:02d}"
