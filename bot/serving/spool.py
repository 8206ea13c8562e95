"""A local spool for records the database could not take: nothing a citizen asked is lost.

While the database is down, ``bot.serving.spooling.SpoolingRecorder`` appends each question (and rating) to a
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
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.conversation.records import Question, hash_openid

log = logging.getLogger(__name__)

#: Records inserted per transaction while draining (short transactions, safe while serving).
BATCH = 100


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _own_file(directory: Path, prefix: str = "") -> tuple[Path, Any]:
    """A fresh JSON-lines file of this process in ``directory``, open for appending and locked: a file per
    process, since a forked worker must not share its parent's lock."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{prefix}{os.uname().nodename}-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
    # Created under a name drainers ignore and renamed once locked: a drainer that found the file
    # between its creation and its lock would take it for a dead process's empty file and delete
    # it, and every record written to it afterwards would be lost.
    opening = path.with_suffix(".opening")
    handle = open(opening, "a", encoding="utf-8")
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.rename(opening, path)
    return path, handle


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
        self._pid = os.getpid()
        self._path, self._handle = _own_file(self.directory)
        return self._handle

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


class Journal:
    """What this process has queued for the database, on disk until the database has it.

    A gunicorn worker records questions from a background thread in batches; a worker killed
    outright (SIGKILL, or SIGBUS when its database's files turn read-only under its memory map)
    would lose what it had queued. Each queued record is first appended here (one write to the
    page cache, which outlives the process; no fsync per push). When every record of the file
    is in the database the file is emptied; when a batch fails, the file is sealed for the
    drainer (:meth:`seal`), which inserts what is missing. The file sits among the spool's, held
    with ``flock`` like them, so the drainer of any process takes it over once this one is gone.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._handle: Any = None
        self._path: Path | None = None
        self._pid = 0
        self.generation = 0  # which file a record went to: sealing starts a new one
        self._outstanding = 0  # records of the current file not yet in the database

    def _open(self) -> Any:
        if self._handle is not None and self._pid == os.getpid():
            return self._handle
        if self._pid != os.getpid():
            self._outstanding = 0  # a forked child starts its own file
        self._pid = os.getpid()
        self._path, self._handle = _own_file(self.directory, "journal-")
        return self._handle

    def append(self, record: dict[str, Any]) -> int:
        """Write ``record`` (to the operating system, not yet to the disk); returns its generation."""
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            handle = self._open()
            handle.write(line)
            handle.flush()
            self._outstanding += 1
            return self.generation

    def done(self, generation: int, count: int) -> None:
        """``count`` records of ``generation`` are in the database; empty the file once all are."""
        with self._lock:
            if generation != self.generation or self._handle is None or self._pid != os.getpid():
                return
            self._outstanding = max(0, self._outstanding - count)
            if self._outstanding == 0:
                self._handle.seek(0)
                self._handle.truncate()

    def seal(self) -> None:
        """Hand the current file to the drainer (a batch failed); new records go to a new file."""
        with self._lock:
            if self._handle is None or self._pid != os.getpid() or self._path is None:
                return
            if self._handle.tell() > 0:
                self._handle.flush()
                os.fsync(self._handle.fileno())
                os.rename(self._path, self._path.with_suffix(".ready"))
            else:
                self._path.unlink(missing_ok=True)
            self._handle.close()
            self._handle, self._path = None, None
            self.generation += 1
            self._outstanding = 0

    def close(self) -> None:
        """Close the file: deleted when empty, else left (fsynced) for the drainer."""
        with self._lock:
            if self._handle is None or self._pid != os.getpid() or self._path is None:
                return
            if self._handle.tell() == 0:
                self._path.unlink(missing_ok=True)
            else:
                self._handle.flush()
                os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle, self._path = None, None


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
