"""A local spool for records the database could not take: nothing a citizen asked is lost.

While the database is down, :class:`SpoolingRecorder` appends each question (and rating) to a
JSON-lines file of this process in ``<instance>/spool/`` (fsynced, masked text and openid hashes
only), and a background thread drains the spool into the database once it is back.

Exactly once: every record carries a key (the MsgId, else a random id) and the drain inserts a
record only when no row with that key exists, in the same transaction. A file is renamed to
``*.ready`` before it is drained and deleted after, so a crash mid-drain leaves a file that the
next drain (of this or any process) re-reads without doubling anything. Files are guarded by
``flock``: the writer holds its own file, and a file nobody holds belongs to a process that died.
"""

import datetime as dt
import fcntl
import json
import logging
import os
import queue
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.serving.recording import DatabaseRecorder, Question, hash_openid

log = logging.getLogger(__name__)

#: Records inserted per transaction while draining (short transactions, safe while serving).
BATCH = 100


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Spool:
    """Append-only JSON-lines files in ``directory``, one per process."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._handle: Any = None
        self._pid = 0
        self._path: Path | None = None

    # -- writing --

    def _open(self) -> Any:
        if self._handle is not None and self._pid == os.getpid():
            return self._handle
        # A fresh file per process (a forked worker must not share its parent's lock).
        self.directory.mkdir(parents=True, exist_ok=True)
        self._pid = os.getpid()
        self._path = self.directory / f"{os.uname().nodename}-{self._pid}-{uuid.uuid4().hex[:8]}.jsonl"
        handle = open(self._path, "a", encoding="utf-8")
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._handle = handle
        return handle

    def append(self, record: dict[str, Any]) -> None:
        """Write one record and fsync it before returning."""
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            handle = self._open()
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def close(self) -> None:
        """Close this process's file (its records stay for the next drain)."""
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None

    def pending(self) -> bool:
        """True when any spool file in the directory may hold records."""
        try:
            return any(path.stat().st_size > 0 for path in self.directory.iterdir())
        except FileNotFoundError:
            return False

    def _seal_own(self) -> None:
        """Rename this process's file to ``*.ready`` so new records go to a new file."""
        with self._lock:
            if self._handle is None or self._pid != os.getpid() or self._path is None:
                return
            if self._handle.tell() == 0:
                return
            ready = self._path.with_suffix(".ready")
            os.rename(self._path, ready)
            self._handle.close()  # releases the lock; the .ready file is claimed again below
            self._handle = None

    # -- draining --

    def _claim_files(self) -> Iterator[tuple[Path, Any]]:
        """Spool files nobody holds (ready ones, and those of dead processes), locked for us."""
        try:
            paths = sorted(self.directory.iterdir())
        except FileNotFoundError:
            return
        for path in paths:
            if path.suffix not in (".ready", ".jsonl") or path == self._path:
                continue
            try:
                handle = open(path, "r+", encoding="utf-8")
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()  # a live writer, or another drainer
                continue
            if not path.exists():  # drained and deleted by another process meanwhile
                handle.close()
                continue
            yield path, handle

    def drain(self, write: Any) -> int:
        """Hand every spooled record to ``write(records)`` in batches; returns how many were handed.

        ``write`` must be idempotent (insert only unknown keys). A file is deleted only after all
        its records were written; on an error the file stays for the next drain.
        """
        self._seal_own()
        count = 0
        for path, handle in self._claim_files():
            try:
                records = [json.loads(line) for line in handle if line.strip()]
            except ValueError:
                log.exception("spool file %s has a damaged line; kept for inspection", path.name)
                handle.close()
                os.rename(path, path.with_suffix(".damaged"))
                continue
            try:
                for start in range(0, len(records), BATCH):
                    write(records[start : start + BATCH])
                path.unlink()
            finally:
                handle.close()
            count += len(records)
        return count


# -- records ----------------------------------------------------------------------------------


def question_record(
    question: Question, hash_key: str, created_at: dt.datetime | None = None
) -> dict[str, Any]:
    """What the spool keeps of a question: masked text, openid hash, the decision."""
    decision = question.decision
    masked = question.masked
    return {
        "kind": "question",
        "key": question.msg_id or uuid.uuid4().hex,
        "msg_id": question.msg_id,
        "created_at": (created_at or _utcnow()).isoformat(),
        "openid_hash": hash_openid(question.openid, hash_key),
        "text": masked,
        "action": decision.action,
        "reason": decision.reason,
        "item_code": decision.item,
        "field": decision.field,
        "score": round(decision.score, 4),
        "candidates": [[code, round(score, 4)] for code, score in decision.scores],
    }


def rating_record(*, item_code: str, score: int, openid: str, hash_key: str) -> dict[str, Any]:
    return {
        "kind": "rating",
        "key": uuid.uuid4().hex,
        "created_at": _utcnow().isoformat(),
        "item_code": item_code,
        "score": score,
        "openid_hash": hash_openid(openid, hash_key),
    }


def write_records(engine: Engine, records: list[dict[str, Any]]) -> int:
    """Insert the records whose rows are not in the database yet (one transaction); returns the count."""
    from knowledge.db import write_session
    from knowledge.models import QuestionLog, Rating

    inserted = 0
    with write_session(engine) as session:
        for record in records:
            created = dt.datetime.fromisoformat(record["created_at"])
            if record["kind"] == "question":
                if _question_exists(session, record, created):
                    continue
                session.add(
                    QuestionLog(
                        created_at=created,
                        msg_id=record["msg_id"],
                        openid=None,  # raw openids never reach the spool
                        openid_hash=record["openid_hash"],
                        text=record["text"],
                        raw_text=None,
                        action=record["action"],
                        reason=record["reason"],
                        item_code=record["item_code"],
                        field=record["field"],
                        score=record["score"],
                        candidates=json.dumps(record["candidates"], ensure_ascii=False),
                        state="open",
                        group_key=record["text"].strip().lower()[:200] or None,
                    )
                )
            elif record["kind"] == "rating":
                exists = session.exec(
                    select(Rating.id).where(
                        Rating.openid_hash == record["openid_hash"],
                        Rating.created_at == created,
                        Rating.item_code == record["item_code"],
                    )
                ).first()
                if exists is not None:
                    continue
                session.add(
                    Rating(
                        created_at=created,
                        item_code=record["item_code"],
                        score=record["score"],
                        openid_hash=record["openid_hash"],
                    )
                )
            else:
                log.error("unknown spool record kind %r skipped", record.get("kind"))
                continue
            inserted += 1
    return inserted


def _question_exists(session: Session, record: dict[str, Any], created: dt.datetime) -> bool:
    from knowledge.models import QuestionLog

    query = select(QuestionLog.id).where(QuestionLog.openid_hash == record["openid_hash"])
    if record.get("msg_id"):
        # The MsgId identifies the question even when the first insert succeeded unseen.
        query = query.where(QuestionLog.msg_id == record["msg_id"])
    else:
        query = query.where(QuestionLog.created_at == created, col(QuestionLog.text) == record["text"])
    return session.exec(query).first() is not None


#: Tells the batch writer to flush and stop.
_STOP = object()


@dataclass(frozen=True)
class _RatingEntry:
    """A rating queued for the batch writer."""

    item_code: str
    score: int
    openid: str


class SpoolingRecorder:
    """A :class:`DatabaseRecorder` that spools what the database cannot take, and drains it later.

    With :meth:`start_batching` (gunicorn workers), questions and ratings are written by a
    background thread in batches, off the request path; a batch the database refuses goes to the
    spool as usual, and :meth:`stop_batching` (the worker's exit) flushes what is queued. While
    batching, :meth:`most_asked` answers from a list the drain thread refreshes every
    ``MOST_ASKED_EVERY`` seconds, so no call of this recorder touches the database on a push.
    """

    #: Seconds between refreshes of the cached most-asked list while batching.
    MOST_ASKED_EVERY = 60.0

    def __init__(
        self, recorder: DatabaseRecorder, spool: Spool, *, retry_after: float = 5.0, clock: Any = None
    ) -> None:
        import time

        self.recorder, self.spool, self.retry_after = recorder, spool, retry_after
        self.clock = clock or time.monotonic
        self._down_until = float("-inf")
        self._drainer: threading.Thread | None = None
        self._stop = threading.Event()
        self._queue: queue.SimpleQueue[Any] | None = None
        self._writer: threading.Thread | None = None
        self._most_asked: list[str] = []
        self._most_asked_at = float("-inf")

    @property
    def batching(self) -> bool:
        """True while questions and ratings go through the batch writer (nothing blocks a push)."""
        return self._queue is not None

    @property
    def engine(self) -> Engine:
        return self.recorder.engine

    def _down(self) -> bool:
        return self.clock() < self._down_until

    def _failed(self, what: str) -> None:
        if not self._down():
            log.warning("database unavailable; spooling %s for %.0f s", what, self.retry_after)
        self._down_until = self.clock() + self.retry_after

    def question(self, question: Question) -> None:
        pending = self._queue
        if pending is not None:
            pending.put((question, _utcnow()))
            return
        if not self._down():
            try:
                self.recorder.question(question)
                return
            except Exception:
                log.exception("cannot record the question of %s in the database", question.msg_id or "?")
                self._failed("questions")
        self.spool.append(question_record(question, self.recorder.hash_key))

    def _write_batch(self, batch: list[tuple[Any, dt.datetime]]) -> None:
        """Insert ``batch``'s questions in one transaction, or spool them all.

        The drain skips rows already in. Ratings (a few per thousand pushes) are written one by
        one, as without batching.
        """
        questions = [(entry, created) for entry, created in batch if isinstance(entry, Question)]
        for entry, _ in batch:
            if isinstance(entry, _RatingEntry):
                self._rate(entry.item_code, entry.score, entry.openid)
        if not questions:
            return
        if not self._down():
            try:
                self.recorder.insert_rows([self.recorder.values(q, created) for q, created in questions])
                return
            except Exception:
                log.exception("cannot record a batch of %d questions in the database", len(questions))
                self._failed("questions")
        for question, created in questions:
            try:
                self.spool.append(question_record(question, self.recorder.hash_key, created))
            except Exception:
                log.exception("cannot spool the question of %s: lost", question.msg_id or "?")

    def start_batching(self, *, interval: float = 0.1, size: int = 100) -> None:
        """Record questions from a background thread every ``interval`` s, ``size`` rows per transaction."""
        if self._writer is not None and self._writer.is_alive():
            return
        pending: queue.SimpleQueue[Any] = queue.SimpleQueue()

        def loop() -> None:
            import time

            while True:
                first = pending.get()
                if first is _STOP:
                    return
                # Sleep through the interval and take what came meanwhile: waking for every
                # question would cost each push a thread switch.
                time.sleep(interval)
                entries, stopping = [first], False
                while True:
                    try:
                        entry = pending.get_nowait()
                    except queue.Empty:
                        break
                    if entry is _STOP:
                        stopping = True
                        break
                    entries.append(entry)
                for start in range(0, len(entries), size):
                    try:
                        self._write_batch(entries[start : start + size])
                    except Exception:
                        log.exception("question batch writer failed")
                if stopping:
                    return

        self._refresh_most_asked()
        self._queue = pending
        self._writer = threading.Thread(target=loop, name="guidebot-record", daemon=True)
        self._writer.start()

    def stop_batching(self, timeout: float = 10.0) -> None:
        """Write what is queued and go back to recording on the request path (worker exit, tests)."""
        pending, writer = self._queue, self._writer
        if pending is None or writer is None:
            return
        self._queue = None  # new questions are recorded directly from now on
        pending.put(_STOP)
        writer.join(timeout)
        self._writer = None
        if writer.is_alive():
            log.error("question batch writer did not finish within %.0f s", timeout)
            return
        leftover = []
        while True:  # a question queued between the swap above and the writer's stop
            try:
                entry = pending.get_nowait()
            except queue.Empty:
                break
            if entry is not _STOP:
                leftover.append(entry)
        if leftover:
            self._write_batch(leftover)

    def rating(self, *, item_code: str, score: int, openid: str) -> None:
        pending = self._queue
        if pending is not None:
            pending.put((_RatingEntry(item_code, score, openid), _utcnow()))
            return
        self._rate(item_code, score, openid)

    def _rate(self, item_code: str, score: int, openid: str) -> None:
        if not self._down():
            try:
                self.recorder.rating(item_code=item_code, score=score, openid=openid)
                return
            except Exception:
                log.exception("cannot record a rating in the database")
                self._failed("ratings")
        self.spool.append(
            rating_record(item_code=item_code, score=score, openid=openid, hash_key=self.recorder.hash_key)
        )

    def most_asked(self, limit: int) -> list[str]:
        if self._queue is not None:
            return self._most_asked[:limit]
        if self._down():
            return []
        return self.recorder.most_asked(limit)

    def _refresh_most_asked(self) -> None:
        """Re-read the most-asked list for the cache (the drain thread, while batching)."""
        self._most_asked_at = self.clock()
        if self._down():
            return
        try:
            self._most_asked = self.recorder.most_asked(20)
        except Exception as exc:
            log.warning(
                "cannot read the most asked items (%s: %s); keeping the last list", type(exc).__name__, exc
            )

    def drain(self) -> int:
        """Move spooled records into the database; returns how many were handed over."""
        count = self.spool.drain(lambda records: write_records(self.engine, records))
        if count:
            log.info("spool drained: %d records", count)
        return count

    def start_drainer(self, interval: float = 5.0) -> None:
        """Drain every ``interval`` seconds in a daemon thread (once per process)."""
        if self._drainer is not None and self._drainer.is_alive():
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                if self._queue is not None and self.clock() - self._most_asked_at >= self.MOST_ASKED_EVERY:
                    self._refresh_most_asked()
                if not self.spool.pending():
                    continue
                try:
                    self.drain()
                except Exception as exc:
                    log.warning(
                        "spool drain failed (%s: %s); retrying in %.0f s", type(exc).__name__, exc, interval
                    )

        self._drainer = threading.Thread(target=loop, name="guidebot-spool", daemon=True)
        self._drainer.start()

    def stop_drainer(self) -> None:
        """Stop the drain thread and close the spool file (tests, shutdown)."""
        self.stop_batching()
        self._stop.set()
        self.spool.close()


def spooling_recorder(
    engine: Engine, *, hash_key: str, directory: str | os.PathLike[str]
) -> SpoolingRecorder:
    """The recorder the webhook uses with a database: spool in ``directory``."""
    return SpoolingRecorder(DatabaseRecorder(engine, hash_key=hash_key), Spool(directory))
