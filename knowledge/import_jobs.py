"""Console imports off the request path: each uploaded file is a job, checked and applied in a thread.

The upload view saves the file and returns at once; a background thread reads and validates it
(``knowledge.interchange``) and runs the import as a dry run, then, once staff confirm, for real,
writing its state (phase, progress, the report or the problems) to a JSON file beside the upload.
Any worker of the host can show that state, so the progress page works behind several workers.

One job runs at a time per process (a big file costs memory, and the webhook shares the worker);
a job whose worker died shows as interrupted (nothing was written: the import is one transaction);
uploads older than a day are deleted, at every upload and by ``guidebot purge``.
"""

import datetime as dt
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from knowledge import hall, storage
from knowledge.audit import audit
from knowledge.errors import InterchangeError
from knowledge.interchange import SUFFIXES, read_document

log = logging.getLogger(__name__)

#: How long an upload (checked or not) is kept.
KEEP = dt.timedelta(hours=24)
#: A running job whose state has not changed for this long died with its worker.
STALLED_AFTER = 120.0
#: Seconds between progress writes.
PROGRESS_EVERY = 0.5
_ATTEMPTS = 3
_TOKEN_CHARS = frozenset("0123456789abcdef")
_ONE_AT_A_TIME = threading.Semaphore(1)
_RUNNING = ("queued", "checking", "applying")


@dataclass
class Job:
    """One uploaded file on its way in; saved as ``<token>.job.json``."""

    token: str
    name: str
    user: str
    suffix: str
    state: str = "queued"  # queued, checking, checked, rejected, applying, done, failed
    phase: str = "排队等待"
    done: int = 0
    total: int = 0
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    report: dict[str, Any] | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    ip: str = ""

    @property
    def running(self) -> bool:
        return self.state in _RUNNING

    @property
    def stalled(self) -> bool:
        """True when the worker running this job died (its state stopped changing)."""
        return self.running and time.time() - self.updated > STALLED_AFTER

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class JobStore:
    """Uploads and their job files in one folder."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def data_path(self, job: Job) -> Path:
        return self.directory / f"{job.token}{job.suffix}"

    def _state_path(self, token: str) -> Path:
        return self.directory / f"{token}.job.json"

    def create(self, *, name: str, user: str, ip: str = "") -> Job:
        """A new job for a file called ``name`` (its data goes to :meth:`data_path`)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        suffix = Path(name).suffix.lower()
        job = Job(
            token=secrets.token_hex(16),
            name=name,
            user=user,
            ip=ip,
            suffix=suffix if suffix in SUFFIXES else ".bin",
        )
        self.save(job)
        return job

    def save(self, job: Job) -> None:
        """Write the job's state atomically (a reader never sees half a file)."""
        job.updated = time.time()
        temporary = self._state_path(job.token).with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self._state_path(job.token))

    def load(self, token: str) -> Job | None:
        """The job ``token`` names, or None (also for anything that is not a token)."""
        if len(token) != 32 or not set(token) <= _TOKEN_CHARS:
            return None
        try:
            data = json.loads(self._state_path(token).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return Job(**data)

    def claim(self, job: Job) -> bool:
        """True for the first caller only: confirming a job is done once, whichever worker gets it."""
        try:
            os.close(os.open(self.directory / f"{job.token}.confirmed", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def discard(self, job: Job) -> None:
        """Delete the uploaded file (its state stays, to show the outcome)."""
        self.data_path(job).unlink(missing_ok=True)

    def clean(self, *, keep: dt.timedelta = KEEP, now: float | None = None) -> int:
        """Delete uploads and job states older than ``keep``; returns how many files went."""
        limit = (time.time() if now is None else now) - keep.total_seconds()
        removed = 0
        try:
            paths = list(self.directory.iterdir())
        except FileNotFoundError:
            return 0
        for path in paths:
            try:
                if path.is_file() and path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed


def _hall_view(change: hall.HallChange | None, current: Any) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "action": change.action,
        "changes": [{"field": c.field, "label": c.label, "old": c.old, "new": c.new} for c in change.changes],
        "kept": [
            {"field": name, "label": hall.LABELS[name], "value": getattr(current, name, None)}
            for name in change.kept
        ],
    }


def _report_view(report: storage.ImportReport, current: Any) -> dict[str, Any]:
    return {
        "summary": report.summary(),
        "created": report.created,
        "updated": report.updated,
        "unchanged": len(report.unchanged),
        "hall": _hall_view(report.hall, current),
    }


class _Progress:
    """Counts items and writes the job's state now and then."""

    def __init__(self, store: JobStore, job: Job, phase: str) -> None:
        self.store, self.job, self.last = store, job, 0.0
        job.phase, job.done = phase, 0
        store.save(job)

    def __call__(self, count: int) -> None:
        self.job.done += count
        if time.monotonic() - self.last >= PROGRESS_EVERY:
            self.last = time.monotonic()
            self.store.save(self.job)


def _retrying(engine: Engine, work: Callable[[Session], storage.ImportReport]) -> storage.ImportReport:
    """``work`` in a session, again when SQLite says another writer held the lock (nothing was written)."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with Session(engine) as session:
                return work(session)
        except OperationalError as exc:
            if engine.dialect.name != "sqlite" or "locked" not in str(exc) or attempt == _ATTEMPTS:
                raise
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def check(store: JobStore, job: Job, engine: Engine) -> None:
    """Read, validate and dry-run ``job``'s file; the job ends ``checked``, ``rejected`` or ``failed``."""
    with _ONE_AT_A_TIME:
        try:
            job.state, job.phase = "checking", "正在读取和检查文件"
            store.save(job)
            try:
                kb = read_document(store.data_path(job), name=job.name)
            except InterchangeError as exc:
                job.state, job.problems = "rejected", [asdict(problem) for problem in exc.problems]
                store.discard(job)
                return
            job.total = len(kb.items)
            progress = _Progress(store, job, "正在试导入（不写入）")
            report = _retrying(
                engine,
                lambda session: storage.import_kb(
                    session=session, kb=kb, author=job.user, publish=False, dry_run=True, progress=progress
                ),
            )
            with Session(engine) as session:
                current = storage.get_hall(session=session)
            job.state, job.report = "checked", _report_view(report, current)
        except Exception:
            log.exception("checking the upload %s failed", job.name)
            job.state, job.message = (
                "failed",
                "检查文件时出错，没有写入任何内容；请重新上传（原因已记入服务器日志）",
            )
            store.discard(job)
        finally:
            job.phase = ""
            store.save(job)


def apply(store: JobStore, job: Job, engine: Engine, *, clear_hall: Collection[str] = ()) -> None:
    """Import ``job``'s checked file for real: drafts submitted for review, the hall proposed for review."""
    with _ONE_AT_A_TIME:
        try:
            job.state, job.phase = "applying", "正在读取文件"
            store.save(job)
            kb = read_document(store.data_path(job), name=job.name)
            job.total = len(kb.items)
            progress = _Progress(store, job, "正在导入")
            report = _retrying(
                engine,
                lambda session: storage.import_kb(
                    session=session,
                    kb=kb,
                    author=job.user,
                    publish=False,
                    progress=progress,
                    clear_hall=clear_hall,
                    submit_summary=f"从文件 {job.name} 导入",
                ),
            )
            with Session(engine) as session:
                audit(
                    session=session,
                    username=job.user,
                    action="import",
                    target=job.name,
                    detail=report.audit_detail(),
                    ip=job.ip,
                )
                current = storage.get_hall(session=session)
            job.state, job.report = "done", _report_view(report, current)
        except InterchangeError as exc:
            job.state, job.problems = "rejected", [asdict(problem) for problem in exc.problems]
        except Exception as exc:
            log.exception("importing the upload %s failed", job.name)
            detail = str(exc) if isinstance(exc, storage.KnowledgeError) else "原因已记入服务器日志"
            job.state, job.message = "failed", f"导入失败，没有写入任何内容：{detail}"
        finally:
            job.phase = ""
            store.discard(job)
            store.save(job)


def start(target: Callable[..., None], *args: Any, **kwargs: Any) -> threading.Thread:
    """Run a job step in a daemon thread (a worker that exits mid-import rolls its transaction back)."""
    thread = threading.Thread(target=target, args=args, kwargs=kwargs, name="guidebot-import", daemon=True)
    thread.start()
    return thread
