"""Service hours: parse what halls write ("周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）") and
decide whether people are at their desks on a date or at a moment.

Halls are in China (UTC+8, no daylight saving). Public holidays and 调休 working weekends change every year
and are not in the text: a schedule given a :class:`~bot.conversation.holidays.Calendar` closes on public
holidays (unless its text says it opens on them) and opens on make-up working days with Monday's periods;
without one it knows only the weekly pattern.
"""

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from bot.conversation.holidays import Calendar

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

_DAY_NUMBERS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_DAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_DAY = r"(?:周|星期|礼拜)([一二三四五六日天七])"
_DAY_RANGE = re.compile(_DAY + r"\s*[至到~\-—–]\s*" + _DAY)
_DAY_SINGLE = re.compile(_DAY)
_CLOCK = r"(上午|下午|中午|晚上)?\s*(\d{1,2})(?:[:：](\d{2})|(点半)|点|时)?"
#: Not window or floor numbers (综合受理1-2号窗口, 3-5楼): a range of hours is not followed by 号, 楼….
_TIME_RANGE = re.compile(_CLOCK + r"\s*[-~—–至到]\s*" + _CLOCK + r"(?![\d号楼层栋幢室窗])")
_PARENTHESES = re.compile(r"[（(][^）)]*[）)]")
_EVERY_DAY = re.compile(r"工作日|每天|每日|全天|周一至周日")
#: The text says the hall opens on public holidays ("节假日照常办公", "全年无休"); "节假日调休上班日正常办公"
#: and "法定节假日除外" do not.
_OPENS_ON_HOLIDAYS = re.compile(
    r"(?:节假日|节日|假期)(?:期间)?(?:也|均|都|照常|正常)?(?:开放|办公|上班|营业|对外服务|不休息|无休)"
    r"|含(?:法定)?节假日|全年无休|365天"
)
#: A part of a clause that says it is closed (中午12:00-14:30午休, 周六下午及周日休息; not 中午不休息).
_CLOSED = re.compile(r"(?<![不无])(?:午休|休息|暂停|闭馆|停止受理|停办)|不办公|不受理|不开放|不对外")
_PARTS = re.compile(r"[，,]")
#: Hours run on later some day (每周四延时服务至19:30, 周三延长至晚上7点).
_EXTENDED = re.compile(
    r"(?:延时|延长|延迟)(?:服务|办公|办理)?(?:至|到)(?:晚上|下午)?\s*(\d{1,2})(?:[:：](\d{2})|点半?)?"
)
_NOTE_SPLIT = re.compile(r"[，,；;。]")
_NOTE_EDGES = " \t、,，:：；;。及和与"
_SLOGAN = re.compile(r"^[“\"「『].*[”\"」』]$")
#: A gap between two periods that counts as the lunch break: it starts 11:00–14:00 and ends by 16:30 (in
#: Xinjiang, on Beijing time, lunch runs 14:00–16:00).
_LUNCH_START, _LUNCH_END = (11 * 60, 14 * 60), 16 * 60 + 30
#: A note that opens some windows only (仅开放户政窗口（1-6号）, 只开放…, 开放…窗口（1-3号）).
_ONLY = re.compile(r"仅|只|开放")
#: Window numbers as halls write them: 1-6号, 8号, 40-45号.
_WINDOW_NUMBERS = re.compile(r"(\d{1,3})(?:\s*[-—–~至到]\s*(\d{1,3}))?\s*号")


def window_numbers(text: str) -> frozenset[int]:
    """The window numbers ``text`` names (1-6号 → 1…6), ranges of at most 100 windows."""
    found: set[int] = set()
    for match in _WINDOW_NUMBERS.finditer(text):
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if first <= last <= first + 100:
            found.update(range(first, last + 1))
    return frozenset(found)


#: Two dates of a year (5月1日—9月30日, 11月1日至次年2月28日): four groups, month and day of each.
_DATE = r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?"
_DATE_RANGE = rf"{_DATE}\s*(?:至|到|~|-|—|–)\s*(?:次年|翌年)?{_DATE}"
#: A part of the year with hours of its own: 夏季（5月1日—9月30日）, 冬季(10月1日至次年4月30日).
_PART_OF_YEAR = re.compile(
    rf"(?:夏季|冬季|夏令|冬令|夏天|冬天|春季|秋季|旺季|淡季)?(?:作息)?(?:时间)?\s*[（(]\s*{_DATE_RANGE}\s*[）)]"
)
#: A yearly period applications are taken in (每年7月1日至9月30日集中受理): closed the rest of the year.
_SEASON = re.compile(rf"每年\s*{_DATE_RANGE}(?<=[日号])")


def _dates_of(match: re.Match[str]) -> tuple[tuple[int, int], tuple[int, int]]:
    """The (month, day) pair of each end of a :data:`_DATE_RANGE` match."""
    month1, day1, month2, day2 = (int(group) for group in match.groups()[:4])
    return (month1, day1), (month2, day2)


#: How far next_opening looks: past 春节 (9 days) with weekends and a hall that opens one day a week.
HORIZON_DAYS = 40


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


Period = tuple[int, int]
"""An opening period of one day: (start, end) in minutes after midnight."""


@dataclass(frozen=True)
class Day:
    """What a schedule says about one date."""

    date: dt.date
    periods: tuple[Period, ...]
    #: The public holiday on this date (closed unless the hall opens on holidays).
    holiday: str | None = None
    #: A make-up working day (调休上班): worked with Monday's periods (its own if Monday is closed).
    makeup: bool = False
    #: What the hall wrote for this weekday besides the times ("仅办理身份证、户籍业务"), if anything.
    note: str | None = None
    #: Outside the yearly period the service takes applications in (每年7月1日至9月30日集中受理).
    off_season: bool = False

    @property
    def is_open(self) -> bool:
        return bool(self.periods)

    @property
    def lunch(self) -> Period | None:
        return lunch_of(self.periods)


@dataclass(frozen=True)
class Schedule:
    """Weekly opening periods and the text they came from (shown to citizens as written)."""

    spans: tuple[Span, ...]
    text: str
    #: (weekday, note) pairs: what the text says of a weekday besides its times (services, 延时服务).
    notes: tuple[tuple[int, str], ...] = ()
    #: The text says the hall opens on public holidays.
    opens_on_holidays: bool = False
    calendar: Calendar | None = dataclasses.field(default=None, compare=False, repr=False)
    #: The yearly period applications are taken in, ((month, day), (month, day)), or None (all year).
    season: tuple[tuple[int, int], tuple[int, int]] | None = None
    #: Parts of the year with hours of their own (夏季（5月1日—9月30日）…；冬季（10月1日—次年4月30日）…):
    #: (first, last, schedule) each; a date's day is its part's.
    variants: tuple[tuple[tuple[int, int], tuple[int, int], "Schedule"], ...] = ()

    def at(self, date: dt.date) -> "Schedule":
        """This schedule as it stands on ``date``: the weekly hours of the part of the year it falls in
        (the whole year's parts kept, so other dates still get their own)."""
        for first, last, part in self.variants:
            if _within(date, first, last):
                return dataclasses.replace(
                    part, text=self.text, variants=self.variants, calendar=self.calendar
                )
        return self

    def for_windows(self, numbers: frozenset[int]) -> "Schedule":
        """This schedule for a desk of window ``numbers``: a weekend day whose note opens only other windows
        (周六 仅开放…1-6号…) is closed for it. Weekdays are left alone: their notes tell of late hours or part
        of a day (周四延时服务至19:30（开放1-3号）), not of the whole day."""
        if not numbers:
            return self
        if self.variants:
            # 夏季/冬季 hours: each part of the year's weekend for the desk (a date's day is its part's).
            variants = tuple((first, last, part.for_windows(numbers)) for first, last, part in self.variants)
            return dataclasses.replace(self, variants=variants)
        weekend = {day: self.note(day) or "" for day in (5, 6)}
        shut = {
            day
            for day, note in weekend.items()
            if _ONLY.search(note)
            and "延时" not in note
            and window_numbers(note)
            and not numbers & window_numbers(note)
        }
        if not shut:
            return self
        return dataclasses.replace(
            self,
            spans=tuple(span for span in self.spans if span.weekday not in shut),
            notes=tuple((day, note) for day, note in self.notes if day not in shut),
        )

    def in_season(self, date: dt.date) -> bool:
        """Whether ``date`` falls in the yearly period applications are taken in (always, without one)."""
        if self.season is None:
            return True
        return _within(date, *self.season)

    def season_text(self) -> str:
        """ "每年7月1日至9月30日" (empty without a season)."""
        if self.season is None:
            return ""
        (m1, d1), (m2, d2) = self.season
        return f"每年{m1}月{d1}日至{m2}月{d2}日"

    def _season_start(self, after: dt.date) -> dt.date:
        """The first day of the next season on or after ``after``."""
        assert self.season is not None
        (month, day), _ = self.season
        for year in (after.year, after.year + 1):
            try:
                start = dt.date(year, month, day)
            except ValueError:  # 2月29日 of a common year
                start = dt.date(year, month, 28)
            if start >= after:
                return start
        return after

    def with_calendar(self, calendar: Calendar | None) -> "Schedule":
        """This schedule, knowing public holidays and make-up working days from ``calendar``."""
        variants = tuple((first, last, part.with_calendar(calendar)) for first, last, part in self.variants)
        return dataclasses.replace(self, calendar=calendar, variants=variants)

    def periods(self, weekday: int) -> tuple[Period, ...]:
        """The weekly opening periods of ``weekday`` (0 = Monday), earliest first."""
        return tuple(sorted((s.start, s.end) for s in self.spans if s.weekday == weekday))

    def note(self, weekday: int) -> str | None:
        """What the text says of ``weekday`` besides its times, e.g. "仅受理和发放出入境证件"."""
        found = [note for day, note in self.notes if day == weekday]
        return "，".join(dict.fromkeys(found)) or None

    def lunch_break(self, weekday: int = 0) -> Period | None:
        """The gap between the morning and afternoon periods of ``weekday``; None when there is none."""
        return lunch_of(self.periods(weekday))

    def day(self, date: dt.date) -> Day:
        """The opening periods of one date, holidays and make-up working days applied."""
        for first, last, part in self.variants:
            if _within(date, first, last):
                return part.day(date)  # 夏季/冬季: that part of the year's week
        weekday = date.weekday()
        if not self.in_season(date):
            return Day(date, (), off_season=True)
        holiday = self.calendar.is_holiday(date) if self.calendar else None
        if holiday is not None:
            periods = self.periods(weekday) if self.opens_on_holidays else ()
            return Day(date, periods, holiday=holiday, note=self.note(weekday) if periods else None)
        if self.calendar and self.calendar.is_makeup_workday(date):
            worked = 0 if self.periods(0) else weekday  # a hall closed on Mondays keeps its own pattern
            return Day(date, self.periods(worked), makeup=True, note=self.note(worked))
        return Day(date, self.periods(weekday), note=self.note(weekday))

    def is_open(self, now: dt.datetime) -> bool:
        """True when ``now`` (any time zone; naive means China time) falls in an opening period."""
        local = china_time(now)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.day(local.date()).periods)

    def next_opening(self, now: dt.datetime, *, horizon: int = HORIZON_DAYS) -> dt.datetime | None:
        """The start of the next opening period after ``now`` (China time), skipping holidays, or None."""
        local = china_time(now)
        minute = local.hour * 60 + local.minute
        if not self.in_season(local.date()):
            # Out of season the next opening is the season's first working day, however far ahead.
            start = self._season_start(local.date())
            local, minute = dt.datetime.combine(start, dt.time(0, 0), CHINA), -1
        for days_ahead in range(horizon + 1):
            day = local.date() + dt.timedelta(days=days_ahead)
            starts = [start for start, _ in self.day(day).periods if days_ahead or start > minute]
            if starts:
                return dt.datetime.combine(day, dt.time(starts[0] // 60, starts[0] % 60), CHINA)
        return None


def lunch_of(periods: tuple[Period, ...]) -> Period | None:
    """The midday gap between two of ``periods`` (sorted), or None."""
    for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
        if end < start and _LUNCH_START[0] <= end <= _LUNCH_START[1] and start <= _LUNCH_END:
            return end, start
    return None


def china_time(moment: dt.datetime) -> dt.datetime:
    """``moment`` in China time (a naive one is taken as China time already)."""
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


def _clauses(text: str) -> list[str]:
    """``text`` split at ；/;/newlines outside parentheses."""
    clauses, current, depth = [], "", 0
    for char in text:
        depth += 1 if char in "（(" else -1 if char in "）)" and depth else 0
        if char in "；;\n" and not depth:
            clauses.append(current)
            current = ""
        else:
            current += char
    return [*clauses, current]


def _note(clause: str) -> str | None:
    """What ``clause`` says besides days and times, holiday remarks and slogans left out."""
    inner = [match[1:-1] for match in _PARENTHESES.findall(clause)]
    rest = _PARENTHESES.sub("，", clause)
    for pattern in (_TIME_RANGE, _DAY_RANGE, _DAY_SINGLE, _EVERY_DAY):
        rest = pattern.sub("", rest)
    parts = [part.strip(_NOTE_EDGES) for piece in [rest, *inner] for part in _NOTE_SPLIT.split(piece)]
    kept = [
        part
        for part in parts
        # What is closed is in the schedule already (下午及周日休息 would read "下午及休息" here).
        if part and "节假日" not in part and not _SLOGAN.match(part) and not _CLOSED.search(part)
    ]
    return "，".join(kept) or None


def _open_parts(clause: str) -> str:
    """``clause`` without its parts that say it is closed (周日休息, 中午12:00-14:30午休): neither their
    days nor their times are opening hours."""
    return "，".join(part for part in _PARTS.split(clause) if not _CLOSED.search(part))


def parse_hours(text: str, calendar: Calendar | None = None) -> Schedule:
    """The weekly schedule in ``text``; clauses without days inherit the previous clause's days
    (Monday to Friday when none is named). Parts that say closed (午休, 周日休息) open nothing; parts of the
    year with hours of their own (夏季（5月1日—9月30日）…) each get theirs. Raises :class:`HoursError` when
    no times are found."""
    parts = _parts_of_year(text)
    if not parts:
        return _weekly(text, calendar)
    variants = tuple((first, last, _weekly(part, calendar)) for first, last, part in parts)
    return dataclasses.replace(variants[0][2], text=text.strip(), variants=variants)


def _within(date: dt.date, first: tuple[int, int], last: tuple[int, int]) -> bool:
    """Whether ``date`` falls between two (month, day) of a year, across New Year if ``last`` is earlier."""
    at = (date.month, date.day)
    return first <= at <= last if first <= last else (at >= first or at <= last)


def _parts_of_year(text: str) -> list[tuple[tuple[int, int], tuple[int, int], str]]:
    """The parts of the year ``text`` gives hours of their own (at least two), each with its clauses and
    the clauses common to all; [] when it gives none."""
    clauses = [clause for clause in re.split(r"[；;]", text) if clause.strip()]
    found = [(clause, _PART_OF_YEAR.search(clause)) for clause in clauses]
    marked = [(clause, match) for clause, match in found if match is not None]
    if len(marked) < 2:
        return []
    common = [clause for clause, match in found if match is None]
    parts = []
    for clause, match in marked:
        first, last = _dates_of(match)
        own = clause[: match.start()] + " " + clause[match.end() :]
        parts.append((first, last, "；".join([own, *common])))
    return parts


def _weekly(text: str, calendar: Calendar | None = None) -> Schedule:
    """One weekly pattern (see :func:`parse_hours`)."""
    spans: list[Span] = []
    notes: list[tuple[int, str]] = []
    days: list[int] = list(range(5))
    for raw in _clauses(text):
        clause = _open_parts(_PARENTHESES.sub("", raw))
        named = _days(clause)
        ranges = list(_TIME_RANGE.finditer(clause))
        extended = _EXTENDED.search(clause)
        if not ranges and extended is not None and named is not None:
            # 每周四延时服务至19:30: that day's hours run on to then.
            half = "半" if "半" in extended.group(0) else None
            until = _minutes(None, extended.group(1), extended.group(2), half)
            if until < 12 * 60:
                until += 12 * 60  # 延长至晚上7点: later than the day's end, so in the evening
            for day in named:
                last = max((span.end for span in spans if span.weekday == day), default=None)
                if last is not None and last < until <= 24 * 60:
                    spans.append(Span(day, last, until))
            # What the late hours serve (开放户籍、社保窗口), told beside them.
            inner = [
                _TIME_RANGE.sub("", match[1:-1]).strip(_NOTE_EDGES) for match in _PARENTHESES.findall(raw)
            ]
            late = "，".join([f"延时服务至{clock(until)}", *(part for part in inner if part)])
            notes.extend((day, late) for day in named)
            continue
        if not ranges:
            continue
        if named is not None:
            days = named
        note = _note(raw)
        if note:
            notes.extend((day, note) for day in days)
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
    season = _SEASON.search(text)
    return Schedule(
        spans=tuple(spans),
        text=text.strip(),
        notes=tuple(notes),
        opens_on_holidays=bool(_OPENS_ON_HOLIDAYS.search(text)),
        calendar=calendar,
        season=_dates_of(season) if season else None,
    )


def describe_opening(moment: dt.datetime) -> str:
    """ "周一 9:00" for a citizen."""
    local = china_time(moment)
    return f"{_DAY_NAMES[local.weekday()]} {local.hour}:{local.minute:02d}"


def clock(minute: int) -> str:
    """ "9:00" for 540."""
    return f"{minute // 60}:{minute % 60:02d}"


def describe_periods(periods: tuple[Period, ...]) -> str:
    """ "9:00-12:00，13:30-17:30"."""
    return "，".join(f"{clock(start)}-{clock(end)}" for start, end in periods)


def describe_date(date: dt.date) -> str:
    """ "10月8日（周四）"."""
    return f"{date.month}月{date.day}日（{_DAY_NAMES[date.weekday()]}）"


#: Days ahead beyond which a date in another year is said with its year.
_YEAR_SAID_AFTER = 31


def describe_when(moment: dt.datetime, now: dt.datetime) -> str:
    """ "今天13:30", "明天（10月8日，周四）9:00" or "10月9日（周五）9:00", relative to ``now``."""
    local, today = china_time(moment), china_time(now).date()
    time = clock(local.hour * 60 + local.minute)
    ahead = (local.date() - today).days
    if ahead == 0:
        return f"今天{time}"
    day = f"{local.month}月{local.day}日，{_DAY_NAMES[local.weekday()]}"
    if ahead == 1:
        return f"明天（{day}）{time}"
    # Months ahead into another year (a season's next opening): the year too, so 7月1日 is not this July's.
    year = f"{local.year}年" if local.year != today.year and ahead > _YEAR_SAID_AFTER else ""
    return f"{year}{describe_date(local.date())}{time}"
