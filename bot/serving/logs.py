"""Log lines an operator can read and a machine can parse: time, level, process and event on each.

``GUIDEBOT_LOG_FORMAT=text`` (default) writes ``2026-11-23T10:00:00.123+08:00 WARNING [1234] event: ...``;
``json`` writes one JSON object a line (``time``, ``level``, ``pid``, ``event``, ``message`` and the
record's fields such as ``msg_id``, ``openid_hash``, ``action``, ``item``, ``latency_ms``). Pushes are
logged by MsgId and keyed openid hash only: no raw text or openid reaches a log.

:class:`RepeatFilter` keeps an outage from flooding the log: the first warning or error of a kind in
a minute is written in full (with its traceback), the rest are counted and summarised in one line.
gunicorn's own lines go through the same handler (``logconfig_dict``), so a json log is json throughout.
"""

import datetime as dt
import json
import logging
import threading
import time
import traceback
from typing import Any

FORMATS = ("text", "json")

#: Record attributes that every LogRecord has; anything else on a record is a field of the event.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "event"}


def _timestamp(created: float) -> str:
    return dt.datetime.fromtimestamp(created).astimezone().isoformat(timespec="milliseconds")


def event_of(record: logging.LogRecord) -> str:
    """The record's event: ``extra={"event": ...}``, else its logger's name."""
    return str(getattr(record, "event", None) or record.name)


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra`` fields of ``record`` (what a caller attached besides the message)."""
    return {
        key: value for key, value in vars(record).items() if key not in _STANDARD and not key.startswith("_")
    }


class TextFormatter(logging.Formatter):
    """``time LEVEL [pid] event: message key=value ...``, one line (a traceback follows on its own lines)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        extra = " ".join(f"{key}={value}" for key, value in fields_of(record).items() if value is not None)
        line = f"{_timestamp(record.created)} {record.levelname} [{record.process}] {event_of(record)}: "
        line += message
        if extra:
            line += " " + extra
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line; a traceback goes into ``traceback`` (never a second line)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": _timestamp(record.created),
            "level": record.levelname,
            "pid": record.process,
            "event": event_of(record),
            "message": record.getMessage(),
        }
        for key, value in fields_of(record).items():
            data.setdefault(key, value)
        if record.exc_info and record.exc_info[0] is not None:
            data["error"] = record.exc_info[0].__name__
            data["traceback"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(data, ensure_ascii=False, default=str)


class RepeatFilter(logging.Filter):
    """Writes the first warning or error of a kind per ``window`` seconds; counts and summarises the rest.

    A kind is the logger, the level, the message template and the exception's type, so a database
    outage's hundreds of identical tracebacks become one traceback and one "repeated N times" line.
    Summaries go out with the next record that passes this filter (or at :meth:`flush`).
    """

    def __init__(self, window: float = 60.0, clock: Any = time.monotonic) -> None:
        super().__init__()
        self.window, self.clock = window, clock
        self._lock = threading.Lock()
        #: kind → [window start, suppressed count, a record of that kind]
        self._kinds: dict[tuple[Any, ...], list[Any]] = {}
        self._local = threading.local()

    @staticmethod
    def _kind(record: logging.LogRecord) -> tuple[Any, ...]:
        error = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        return (record.name, record.levelno, str(record.msg), error)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(self._local, "summarising", False):
            return True
        now = self.clock()
        due = self._due(now)
        passes = True
        if record.levelno >= logging.WARNING:
            kind = self._kind(record)
            with self._lock:
                seen = self._kinds.get(kind)
                if seen is not None and now - seen[0] < self.window:
                    seen[1] += 1
                    passes = False
                else:
                    self._kinds[kind] = [now, 0, record]
        self._summarise(due)
        return passes

    def _due(self, now: float) -> list[tuple[logging.LogRecord, int, float]]:
        """Kinds whose window has ended with suppressed records: (a record, count, seconds)."""
        due = []
        with self._lock:
            for kind, (start, count, sample) in list(self._kinds.items()):
                if now - start >= self.window:
                    del self._kinds[kind]
                    if count:
                        due.append((sample, count, now - start))
        return due

    def _summarise(self, due: list[tuple[logging.LogRecord, int, float]]) -> None:
        if not due:
            return
        self._local.summarising = True
        try:
            for sample, count, seconds in due:
                logging.getLogger(sample.name).log(
                    sample.levelno,
                    "repeated %d more times in %.0f s: %s",
                    count,
                    seconds,
                    sample.getMessage(),
                    extra={"event": event_of(sample), "repeated": count},
                )
        finally:
            self._local.summarising = False

    def flush(self) -> None:
        """Summarise every kind with suppressed records now (a worker's exit)."""
        self._summarise(self._due(float("inf")))


def logconfig_dict(log_format: str = "text", level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for a guidebot process (gunicorn's ``logconfig_dict`` too)."""
    log_format = log_format.strip().lower() if log_format.strip().lower() in FORMATS else "text"
    level = level.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        level = "INFO"  # the app itself refuses a bad GUIDEBOT_LOG_LEVEL with a clear line
    formatter = "bot.serving.logs.JsonFormatter" if log_format == "json" else "bot.serving.logs.TextFormatter"
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "guidebot",
        "filters": ["repeats"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"guidebot": {"()": formatter}},
        "filters": {"repeats": {"()": "bot.serving.logs.RepeatFilter"}},
        "handlers": {"console": handler, "error_console": dict(handler)},
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {
            # gunicorn's own lines through the same handler, once (no handler of their own).
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            # No access log: WeChat's query strings carry the citizen's openid (each push has its own line).
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
            # Alembic announces its plugins and context on every schema check (/readyz): not news.
            "alembic": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }


def configure(log_format: str = "text", level: str = "INFO") -> None:
    """Apply :func:`logconfig_dict` to this process (CLI-started servers, tests)."""
    import logging.config

    logging.config.dictConfig(logconfig_dict(log_format, level))


def flush_repeats() -> None:
    """Write the pending "repeated N times" summaries of every handler's :class:`RepeatFilter`."""
    for handler in logging.getLogger().handlers:
        for found in handler.filters:
            if isinstance(found, RepeatFilter):
                found.flush()
