"""China's public holidays (法定节假日) and make-up working days (调休上班).

The dates come from the MIT package ``chinesecalendar`` (the State Council's notices, one release a year)
plus an optional file hall staff keep for years the package does not know yet
(``GUIDEBOT_HOLIDAYS_FILE``, JSON or YAML)::

    {"holidays": {"2027-01-01": "元旦", ...}, "workdays": ["2027-02-07", ...]}

The file wins over the package for the dates it names. For a year neither knows, the days the law
itself fixes are rest days (元旦 1 January, 春节 from New Year's Eve to the third day, 清明, 劳动节 1–2
May, 端午, 中秋, 国庆 1–3 October: 全国年节及纪念日放假办法, 2025); the State Council's notice only adds
bridge days and make-up working days around them. Such a year is logged once, so staff notice the file
needs updating.
"""

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml
from lunar_python import Lunar, Solar

log = logging.getLogger(__name__)

#: The package's short names, said the way a notice says them.
_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


class HolidayFileError(ValueError):
    """The staff's holidays file cannot be read; ``entry`` names the bad entry (or is empty)."""

    def __init__(self, path: str, entry: str, problem: str) -> None:
        where = f"“{entry}”：" if entry else ""
        super().__init__(f"节假日文件 {path} 有误：{where}{problem}")
        self.path, self.entry, self.problem = path, entry, problem


def _package_dates() -> tuple[dict[dt.date, str], set[dt.date], set[int]]:
    names = {h.value: _NAMES.get(h.chinese, h.chinese) for h in chinese_calendar.Holiday}
    holidays = {day: names.get(name, name) for day, name in chinese_calendar.holidays.items()}
    years = {day.year for day in holidays}
    return holidays, set(chinese_calendar.workdays), set(range(min(years), max(years) + 1))


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The rest days the law fixes in ``year`` whatever the year's notice says (lunar dates converted)."""

    def lunar(month: int, day: int) -> dt.date:
        solar = Lunar.fromYmd(year, month, day).getSolar()
        return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())

    spring = lunar(1, 1)
    qingming = Solar.fromYmd(year, 4, 5).getLunar().getJieQiTable()["清明"]
    days = {dt.date(year, 1, 1): "元旦"}
    days.update({spring + dt.timedelta(days=step): "春节" for step in range(-1, 3)})
    days[dt.date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days.update({dt.date(year, 5, 1): "劳动节", dt.date(year, 5, 2): "劳动节"})
    days[lunar(5, 5)] = "端午节"
    days[lunar(8, 15)] = "中秋节"
    days.update({dt.date(year, 10, day): "国庆节" for day in (1, 2, 3)})
    return days


class Calendar:
    """Which dates are public holidays and which weekend dates are working days."""

    def __init__(
        self,
        holidays: Mapping[dt.date, str] | None = None,
        workdays: Iterable[dt.date] = (),
        *,
        known_years: Iterable[int] = (),
    ) -> None:
        """A calendar of exactly these dates; :func:`load_calendar` builds the usual one."""
        self._holidays = dict(holidays or {})
        self._workdays = frozenset(workdays)
        named = {day.year for day in self._holidays} | {day.year for day in self._workdays}
        self._known = frozenset(known_years) | named
        self._warned: set[int] = set()

    def knows(self, year: int) -> bool:
        """True when the year's holidays are known (from the package or the staff's file)."""
        return year in self._known

    def _check(self, day: dt.date) -> None:
        """Fill in the statutory days of a year nobody gave (once, logged so staff update the file)."""
        if day.year not in self._known and day.year not in self._warned:
            self._warned.add(day.year)
            for date, name in statutory_holidays(day.year).items():
                self._holidays.setdefault(date, name)
            log.warning("no holiday notice known for %d: only the statutory days are rest days", day.year)

    def is_holiday(self, day: dt.date) -> str | None:
        """The holiday's name ("国庆节") when ``day`` is a public-holiday rest day, else None."""
        self._check(day)
        return self._holidays.get(_date(day))

    def is_makeup_workday(self, day: dt.date) -> bool:
        """True when ``day`` is a weekend date worked in lieu of a holiday (调休上班)."""
        self._check(day)
        return _date(day) in self._workdays

    def is_workday(self, day: dt.date) -> bool:
        """Monday to Friday and not a holiday, or a make-up working day."""
        day = _date(day)
        return self.is_makeup_workday(day) or (day.weekday() < 5 and self.is_holiday(day) is None)

    def holiday_period(self, day: dt.date) -> tuple[dt.date, dt.date, str] | None:
        """(first day, last day, name) of the run of rest days around the holiday ``day``, or None."""
        name = self.is_holiday(day)
        if name is None:
            return None
        first = last = _date(day)
        while self._rest(first - dt.timedelta(days=1)):
            first -= dt.timedelta(days=1)
        while self._rest(last + dt.timedelta(days=1)):
            last += dt.timedelta(days=1)
        return first, last, name

    def _rest(self, day: dt.date) -> bool:
        """A rest day inside a holiday run: a holiday, or a weekend day that is not worked."""
        self._check(day)
        return day in self._holidays or (day.weekday() >= 5 and day not in self._workdays and self._near(day))

    def _near(self, day: dt.date) -> bool:
        return any(day + dt.timedelta(days=step) in self._holidays for step in (-2, -1, 1, 2))

    def next_holiday(
        self, after: dt.date, name: str | None = None, *, within: int = 400
    ) -> tuple[dt.date, dt.date, str] | None:
        """The next holiday period starting on or after ``after`` (today's, if today is a holiday), optionally
        the next one called ``name``; None when none is known within ``within`` days."""
        after = _date(after)
        for step in range(within):
            day = after + dt.timedelta(days=step)
            self._check(day)
            found = self._holidays.get(day)
            if found is not None and (name is None or found == name):
                return self.holiday_period(day)
        return None


def _date(day: dt.date) -> dt.date:
    return day.date() if isinstance(day, dt.datetime) else day


def _parse_date(path: str, value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # YAML reads an unquoted 2027-01-01 as a date
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise HolidayFileError(path, str(value), "日期应写成 YYYY-MM-DD，例如 2027-01-01") from None


def _read(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise HolidayFileError(path, "", f"无法读取（{error}）") from None
    try:
        return json.loads(text) if path.lower().endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise HolidayFileError(path, "", f"不是有效的 JSON/YAML（{error}）") from None


def read_holidays_file(path: str) -> tuple[dict[dt.date, str], set[dt.date]]:
    """The holidays and make-up working days a staff file names; raises :class:`HolidayFileError`."""
    data = _read(path)
    if not isinstance(data, dict):
        raise HolidayFileError(path, "", "应是一个对象，包含 holidays 和 workdays 两项")
    unknown = sorted(str(key) for key in data if key not in ("holidays", "workdays"))
    if unknown:
        raise HolidayFileError(path, unknown[0], "未知的项目，只能有 holidays 和 workdays")
    raw_holidays, raw_workdays = data.get("holidays") or {}, data.get("workdays") or []
    if not isinstance(raw_holidays, dict):
        raise HolidayFileError(path, "holidays", "应是“日期: 节日名称”的对应表")
    if not isinstance(raw_workdays, list):
        raise HolidayFileError(path, "workdays", "应是日期列表")
    holidays: dict[dt.date, str] = {}
    for key, name in raw_holidays.items():
        day = _parse_date(path, key)
        if not isinstance(name, str) or not name.strip():
            raise HolidayFileError(path, str(key), "缺少节日名称，例如“元旦”")
        holidays[day] = name.strip()
    workdays = {_parse_date(path, value) for value in raw_workdays}
    both = sorted(holidays.keys() & workdays)
    if both:
        raise HolidayFileError(path, both[0].isoformat(), "同一天不能既是节假日又是调休上班日")
    return holidays, workdays


def load_calendar(path: str | None = None) -> Calendar:
    """The package's calendar, overridden and extended by the staff file at ``path`` (when given)."""
    holidays, workdays, years = _package_dates()
    if path:
        extra_holidays, extra_workdays = read_holidays_file(path)
        for day in extra_holidays:
            workdays.discard(day)
        for day in extra_workdays:
            holidays.pop(day, None)
        holidays.update(extra_holidays)
        workdays |= extra_workdays
    return Calendar(holidays, workdays, known_years=years)
