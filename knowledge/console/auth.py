"""Console logins: sessions tied to the account's session version, the login limiter, the login views."""

import functools
import random
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from knowledge.accounts import PERMISSIONS, ROLE_NAMES, LoginCheck, check_login, end_sessions, record_login
from knowledge.audit import audit
from knowledge.console_tables import ConsoleUser
from knowledge.db import write_session

bp: Blueprint = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: Tries of a login's short write when SQLite says another writer holds the lock.
WRITE_ATTEMPTS = 5


class LoginUser(UserMixin):
    """The Flask-Login view of a ``ConsoleUser`` (detached from any database session).

    Its id carries the account's session version, so raising the version in the database
    (logout, password reset, role change, deactivation) ends every session made before.
    """

    def __init__(self, user: ConsoleUser) -> None:
        self.id = user.id
        self.username = user.username
        self.role = user.role
        self.session_version = user.session_version or 0

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS.get(permission, frozenset())

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


def requires(permission: str) -> Callable[[F], F]:
    """View decorator: log in first, then 403 (Chinese page) when the role lacks ``permission``."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def client_ip() -> str:
    """The client's address: the peer, or the one the trusted proxies name (``GUIDEBOT_TRUSTED_PROXIES``)."""
    return (request.remote_addr or "")[:64]


def log(action: str, target: str = "", detail: Any = None) -> None:
    """Audit an action of the logged-in user in the current request."""
    from knowledge.console.context import db

    name = current_user.username if current_user.is_authenticated else "-"
    audit(session=db(), username=name, action=action, target=target, detail=detail, ip=client_ip())


def load_user(user_id: str) -> LoginUser | None:
    from knowledge.console.context import db

    ident, _, version = user_id.partition(":")
    try:
        user = db().get(ConsoleUser, int(ident))
        expected = int(version)
    except ValueError:
        return None
    if user is None or not user.active or (user.session_version or 0) != expected:
        return None
    return LoginUser(user)


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a console path from ``next``, else the dashboard.

    Only plain paths under /admin: no scheme or host (an open redirect would let a phishing
    link bounce through the console), no backslashes or control characters (CR/LF would split
    the Location header).
    """
    fallback = url_for("console.dashboard.index")
    if not target or any(ord(ch) < 0x20 or ch in "\\\x7f" for ch in target):
        return fallback
    parts = urllib.parse.urlsplit(target)
    if parts.scheme or parts.netloc or not (parts.path == "/admin" or parts.path.startswith("/admin/")):
        return fallback
    return target


def retry_locked(write: Callable[[], T]) -> T:
    """Run ``write``, again after a short random pause when SQLite reports its write lock taken."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            return write()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == WRITE_ATTEMPTS:
                raise
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")


def _login(username: str, password: str) -> tuple[LoginCheck, ConsoleUser | None]:
    from knowledge.console.context import engine

    with Session(engine()) as reading:  # deferred: no write lock while argon2 runs
        check = check_login(session=reading, username=username, password=password, ip=client_ip())

    def write() -> ConsoleUser | None:
        with write_session(engine()) as session:
            session.expire_on_commit = False
            return record_login(session=session, check=check)

    return check, retry_locked(write)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    from knowledge.console.forms import LoginForm

    form = LoginForm()
    if form.validate_on_submit():
        check, user = _login(form.username.data or "", form.password.data or "")
        if check.blocked is not None:
            flash(check.blocked, "error")
            return render_template("console/login.html", form=form), 429
        if user is None:
            flash("用户名或密码错误", "error")
            return render_template("console/login.html", form=form), 401
        login_user(LoginUser(user))
        return redirect(safe_next(request.args.get("next")))
    return render_template("console/login.html", form=form, hint=ensure_admin_exists_message())


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Any:
    from knowledge.console.context import db

    user = db().get(ConsoleUser, current_user.id)
    if user is not None:
        end_sessions(session=db(), user=user)  # every device: a copied cookie stops working too
    log("logout")
    logout_user()
    flash("已退出登录", "info")
    return redirect(url_for("console.auth.login"))


def forbidden(_error: Exception) -> Any:
    return render_template("console/403.html"), 403


def ensure_admin_exists_message() -> str:
    """Hint shown on the login page of a console without any account."""
    from knowledge.console.context import db

    if db().exec(select(ConsoleUser)).first() is None:
        return "尚未创建任何账号：请在服务器上运行 guidebot user add 用户名 --role admin"
    return ""
