"""Answers to questions about the hall itself, from the hall record (or an item's own hours, address, phone).

Short (at most :data:`LIMIT` bytes), dated and honest: a day asked about is answered for that date (holiday,
make-up working day, weekend with its services), and what the record does not say (parking) is said so, with
the phone to ask.
"""

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from bot.conversation.answers import fit
from bot.conversation.dayrefs import DayRef
from bot.conversation.hall import Ask, DayPart, HallQuestion
from bot.conversation.holidays import Calendar
from bot.conversation.hours import (
    CHINA,
    HoursError,
    Schedule,
    china_time,
    clock,
    describe_date,
    describe_periods,
    describe_when,
    lunch_of,
    parse_hours,
    window_numbers,
)
from knowledge.schema import Hall, Item, Online

#: Hall answers stay short: one screen of a phone.
LIMIT = 600
_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_DAY_ASKS = (Ask.HOURS, Ask.OPEN, Ask.HOLIDAYS)
#: How far ahead a coming holiday is worth mentioning in a 节假日 answer.
_HOLIDAY_NOTICE_DAYS = 60


@dataclass(frozen=True)
class _Source:
    """What the answer is about: the hall, or one item with the hall's record behind it."""

    hall: Hall
    subject: str
    hours: str | None
    schedule: Schedule | None
    address: str | None
    phone: str | None
    calendar: Calendar | None
    online: Online | None = None

    @staticmethod
    def of(hall: Hall, item: Item | None, calendar: Calendar | None) -> "_Source":
        hours = (item.hours if item else None) or hall.hours
        try:
            schedule = parse_hours(hours, calendar) if hours else None
        except HoursError:
            schedule = None
        if schedule is not None and item is not None and not item.hours:
            # The hall's 周六仅开放…1-6号: an item at window 16-19 is closed then.
            numbers = frozenset().union(*(window_numbers(w.number or "") for w in item.windows or ()))
            schedule = schedule.for_windows(numbers)
        subject = (item.windows[0].name if item.windows else item.name) if item else ""
        address = (item.address if item else None) or hall.address
        phone = (item.phone if item else None) or hall.phone
        online = item.online if item else None
        return _Source(hall, subject, hours, schedule, address, phone, calendar, online)

    def ask_phone(self) -> str:
        return f"请致电 {self.phone} 咨询" if self.phone else "请拨打12345政务服务便民热线咨询"


def hall_reply(
    ask: HallQuestion,
    hall: Hall,
    now: dt.datetime,
    calendar: Calendar | None = None,
    item: Item | None = None,
) -> str:
    """The answer to ``ask`` on ``now`` (China time), from the hall record, or from ``item``'s own hours,
    address and phone where it has them."""
    source = _Source.of(hall, item, calendar)
    local = china_time(now)
    if source.schedule is not None:
        # 夏季/冬季 hours: the week as it stands now (other dates still get their own part of the year).
        source = dataclasses.replace(source, schedule=source.schedule.at(local.date()))
    lines: list[str] = []
    if ask.days and any(a in _DAY_ASKS for a in ask.asks):
        seen: set[tuple[dt.date, ...]] = set()
        for ref in ask.days:
            dates = tuple(ref.dates(local.date(), source.calendar)) if not ref.now else ()
            if dates and dates in seen:
                continue  # 今天星期天: one day named twice is answered once
            seen.add(dates)
            lines.extend(_ref_lines(source, ref, local, ask.part))
    for what in ask.asks:
        if what in _DAY_ASKS and ask.days:
            continue
        lines.extend(_ANSWERS[what](source, local))
    return fit("\n".join(dict.fromkeys(line for line in lines if line)), LIMIT)


def open_now(
    hall: Hall, now: dt.datetime, calendar: Calendar | None = None, item: Item | None = None
) -> bool | None:
    """Whether ``item``'s desk (the hall where it keeps no hours of its own) is open at ``now``; None when
    the record's hours cannot be read."""
    source = _Source.of(hall, item, calendar)
    if source.schedule is None:
        return None
    local = china_time(now)
    return source.schedule.at(local.date()).is_open(local)


# -- days ---------------------------------------------------------------------------------------


def _ref_lines(source: _Source, ref: DayRef, now: dt.datetime, part: DayPart | None = None) -> list[str]:
    if source.schedule is None:
        return _hours(source, now)
    dates = ref.dates(now.date(), source.calendar)
    closed_then = _closed_part(source, ref, dates, now, part) if dates and not ref.holiday else None
    if closed_then is not None:
        return [closed_then, f"办公时间：{source.hours}。" if source.hours else ""]
    if not dates:
        if ref.holiday:
            return [f"{ref.holiday}的放假安排资料里还没有，法定节假日一般休息，以国务院办公厅通知为准。"]
        return [f"办公时间：{source.hours}。"]
    if ref.holiday:
        # 国庆节上班吗: that holiday, then the usual week, so the citizen also knows the days around it.
        week = f"平时办公时间：{source.hours}。" if source.hours else ""
        return [_date_line(source, dates[0], "", now), week]
    if ref.now:
        return [_now_line(source, now) or _date_line(source, dates[0], "今天", now)]
    lines = [_date_line(source, date, _label(ref, date), now) for date in dates]
    days = [source.schedule.day(date) for date in dates]
    if source.hours and any(not day.is_open and not day.holiday for day in days):
        # 周六开门吗 on a closed weekend: the week's hours too, so the citizen knows every day, not one.
        lines.append(f"办公时间：{source.hours}。")
    elif source.hours and any(
        date.weekday() >= 5 and not day.makeup for date, day in zip(dates, days, strict=True)
    ):
        # 周六能去办吗 on an open weekend day: the week's hours too (weekend service is often shorter, or
        # only some windows), so the citizen can weigh another day.
        lines.append(f"办公时间：{source.hours}。")
    elif source.hours and any(day.holiday or day.makeup for day in days):
        # 今天开门吗 on a holiday or a make-up working day: an unusual day, so the usual week as well.
        lines.append(f"平时办公时间：{source.hours}。")
    return lines


def _closed_part(
    source: _Source, ref: DayRef, dates: list[dt.date], now: dt.datetime, part: DayPart | None
) -> str | None:
    """周六下午开门吗 on a Saturday open mornings only: closed then, and when it opens next; None when the
    part of the day named has opening hours (or none is named, or several days are)."""
    if part is None or len(dates) != 1 or ref.now:
        return None
    assert source.schedule is not None
    day = source.schedule.day(dates[0])
    if not day.is_open or any(start < part.end and end > part.start for start, end in day.periods):
        return None
    after = dt.datetime.combine(dates[0], dt.time(part.start // 60, part.start % 60), CHINA)
    opening = source.schedule.next_opening(max(after, now))
    label = _label(ref, dates[0])
    then = f"{source.subject}{label}{part.words}不办公（当天办公时间：{describe_periods(day.periods)}）"
    return then + (f"，{describe_when(opening, now)}起可以办理。" if opening else "。")


def _label(ref: DayRef, date: dt.date) -> str:
    weekday = _WEEKDAYS[date.weekday()]
    if ref.weekday is not None or ref.weekend:
        return f"{ref.words if ref.weekday is not None else weekday}（{date.month}月{date.day}日）"
    if ref.day is not None:
        return describe_date(date)
    return f"{ref.words}（{date.month}月{date.day}日，{weekday}）"


def _date_line(source: _Source, date: dt.date, label: str, now: dt.datetime) -> str:
    """What ``date`` holds: a holiday (and when work resumes), a make-up day, the periods, or closed."""
    assert source.schedule is not None
    day = source.schedule.day(date)
    who = source.subject
    periods = describe_periods(day.periods) + (f"（{day.note}）" if day.note else "")
    if day.off_season:
        opening = source.schedule.next_opening(dt.datetime.combine(date, dt.time(23, 59), CHINA))
        again = f"，{describe_when(opening, now)}起受理" if opening else ""
        return f"{who}{label}不在受理期（{source.schedule.season_text()}受理）{again}。"
    if day.holiday and not day.is_open:
        return (f"{who}{label}休息，" if label else "") + _holiday_text(source, date)
    if day.holiday:
        return f"{who}{label}虽是{day.holiday}，照常办公：{periods}。"
    if day.makeup:
        return f"{label}是调休上班日，{who}正常办公：{periods}。"
    if day.is_open:
        return f"{who}{label}{'也' if date.weekday() >= 5 else '正常'}上班：{periods}。"
    opening = source.schedule.next_opening(dt.datetime.combine(date, dt.time(23, 59), CHINA))
    again = f"，{describe_when(opening, now)}起正常办公" if opening else ""
    return f"{who}{label}休息{again}。"


def _holiday_text(source: _Source, date: dt.date) -> str:
    """ "国庆节放假（10月1日至10月7日），10月8日（周四）起正常上班。" """
    assert source.schedule is not None and source.calendar is not None
    first, last, name = source.calendar.holiday_period(date) or (date, date, "节假日")
    span = (
        f"{first.month}月{first.day}日至{last.month}月{last.day}日" if first != last else describe_date(first)
    )
    opening = source.schedule.next_opening(dt.datetime.combine(last, dt.time(23, 59), CHINA))
    again = f"，{describe_date(opening.date())}起正常上班" if opening else ""
    # A year whose notice nobody gave: the law's days only; the notice may add bridge days around them.
    notice = "" if source.calendar.knows(date.year) else "（按法定假日推算，以国务院办公厅当年通知为准）"
    return f"{name}放假（{span}）{again}{notice}。"


def _now_line(source: _Source, now: dt.datetime) -> str:
    """Open or not at this moment, and until or from when."""
    schedule = source.schedule
    if schedule is None:
        return ""
    minute = now.hour * 60 + now.minute
    today = schedule.day(now.date())
    if today.off_season:
        opening = schedule.next_opening(now)
        again = f"，下次受理：{describe_when(opening, now)}" if opening else ""
        return f"现在不在受理期（{schedule.season_text()}受理）{again}。"
    if schedule.is_open(now):
        end = today.periods[-1][1]
        lunch = today.lunch
        pause = f"（中午{clock(lunch[0])}-{clock(lunch[1])}休息）" if lunch and minute < lunch[0] else ""
        # In hours run on late (延时服务至19:30，开放户籍…窗口): which windows they are.
        late = f"（{today.note}）" if today.note and "延时" in today.note else ""
        return f"现在正在办公，今天{clock(end)}下班{pause}{late}。"
    lunch = today.lunch
    if lunch and lunch[0] <= minute < lunch[1]:
        return f"现在是午休时间，{clock(lunch[1])}开始下午办公。"
    if today.holiday and not today.is_open:
        return f"今天休息，{_holiday_text(source, now.date())}"
    opening = schedule.next_opening(now)
    # 几点下班，现在去来得及吗 at 17:50: when today's work ended, beside when it starts again.
    ended = today.is_open and today.periods and minute >= today.periods[-1][1]
    closed = f"今天{clock(today.periods[-1][1])}已下班" if ended else "现在不在办公时间"
    return f"{closed}，下次办公：{describe_when(opening, now)}。" if opening else ""


# -- one answer per ask -------------------------------------------------------------------------


def _hours(source: _Source, now: dt.datetime) -> list[str]:
    if not source.hours:
        return [f"资料里没有写办公时间，{source.ask_phone()}。"]
    lines = [f"{source.subject}办公时间：{source.hours}。"]
    if source.schedule is not None and source.calendar is not None:
        day = source.schedule.day(now.date())
        if day.holiday or day.makeup:
            lines.append(_date_line(source, now.date(), "今天", now))
    return lines


def _open(source: _Source, now: dt.datetime) -> list[str]:
    line = _now_line(source, now)
    return [line, f"{source.subject}办公时间：{source.hours}。"] if line else _hours(source, now)


def _lunch(source: _Source, now: dt.datetime) -> list[str]:
    schedule = source.schedule
    if schedule is None:
        return _hours(source, now)
    lines = []
    weekday = next((schedule.periods(day) for day in range(5) if schedule.periods(day)), ())
    if weekday:
        lines.append(_lunch_text(weekday))
    weekend = {day: schedule.periods(day) for day in (5, 6) if len(schedule.periods(day)) >= 2}
    if weekend and set(weekend.values()) != {weekday}:
        names = "、".join(_WEEKDAYS[day] for day in weekend)
        lines = [f"工作日{line}" for line in lines] + [f"{names}{_lunch_text(next(iter(weekend.values())))}"]
    said = [f"{source.subject}{line}" for line in lines] or _hours(source, now)
    # 午休期间一楼1号窗口提供午间延时服务: what the record says is open over lunch, beside the break.
    served = [c for c in _HOURS_CLAUSE.split(source.hours or "") if _LUNCH.search(c) and _SERVED.search(c)]
    return said + [f"{clause.strip()}。" for clause in served if clause.strip() not in "".join(said)]


#: The clauses of an hours text (周一至周五…；中午…；周六…).
_HOURS_CLAUSE = re.compile(r"[；;。]")
_LUNCH = re.compile(r"午休|中午|午间")
#: Something served: a window, a desk or a service (窗口, 延时服务, 受理).
_SERVED = re.compile(r"窗口|延时|受理|服务|办理|不休息|照常")


def _lunch_text(periods: tuple[tuple[int, int], ...]) -> str:
    lunch = lunch_of(periods)
    if lunch is None:
        return f"中午不休息，{describe_periods(periods)}连续办公。"
    return f"中午{clock(lunch[0])}-{clock(lunch[1])}休息，{clock(lunch[1])}开始下午办公。"


def _holidays(source: _Source, now: dt.datetime) -> list[str]:
    schedule, calendar = source.schedule, source.calendar
    if schedule is not None and schedule.opens_on_holidays:
        return [f"{source.subject}节假日照常办公：{source.hours}。"]
    makeup = "，调休上班日正常办公" if calendar is not None else ""
    lines = [f"{source.subject}法定节假日休息{makeup}。"]
    if schedule is None or calendar is None:
        return lines
    today = now.date()
    if calendar.is_holiday(today):
        return [lines[0], f"今天休息，{_holiday_text(source, today)}"]
    coming = calendar.next_holiday(today, within=_HOLIDAY_NOTICE_DAYS)
    if coming:
        lines.append(f"最近的假期：{_holiday_text(source, coming[0])}")
    return lines


def _address(source: _Source, now: dt.datetime) -> list[str]:
    if not source.address:
        return [f"资料里没有写地址，{source.ask_phone()}。"]
    return [f"{source.subject or source.hall.name}地址：{source.address}。"]


def _route(source: _Source, now: dt.datetime) -> list[str]:
    if not source.address:
        return _address(source, now)
    return [
        *_address(source, now),
        f"资料里没有公交和路线信息，可在地图App中搜索“{source.hall.name}”导航前往。",
    ]


def _phone(source: _Source, now: dt.datetime) -> list[str]:
    if not source.phone:
        return ["资料里没有写咨询电话，可拨打12345政务服务便民热线。"]
    return [f"{source.subject}咨询电话：{source.phone}（办公时间拨打）。"]


def _complaint(source: _Source, now: dt.datetime) -> list[str]:
    if source.hall.complaint_phone:
        return [f"投诉电话：{source.hall.complaint_phone}；也可拨打12345政务服务便民热线。"]
    phone = f"咨询电话 {source.hall.phone}，或" if source.hall.phone else ""
    return [f"资料里没有单独的投诉电话，可拨打{phone}拨打12345政务服务便民热线。"]


def _website(source: _Source, now: dt.datetime) -> list[str]:
    online = source.online
    if online is not None:
        note = f"{online.note}" if online.note else ""
        if online.available:
            return [f"{source.subject}可以网上办理：{online.url or source.hall.website or ''}", note]
        return [f"{source.subject}不能网上办理，需要到现场办理。{note}"]
    if source.hall.website:
        return [f"网上办事：{source.hall.website}"]
    return [f"资料里没有网上办事的网址，{source.ask_phone()}。"]


def _parking(source: _Source, now: dt.datetime) -> list[str]:
    # Halls without a parking field often write it into the address (地下停车场入口在海湾北街…).
    told = [part.strip() for part in _PARTS.split(source.hall.address or "") if "停车" in part]
    if told:
        return [f"停车：{'；'.join(told)}。", f"地址：{source.hall.address}"]
    return [f"抱歉，资料里没有停车方面的信息，{source.ask_phone()}。"]


_PARTS = re.compile(r"[；;，,。（）()]")


_ANSWERS = {
    Ask.HOURS: _hours,
    Ask.OPEN: _open,
    Ask.LUNCH: _lunch,
    Ask.HOLIDAYS: _holidays,
    Ask.ADDRESS: _address,
    Ask.ROUTE: _route,
    Ask.PHONE: _phone,
    Ask.COMPLAINT: _complaint,
    Ask.WEBSITE: _website,
    Ask.PARKING: _parking,
}
