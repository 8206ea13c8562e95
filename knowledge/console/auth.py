"""Console accounts: argon2id passwords, roles, login rate limiting, the audit log and the login views."""

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from sqlmodel import select

from knowledge.accounts import PERMISSIONS, ROLE_NAMES, UserError, authenticate
from knowledge.audit import audit
from knowledge.console_tables import ConsoleUser

bp: Blueprint = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


class LoginUser(UserMixin):
    """The Flask-Login view of a ``ConsoleUser`` (detached from any database session)."""

    def __init__(self, user: ConsoleUser) -> None:
        self.id = user.id
        self.username = user.username
        self.role = user.role

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
    return request.remote_addr or ""


def log(action: str, target: str = "", detail: Any = None) -> None:
    """Audit an action of the logged-in user in the current request."""
    from knowledge.console.context import db

    name = current_user.username if current_user.is_authenticated else "-"
    audit(session=db(), username=name, action=action, target=target, detail=detail, ip=client_ip())


def load_user(user_id: str) -> LoginUser | None:
    from knowledge.console.context import db

    try:
        user = db().get(ConsoleUser, int(user_id))
    except ValueError:
        return None
    return LoginUser(user) if user is not None and user.active else None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    from knowledge.console.context import db
    from knowledge.console.forms import LoginForm

    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        try:
            user = authenticate(session=db(), username=username, password=form.password.data, ip=client_ip())
        except UserError as exc:
            audit(session=db(), username=username, action="login_blocked", ip=client_ip())
            flash(exc.message, "error")
            return render_template("console/login.html", form=form), 429
        if user is None:
            audit(session=db(), username=username, action="login_failed", ip=client_ip())
            flash("用户名或密码错误", "error")
            return render_template("console/login.html", form=form), 401
        login_user(LoginUser(user))
        audit(session=db(), username=username, action="login", ip=client_ip())
        target = request.args.get("next", "")
        # Only local paths: an open redirect would let a phishing link bounce through the console.
        if not target.startswith("/admin") or target.startswith("//"):
            target = url_for("console.dashboard.index")
        return redirect(target)
    return render_template("console/login.html", form=form, hint=ensure_admin_exists_message())


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Any:
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
