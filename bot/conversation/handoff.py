"""What a citizen reads when the bot hands over to people, or cannot help: always a visible text.

In service hours with people online: "正在为您转接人工客服，请稍候…" (a complaint also gets the complaint
phone). Outside them: when people are back (skipping holidays) and a line that is open now — the hall's
phone only while the hall is open, else the hall's night line if its record names one, else 12345 (the
national government service hotline, 24 hours), with the desk's own number "for working hours". Out of
scope: what the bot covers and where else to ask.
Pure functions of their arguments; the engine decides when to call them and whether to transfer.
"""

import datetime as dt
import re
from typing import Literal

from bot.conversation.answers import fit
from bot.conversation.holidays import Calendar
from bot.conversation.hours import HoursError, Schedule, china_time, describe_when, parse_hours
from knowledge.schema import Hall, Item

Reason = Literal["human", "complaint", "out_of_scope", "low_confidence"]

#: Handoff texts stay short.
LIMIT = 600
TRANSFERRING = "正在为您转接人工客服，请稍候…"
HOTLINE = "12345政务服务便民热线（24小时）"
COVERS = (
    "我能解答本中心办理事项的办事指南：需要什么材料、多久办好、收不收费、在哪个窗口办、办公时间、能否网上办。"
)
_OPENERS = {
    "human": "",
    "complaint": "您的意见我们会认真对待。",
    "out_of_scope": "抱歉，这个问题超出了我能解答的范围。",
    "low_confidence": "抱歉，我没能确定您要办理的事项。",
}
_PHONE_NUMBER = re.compile(r"\d[\d\-－ ]{4,}\d")
_NIGHT = re.compile(r"夜间|晚间|值班|24小时|全天")


def handoff_text(
    reason: Reason | str,
    hall: Hall,
    now: dt.datetime,
    *,
    item: Item | None = None,
    service: Schedule | None = None,
    calendar: Calendar | None = None,
    online: bool | None = None,
) -> str:
    """The text shown when handing over to people for ``reason``.

    ``service`` is when people answer chats (default: the hall's hours); ``online`` says whether someone is
    at the desk now (default: whether ``service`` is open at ``now``).
    """
    local = china_time(now)
    service = _with_calendar(service, calendar) if service else _schedule(hall.hours, calendar)
    staffed = online if online is not None else bool(service and service.is_open(local))
    lines = [_OPENERS.get(reason, "")]
    if reason == "out_of_scope":
        lines.append(COVERS)
    if staffed:
        lines.append(TRANSFERRING)
    else:
        lines.append(_away(service, local))
    if reason == "complaint":
        lines.append(_complaint(hall, staffed))  # names 12345 itself when nobody is in
    elif reason == "out_of_scope":
        lines.append(_call(hall, item, local, calendar, "其他问题可拨打"))
    elif reason in ("low_confidence", "unanswered"):
        # The bot could not tell what is asked: a number to call as well, should the chat not be picked up.
        lines.append(_call(hall, item, local, calendar, "也可拨打" if staffed else "着急的话，可拨打"))
    elif not staffed:
        lines.append(_call(hall, item, local, calendar))
    elif reason == "human":
        # Should nobody pick the chat up (a queue, a lunch hour starting): the desk's number as well, and
        # the hall's beside an item's own (the citizen asked for a person, not for that desk).
        phone = _beside(*_desk_numbers(hall, item))
        if phone:
            lines.append(f"如长时间无人接入，也可拨打咨询电话 {phone}。")
    return fit("\n".join(line for line in lines if line), LIMIT)


def out_of_scope_text(hall: Hall, now: dt.datetime, *, calendar: Calendar | None = None) -> str:
    """An honest answer to a question the bot cannot help with (no handoff): what it covers, where to ask."""
    lines = [_OPENERS["out_of_scope"], COVERS, _call(hall, None, china_time(now), calendar, "其他问题可拨打")]
    return fit("\n".join(lines), LIMIT)


def hotline(
    hall: Hall, now: dt.datetime, *, item: Item | None = None, calendar: Calendar | None = None
) -> str:
    """The number to call now: the item's or hall's phone while open, else a night line or 12345."""
    local = china_time(now)
    hours = (item.hours if item else None) or hall.hours
    schedule = _schedule(hours, calendar)
    phone, _ = _desk_numbers(hall, item)
    if phone and schedule is not None and schedule.is_open(local):
        return phone
    return _night_line(hall.phone) or "12345"


# -- pieces -------------------------------------------------------------------------------------


def _away(service: Schedule | None, now: dt.datetime) -> str:
    """People are not at their desks: say when they are back."""
    if service is None:
        return "人工客服暂时不在线。"
    if service.is_open(now):
        return "人工客服暂时不在线。"  # in hours but nobody at the desk: no time to promise
    today = service.day(now.date())
    opening = service.next_opening(now)
    when = f"，{describe_when(opening, now)}恢复人工服务" if opening else ""
    if today.holiday and not today.is_open:
        return f"今天是{today.holiday}假期，人工客服休息{when}。"
    return f"现在是非工作时间，人工客服不在线{when}。"


def _complaint(hall: Hall, staffed: bool) -> str:
    phone = hall.complaint_phone or _first_number(hall.phone)
    label = "投诉电话" if hall.complaint_phone else "投诉请拨打咨询电话"
    if not phone:
        return f"投诉也可拨打{HOTLINE}。"
    if staffed:
        return f"{label}：{phone}。"
    # Nobody in now: the complaint line and the hall's own desk both answer when the hall opens again.
    desk = _first_number(hall.phone)
    also = f"工作时间也可拨打咨询电话 {desk}。" if desk and desk != phone else ""
    return f"{label}：{phone}（办公时间）；也可拨打{HOTLINE}。{also}"


def _call(
    hall: Hall, item: Item | None, now: dt.datetime, calendar: Calendar | None, lead: str = "着急的话，可拨打"
) -> str:
    number = hotline(hall, now, item=item, calendar=calendar)
    own, main = _desk_numbers(hall, item)
    # Closed now: the desk's own number still matters for tomorrow, said as such (not as callable now); an
    # item's own desk goes beside the hall's, which answers whatever the question turns out to be.
    desks = _beside(own, main) if main != number else own
    later = f"工作时间可拨打咨询电话 {desks}。" if own and own != number else ""
    if number == "12345":
        return f"{lead}{HOTLINE}。{later}"
    kind = "值班电话" if number == _night_line(hall.phone) and number != own else "咨询电话"
    return f"{lead}{kind} {number}，或{HOTLINE}。{later}"


def _desk_numbers(hall: Hall, item: Item | None) -> tuple[str | None, str | None]:
    """The number of the desk at hand (the item's own, else the hall's) and the hall's."""
    return _first_number((item.phone if item else None) or hall.phone), _first_number(hall.phone)


def _beside(own: str | None, main: str | None) -> str | None:
    """An item's own desk number beside the hall's (本事项 / 中心), or the one number there is."""
    return f"{own}（本事项）或中心 {main}" if own and main and own != main else own or main


def _first_number(text: str | None) -> str | None:
    found = _PHONE_NUMBER.search(text or "")
    return found.group(0).strip() if found else None


def _night_line(text: str | None) -> str | None:
    """A number the hall's phone text says is answered outside hours ("夜间值班 0999-1234000")."""
    if not text or not _NIGHT.search(text):
        return None
    for part in re.split(r"[；;，,、/]", text):
        if _NIGHT.search(part):
            return _first_number(part) or _first_number(text)
    return None


def _schedule(hours: str | None, calendar: Calendar | None) -> Schedule | None:
    try:
        return parse_hours(hours, calendar) if hours else None
    except HoursError:
        return None


def _with_calendar(schedule: Schedule, calendar: Calendar | None) -> Schedule:
    return (
        schedule.with_calendar(calendar) if calendar is not None and schedule.calendar is None else schedule
    )
