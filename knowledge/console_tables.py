"""SQLModel tables of the staff console: accounts, login attempts, the audit log and regression cases.

They share ``SQLModel.metadata`` with ``knowledge.models``; ``knowledge/migrations/env.py`` imports this
module so Alembic sees them (``knowledge.models`` cannot: this module imports from it). The migration that
creates them is ``knowledge/migrations/versions/*_console_tables.py``.
"""

import datetime as dt
from typing import Any

from sqlmodel import Field, SQLModel

from knowledge.models import UtcDateTime, utcnow

ROLES: tuple[str, ...] = ("editor", "reviewer", "admin")


def _when(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False, **kwargs)


class ConsoleUser(SQLModel, table=True):
    """A staff account; ``password_hash`` is an argon2id hash string."""

    __tablename__ = "console_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = True
    #: Raised by logout, password reset, role change and deactivation: older sessions stop working.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: dt.datetime = _when()
    last_login_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)


class LoginAttempt(SQLModel, table=True):
    """One login try; failures per username and address drive the rate limit across workers."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, max_length=64)
    ip: str = Field(index=True, max_length=64)
    at: dt.datetime = _when(index=True)
    success: bool = False


class AuditLog(SQLModel, table=True):
    """Who did what to which target, and when (logins, edits, reviews, publishing, imports, user changes)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = _when(index=True)
    username: str = Field(max_length=64)
    action: str = Field(index=True, max_length=32)
    target: str = Field(default="", max_length=255)
    detail: str = ""
    ip: str = Field(default="", max_length=64)


class RegressionCase(SQLModel, table=True):
    """A labelled question: the item (None = out of scope) and field the bot must answer with."""

    __tablename__ = "regression_case"

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(max_length=500)
    item_code: str | None = Field(default=None, max_length=64)
    field: str | None = Field(default=None, max_length=32)
    created_by: str = Field(default="", max_length=64)
    created_at: dt.datetime = _when()
    last_passed: bool | None = None
