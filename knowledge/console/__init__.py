"""The staff and administrator web console under ``/admin``.

``init_app`` wires it into the app the factory built. The console sits in ``knowledge/`` and must not
import ``bot/``: the factory passes in the bot's callables instead
(see ``knowledge.console.context.ConsoleHooks``).
"""

from typing import Any

from flask import Blueprint, Flask, render_template
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.engine import Engine

from knowledge.console.context import (
    AnswerFn,
    ConsoleHooks,
    NotifyFn,
    PreviewFn,
    SendFn,
    close_session,
)
from knowledge.console.sessions import LazySessionInterface

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
    app.teardown_appcontext(close_session)

    app.register_blueprint(bp)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_error_handler(403, auth.forbidden)


# The areas register under /admin at import time (a blueprint cannot change once an app registered it).
from knowledge.console import auth, dashboard, io, items, review, unanswered, users  # noqa: E402

for _child in (auth.bp, dashboard.bp, items.bp, review.bp, unanswered.bp, users.bp, io.bp):
    bp.register_blueprint(_child)
