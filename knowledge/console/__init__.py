"""The staff and administrator web console under ``/admin``.

``init_app`` wires it into the app the factory built. The console sits in ``knowledge/`` and must not
import ``bot/``: the factory passes in the bot's callables instead (see ``ConsoleHooks``).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, g, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from knowledge.console.sessions import LazySessionInterface
from knowledge.schema import Item

#: ``answer(question, items)`` -> ``(decision, reply_text)``: how the bot answers a citizen's question,
#: over ``items`` (the would-be published knowledge base) or, when ``items`` is None, the live one.
#: ``decision`` has ``action``, ``item``, ``field``, ``score``, ``candidates`` (``bot.matching.decision.Decision``).
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


csrf = CSRFProtect()
login_manager = LoginManager()
bp = Blueprint(
    "console",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def hooks() -> ConsoleHooks:
    return current_app.extensions["guidebot_console"]  # type: ignore[no-any-return]


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


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("console_session", None)
    if session is not None:
        session.close()


@bp.before_request
def _protect() -> None:
    # CSRF is checked for the console only: the /wechat webhook is signed by WeChat, not by a form token.
    csrf.protect()


def _csrf_failed(_error: CSRFError) -> Any:
    return render_template(
        "console/error.html",
        title="请求已失效",
        message="表单已过期或缺少安全令牌，请返回上一页刷新后重新提交。",
    ), 400


def init_app(
    app: Flask,
    *,
    answer: AnswerFn,
    preview: PreviewFn,
    send: SendFn,
    engine: Engine | None = None,
    notify: NotifyFn | None = None,
) -> None:
    """Register the console blueprint, sessions, CSRF protection and the bot's callables."""
    app.config.setdefault("STALE_DAYS", 180)
    app.config.setdefault("SECURE_COOKIES", False)
    secure = bool(app.config["SECURE_COOKIES"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        WTF_CSRF_CHECK_DEFAULT=False,
    )
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a token lives as long as the login session
    app.session_interface = LazySessionInterface()
    app.extensions["guidebot_console"] = ConsoleHooks(
        answer=answer, preview=preview, send=send, engine=engine, notify=notify
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "console.auth.login"
    login_manager.login_message = "请先登录"
    login_manager.user_loader(auth.load_user)
    app.teardown_appcontext(_close_session)

    app.register_blueprint(bp)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_error_handler(403, auth.forbidden)


# The areas register under /admin at import time (a blueprint cannot change once an app registered it).
from knowledge.console import auth, dashboard, io, items, review, unanswered, users  # noqa: E402

for _child in (auth.bp, dashboard.bp, items.bp, review.bp, unanswered.bp, users.bp, io.bp):
    bp.register_blueprint(_child)
