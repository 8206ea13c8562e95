"""The recorder that spools what the database cannot take and drains it later (see ``bot.serving.spool``)."""

import datetime as dt
import logging
import os
import queue
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bot import metrics
from bot.conversation.records import Question
from bot.serving.recording import DatabaseRecorder
from bot.serving.spool import Journal, Spool, question_record, rating_record, write_records

log = logging.getLogger(__name__)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
        self.journal = Journal(spool.directory)  # what the batch writer holds, on disk meanwhile
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
        metrics.record_database_error("recording")
        if not self._down():
            log.warning("database unavailable; spooling %s for %.0f s", what, self.retry_after)
        self._down_until = self.clock() + self.retry_after

    def question(self, question: Question) -> None:
        pending = self._queue
        if pending is not None:
            created = _utcnow()
            generation = self.journal.append(question_record(question, self.recorder.hash_key, created))
            pending.put((question, created, generation))
            return
        if not self._down():
            try:
                self.recorder.question(question)
                return
            except Exception:
                log.exception("cannot record the question of %s in the database", question.msg_id or "?")
                self._failed("questions")
        self.spool.append(question_record(question, self.recorder.hash_key))

    def _write_batch(self, batch: list[tuple[Any, dt.datetime, int]]) -> None:
        """Insert ``batch``'s questions in one transaction (and its ratings), or leave them to the drainer.

        Every entry is in the journal already: on success its records are marked done; on failure
        the journal file is sealed, and the drain inserts what is not in the database yet.
        """
        questions = [(entry, created) for entry, created, _ in batch if isinstance(entry, Question)]
        ratings = [(entry, created) for entry, created, _ in batch if isinstance(entry, _RatingEntry)]
        written = False
        if not self._down():
            try:
                if questions:
                    rows = [self.recorder.values(q, created) for q, created in questions]
                    self.recorder.insert_rows(rows)
                for rating, created in ratings:
                    self.recorder.rating(
                        item_code=rating.item_code,
                        score=rating.score,
                        openid=rating.openid,
                        created_at=created,
                    )
                written = True
            except Exception:
                log.exception("cannot record a batch of %d questions in the database", len(questions))
                self._failed("questions")
        if not written:
            self.journal.seal()  # the drainer takes it from here
            return
        for generation, count in Counter(generation for _, _, generation in batch).items():
            self.journal.done(generation, count)

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
        self.journal.close()

    def rating(self, *, item_code: str, score: int, openid: str) -> None:
        pending = self._queue
        if pending is not None:
            key = self.recorder.hash_key
            record = rating_record(item_code=item_code, score=score, openid=openid, hash_key=key)
            generation = self.journal.append(record)
            created = dt.datetime.fromisoformat(record["created_at"])
            pending.put((_RatingEntry(item_code, score, openid), created, generation))
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
