"""What every console view shares: the bot's callables the app factory passed in, the engine, the request's
database session.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge import hall_time
from knowledge.schema import Item

#: ``answer(question, items)`` -> ``(decision, reply_text)``: how the bot answers a citizen's question,
#: over ``items`` (the would-be published knowledge base) or, when ``items`` is None, the live one.
#: ``decision`` has ``action``, ``item``, ``field``, ``score``, ``candidates``
#: (``bot.matching.decision.Decision``).
AnswerFn = Callable[[str, Sequence[Item] | None], tuple[Any, str]]
#: ``preview(item, field)`` -> the reply text for ``field`` (None = the 一次性告知 overview) of ``item``.
PreviewFn = Callable[[Item, str | None], str]
#: ``send(openid, text)`` delivers a customer-service message; raises an exception carrying ``errcode``
#: (45015 window closed, 45047 quota used) and a message when WeChat refuses it.
SendFn = Callable[[str, str], None]
#: ``notify(openid, template_id, data)`` sends a 订阅通知 (``message/subscribe/bizsend``) with ``data``
#: (template key -> value); raises like ``send`` when WeChat refuses it.
NotifyFn = Callable[[str, str, dict[str, str]], None]


@dataclass
class ConsoleHooks:
    """What the app factory passed in, kept in ``app.extensions["guidebot_console"]``."""

    answer: AnswerFn
    preview: PreviewFn
    send: SendFn
    engine: Engine | None = None
    notify: NotifyFn | None = None
    #: The hall's time zone (``TIMEZONE``): how times are shown and which day "today" is.
    zone: dt.tzinfo = field(default_factory=hall_time.hall_zone)


def hooks() -> ConsoleHooks:
    return current_app.extensions["guidebot_console"]  # type: ignore[no-any-return]


def hall_today() -> dt.date:
    """Today in the hall's time zone."""
    return hall_time.today(hooks().zone)


def engine() -> Engine:
    """The database engine (the one passed to ``init_app``, else ``knowledge.db.get_engine``)."""
    found = hooks().engine
    if found is None:
        from knowledge.db import get_engine

        found = get_engine(current_app)
        hooks().engine = found
    return found


def db() -> Session:
    """The request's database session, closed when the app context ends."""
    if "console_session" not in g:
        bind = engine()
        if request.method not in ("GET", "HEAD"):
            # A form that writes takes SQLite's write lock when its transaction starts: a deferred
            # transaction that read first cannot upgrade once a bot worker has written meanwhile
            # ("database is locked" at once, no waiting), and the bot writes on every push.
            from knowledge.db import IMMEDIATE

            bind = bind.execution_options(**{IMMEDIATE: True})
        g.console_session = Session(bind, expire_on_commit=False)
    return g.console_session  # type: ignore[no-any-return]


def close_session(_exc: BaseException | None) -> None:
    session = g.pop("console_session", None)
    if session is not None:
        session.close()
