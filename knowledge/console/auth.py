"""Console accounts: argon2id passwords, roles, login rate limiting, the audit log and the login views."""

import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from sqlmodel import Session, col, func, select

from knowledge.console_tables import ROLES, AuditLog, ConsoleUser, LoginAttempt

#: argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile (t=3, m=64 MiB, p=4).
_HASHER = PasswordHasher()

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8

#: What each role may do; admin may do everything.
PERMISSIONS: dict[str, frozenset[str]] = {
    "edit": frozenset({"editor", "reviewer", "admin"}),
    "review": frozenset({"reviewer", "admin"}),
    "reply": frozenset({"editor", "reviewer", "admin"}),
    "queue": frozenset({"editor", "reviewer", "admin"}),
    "import": frozenset({"editor", "reviewer", "admin"}),
    "regression": frozenset({"admin"}),
    "users": frozenset({"admin"}),
}

ROLE_NAMES = {"editor": "编辑", "reviewer": "审核员", "admin": "管理员"}

bp: Blueprint = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


class UserError(ValueError):
    """An account could not be created or changed; ``message`` is Chinese, for staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def hash_password(password: str) -> str:
    """An argon2id hash string of ``password``."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong or malformed hash."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def create_user(*, session: Session, username: str, role: str, password: str) -> ConsoleUser:
    """Add an account; raises ``UserError`` for a bad name, role, short password or a taken name."""
    username = username.strip()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise UserError("用户名不能为空、不能含空格，且不超过64个字符")
    if role not in ROLES:
        raise UserError(f"角色必须是 {' / '.join(ROLES)} 之一")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码至少需要{MIN_PASSWORD_LENGTH}个字符")
    if session.exec(select(ConsoleUser).where(ConsoleUser.username == username)).first() is not None:
        raise UserError(f"用户名 {username} 已存在")
    user = ConsoleUser(username=username, role=role, password_hash=hash_password(password))
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def set_password(*, session: Session, user: ConsoleUser, password: str) -> None:
    """Replace a user's password (same length rule as ``create_user``)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码至少需要{MIN_PASSWORD_LENGTH}个字符")
    user.password_hash = hash_password(password)
    session.add(user)
    session.commit()


def recent_failures(*, session: Session, username: str, ip: str, now: dt.datetime | None = None) -> int:
    """Failed logins for this username from this address within the rate-limit window."""
    since = (now or _now()) - FAILURE_WINDOW
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.ip == ip,
            LoginAttempt.success == False,  # noqa: E712 (SQL expression)
            col(LoginAttempt.at) >= since,
        )
    )
    return int(session.exec(query).one())


def authenticate(*, session: Session, username: str, password: str, ip: str) -> ConsoleUser | None:
    """The user when the password is right and the address is not rate-limited; records the attempt.

    Raises ``UserError`` when too many failures were recorded, before the password is even checked,
    so guessing cannot continue inside the window.
    """
    if recent_failures(session=session, username=username, ip=ip) >= MAX_FAILURES:
        raise UserError("登录失败次数过多，请15分钟后再试")
    user = session.exec(select(ConsoleUser).where(ConsoleUser.username == username)).first()
    ok = user is not None and user.active and verify_password(user.password_hash, password)
    session.add(LoginAttempt(username=username, ip=ip, success=ok))
    if ok and user is not None:
        user.last_login_at = _now()
        if _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        session.add(user)
    session.commit()
    return user if ok else None


def audit(
    *, session: Session, username: str, action: str, target: str = "", detail: Any = None, ip: str = ""
) -> None:
    """Append one audit-log row and commit."""
    text = (
        ""
        if detail is None
        else (detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False))
    )
    session.add(AuditLog(username=username, action=action, target=target, detail=text, ip=ip))
    session.commit()


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
    from knowledge.console import db

    name = current_user.username if current_user.is_authenticated else "-"
    audit(session=db(), username=name, action=action, target=target, detail=detail, ip=client_ip())


def load_user(user_id: str) -> LoginUser | None:
    from knowledge.console import db

    try:
        user = db().get(ConsoleUser, int(user_id))
    except ValueError:
        return None
    return LoginUser(user) if user is not None and user.active else None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    from knowledge.console import db
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
    from knowledge.console import db

    if db().exec(select(ConsoleUser)).first() is None:
        return "尚未创建任何账号：请在服务器上运行 guidebot user add 用户名 --role admin"
    return ""
