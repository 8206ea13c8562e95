"""What a load balancer and a monitor ask: is this process alive, can it serve, and what is behind it.

:func:`readiness` checks each part a push needs — the database (reachable, migrated), the state store
(reachable, not on its fallback), the matching index (loaded; its knowledge-base version and age), the
semantic stage (loaded or off) — and reports the spool and outbox backlogs. It names parts and
exception types only: no URL, no secret, no citizen's data. :func:`check_schema` is what a gunicorn
worker runs before it takes traffic.
"""

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from bot.serving import runtime
from bot.serving.fallback import FallbackStore
from bot.serving.kbcache import DatabaseKnowledge

log = logging.getLogger(__name__)

#: ``app.extensions[SEMANTIC_STATUS]``: a callable returning
#: ``{"state": "loaded"|"off"|"failed", "model": str, "detail": str}`` (the semantic matching stage).
SEMANTIC_STATUS = "guidebot.semantic_status"
_REDIS_KEY = "guidebot.health.redis"


class SchemaNotReady(RuntimeError):
    """The database answers but its schema is not the one this version needs (``status`` says how)."""

    def __init__(self, status: Any) -> None:
        super().__init__(f"guidebot 拒绝启动：{status.problem()}。")
        self.status = status


def check_schema(app: Any) -> None:
    """Raise :class:`SchemaNotReady` when the app's database is reachable and not migrated to this version.

    A database that cannot be reached is not a reason to refuse: the worker starts, answers from what
    it can, and ``/readyz`` says what is missing.
    """
    if not runtime.uses_database(app.config):
        return
    from knowledge.db import get_engine, schema_status

    try:
        status = schema_status(runtime.guard_engine(get_engine(app)))
    except Exception as exc:
        log.warning("cannot check the database schema at start (%s); starting anyway", type(exc).__name__)
        return
    if not status.ok:
        raise SchemaNotReady(status)


# -- readiness ------------------------------------------------------------------------------------


Check = dict[str, Any]


def _failed(exc: BaseException) -> Check:
    return {"ok": False, "error": type(exc).__name__}


def database_check(app: Any) -> Check:
    if not runtime.uses_database(app.config):
        return {"ok": True, "used": False}
    from knowledge.db import get_engine, schema_status

    engine = runtime.guard_engine(get_engine(app))
    try:
        status = schema_status(engine)
    except Exception as exc:
        return {**_failed(exc), "backend": engine.dialect.name}
    check: Check = {"ok": status.ok, "backend": engine.dialect.name, "schema": status.state}
    check.update(revision=status.current, head=status.head)
    return check


def _redis_ping(app: Any) -> None:
    client = app.extensions.get(_REDIS_KEY)
    if client is None:
        import redis

        client = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=1.0, socket_connect_timeout=1.0)
        app.extensions[_REDIS_KEY] = client
    client.ping()


def _fallback_of(store: Any) -> FallbackStore | None:
    inner = getattr(store, "store", store)  # a WriteBehindStore wraps the shared store
    return inner if isinstance(inner, FallbackStore) else None


def state_store_check(app: Any, database: Check) -> Check:
    try:
        kind = runtime.state_store_kind(app)
    except Exception as exc:
        return _failed(exc)
    check: Check = {"ok": True, "kind": kind}
    try:
        if kind == "redis":
            _redis_ping(app)
        elif kind == "database":
            check["ok"] = bool(database.get("ok"))
        elif kind == "lmdb":
            folder = runtime.lmdb_path(app)
            check["ok"] = os.access(folder if os.path.exists(folder) else os.path.dirname(folder), os.W_OK)
    except Exception as exc:
        check.update(_failed(exc))
    built = app.extensions.get(runtime.DELIVERER_KEY)
    fallback = _fallback_of(built.context.store) if built is not None else None
    if fallback is not None and fallback.primary_down:
        check.update(ok=False, using_fallback=True)
    return check


def index_check(app: Any, now: Callable[[], float] = time.time) -> Check:
    built = app.extensions.get(runtime.DELIVERER_KEY)
    if built is None:
        return {"ok": False, "error": "not loaded"}
    source = built.context.knowledge
    if not isinstance(source, DatabaseKnowledge):
        return {"ok": True, "source": "file"}  # a KB file: built with the process, never stale
    current = source.current
    if current is None or source.built_at is None:
        return {"ok": False, "error": "not loaded"}
    version = current.version[0] if isinstance(current.version, tuple) else current.version
    return {
        "ok": True,
        "kb_version": version,
        "items": source.items,
        "age_seconds": round(now() - source.built_at, 1),
        "build_seconds": round(source.build_seconds, 2),
        "refreshing": bool(getattr(source, "ready", False)),
    }


def semantic_check(app: Any) -> Check:
    status_of = app.extensions.get(SEMANTIC_STATUS)
    if status_of is None:
        return {"ok": True, "state": "off"}
    try:
        status = dict(status_of())
    except Exception as exc:
        return {"ok": False, "state": "failed", "error": type(exc).__name__}
    state = str(status.get("state", "failed"))
    check: Check = {"ok": state in ("loaded", "off"), "state": state}
    for key in ("model", "detail"):
        if status.get(key):
            check[key] = str(status[key])
    return check


def spool_backlog(directory: str) -> tuple[int, int]:
    """Files and records waiting in the spool folder (questions recorded while the database was down)."""
    files = records = 0
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return 0, 0
    for entry in entries:
        if not entry.is_file() or entry.stat().st_size == 0:
            continue
        files += 1
        try:
            with open(entry.path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 16), b""):
                    records += chunk.count(b"\n")
        except OSError:
            continue
    return files, records


def spool_check(app: Any) -> Check:
    if not runtime.uses_database(app.config):
        return {"ok": True, "used": False}
    files, records = spool_backlog(runtime.spool_dir(app))
    return {"ok": True, "files": files, "records": records}


def outbox_backlog(app: Any) -> dict[str, int]:
    """Customer-service messages waiting to be sent, by the WeChat errcode of their last attempt."""
    from sqlmodel import Session, col, func, select

    from knowledge.db import get_engine
    from knowledge.models import OutboxMessage

    engine = runtime.guard_engine(get_engine(app))
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage.last_error, func.count())
            .where(col(OutboxMessage.state) == "pending")
            .group_by(col(OutboxMessage.last_error))
        ).all()
    backlog: dict[str, int] = {}
    for error, count in rows:
        code = errcode_of(error)
        backlog[code] = backlog.get(code, 0) + int(count)
    return backlog


def errcode_of(error: str | None) -> str:
    """The errcode in an outbox row's last error ("none" for a first attempt or no answer at all)."""
    if not error or "errcode=" not in error:
        return "none"
    code = error.split("errcode=", 1)[1].split("）", 1)[0].split(")", 1)[0]
    return code if code.lstrip("-").isdigit() else "none"


def outbox_check(app: Any, database: Check) -> Check:
    if not runtime.uses_database(app.config) or not database.get("ok"):
        return {"ok": True, "backlog": None}
    try:
        backlog = outbox_backlog(app)
    except Exception as exc:
        return {**_failed(exc), "backlog": None}
    return {"ok": True, "backlog": sum(backlog.values()), "by_errcode": backlog}


def readiness(app: Any) -> tuple[int, dict[str, Any]]:
    """HTTP status (200 ready, 503 not) and the JSON body of ``/readyz``."""
    database = database_check(app)
    checks = {
        "database": database,
        "state_store": state_store_check(app, database),
        "index": index_check(app),
        "semantic": semantic_check(app),
        "spool": spool_check(app),
        "outbox": outbox_check(app, database),
    }
    failing = [name for name, check in checks.items() if not check.get("ok")]
    body: dict[str, Any] = {"status": "ready" if not failing else "not ready", "failing": failing}
    body.update(pid=os.getpid(), checks=checks)
    return (200 if not failing else 503), body
