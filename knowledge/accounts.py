"""Console accounts in the store: argon2id passwords, roles and what each may do, the login limiter.

Used by the console (``knowledge.console.auth``) and by ``guidebot user``; no Flask here.
"""

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, col, func, select

from knowledge.console_tables import ROLES, ConsoleUser, LoginAttempt

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
