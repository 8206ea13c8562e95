"""The staff and administrator web console under ``/admin``.

``init_app`` wires it into the app the factory built. The console sits in ``knowledge/`` and must not
import ``bot/``: the factory passes in the bot's callables instead
(see ``knowledge.console.context.ConsoleHooks``).
"""

from typing import Any

from flask import Blueprint, Flask, current_app, redirect, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from knowledge.console.context import (
    AnswerFn,
    ConsoleHooks,
    NotifyFn,
    PreviewFn,
    SendFn,
    close_session,
)
from knowledge.console.sessions import LazySessionInterface
from knowledge.hall_time import hall_zone

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

#: Every console page passes this policy: no inline scripts, event handlers or style attributes
#: (behaviour lives in static/console.js, looks in static/console.css), no framing, forms post home.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


class BadCharacters(HTTPException):
    """A console request whose parameters hold NUL or other control characters no form produces."""

    code = 400


def _has_control_characters(values: Any) -> bool:
    for key, value in values.items(multi=True):
        if "\x00" in key or "\x00" in value:
            return True
    return False


#: Forms that name the field holding NUL and keep the clerk's text (a 400 page would lose it).
_FORMS_THAT_SAY_WHERE = {"console.items.new", "console.items.edit"}


@bp.before_request
def _protect() -> None:
    # PostgreSQL refuses NUL in text and no form sends one: refuse it here, before any query.
    if _has_control_characters(request.args) or (
        request.method == "POST"
        and request.endpoint not in _FORMS_THAT_SAY_WHERE
        and _has_control_characters(request.form)
    ):
        raise BadCharacters()
    # CSRF is checked for the console only: the /wechat webhook is signed by WeChat, not by a form token.
    csrf.protect()


def _page(title: str, message: str, status: int) -> Any:
    return render_template("console/error.html", title=title, message=message), status


def _database_unavailable(error: OperationalError) -> Any:
    # The database refused (locked past the busy timeout, read-only, unreachable, not migrated): a
    # Chinese page and a 503, never a 500; the connections recover by themselves (knowledge.db) once it
    # is back. Rendered without the context processors: Flask-Login's would ask the same database who
    # is logged in, and fail again inside the handler.
    import logging

    logging.getLogger(__name__).warning("console request failed on the database: %s", error.orig)
    text = str(error.orig)
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        title = "数据库尚未初始化"
        message = "数据库还没有建表或不是最新版本：请在服务器上运行 guidebot db upgrade。"
    elif "locked" in text or "busy" in text:
        title = "系统繁忙"
        message = "数据库暂时繁忙，没有保存任何修改；请稍后重试。"
    else:
        title = "数据库暂时不可用"
        message = "数据库暂时无法写入或连接（可能正在维护），您的操作没有保存。请稍等片刻后重试。"
    page = current_app.jinja_env.get_template("console/unavailable.html")
    return page.render(title=title, message=message), 503


def _too_large(_error: Exception) -> Any:
    return render_template(
        "console/error.html",
        title="文件太大",
        message="上传的内容超过20MB，没有保存任何内容。请把文件分成几个较小的文件后分别导入。",
    ), 413


def _csrf_failed(_error: CSRFError) -> Any:
    return _page("请求已失效", "表单已过期或缺少安全令牌，请返回上一页刷新后重新提交。", 400)


_ERROR_PAGES: dict[int, tuple[str, str]] = {
    400: ("请求无效", "请求的内容不正确（例如含有不允许的控制字符），请返回上一页检查后重试。"),
    404: ("页面不存在", "找不到这个页面，请检查网址，或从管理后台的菜单进入。"),
    405: ("不支持此操作", "这个网址不支持这种访问方式，请从管理后台的页面操作。"),
    413: ("文件太大", "上传的内容超过了允许的大小。"),
    500: ("服务器出错", "服务器处理请求时出错，已记录日志；请稍后再试，仍有问题请联系管理员。"),
}


def _http_error(error: HTTPException) -> Any:
    code = error.code or 500
    if request.path.startswith("/wechat"):
        return error  # WeChat reads status codes, not pages
    title, message = _ERROR_PAGES.get(code, (f"出错了（{code}）", "请求没有完成，请返回上一页重试。"))
    return _page(title, message, code)


def _security_headers(response: Any) -> Any:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _register_filters(app: Flask) -> None:
    from knowledge import labels
    from knowledge.console.forms import FIELD_LABELS, input_label
    from knowledge.hall_time import format_time, zone_label

    zone = app.extensions["guidebot_console"].zone
    app.add_template_filter(
        lambda moment, pattern="%Y-%m-%d %H:%M": format_time(moment, zone, pattern), "hall_time"
    )
    app.add_template_filter(labels.reason_label, "reason")
    app.add_template_filter(labels.bot_action_label, "bot_action")
    app.add_template_filter(labels.audit_action_label, "audit_action")
    app.add_template_filter(labels.describe_detail, "audit_detail")
    app.add_template_filter(labels.role_label, "role")
    app.add_template_filter(lambda field: FIELD_LABELS.get(field, field) if field else "", "field_label")
    app.add_template_filter(input_label, "input_label")
    app.jinja_env.globals["zone_label"] = zone_label(zone)


def init_app(
    app: Flask,
    *,
    answer: AnswerFn,
    preview: PreviewFn,
    send: SendFn,
    engine: Engine | None = None,
    notify: NotifyFn | None = None,
) -> None:
    """Register the console blueprint, sessions, CSRF protection, security headers and the bot's callables.

    Raises ``knowledge.hall_time.TimezoneError`` when ``TIMEZONE`` names no time zone.
    """
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
    # Enforced on the request stream, chunked uploads included; pushes to /wechat never pass Flask.
    app.config.setdefault("MAX_CONTENT_LENGTH", io.MAX_REQUEST)
    app.session_interface = LazySessionInterface()
    app.extensions["guidebot_console"] = ConsoleHooks(
        answer=answer,
        preview=preview,
        send=send,
        engine=engine,
        notify=notify,
        zone=hall_zone(app.config.get("TIMEZONE")),
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "console.auth.login"
    login_manager.login_message = "请先登录"
    login_manager.user_loader(auth.load_user)
    app.teardown_appcontext(close_session)
    _register_filters(app)

    app.register_blueprint(bp)
    app.add_url_rule("/", "console_root", lambda: redirect("/admin/"))
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(403, auth.forbidden)
    app.register_error_handler(HTTPException, _http_error)


# The areas register under /admin at import time (a blueprint cannot change once an app registered it).
from knowledge.console import auth, dashboard, hall, io, items, review, unanswered, users  # noqa: E402

for _child in (auth.bp, dashboard.bp, items.bp, review.bp, unanswered.bp, users.bp, io.bp, hall.bp):
    bp.register_blueprint(_child)
