"""Statements run on the driver's own connections: the few writes every WeChat push makes.

SQLAlchemy's execution path costs several times a small statement, and these run on every push
(the dedup claim) or for every push in batches (replies, states, questions). On SQLite two more
things matter when several gunicorn workers share one file:

- a write transaction that goes back to Python between statements holds the database's write
  lock while its thread waits for the GIL (up to the 5 ms switch interval when another thread of
  the process is busy), and every other worker's writes wait for it. :class:`RowsStatement` writes
  a whole batch as one multi-row statement in autocommit mode: one C call takes the lock, writes,
  commits and releases it, with the GIL released throughout;
- SQLite's own busy handler sleeps 1 ms, then 2, 5, 10… between tries. :func:`execute_busy`
  retries from 0.1 ms up, on connections whose ``busy_timeout`` is 0 (:class:`HeldConnections`).
"""

import contextlib
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, Table
from sqlalchemy.pool import StaticPool

#: Longest pause between two tries for SQLite's write lock (seconds).
MAX_PAUSE = 0.002


def is_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" (SQLITE_BUSY and its extended codes)."""
    code = getattr(exc, "sqlite_errorcode", None)
    busy = code is not None and code & 0xFF == sqlite3.SQLITE_BUSY
    return isinstance(exc, sqlite3.OperationalError) and busy


def execute_busy(cursor: Any, sql: str, params: Sequence[Any], *, timeout: float) -> None:
    """``cursor.execute``, tried again while SQLite reports the database locked, for ``timeout`` s."""
    pause, deadline = 0.0001, 0.0
    while True:
        try:
            cursor.execute(sql, params)
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
            now = time.monotonic()
            if not deadline:
                deadline = now + timeout
            elif now >= deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)


def _close_all(connections: list[Any]) -> None:
    for connection in connections:
        with contextlib.suppress(Exception):
            connection.close()
    connections.clear()


class HeldConnections:
    """Driver connections taken out of the engine's pool and kept for reuse.

    No pool checkout, reset or pre-ping per use. SQLite connections run with ``busy_timeout=0``
    (use :func:`execute_busy` for writes); PostgreSQL connections run in autocommit mode. A
    connection that raised anything but an integrity error is closed, never reused; so is one
    inherited from a parent process. An engine with one shared connection (in-memory SQLite,
    tests) lends it from its pool per use instead: taking it out would lose the database.
    """

    #: Idle connections kept; more are closed when given back.
    KEEP = 4

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.dbapi: Any = engine.dialect.loaded_dbapi
        self._lock = threading.Lock()
        self._idle: list[Any] = []
        self._pid = os.getpid()
        self.shared = isinstance(engine.pool, StaticPool)
        # Close what is idle when this object goes (tests build many stores over throw-away databases).
        weakref.finalize(self, _close_all, self._idle)

    def _take(self) -> Any:
        if self.shared:
            return self.engine.raw_connection()  # back to the pool on close()
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's connections are not ours to use
                self._idle.clear()
                self._pid = os.getpid()
            if self._idle:
                return self._idle.pop()
        pooled = self.engine.raw_connection()  # runs the engine's connect hooks (SQLite pragmas)
        connection: Any = pooled.dbapi_connection
        pooled.detach()
        try:
            if self.sqlite:
                connection.execute("PRAGMA busy_timeout=0")
            else:
                connection.rollback()  # the pool's pre-ping may have opened a transaction
                connection.autocommit = True
        except BaseException:
            connection.close()
            raise
        return connection

    def _give_back(self, connection: Any) -> None:
        if self.shared:
            connection.close()
            return
        with self._lock:
            if len(self._idle) < self.KEEP and self._pid == os.getpid():
                self._idle.append(connection)
                return
        connection.close()

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        """A connection for a few statements (given back afterwards unless it failed)."""
        connection = self._take()
        try:
            yield connection
        except self.dbapi.IntegrityError:
            self._give_back(connection)
            raise
        except BaseException:
            with contextlib.suppress(Exception):
                connection.close()  # a lent shared connection goes back to its pool
            raise
        self._give_back(connection)

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            _close_all(self._idle)


def positional(statement: Any, dialect: Any) -> tuple[str, list[Any]]:
    """A Core statement's SQL text and bound values, processed as SQLAlchemy would (positional style)."""
    compiled = statement.compile(dialect=dialect)
    params = compiled.construct_params()
    values = []
    for name in compiled.positiontup or ():
        process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        values.append(params[name] if process is None else process(params[name]))
    return compiled.string, values


class RowsStatement:
    """A single-row INSERT (or upsert) of ``table`` run for many rows as one statement (SQLite).

    ``statement`` is the Core statement; ``names`` its columns in the order rows give them. Values
    go through the columns' own bind processing, so the rows are what the Core statement writes.
    """

    def __init__(self, engine: Engine, table: Table, statement: Any, names: Sequence[str]) -> None:
        dialect = engine.dialect
        if dialect.name != "sqlite":
            raise ValueError("RowsStatement is for SQLite")
        compiled = statement.compile(dialect=dialect, column_keys=list(names))
        order = list(compiled.positiontup or ())
        if sorted(order) != sorted(names):
            raise ValueError(f"statement binds {order}, not the columns {list(names)}")
        marker = "VALUES (" + ", ".join("?" * len(order)) + ")"
        head, found, tail = compiled.string.partition(marker)
        if not found or marker in tail:
            raise ValueError(f"cannot find one {marker!r} in {compiled.string!r}")
        self._head, self._tail, self._row = head + "VALUES ", tail, marker[len("VALUES ") :]
        self.names = order
        self._processors: list[Callable[[Any], Any] | None] = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order
        ]
        self._sql: dict[int, str] = {}

    def sql(self, rows: int) -> str:
        """The statement's text for ``rows`` rows."""
        text = self._sql.get(rows)
        if text is None:
            text = self._head + ", ".join([self._row] * rows) + self._tail
            if len(self._sql) < 64:
                self._sql[rows] = text
        return text

    def params(self, rows: Sequence[dict[str, Any]]) -> list[Any]:
        """The rows' values, bind-processed, in the statement's order."""
        flat: list[Any] = []
        for row in rows:
            for name, process in zip(self.names, self._processors, strict=True):
                value = row[name]
                flat.append(value if process is None else process(value))
        return flat

    def run(
        self, connection: Any, rows: Sequence[dict[str, Any]], *, busy_timeout: float | None = None
    ) -> None:
        """Write ``rows``: one statement (one autocommit transaction) per chunk the driver allows.

        With ``busy_timeout`` the connection's own busy timeout is 0 and locks are waited for by
        :func:`execute_busy`; without, SQLite's busy handler waits.
        """
        if not rows:
            return
        per = max(1, min(500, connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(self.names)))
        cursor = connection.cursor()
        try:
            for start in range(0, len(rows), per):
                chunk = rows[start : start + per]
                sql, params = self.sql(len(chunk)), self.params(chunk)
                if busy_timeout is None:
                    cursor.execute(sql, params)
                else:
                    execute_busy(cursor, sql, params, timeout=busy_timeout)
        finally:
            cursor.close()
