"""Console accounts in the store: argon2id passwords, roles and what each may do, session versions, the
login limiter.

Used by the console (``knowledge.console.auth``) and by ``guidebot user``; no Flask here.

Session versions: a console session carries the account's ``session_version``; logging out, a password
reset, a role change and deactivation raise it, which ends every session of that account on every device
(a copied cookie stops working at once).

The limiter counts failed logins in the last 15 minutes three ways: one account from one address (5), one
address over all accounts (20: guessing many names), and one account over all addresses (50: guessing
from many machines). Behind a proxy the address is the client's, as ``GUIDEBOT_TRUSTED_PROXIES`` tells
the app. An administrator's unlock (console or ``guidebot user unlock``) and a password reset forget the
account's recent failures; the audit log keeps them.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from knowledge.console_tables import ROLES, AuditLog, ConsoleUser, LoginAttempt
from knowledge.labels import ROLE_LABELS

#: argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile (t=3, m=64 MiB, p=4).
_HASHER = PasswordHasher()

#: Failures of one account from one address before that address must wait.
MAX_FAILURES = 5
#: Failures from one address, whatever the account, before the address must wait.
MAX_ADDRESS_FAILURES = 20
#: Failures of one account, whatever the address, before the account is locked for everyone.
MAX_ACCOUNT_FAILURES = 50
FAILURE_WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
MAX_USERNAME_LENGTH = 64

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

ROLE_NAMES = ROLE_LABELS

BLOCKED_ACCOUNT_ADDRESS = "登录失败次数过多，请15分钟后再试，或请管理员在「账号」页解除限制"
BLOCKED_ADDRESS = "此网络地址登录失败次数过多，请15分钟后再试"
BLOCKED_ACCOUNT = "此账号近期登录失败次数过多，已暂时锁定；请15分钟后再试，或请管理员解除限制"


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


_dummy_hash: str | None = None


def _burn_time(password: str) -> None:
    """Verify against a throwaway hash, so an unknown name costs as long as a wrong password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password("guidebot-no-such-account")
    verify_password(_dummy_hash, password)


def clean_username(raw: str) -> str:
    """A username as typed, trimmed; control characters (NUL, CR, LF…) become U+FFFD.

    PostgreSQL refuses NUL in text, and no real name contains one: the cleaned name is what gets
    looked up and logged, so hostile input is a failed login rather than a server error.
    """
    name = raw.strip()
    return "".join("\ufffd" if unicodedata.category(ch) == "Cc" else ch for ch in name)[:MAX_USERNAME_LENGTH]


def _check_username(username: str) -> str:
    username = username.strip()
    if (
        not username
        or len(username) > MAX_USERNAME_LENGTH
        or any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in username)
    ):
        raise UserError(f"用户名不能为空、不能含空格或控制字符，且不超过{MAX_USERNAME_LENGTH}个字符")
    return username


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码至少需要{MIN_PASSWORD_LENGTH}个字符")
    if "\x00" in password:
        raise UserError("密码不能含控制字符")


def find_user(*, session: Session, username: str) -> ConsoleUser:
    """The account called ``username``; raises ``UserError`` when there is none."""
    user = session.exec(select(ConsoleUser).where(ConsoleUser.username == clean_username(username))).first()
    if user is None:
        raise UserError(f"账号 {username} 不存在")
    return user


def create_user(*, session: Session, username: str, role: str, password: str) -> ConsoleUser:
    """Add an account; raises ``UserError`` for a bad name, role, short password or a taken name."""
    username = _check_username(username)
    if role not in ROLES:
        raise UserError(f"角色必须是 {' / '.join(f'{r}（{ROLE_LABELS[r]}）' for r in ROLES)} 之一")
    _check_password(password)
    if session.exec(select(ConsoleUser).where(ConsoleUser.username == username)).first() is not None:
        raise UserError(f"用户名 {username} 已存在")
    user = ConsoleUser(username=username, role=role, password_hash=hash_password(password))
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def _end_sessions(user: ConsoleUser) -> None:
    user.session_version = (user.session_version or 0) + 1


def end_sessions(*, session: Session, user: ConsoleUser) -> None:
    """End every console session of ``user`` (logout on all devices)."""
    _end_sessions(user)
    session.add(user)
    session.commit()


def set_password(*, session: Session, user: ConsoleUser, password: str) -> None:
    """Replace a user's password; ends their sessions and lifts their login limit."""
    _check_password(password)
    user.password_hash = hash_password(password)
    _end_sessions(user)
    session.add(user)
    _forget_failures(session, user.username)
    session.commit()


def set_role(*, session: Session, user: ConsoleUser, role: str) -> bool:
    """Give ``user`` another role (ends their sessions); False when it was their role already."""
    if role not in ROLES:
        raise UserError(f"角色必须是 {' / '.join(ROLE_LABELS[r] for r in ROLES)} 之一")
    if user.role == role:
        return False
    user.role = role
    _end_sessions(user)
    session.add(user)
    session.commit()
    return True


def set_active(*, session: Session, user: ConsoleUser, active: bool) -> bool:
    """Enable or disable ``user`` (disabling ends their sessions); False when nothing changed."""
    if user.active == active:
        return False
    user.active = active
    _end_sessions(user)
    session.add(user)
    session.commit()
    return True


# --- the limiter ---------------------------------------------------------------------------------


def _failures(session: Session, *conditions: Any, since: dt.datetime) -> int:
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.success == False, col(LoginAttempt.at) >= since, *conditions)  # noqa: E712
    )
    return int(session.exec(query).one())


def recent_failures(*, session: Session, username: str, ip: str, now: dt.datetime | None = None) -> int:
    """Failed logins for this username from this address within the rate-limit window."""
    since = (now or _now()) - FAILURE_WINDOW
    return _failures(session, LoginAttempt.username == username, LoginAttempt.ip == ip, since=since)


def blocked_reason(*, session: Session, username: str, ip: str, now: dt.datetime | None = None) -> str | None:
    """Why a login for ``username`` from ``ip`` must wait (Chinese), or None when it may go ahead."""
    since = (now or _now()) - FAILURE_WINDOW
    if recent_failures(session=session, username=username, ip=ip, now=now) >= MAX_FAILURES:
        return BLOCKED_ACCOUNT_ADDRESS
    if _failures(session, LoginAttempt.ip == ip, since=since) >= MAX_ADDRESS_FAILURES:
        return BLOCKED_ADDRESS
    if _failures(session, LoginAttempt.username == username, since=since) >= MAX_ACCOUNT_FAILURES:
        return BLOCKED_ACCOUNT
    return None


@dataclass(frozen=True)
class LockState:
    """An account's recent failed logins, as the 账号 page and ``guidebot user list`` show them."""

    failures: int
    locked: bool


def lock_states(*, session: Session, now: dt.datetime | None = None) -> dict[str, LockState]:
    """Accounts with failed logins in the window: how many, and whether some address (or all) must wait."""
    since = (now or _now()) - FAILURE_WINDOW
    query = (
        select(LoginAttempt.username, LoginAttempt.ip, func.count())
        .where(LoginAttempt.success == False, col(LoginAttempt.at) >= since)  # noqa: E712
        .group_by(col(LoginAttempt.username), col(LoginAttempt.ip))
    )
    totals: dict[str, int] = {}
    locked: set[str] = set()
    for username, _ip, count in session.exec(query):
        totals[username] = totals.get(username, 0) + int(count)
        if count >= MAX_FAILURES:
            locked.add(username)
    return {
        name: LockState(total, name in locked or total >= MAX_ACCOUNT_FAILURES)
        for name, total in totals.items()
    }


def _forget_failures(session: Session, username: str) -> int:
    result = session.exec(  # type: ignore[call-overload]
        delete(LoginAttempt).where(
            col(LoginAttempt.username) == username,
            col(LoginAttempt.success) == False,  # noqa: E712
        )
    )
    return int(result.rowcount or 0)


def unlock(*, session: Session, user: ConsoleUser) -> int:
    """Lift ``user``'s login limit from every address; returns how many failures were forgotten."""
    forgotten = _forget_failures(session, user.username)
    session.commit()
    return forgotten


@dataclass(frozen=True)
class LoginCheck:
    """The outcome of checking a login, before anything is written."""

    username: str
    ip: str
    user_id: int | None
    blocked: str | None = None
    rehash: str | None = None

    @property
    def ok(self) -> bool:
        return self.user_id is not None and self.blocked is None


def check_login(*, session: Session, username: str, password: str, ip: str) -> LoginCheck:
    """Read-only: is the address allowed to try, and is the password right? Writes nothing.

    The password check (argon2id, ~64 MiB and tens of milliseconds) runs outside any write
    transaction, so simultaneous logins do not queue behind each other for SQLite's write lock.
    A blocked login is refused before the password is even checked, so guessing cannot continue.
    """
    username = clean_username(username)
    blocked = blocked_reason(session=session, username=username, ip=ip)
    if blocked is not None:
        return LoginCheck(username, ip, None, blocked=blocked)
    user = session.exec(select(ConsoleUser).where(ConsoleUser.username == username)).first()
    if user is None or not user.active:
        _burn_time(password)
        return LoginCheck(username, ip, None)
    if not verify_password(user.password_hash, password):
        return LoginCheck(username, ip, None)
    rehash = hash_password(password) if _HASHER.check_needs_rehash(user.password_hash) else None
    return LoginCheck(username, ip, user.id, rehash=rehash)


def record_login(*, session: Session, check: LoginCheck) -> ConsoleUser | None:
    """Write the attempt and its audit entry in one short transaction; the user when it succeeded."""
    if check.blocked is not None:
        session.add(AuditLog(username=check.username, action="login_blocked", ip=check.ip))
        session.commit()
        return None
    session.add(LoginAttempt(username=check.username, ip=check.ip, success=check.ok))
    action = "login" if check.ok else "login_failed"
    session.add(AuditLog(username=check.username, action=action, ip=check.ip))
    user = session.get(ConsoleUser, check.user_id) if check.ok else None
    if user is not None:
        user.last_login_at = _now()
        if check.rehash is not None:
            user.password_hash = check.rehash
        session.add(user)
        # A success forgets this address's earlier typos for the account.
        session.exec(  # type: ignore[call-overload]
            delete(LoginAttempt).where(
                col(LoginAttempt.username) == check.username,
                col(LoginAttempt.ip) == check.ip,
                col(LoginAttempt.success) == False,  # noqa: E712
            )
        )
    session.commit()
    return user


def authenticate(*, session: Session, username: str, password: str, ip: str) -> ConsoleUser | None:
    """:func:`check_login` then :func:`record_login` on one session (the CLI and tests).

    Raises ``UserError`` when the address or account must wait.
    """
    check = check_login(session=session, username=username, password=password, ip=ip)
    user = record_login(session=session, check=check)
    if check.blocked is not None:
        raise UserError(check.blocked)
    return user
