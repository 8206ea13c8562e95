"""The hall's time zone: how stored timestamps (UTC) are shown to staff, and which day "today" is.

The console and the ``guidebot`` commands both read ``GUIDEBOT_TIMEZONE`` (an IANA name, ``Asia/Shanghai``
by default) through :func:`hall_zone`, so a time reads the same on a page and in a terminal.
"""

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"
#: Used for the default zone when the system has no time-zone database (China keeps no daylight saving).
_CHINA_FIXED = dt.timezone(dt.timedelta(hours=8), DEFAULT_TIMEZONE)


class TimezoneError(ValueError):
    """``GUIDEBOT_TIMEZONE`` names no time zone; ``message`` is Chinese, for the operator."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.message = (
            f"GUIDEBOT_TIMEZONE 设置的「{name}」不是有效的时区名称，"
            f"请填写如 {DEFAULT_TIMEZONE}、Asia/Urumqi 这样的时区名称"
        )
        super().__init__(self.message)


def hall_zone(name: object = None) -> dt.tzinfo:
    """The time zone called ``name`` (empty: Asia/Shanghai); raises :class:`TimezoneError`."""
    text = str(name).strip() if name is not None else ""
    text = text or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        if text == DEFAULT_TIMEZONE:
            return _CHINA_FIXED
        raise TimezoneError(text) from None


def local(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """``moment`` in ``zone``; a naive value is taken as UTC (what the database stores)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone)


def format_time(moment: dt.datetime | None, zone: dt.tzinfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """``moment`` in the hall's time, or "—" for None."""
    return "—" if moment is None else local(moment, zone).strftime(pattern)


def today(zone: dt.tzinfo, *, now: dt.datetime | None = None) -> dt.date:
    """The hall's date now."""
    return local(now or dt.datetime.now(dt.UTC), zone).date()


def zone_label(zone: dt.tzinfo) -> str:
    """How a page names the zone: 北京时间 for Asia/Shanghai, the IANA name otherwise."""
    key = getattr(zone, "key", None) or str(zone)
    return "北京时间" if key == DEFAULT_TIMEZONE else key
