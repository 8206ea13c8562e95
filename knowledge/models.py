"""SQLModel tables: the knowledge base, its revisions, and the webhook's bookkeeping.

An item keeps the columns people filter and sort by as scalars (code, name, department, type,
status, effective date, timestamps) and its nested content (materials, situations, windows, FAQ…)
as one JSON document. The JSON goes through ``schema.Item`` on every write (``ItemJSON``), so the
database never holds an item the interchange format would reject. Items are edited, reviewed,
snapshotted and restored as a whole, which one document does in one row write.

Working copy and live copy: ``ServiceItem.data`` is the newest version and ``status`` is its state.
While that version is a draft, in review or approved for a future date, ``live_data`` holds the
version that was published before it, and the bot keeps seeing that one (see ``visible_item``).

Timestamps are stored as naive UTC and come back timezone-aware (``UtcDateTime``), the same on
SQLite and PostgreSQL. No ``from __future__ import annotations`` here: SQLModel reads the hints.
"""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Relationship, SQLModel

from knowledge import schema

STATUSES: tuple[str, ...] = ("draft", "in_review", "published", "archived")
STATUS_LABELS: dict[str, str] = {
    "draft": "草稿",
    "in_review": "待审核",
    "published": "已发布",
    "archived": "已归档",
}
QUESTION_STATES: tuple[str, ...] = ("open", "answered", "alias_added", "item_created", "ignored")
OUTBOX_STATES: tuple[str, ...] = ("pending", "sent", "failed")

#: Halls are in China (UTC+8, no daylight saving): effective dates are counted in that zone.
CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def utcnow() -> dt.datetime:
    """Now, timezone-aware UTC (what every timestamp column takes and returns)."""
    return dt.datetime.now(dt.UTC)


def china_today() -> dt.date:
    """Today's date in the halls' time zone."""
    return dt.datetime.now(CHINA).date()


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive UTC in the column on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None or value.tzinfo is None:
            return value  # naive values are taken as UTC already
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class ItemJSON(TypeDecorator[dict[str, Any]]):
    """A guidebot-kb/1 item as JSON, validated by ``schema.Item`` whenever it is written."""

    impl = JSON
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(none_as_null=True)  # None is SQL NULL, not the JSON text "null"

    def process_bind_param(self, value: Any, dialect: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        item = value if isinstance(value, schema.Item) else schema.Item.model_validate(value)
        return item.dump()


class HallJSON(TypeDecorator[dict[str, Any]]):
    """A guidebot-kb/1 hall as JSON, validated by ``schema.Hall`` whenever it is written."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        hall = value if isinstance(value, schema.Hall) else schema.Hall.model_validate(value)
        return hall.dump()


def _now_field(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False, **kwargs)


class Hall(SQLModel, table=True):
    """The one service hall this installation answers for (a single row, id 1).

    The value columns are the published hall, what citizens read; ``revision`` and ``status`` are
    those of its newest ``HallRevision`` (``in_review`` or ``draft`` while a change waits for review).
    """

    __tablename__ = "hall"

    id: int = Field(default=1, primary_key=True)
    name: str
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    complaint_phone: str | None = None
    website: str | None = None
    revision: int = 0
    status: str = "published"
    updated_at: dt.datetime = _now_field()
    updated_by: str = ""


class HallRevision(SQLModel, table=True):
    """The whole hall after one change: who, when, why, and its state then (published, in_review, draft)."""

    __tablename__ = "hall_revision"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    author: str
    created_at: dt.datetime = _now_field()
    summary: str = ""
    snapshot: dict[str, Any] = Field(sa_type=HallJSON, nullable=False)
    status: str
    comment: str | None = None


class ServiceItem(SQLModel, table=True):
    """One service item: its newest version, its state, and the version the bot sees meanwhile."""

    __tablename__ = "service_item"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    name: str = Field(index=True)
    department: str = Field(index=True)
    type: str | None = None
    status: str = Field(default="draft", index=True)
    effective_date: dt.date | None = None
    updated: dt.date | None = None  # the item's own "last checked" date
    data: dict[str, Any] = Field(sa_type=ItemJSON, nullable=False)
    live_data: dict[str, Any] | None = Field(default=None, sa_type=ItemJSON, nullable=True)
    revision: int = 0  # number of the newest ItemRevision
    search_text: str = Field(default="", sa_type=Text)  # every text value of ``data``, for list searches
    created_at: dt.datetime = _now_field()
    updated_at: dt.datetime = _now_field()
    updated_by: str = ""

    def item(self) -> schema.Item:
        """The newest version (what the console edits)."""
        return schema.Item.model_validate(self.data)

    def published_data(self) -> dict[str, Any] | None:
        """The published version, whether or not its effective date has come."""
        if self.status == "published":
            return self.data
        return self.live_data if self.status != "archived" else None

    def visible_item(self, today: dt.date) -> schema.Item | None:
        """What the bot answers with on ``today``, or None."""
        if self.status == "published" and (self.effective_date is None or self.effective_date <= today):
            return self.item()
        if self.status != "archived" and self.live_data is not None:
            return schema.Item.model_validate(self.live_data)
        return None


class ItemRevision(SQLModel, table=True):
    """A full snapshot of an item after one change: who, when, why, and its state then."""

    __tablename__ = "item_revision"
    __table_args__ = (UniqueConstraint("item_code", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    item_code: str = Field(foreign_key="service_item.code", index=True, ondelete="CASCADE")
    number: int
    author: str
    created_at: dt.datetime = _now_field()
    summary: str = ""
    snapshot: dict[str, Any] = Field(sa_type=ItemJSON, nullable=False)
    status: str
    effective_date: dt.date | None = None
    comment: str | None = None
    # Never read (loading raises); it tells the unit of work to insert a new item before its first revision.
    item: ServiceItem | None = Relationship(sa_relationship_kwargs={"lazy": "raise"})


class KbMeta(SQLModel, table=True):
    """A counter bumped whenever what the bot sees changes, so indexes rebuild without a restart."""

    __tablename__ = "kb_meta"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    changed_at: dt.datetime = _now_field()


class Synonym(SQLModel, table=True):
    """A word citizens use and the word the knowledge base uses (户口本 → 居民户口簿)."""

    __tablename__ = "synonym"
    __table_args__ = (UniqueConstraint("word", "canonical"),)

    id: int | None = Field(default=None, primary_key=True)
    word: str = Field(index=True)
    canonical: str
    created_at: dt.datetime = _now_field()


# --- The webhook's tables (used by bot/ and webhook.py) ---------------------------------------


class ConversationRecord(SQLModel, table=True):
    """A citizen's conversation memory (JSON) until it expires."""

    __tablename__ = "conversation_record"

    key: str = Field(primary_key=True)
    data: str = Field(sa_type=Text)
    expires_at: dt.datetime = Field(sa_type=UtcDateTime, index=True)


class DeliveredReply(SQLModel, table=True):
    """The reply given to one delivery; the unique insert decides which retry is first."""

    __tablename__ = "delivered_reply"

    dedup_key: str = Field(primary_key=True)
    reply: str = Field(sa_type=Text)
    created_at: dt.datetime = _now_field(index=True)


class QuestionLog(SQLModel, table=True):
    """One citizen question and what the bot did, for the administrators' review."""

    __tablename__ = "question_log"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = _now_field(index=True)
    msg_id: str | None = Field(default=None, index=True, unique=True)  # a retry is never recorded twice
    openid: str | None = None  # raw, purged after 48 h
    openid_hash: str = Field(index=True)
    text: str = Field(sa_type=Text)  # personal data masked
    raw_text: str | None = Field(default=None, sa_type=Text)
    action: str
    reason: str
    item_code: str | None = None
    field: str | None = None
    score: float = 0.0
    candidates: str = Field(default="[]", sa_type=Text)  # JSON list of [code, score]
    state: str = "open"
    group_key: str | None = Field(default=None, index=True)


class Rating(SQLModel, table=True):
    """A citizen's rating of an answer."""

    __tablename__ = "rating"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = _now_field()
    item_code: str = Field(index=True)
    score: int
    openid_hash: str


class ApiToken(SQLModel, table=True):
    """A cached WeChat access token, shared by all workers; ``lock_until`` guards its refresh."""

    __tablename__ = "api_token"

    name: str = Field(primary_key=True)
    value: str
    expires_at: dt.datetime = Field(sa_type=UtcDateTime)
    lock_until: dt.datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)


class OutboxMessage(SQLModel, table=True):
    """A customer-service message waiting to be sent (retried with back-off)."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = _now_field()
    openid: str
    payload: str = Field(sa_type=Text)  # JSON
    state: str = Field(default="pending", index=True)
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    last_error: str | None = Field(default=None, sa_type=Text)
    source_msg_id: str | None = None
