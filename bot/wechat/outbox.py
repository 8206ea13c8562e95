"""The send queue for customer-service messages: bounded retries, no retry where WeChat said no.

``enqueue`` stores a message; ``drain(now)`` sends the due ones through the WeChat client. A
transient failure (WeChat busy, timeout, token trouble) is retried after 1 s, 4 s and 16 s, then the
message is marked failed. 45015 (window closed), 45047 (quota), 40003 (bad openid) and every other
permanent error fail it at once with the reason. WeChat allows 5 customer-service messages per
citizen message: the 6th message for the same ``source_msg_id`` fails here without calling WeChat.

Storage sits behind ``OutboxStore``: ``MemoryOutboxStore`` for one process, ``DatabaseOutboxStore`` on
the ``outbox_message`` table for several workers. Draining claims rows with a lease (their
``next_attempt_at`` moves forward), so two workers never send the same message at the same time.
"""

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from bot import metrics
from bot.wechat.client import WeChatApiError, text_message

log = logging.getLogger(__name__)

RETRY_DELAYS: tuple[float, ...] = (1.0, 4.0, 16.0)
#: WeChat's current limit of customer-service messages per citizen message.
PER_MESSAGE_QUOTA = 5
QUOTA_REFUSED = f"每条群众消息最多发送 {PER_MESSAGE_QUOTA} 条客服消息，已达上限（未调用微信接口）"


@dataclass(frozen=True)
class OutboxEntry:
    """One queued message; times are epoch seconds."""

    id: int
    openid: str
    payload: dict[str, Any]
    source_msg_id: str | None
    state: str  # pending / sent / failed
    attempts: int
    next_attempt_at: float
    last_error: str | None
    created_at: float


class OutboxStore(Protocol):
    """Where queued messages live. Every method is safe to call from several threads (and workers)."""

    def add(
        self,
        *,
        openid: str,
        payload: dict[str, Any],
        source_msg_id: str | None,
        now: float,
        state: str = "pending",
        last_error: str | None = None,
    ) -> OutboxEntry: ...

    def get(self, *, id: int) -> OutboxEntry | None: ...

    def count_for_source(self, *, source_msg_id: str, states: tuple[str, ...]) -> int: ...

    def claim_due(self, *, now: float, lease: float, limit: int) -> list[OutboxEntry]:
        """Pending messages due at ``now``, each pushed ``lease`` seconds ahead so no one else takes it."""

    def mark_sent(self, *, id: int, attempts: int) -> None: ...

    def mark_retry(self, *, id: int, attempts: int, next_attempt_at: float, error: str) -> None: ...

    def mark_failed(self, *, id: int, attempts: int, error: str) -> None: ...


@dataclass(frozen=True)
class DrainReport:
    """What one ``drain`` did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


class Outbox:
    """Queue messages now, send them from ``drain`` (called by a ``Drainer`` thread or a test)."""

    def __init__(
        self,
        store: OutboxStore,
        send: Callable[[str, Mapping[str, Any]], None],
        *,
        clock: Callable[[], float] = time.time,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        quota: int = PER_MESSAGE_QUOTA,
        lease: float = 60.0,
        batch: int = 50,
    ) -> None:
        self.store = store
        self._send = send
        self._clock = clock
        self.retry_delays = retry_delays
        self.quota = quota
        # Longer than the slowest send (token wait, timeouts, busy retries), so a lease never lapses mid-send.
        self.lease = lease
        self.batch = batch

    def enqueue(self, openid: str, text: str, source_msg_id: str | None) -> OutboxEntry:
        """Queue a text for ``openid``; the 6th for one ``source_msg_id`` is stored as failed (quota)."""
        return self.enqueue_message(openid, text_message(text), source_msg_id)

    #: The callable the webhook (late answers) and the console (reply to a citizen) are given.
    deliver_later = enqueue

    def enqueue_message(self, openid: str, payload: dict[str, Any], source_msg_id: str | None) -> OutboxEntry:
        """Queue any customer-service message body (``{"msgtype": ..., ...}``)."""
        now = self._clock()
        if source_msg_id is not None and self._used(source_msg_id, ("pending", "sent")) >= self.quota:
            return self.store.add(
                openid=openid,
                payload=payload,
                source_msg_id=source_msg_id,
                now=now,
                state="failed",
                last_error=QUOTA_REFUSED,
            )
        return self.store.add(openid=openid, payload=payload, source_msg_id=source_msg_id, now=now)

    def drain(self, now: float | None = None) -> DrainReport:
        """Send every message due at ``now`` (default: the clock); one attempt each."""
        now = self._clock() if now is None else now
        report = DrainReport()
        for entry in self.store.claim_due(now=now, lease=self.lease, limit=self.batch):
            outcome = self._attempt(entry, now)
            report = replace(report, **{outcome: getattr(report, outcome) + 1})
        return report

    def _used(self, source_msg_id: str, states: tuple[str, ...]) -> int:
        return self.store.count_for_source(source_msg_id=source_msg_id, states=states)

    def _attempt(self, entry: OutboxEntry, now: float) -> str:
        attempts = entry.attempts + 1
        # Re-checked at send time: several workers may have queued for the same citizen message.
        if entry.source_msg_id is not None and self._used(entry.source_msg_id, ("sent",)) >= self.quota:
            self.store.mark_failed(id=entry.id, attempts=entry.attempts, error=QUOTA_REFUSED)
            metrics.record_outbox("failed", 45047)  # our own count of WeChat's per-citizen quota
            return "failed"
        try:
            self._send(entry.openid, entry.payload)
        except WeChatApiError as exc:
            result = self._after_error(entry, attempts, now, str(exc), retryable=exc.retryable)
            metrics.record_outbox(result, exc.code)
            return result
        except Exception as exc:  # a bug or an unexpected library error: retried, bounded, logged
            log.exception("outbox message %s: unexpected error", entry.id)
            error = f"{exc.__class__.__name__}: {exc}"
            result = self._after_error(entry, attempts, now, error, retryable=True)
            metrics.record_outbox(result, None)
            return result
        self.store.mark_sent(id=entry.id, attempts=attempts)
        metrics.record_outbox("sent", 0)
        return "sent"

    def _after_error(
        self, entry: OutboxEntry, attempts: int, now: float, error: str, *, retryable: bool
    ) -> str:
        if retryable and attempts <= len(self.retry_delays):
            delay = self.retry_delays[attempts - 1]
            self.store.mark_retry(id=entry.id, attempts=attempts, next_attempt_at=now + delay, error=error)
            return "retried"
        log.warning("outbox message %s failed after %s attempt(s): %s", entry.id, attempts, error)
        self.store.mark_failed(id=entry.id, attempts=attempts, error=error)
        return "failed"


class Drainer:
    """A daemon thread calling ``outbox.drain()`` every ``interval`` seconds until ``stop()``."""

    def __init__(self, outbox: Outbox, *, interval: float = 0.5) -> None:
        self.outbox = outbox
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="guidebot-outbox", daemon=True)

    def start(self) -> "Drainer":
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.outbox.drain()
            except Exception:  # the database may be down for a while; keep the thread alive
                log.exception("outbox drain failed")
            self._stop.wait(self.interval)


OUTBOX_KEY = "guidebot.outbox"


def outbox_for_app(app: Any, *, start: bool = True) -> Outbox:
    """The app's outbox (database store, configured WeChat client), with its drainer thread running.

    Made once per process: a forked worker (gunicorn ``--preload``) gets its own outbox and drainer,
    since threads do not survive ``fork``. Without ``WECHAT_APP_ID``/``WECHAT_APP_SECRET`` messages
    are queued but the drainer does not start (nothing could be sent).
    """
    from bot.wechat.token import client_from_config
    from knowledge.db import get_engine

    made = app.extensions.get(OUTBOX_KEY)
    if made is not None and made[0] == os.getpid():
        return made[1]  # type: ignore[no-any-return]
    engine = get_engine(app)
    config = app.config
    client = client_from_config(config, engine=engine)
    outbox = Outbox(DatabaseOutboxStore(engine), client.send_message)
    configured = bool(config.get("WECHAT_APP_ID") and config.get("WECHAT_APP_SECRET"))
    drainer = Drainer(outbox).start() if start and configured else None
    if start and not configured:
        log.warning("WECHAT_APP_ID/WECHAT_APP_SECRET not set: customer-service messages stay queued")
    app.extensions[OUTBOX_KEY] = (os.getpid(), outbox, drainer)
    return outbox


def stop_outbox(app: Any) -> None:
    """Stop this process's drainer thread (tests, orderly shutdown)."""
    made = app.extensions.pop(OUTBOX_KEY, None)
    if made is not None and made[2] is not None:
        made[2].stop(timeout=10)


# --- stores -------------------------------------------------------------------------------------------


class MemoryOutboxStore:
    """One process: a dict behind a lock (messages are lost on restart)."""

    def __init__(self) -> None:
        self._entries: dict[int, OutboxEntry] = {}
        self._lock = threading.Lock()

    def add(
        self,
        *,
        openid: str,
        payload: dict[str, Any],
        source_msg_id: str | None,
        now: float,
        state: str = "pending",
        last_error: str | None = None,
    ) -> OutboxEntry:
        with self._lock:
            entry = OutboxEntry(
                id=len(self._entries) + 1,
                openid=openid,
                payload=dict(payload),
                source_msg_id=source_msg_id,
                state=state,
                attempts=0,
                next_attempt_at=now,
                last_error=last_error,
                created_at=now,
            )
            self._entries[entry.id] = entry
            return entry

    def get(self, *, id: int) -> OutboxEntry | None:
        with self._lock:
            return self._entries.get(id)

    def count_for_source(self, *, source_msg_id: str, states: tuple[str, ...]) -> int:
        with self._lock:
            entries = self._entries.values()
            return sum(1 for e in entries if e.source_msg_id == source_msg_id and e.state in states)

    def claim_due(self, *, now: float, lease: float, limit: int) -> list[OutboxEntry]:
        with self._lock:
            pending = (e for e in self._entries.values() if e.state == "pending" and e.next_attempt_at <= now)
            due = sorted(pending, key=lambda e: (e.next_attempt_at, e.id))[:limit]
            for entry in due:
                self._entries[entry.id] = replace(entry, next_attempt_at=now + lease)
            return due

    def _update(self, id: int, **changes: Any) -> None:
        with self._lock:
            self._entries[id] = replace(self._entries[id], **changes)

    def mark_sent(self, *, id: int, attempts: int) -> None:
        self._update(id, state="sent", attempts=attempts)

    def mark_retry(self, *, id: int, attempts: int, next_attempt_at: float, error: str) -> None:
        self._update(id, attempts=attempts, next_attempt_at=next_attempt_at, last_error=error)

    def mark_failed(self, *, id: int, attempts: int, error: str) -> None:
        self._update(id, state="failed", attempts=attempts, last_error=error)


def _to_datetime(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


class DatabaseOutboxStore:
    """Several workers: the ``outbox_message`` table (``knowledge.models.OutboxMessage``)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    @staticmethod
    def _entry(row: Any) -> OutboxEntry:
        return OutboxEntry(
            id=row.id,
            openid=row.openid,
            payload=json.loads(row.payload),
            source_msg_id=row.source_msg_id,
            state=row.state,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at.timestamp(),
            last_error=row.last_error,
            created_at=row.created_at.timestamp(),
        )

    def add(
        self,
        *,
        openid: str,
        payload: dict[str, Any],
        source_msg_id: str | None,
        now: float,
        state: str = "pending",
        last_error: str | None = None,
    ) -> OutboxEntry:
        from knowledge.db import write_session
        from knowledge.models import OutboxMessage

        with write_session(self.engine) as session:
            row = OutboxMessage(
                openid=openid,
                payload=json.dumps(payload, ensure_ascii=False),
                source_msg_id=source_msg_id,
                state=state,
                attempts=0,
                next_attempt_at=_to_datetime(now),
                created_at=_to_datetime(now),
                last_error=last_error,
            )
            session.add(row)
            session.flush()
            return self._entry(row)

    def get(self, *, id: int) -> OutboxEntry | None:
        from sqlmodel import Session

        from knowledge.models import OutboxMessage

        with Session(self.engine) as session:
            row = session.get(OutboxMessage, id)
            return None if row is None else self._entry(row)

    def count_for_source(self, *, source_msg_id: str, states: tuple[str, ...]) -> int:
        from sqlalchemy import func
        from sqlmodel import Session, col, select

        from knowledge.models import OutboxMessage

        query = (
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.source_msg_id == source_msg_id, col(OutboxMessage.state).in_(states))
        )
        with Session(self.engine) as session:
            return int(session.exec(query).one())

    def claim_due(self, *, now: float, lease: float, limit: int) -> list[OutboxEntry]:
        from sqlmodel import col, select

        from knowledge.db import write_session
        from knowledge.models import OutboxMessage

        # FOR UPDATE SKIP LOCKED on PostgreSQL (ignored on SQLite, where BEGIN IMMEDIATE serialises).
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.state == "pending", col(OutboxMessage.next_attempt_at) <= _to_datetime(now))
            .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with write_session(self.engine) as session:
            rows = list(session.exec(query))
            claimed = [self._entry(row) for row in rows]
            for row in rows:
                row.next_attempt_at = _to_datetime(now + lease)
                session.add(row)
        return claimed

    def _update(self, id: int, **changes: Any) -> None:
        from knowledge.db import write_session
        from knowledge.models import OutboxMessage

        with write_session(self.engine) as session:
            row = session.get(OutboxMessage, id)
            if row is None:
                return
            for name, value in changes.items():
                setattr(row, name, value)
            session.add(row)

    def mark_sent(self, *, id: int, attempts: int) -> None:
        self._update(id, state="sent", attempts=attempts)

    def mark_retry(self, *, id: int, attempts: int, next_attempt_at: float, error: str) -> None:
        self._update(id, attempts=attempts, next_attempt_at=_to_datetime(next_attempt_at), last_error=error)

    def mark_failed(self, *, id: int, attempts: int, error: str) -> None:
        self._update(id, state="failed", attempts=attempts, last_error=error)
