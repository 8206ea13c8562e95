"""``guidebot purge``: enforce the personal-data retention rules, safe to run while serving.

- raw citizen text and raw openids on questions: kept 48 h (WeChat's customer-service window);
- masked question text: kept ``RETENTION_DAYS`` (default 180), then the question row is deleted;
- delivered replies (they hold openids) past the dedup TTL, expired conversation states (in the
  database, and in the LMDB state store of a SQLite deployment);
- customer-service outbox rows (reply text and openids) older than ``OUTBOX_KEEP_DAYS``;
- subscription consents (an unused one holds a raw openid) older than ``RETENTION_DAYS``.

Every step works in small batches, each its own short transaction, so the webhook's writers wait
at most one batch (SQLite) and PostgreSQL never holds long locks.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, select

from bot.conversation.state import DEFAULT_DEDUP_TTL
from knowledge.retention import RAW_KEEP, raw_data_expired

log = logging.getLogger(__name__)

#: Rows changed per transaction.
BATCH = 500


@dataclass
class PurgeReport:
    """How many rows each step changed (or would change, for a dry run)."""

    raw_cleared: int = 0
    questions_deleted: int = 0
    replies_deleted: int = 0
    states_deleted: int = 0
    outbox_deleted: int = 0
    consents_deleted: int = 0
    dry_run: bool = False
    cutoffs: dict[str, dt.datetime] = field(default_factory=dict)

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        return (
            f"{verb}清除48小时前的原始提问和openid：{self.raw_cleared} 条；"
            f"{verb}删除超过保留期的提问记录：{self.questions_deleted} 条；"
            f"{verb}删除过期的回复缓存：{self.replies_deleted} 条、会话状态：{self.states_deleted} 条；"
            f"{verb}删除过期的客服消息：{self.outbox_deleted} 条；"
            f"{verb}删除超过保留期的订阅通知授权：{self.consents_deleted} 条。"
        )


def _batched(engine: Engine, ids_query: Any, change: Any, *, dry_run: bool, batch: int) -> int:
    """Apply ``change(ids)`` to the ids ``ids_query`` selects, ``batch`` at a time; returns the total."""
    from knowledge.db import write_session

    total = 0
    if dry_run:
        with Session(engine) as session:
            return len(list(session.exec(ids_query)))
    while True:
        with write_session(engine) as session:
            ids = list(session.exec(ids_query.limit(batch)))
            if not ids:
                return total
            session.exec(change(ids))
        total += len(ids)


def purge(
    engine: Engine,
    *,
    retention_days: int = 180,
    outbox_days: int = 7,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
) -> PurgeReport:
    """Apply the retention rules to the database behind ``engine``."""
    from knowledge.consent_tables import SubscriptionConsent
    from knowledge.models import ConversationRecord, DeliveredReply, OutboxMessage, QuestionLog

    now = now or dt.datetime.now(dt.UTC)
    raw_before = now - RAW_KEEP
    masked_before = now - dt.timedelta(days=retention_days)
    reply_before = now - dt.timedelta(seconds=DEFAULT_DEDUP_TTL)
    outbox_before = now - dt.timedelta(days=outbox_days)
    report = PurgeReport(
        dry_run=dry_run,
        cutoffs={"raw": raw_before, "masked": masked_before, "outbox": outbox_before},
    )
    qid = col(QuestionLog.id)
    report.raw_cleared = _batched(
        engine,
        select(QuestionLog.id).where(raw_data_expired(raw_before)),
        lambda ids: update(QuestionLog).where(qid.in_(ids)).values(openid=None, raw_text=None),
        dry_run=dry_run,
        batch=batch,
    )
    # Row deletions: (report field, key column, which rows go).
    deletions = (
        ("questions_deleted", QuestionLog.id, col(QuestionLog.created_at) < masked_before),
        ("replies_deleted", DeliveredReply.dedup_key, col(DeliveredReply.created_at) < reply_before),
        ("states_deleted", ConversationRecord.key, col(ConversationRecord.expires_at) <= now),
        ("outbox_deleted", OutboxMessage.id, col(OutboxMessage.created_at) < outbox_before),
        ("consents_deleted", SubscriptionConsent.id, col(SubscriptionConsent.accepted_at) < masked_before),
    )
    for name, key, condition in deletions:
        key_column = col(key)
        setattr(
            report,
            name,
            _batched(
                engine,
                select(key).where(condition),
                lambda keys, key_column=key_column: delete(key_column.table).where(key_column.in_(keys)),
                dry_run=dry_run,
                batch=batch,
            ),
        )
    log.info("purge%s: %s", " (dry run)" if dry_run else "", report)
    return report


def purge_state_store(app: Any, *, dry_run: bool = False) -> tuple[int, int]:
    """Expired (replies, states) of the app's LMDB state store, deleted; (0, 0) without one.

    The workers purge it as they go; this catches a store no worker writes to any more.
    """
    import os

    from bot.serving.runtime import lmdb_path, state_store_kind

    path = lmdb_path(app)
    if state_store_kind(app) != "lmdb" or not os.path.isdir(path):
        return 0, 0
    from bot.serving.lmdbstore import LmdbStore

    return LmdbStore(path).purge(dry_run=dry_run)  # in short transactions, safe while serving
