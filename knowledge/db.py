"""Database engines and schema migrations.

One engine per app, made by ``make_engine`` from ``DATABASE_URL``. SQLite runs in WAL mode with a
busy timeout of 1 s and foreign keys on; PostgreSQL is reached through ``postgresql+psycopg://``.
The schema comes only from the Alembic migrations shipped in ``knowledge/migrations``: nothing here
calls ``create_all``.
"""

import contextlib
import functools
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

ENGINE_KEY = "guidebot.engine"

#: SQLite waits this long for another writer before "database is locked" (the issue allows at most 1 s).
BUSY_TIMEOUT_MS = 1000

#: Execution option that makes a session's SQLite transaction take the write lock at BEGIN.
IMMEDIATE = "guidebot_immediate"

# Serialises concurrent `upgrade` calls on PostgreSQL (several workers starting at once).
_PG_MIGRATION_LOCK = 0x67756964  # "guid"


def _json_dumps(value: Any) -> str:
    # Keep Chinese readable in the database (and searchable with LIKE on the JSON text).
    return json.dumps(value, ensure_ascii=False)


def default_database_url(instance_path: str) -> str:
    """The database used when ``DATABASE_URL`` is not set: a SQLite file in the instance folder."""
    import os

    return "sqlite:///" + os.path.join(instance_path, "guidebot.sqlite3")


def is_sqlite(engine: Engine) -> bool:
    """True for SQLite engines."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (SQLite file or memory, or PostgreSQL), safe to share between threads.

    ``hide_parameters``: statement parameters hold citizens' text and openids; SQLAlchemy would
    otherwise print them in every database error that reaches a log.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        # Only psycopg 3 is installed; plain postgresql:// would ask SQLAlchemy for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, json_serializer=_json_dumps, pool_pre_ping=True, hide_parameters=True)
    in_memory = parsed.database in (None, "", ":memory:")
    engine = create_engine(
        parsed,
        json_serializer=_json_dumps,
        hide_parameters=True,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        # One shared connection keeps an in-memory database alive across sessions (tests).
        poolclass=StaticPool if in_memory else None,
    )
    _configure_sqlite(engine)
    return engine


#: SQLite result codes (the primary code, the low byte) after which a connection is not to be reused.
#: A connection that opened while the file was not writable stays read-only for good ("attempt to
#: write a readonly database" long after the file is writable again); one that met an I/O error, a
#: file that is not a database or a damaged one may hold a stale view of the file.
_SQLITE_BROKEN = {
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_CORRUPT,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_NOTADB,
    sqlite3.SQLITE_PERM,
    sqlite3.SQLITE_FULL,
}


def is_broken_connection(exc: BaseException) -> bool:
    """True when a SQLite driver error means its connection must be replaced, not reused."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_BROKEN
    text = str(exc).lower()
    return "readonly database" in text or "disk i/o error" in text or "not a database" in text


def recover(engine: Engine, exc: BaseException) -> bool:
    """After a SQLite error that leaves connections unusable, open fresh ones from now on.

    The pool is replaced (connections in use finish, then go with the old pool): every pooled
    connection may have opened while the file was read-only. True when it was replaced.
    """
    if engine.dialect.name != "sqlite" or isinstance(engine.pool, StaticPool):
        return False
    if not is_broken_connection(exc):
        return False
    engine.dispose(close=False)
    return True


def _unwritable(paths: tuple[str, ...]) -> str | None:
    """The first of ``paths`` that exists and cannot be written, else None."""
    for path in paths:
        if not os.access(path, os.W_OK) and os.path.exists(path):
            return path
    return None


def _guard_files(engine: Engine) -> None:
    """Refuse to use a SQLite file, its WAL or its shared-memory file while they are not writable.

    SQLite would open the file read-only (a connection that stays read-only for good), and a
    process whose shared-memory mapping of the ``-shm`` file turns read-only is killed with SIGBUS
    the next time SQLite writes to it; readers write to it too. Checked when a connection is opened
    and whenever one is taken from the pool: an error the callers already handle (the spool, the
    console's 503), a few microseconds each time.
    """
    database = engine.url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    paths = (database, f"{database}-wal", f"{database}-shm")

    def refuse(path: str) -> sqlite3.OperationalError:
        return sqlite3.OperationalError(f"attempt to write a readonly database ({os.path.basename(path)})")

    @event.listens_for(engine, "do_connect")
    def _before_connect(_dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
        path = _unwritable(paths)
        if path is not None:
            raise refuse(path)

    @event.listens_for(engine, "checkout")
    def _before_use(_dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        path = _unwritable(paths)
        if path is not None:
            raise OperationalError("checkout", None, refuse(path))


def _configure_sqlite(engine: Engine) -> None:
    _guard_files(engine)

    @event.listens_for(engine, "handle_error")
    def _replace_broken(context: Any) -> None:
        # SQLAlchemy discards a connection only on what it knows as a disconnect; for SQLite that is a
        # closed database. Treat a read-only, I/O or damaged-file error the same way, so the pool opens
        # fresh connections once the file is healthy again instead of failing until a restart.
        original = context.original_exception
        in_memory = isinstance(engine.pool, StaticPool)  # its one connection is the whole database
        if not in_memory and isinstance(original, sqlite3.Error) and is_broken_connection(original):
            context.is_disconnect = True


    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling breaks SAVEPOINT and
        # transactional DDL); see the SQLAlchemy SQLite dialect notes.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the lock up front so a read-then-write transaction never fails on upgrade;
        # readers stay deferred and are never blocked in WAL mode.
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        # Straight to the driver: SQLAlchemy's execution path costs more than the BEGIN itself,
        # and this runs on every transaction (several per WeChat push).
        statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        dbapi = connection.dialect.loaded_dbapi
        try:
            connection.connection.dbapi_connection.execute(statement)
        except dbapi.Error as exc:  # raised as SQLAlchemy would (OperationalError "database is locked")
            error = DBAPIError.instance(statement, None, exc, dbapi.Error, dialect=connection.dialect)
            if recover(engine, exc):  # SQLAlchemy's handle_error does not see this statement
                connection.invalidate(exc)
            raise error from exc


@contextlib.contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one write transaction: committed on success, rolled back on any error.

    On SQLite the transaction starts with BEGIN IMMEDIATE, so it waits (up to the busy timeout)
    for another writer at the start instead of failing half-way.
    """
    with Session(engine) as session:
        session.connection(execution_options={IMMEDIATE: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def init_app(app: Any) -> Engine:
    """Create the app's engine from ``app.config["DATABASE_URL"]`` and keep it in ``app.extensions``."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[ENGINE_KEY] = engine
    return engine


def get_engine(app: Any) -> Engine:
    """The app's engine, created on first use."""
    engine = app.extensions.get(ENGINE_KEY)
    return engine if engine is not None else init_app(app)


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", "knowledge:migrations")
    return config


@functools.lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration shipped with this version of guidebot (read once: /readyz asks often)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "knowledge/migrations has no revisions"
    return head


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every pending migration (safe to call when already up to date)."""
    config = alembic_config()
    with engine.connect() as connection:
        if is_sqlite(engine):
            # Batch migrations copy and drop tables; SQLite only lets foreign keys be switched
            # off outside a transaction.
            _raw_sqlite(connection, "PRAGMA foreign_keys=OFF")
            connection = connection.execution_options(**{IMMEDIATE: True})
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        if is_sqlite(engine):
            _raw_sqlite(connection, "PRAGMA foreign_keys=ON")


def _raw_sqlite(connection: Any, sql: str) -> None:
    # Straight to the driver: going through SQLAlchemy would open a transaction first.
    connection.connection.driver_connection.execute(sql)


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_up_to_date(engine: Engine) -> bool:
    """True when the database has every migration this version ships."""
    return current_revision(engine) == head_revision()


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema stands against the migrations this version ships."""

    #: current; missing (a SQLite file that does not exist); empty (never migrated); behind (older
    #: than this version: run ``guidebot db upgrade``); unknown (a revision this version does not ship,
    #: written by a newer guidebot).
    state: Literal["current", "missing", "empty", "behind", "unknown"]
    current: str | None
    head: str

    @property
    def ok(self) -> bool:
        return self.state == "current"

    def problem(self) -> str:
        """What is wrong, in Chinese, with what to do ("" when nothing is)."""
        if self.state == "missing":
            return (
                "数据库文件不存在：新安装请先运行 `guidebot db upgrade`；"
                "服务使用 PostgreSQL 时，请检查是否加载了环境文件（GUIDEBOT_DATABASE_URL）"
            )
        if self.state == "empty":
            return "数据库尚未初始化：请先运行 `guidebot db upgrade`"
        if self.state == "behind":
            return (
                f"数据库结构不是最新版本（当前 {self.current}，程序需要 {self.head}）："
                "请先运行 `guidebot db upgrade`"
            )
        if self.state == "unknown":
            return (
                f"数据库结构版本 {self.current} 比这个版本的程序新（程序最高 {self.head}）："
                "请安装与数据库相同或更新版本的 guidebot"
            )
        return ""


def sqlite_file_missing(engine: Engine) -> str | None:
    """The path of a SQLite database file that does not exist (connecting would create it empty)."""
    import os

    url = engine.url
    path = url.database
    if is_sqlite(engine) and path and path != ":memory:" and not path.startswith("file:"):
        return None if os.path.exists(path) else path
    return None


def schema_status(engine: Engine) -> SchemaStatus:
    """The schema's state; never creates a missing SQLite file. Raises when the database is unreachable."""
    head = head_revision()
    if sqlite_file_missing(engine):
        return SchemaStatus("missing", None, head)
    current = current_revision(engine)
    if current is None:
        return SchemaStatus("empty", None, head)
    if current == head:
        return SchemaStatus("current", current, head)
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(current) is not None
    except Exception:  # alembic raises its own errors for revisions it has never seen
        known = False
    return SchemaStatus("behind" if known else "unknown", current, head)


def display_url(engine: Engine) -> str:
    """The engine URL with any password hidden, for messages."""
    return engine.url.render_as_string(hide_password=True)
