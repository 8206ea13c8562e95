"""Days as citizens name them ("今天", "明天", "下周六", "周末", "国庆", "10月1号"), resolved against today.

Parsing is pure text; resolving needs today's date and, for holidays, a
:class:`~bot.conversation.holidays.Calendar`.
"""

import datetime as dt
import re
from dataclasses import dataclass

from bot.conversation.holidays import Calendar

_OFFSETS = {"今天": 0, "今日": 0, "今儿": 0, "明天": 1, "明日": 1, "明儿": 1, "后天": 2, "大后天": 3}
_NOW = ("现在", "此刻", "这会儿", "目前", "当前")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_HOLIDAYS = {
    "国庆节": "国庆节",
    "国庆": "国庆节",
    "十一": "国庆节",
    "春节": "春节",
    "过年": "春节",
    "除夕": "春节",
    # 初几上班 / 正月里开门吗: the days of the new year are the Spring Festival's.
    "初几": "春节",
    "正月": "春节",
    "元旦": "元旦",
    "五一": "劳动节",
    "劳动节": "劳动节",
    "清明节": "清明节",
    "清明": "清明节",
    "端午节": "端午节",
    "端午": "端午节",
    "中秋节": "中秋节",
    "中秋": "中秋节",
}
_HOLIDAY = "|".join(sorted(_HOLIDAYS, key=len, reverse=True)).replace("十一", r"十一(?![点时号月日楼路])")
_PATTERN = re.compile(
    r"(?P<offset>大后天|后天|今天|今日|今儿|明天|明日|明儿)"
    rf"|(?P<now>{'|'.join(_NOW)})"
    r"|(?P<week>这|本|下个?|)(?:周|星期|礼拜)(?P<weekday>[一二三四五六日天七])"
    r"|(?P<weekend>周末|双休日?)"
    rf"|(?P<holiday>{_HOLIDAY})"
    r"|(?:(?P<month>\d{1,2})月)?(?P<day>\d{1,2})[日号](?![窗楼])"
)


@dataclass(frozen=True)
class DayRef:
    """One day (or a weekend, or a holiday) as the citizen named it."""

    words: str
    offset: int | None = None
    #: 现在: the moment matters, not only the date.
    now: bool = False
    weekday: int | None = None
    next_week: bool = False
    weekend: bool = False
    holiday: str | None = None
    month: int | None = None
    day: int | None = None

    def dates(self, today: dt.date, calendar: Calendar | None = None) -> list[dt.date]:
        """The dates meant, as seen on ``today``; empty when they cannot be known (a holiday with no
        calendar, or a year the calendar does not know, or an impossible date)."""
        if self.offset is not None:
            return [today + dt.timedelta(days=self.offset)]
        if self.weekday is not None:
            if self.next_week:
                return [today + dt.timedelta(days=7 - today.weekday() + self.weekday)]
            return [today + dt.timedelta(days=(self.weekday - today.weekday()) % 7)]
        if self.weekend:
            saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 if today.weekday() < 6 else -1)
            return [day for day in (saturday, saturday + dt.timedelta(days=1)) if day >= today]
        if self.holiday is not None:
            found = calendar.next_holiday(today, self.holiday) if calendar else None
            return [found[0]] if found else []
        return _calendar_date(today, self.month, self.day)


def _calendar_date(today: dt.date, month: int | None, day: int | None) -> list[dt.date]:
    if day is None:
        return []
    try:
        if month is None:
            found = today.replace(day=day)
            if found < today:  # "5号" after the fifth means next month's
                found = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=day)
            return [found]
        found = dt.date(today.year, month, day)
        return [found if found >= today - dt.timedelta(days=30) else found.replace(year=today.year + 1)]
    except ValueError:
        return []


def find_days(text: str) -> tuple[list[DayRef], str]:
    """The days named in ``text`` (in order, repeats dropped) and the text with them taken out."""
    found: list[DayRef] = []
    for match in _PATTERN.finditer(text):
        groups = {key: value for key, value in match.groupdict().items() if value is not None}
        ref = _ref(match.group(0), groups)
        if ref not in found:
            found.append(ref)
    return found, _PATTERN.sub(" ", text)


def _ref(words: str, groups: dict[str, str]) -> DayRef:
    if "offset" in groups:
        return DayRef(words, offset=_OFFSETS[groups["offset"]])
    if "now" in groups:
        return DayRef(words, offset=0, now=True)
    if "weekday" in groups:
        return DayRef(words, weekday=_WEEKDAYS[groups["weekday"]], next_week=groups["week"].startswith("下"))
    if "weekend" in groups:
        return DayRef(words, weekend=True)
    if "holiday" in groups:
        return DayRef(words, holiday=_HOLIDAYS[groups["holiday"]])
    return DayRef(words, month=int(groups["month"]) if "month" in groups else None, day=int(groups["day"]))
