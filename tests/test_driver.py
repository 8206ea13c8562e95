import datetime as dt
import sqlite3
import threading
import time
import uuid

import pytest
from sqlalchemy import delete, event, insert, select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from knowledge import driver
from knowledge.db import make_engine, upgrade
from knowledge.models import DeliveredReply

REPLY = DeliveredReply.__table__


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'driver.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _hold_write_lock(path, seconds: float) -> threading.Event:
    """Take the file's write lock in another thread for ``seconds``; the event is set once it is held."""
    held = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    threading.Thread(target=hold, daemon=True).start()
    assert held.wait(5)
    return held


def _path(engine) -> str:
    return engine.url.database


INSERT = "INSERT INTO delivered_reply (dedup_key, reply, created_at) VALUES (?, ?, ?)"


def test_busy_is_told_apart_from_other_errors(engine):
    _hold_write_lock(_path(engine), 0.3)
    connection = sqlite3.connect(_path(engine), timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as locked:
        connection.execute(INSERT, ("k", "r", "2026-01-01 00:00:00"))
    assert driver.is_busy(locked.value)
    with pytest.raises(sqlite3.OperationalError) as missing:
        connection.execute("SELECT * FROM no_such_table")
    assert not driver.is_busy(missing.value)
    assert not driver.is_busy(ValueError("database is locked"))
    connection.close()


def test_execute_busy_waits_for_the_lock_in_short_steps(engine):
    connections = driver.HeldConnections(engine)
    _hold_write_lock(_path(engine), 0.05)
    started = time.monotonic()
    with connections.connection() as connection:
        driver.execute_busy(connection.cursor(), INSERT, ("k", "r", "x"), timeout=2)
    waited = time.monotonic() - started
    assert 0.03 <= waited < 1.0
    with engine.connect() as connection:
        assert connection.execute(select(REPLY.c.dedup_key)).scalars().all() == ["k"]


def test_execute_busy_gives_up_after_its_timeout(engine):
    connections = driver.HeldConnections(engine)
    _hold_write_lock(_path(engine), 1.0)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError) as failed, connections.connection() as connection:
        driver.execute_busy(connection.cursor(), INSERT, ("k", "r", "x"), timeout=0.1)
    assert driver.is_busy(failed.value)
    assert 0.1 <= time.monotonic() - started < 0.8


def test_held_connections_are_reused_and_do_not_wait_in_sqlite(engine):
    connections = driver.HeldConnections(engine)
    with connections.connection() as first:
        assert first.execute("PRAGMA busy_timeout").fetchone() == (0,)
        assert first.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # the engine's hooks ran
    with connections.connection() as again:
        assert again is first
    # Out of the pool: the engine's own connections keep their busy timeout.
    with engine.connect() as pooled:
        assert pooled.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1000


def test_a_connection_that_failed_is_closed_not_reused(engine):
    connections = driver.HeldConnections(engine)
    with pytest.raises(sqlite3.OperationalError), connections.connection() as broken:
        broken.execute("SELECT * FROM no_such_table")
    with pytest.raises(sqlite3.ProgrammingError):
        broken.execute("SELECT 1")  # closed
    with connections.connection() as fresh:
        assert fresh is not broken


def test_an_integrity_error_keeps_the_connection(engine):
    connections = driver.HeldConnections(engine)
    with connections.connection() as connection:
        connection.execute(INSERT, ("k", "r", "x"))
    with pytest.raises(sqlite3.IntegrityError), connections.connection() as again:
        again.execute(INSERT, ("k", "r", "x"))
    with connections.connection() as third:
        assert third is connection


def test_only_a_few_idle_connections_are_kept(engine):
    connections = driver.HeldConnections(engine)
    opened = [connections._take() for _ in range(connections.KEEP + 2)]
    for connection in opened:
        connections._give_back(connection)
    assert len(connections._idle) == connections.KEEP
    with pytest.raises(sqlite3.ProgrammingError):
        opened[-1].execute("SELECT 1")  # the extra ones were closed
    connections.close()
    assert connections._idle == []


def test_a_forked_process_does_not_reuse_its_parents_connections(engine, monkeypatch):
    connections = driver.HeldConnections(engine)
    with connections.connection() as parents:
        pass
    monkeypatch.setattr(driver.os, "getpid", lambda: 1)
    with connections.connection() as childs:
        assert childs is not parents
    parents.execute("SELECT 1")  # left open: the parent still uses it


def test_an_in_memory_database_lends_its_one_connection():
    engine = make_engine("sqlite://")
    upgrade(engine)
    connections = driver.HeldConnections(engine)
    with connections.connection() as connection:
        connection.cursor().execute(INSERT, ("k", "r", "x"))
    with pytest.raises(sqlite3.OperationalError), connections.connection() as connection:
        connection.cursor().execute("SELECT * FROM no_such_table")
    with engine.connect() as pooled:  # still the same database, with the row
        assert pooled.execute(select(REPLY.c.dedup_key)).scalars().all() == ["k"]


def _rows(count: int, reply: str = "r") -> list[dict]:
    created = dt.datetime(2026, 11, 22, 8, 30, 15, 250000, tzinfo=dt.UTC)
    return [{"dedup_key": f"k{n}", "reply": f"{reply}{n}", "created_at": created} for n in range(count)]


def test_rows_statement_writes_what_the_core_statement_writes(engine, tmp_path):
    names = ["dedup_key", "reply", "created_at"]
    statement = driver.RowsStatement(engine, REPLY, insert(REPLY), names)
    raw = sqlite3.connect(_path(engine), isolation_level=None)
    statement.run(raw, _rows(5))
    other = make_engine(f"sqlite:///{tmp_path / 'core.sqlite3'}")
    upgrade(other)
    with other.begin() as connection:
        connection.execute(insert(REPLY), _rows(5))
    query = select(REPLY).order_by(REPLY.c.dedup_key)
    with engine.connect() as mine, other.connect() as theirs:
        written = mine.execute(query).all()
        assert written == theirs.execute(query).all()
        assert written[0].created_at == _rows(1)[0]["created_at"]
        # Byte for byte as stored, too (the column's own bind processing).
        raw_query = "SELECT created_at FROM delivered_reply ORDER BY dedup_key"
        assert mine.exec_driver_sql(raw_query).all() == theirs.exec_driver_sql(raw_query).all()
    other.dispose()
    raw.close()


def test_rows_statement_splits_batches_at_the_drivers_variable_limit(engine):
    names = ["dedup_key", "reply", "created_at"]
    upsert = sqlite_dialect.insert(REPLY)
    upsert = upsert.on_conflict_do_update(
        index_elements=[REPLY.c.dedup_key], set_={"reply": upsert.excluded.reply}
    )
    statement = driver.RowsStatement(engine, REPLY, upsert, names)
    raw = sqlite3.connect(_path(engine), isolation_level=None)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 7)  # two rows of three values per statement
    seen: list[str] = []
    raw.set_trace_callback(seen.append)
    statement.run(raw, _rows(5))
    assert len([sql for sql in seen if sql.startswith("INSERT")]) == 3
    statement.run(raw, _rows(5, reply="new"))  # an upsert: the rows are updated, not doubled
    with engine.connect() as connection:
        replies = connection.execute(select(REPLY.c.reply).order_by(REPLY.c.dedup_key)).scalars().all()
    assert replies == [f"new{n}" for n in range(5)]
    raw.close()


def test_rows_statement_refuses_what_it_cannot_rewrite(engine):
    with pytest.raises(ValueError, match="not the columns"):
        driver.RowsStatement(engine, REPLY, insert(REPLY), ["dedup_key", "reply"])
    postgres = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:1/{uuid.uuid4().hex}")  # never connects
    with pytest.raises(ValueError, match="SQLite"):
        driver.RowsStatement(postgres, REPLY, insert(REPLY), ["dedup_key", "reply", "created_at"])


def test_positional_gives_the_text_and_values_sqlalchemy_would_send(engine):
    cutoff = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
    statement = delete(REPLY).where(REPLY.c.created_at < cutoff, REPLY.c.dedup_key != "keep")
    sent: list[tuple] = []

    def record(_conn, _cursor, sql, params, _context, _many):
        sent.append((sql, list(params)))

    event.listen(engine, "before_cursor_execute", record)  # what SQLAlchemy itself sends
    try:
        with engine.begin() as connection:
            connection.execute(statement)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert driver.positional(statement, engine.dialect) == sent[0]


@pytest.mark.postgres
def test_a_pinged_postgres_connection_is_taken_into_autocommit():
    # A reused pooled connection (checked out with pool_pre_ping) ends up in autocommit mode, idle.
    from knowledge.testing import PostgresUnavailable, postgres_database

    try:
        with postgres_database("guidebot_test_driver") as url:
            engine = make_engine(url)
            with engine.connect() as connection:  # a connection that goes back to the pool, used
                connection.exec_driver_sql("SELECT 1")
            connections = driver.HeldConnections(engine)
            with connections.connection() as held:
                assert held.autocommit
                held.execute("CREATE TABLE t (n int)")
                held.execute("INSERT INTO t VALUES (1)")
            with engine.connect() as other:  # committed by itself, seen elsewhere
                assert other.exec_driver_sql("SELECT n FROM t").scalar() == 1
            connections.close()
            engine.dispose()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL unreachable: {exc}")
