"""The state store in the app's database (SQLite or PostgreSQL): ``conversation_record`` and
``delivered_reply``, shared by every worker; the unique primary key decides the first delivery.

The claim and the state read run on the driver's own connections as one statement (an INSERT
that returns the state row), and on SQLite the batches are single statements (``knowledge.driver``).
"""

import datetime as dt
import functools
import json
import logging
from typing import Any

from sqlalchemy import Engine, bindparam, delete, insert, select

from bot.conversation.state import DEFAULT_DEDUP_TTL, DEFAULT_TTL, PENDING, Finish, last_per_key
from knowledge.driver import HeldConnections, RowsStatement, execute_busy, positional

log = logging.getLogger(__name__)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Statements:
    """The store's statements, built once: building a statement costs more than running it."""

    def __init__(self, dialect: str) -> None:
        from sqlalchemy.dialects import postgresql, sqlite

        from knowledge.models import ConversationRecord, DeliveredReply

        upsert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert

        state = ConversationRecord.__table__  # type: ignore[attr-defined]
        reply = DeliveredReply.__table__  # type: ignore[attr-defined]
        self.load = select(state.c.data, state.c.expires_at).where(state.c.key == bindparam("k_key"))
        # One statement whether or not the citizen has a row (SQLite ≥ 3.24 and PostgreSQL).
        fresh = upsert(state)
        self.upsert_state = fresh.on_conflict_do_update(
            index_elements=[state.c.key],
            set_={"data": fresh.excluded.data, "expires_at": fresh.excluded.expires_at},
        )
        self.forget = delete(state).where(state.c.key == bindparam("k_key"))
        self.insert_reply = insert(reply)
        fresh_reply = upsert(reply)
        self.upsert_reply = fresh_reply.on_conflict_do_update(
            index_elements=[reply.c.dedup_key], set_={"reply": fresh_reply.excluded.reply}
        )
        self.reply_for = select(reply.c.reply).where(reply.c.dedup_key == bindparam("k_key"))


@functools.cache
def _statements(dialect: str) -> _Statements:
    return _Statements(dialect)


class _RawClaim:
    """The claim and the state read compiled once for the engine's driver, on connections of its own.

    This runs on every push; SQLAlchemy's execution machinery costs several times the statements
    themselves (most of a push's database time on SQLite). Values go through the columns' own
    bind and result processing, so the rows are exactly what the Core statements write and read.
    """

    def __init__(self, engine: Engine, statements: _Statements) -> None:
        from knowledge.db import BUSY_TIMEOUT_MS
        from knowledge.models import ConversationRecord, DeliveredReply

        dialect = engine.dialect
        # Connections of their own: no pool checkout or pre-ping per push, and on SQLite the
        # write lock is waited for in short steps (knowledge.driver).
        self.connections = HeldConnections(engine)
        self.busy_timeout = BUSY_TIMEOUT_MS / 1000
        reply = DeliveredReply.__table__  # type: ignore[attr-defined]
        state = ConversationRecord.__table__  # type: ignore[attr-defined]
        columns = ["dedup_key", "reply", "created_at"]
        insert_sql = statements.insert_reply.compile(dialect=dialect, column_keys=columns)
        # The claim and the state read as one statement: the INSERT returns the citizen's state row
        # (scalar subqueries; NULLs when there is none). One transaction and, on PostgreSQL, one
        # round trip instead of two. SQLite has RETURNING from 3.35 on.
        self.combined = dialect.insert_returning and dialect.name in ("sqlite", "postgresql")
        if self.combined:
            found = state.c.key == bindparam("k_key")
            claim_sql = statements.insert_reply.returning(
                select(state.c.data).where(found).scalar_subquery(),
                select(state.c.expires_at).where(found).scalar_subquery(),
            ).compile(dialect=dialect, column_keys=columns)
        load_sql = statements.load.compile(dialect=dialect)
        self.insert, self.load = insert_sql.string, load_sql.string
        self.claim = claim_sql.string if self.combined else ""
        self.insert_order = list(insert_sql.positiontup or ()) if insert_sql.positional else None
        self.claim_order = (
            list(claim_sql.positiontup or ()) if self.combined and claim_sql.positional else None
        )
        self.load_positional = bool(load_sql.positional)
        self.created = reply.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        self.expires = state.c.expires_at.type.dialect_impl(dialect).result_processor(dialect, None)

    def __call__(self, dedup_key: str, key: str | None) -> tuple[bool, tuple[str, Any] | None]:
        """(first delivery, (data, expires_at) of the state row or None)."""
        created = _utcnow()
        values = {
            "dedup_key": dedup_key,
            "reply": PENDING,
            "created_at": self.created(created) if self.created else created,
        }
        combined = self.combined and key is not None
        if combined:
            values["k_key"] = key
            order, sql = self.claim_order, self.claim
        else:
            order, sql = self.insert_order, self.insert
        params: Any = values if order is None else tuple(values[name] for name in order)
        # Both drivers run in autocommit mode here: the INSERT commits by itself, so SQLite's
        # write lock is held for that statement only.
        connections = self.connections
        for attempt in (1, 2):
            try:
                with connections.connection() as connection:
                    cursor = connection.cursor()
                    if connections.sqlite:
                        execute_busy(cursor, sql, params, timeout=self.busy_timeout)
                    else:
                        cursor.execute(sql, params)
                    if key is None:
                        return True, None
                    if combined:
                        # All of it: SQLite commits when the statement has run to its end.
                        rows = cursor.fetchall()
                        row = rows[0] if rows and rows[0][0] is not None else None
                    else:
                        cursor.execute(self.load, (key,) if self.load_positional else {"k_key": key})
                        row = cursor.fetchone()
                break
            except connections.dbapi.IntegrityError:
                return False, None
            except connections.dbapi.OperationalError:
                # A kept PostgreSQL connection the server closed meanwhile (restart, idle
                # timeout): once more on a new one, as the pool's pre-ping would.
                if connections.sqlite or attempt == 2:
                    raise
        if row is None:
            return True, None
        data, expires = row
        return True, (data, self.expires(expires) if self.expires else expires)


class DatabaseStore:
    """A store in the app's database, shared by every worker (SQLite or PostgreSQL)."""

    #: Expired rows are deleted on every this many finished pushes.
    PURGE_EVERY = 200

    def __init__(self, engine: Engine, *, ttl: int = DEFAULT_TTL, dedup_ttl: int = DEFAULT_DEDUP_TTL) -> None:
        self.engine, self.ttl, self.dedup_ttl = engine, ttl, dedup_ttl
        self._finished = 0
        self._statements = _statements(engine.dialect.name)
        self._claim = _RawClaim(engine, self._statements)
        self._rows: tuple[Any, Any] | None = None
        if engine.dialect.name == "sqlite":
            from knowledge.models import ConversationRecord, DeliveredReply

            # Batches of replies and states as single statements (see knowledge.driver).
            self._rows = (
                RowsStatement(
                    engine,
                    DeliveredReply.__table__,  # type: ignore[attr-defined]
                    self._statements.upsert_reply,
                    ["dedup_key", "reply", "created_at"],
                ),
                RowsStatement(
                    engine,
                    ConversationRecord.__table__,  # type: ignore[attr-defined]
                    self._statements.upsert_state,
                    ["key", "data", "expires_at"],
                ),
            )

    def _write(self) -> Any:
        from knowledge.db import write_session

        return write_session(self.engine)

    # Single statements through SQLAlchemy Core, not the ORM: these run several times per push and
    # the unit of work costs more than the statement itself. A write's first statement takes the
    # SQLite write lock, so no BEGIN IMMEDIATE is needed.

    @staticmethod
    def _state(row: Any) -> dict[str, Any] | None:
        if row is None or row.expires_at <= _utcnow():
            return None
        return json.loads(row.data)  # type: ignore[no-any-return]

    def load(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            return self._state(connection.execute(self._statements.load, {"k_key": key}).first())

    def save(self, key: str, data: dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            self._save_many(connection, {key: data})

    def forget(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(self._statements.forget, {"k_key": key})

    def claim(self, dedup_key: str) -> bool:
        return self.claim_and_load(dedup_key, None)[0]

    def claim_and_load(self, dedup_key: str, key: str | None) -> tuple[bool, dict[str, Any] | None]:
        # The claim's INSERT decides and commits at once (on SQLite the write lock is held for that
        # statement only), then the state is read on the same connection.
        first, row = self._claim(dedup_key, key)
        if not first or row is None:
            return first, None
        data, expires_at = row
        if expires_at <= _utcnow():
            return True, None
        return True, json.loads(data)

    @staticmethod
    def _reply_rows(replies: dict[str, str]) -> list[dict[str, Any]]:
        now = _utcnow()
        return [{"dedup_key": key, "reply": reply, "created_at": now} for key, reply in replies.items()]

    def _state_rows(self, states: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        expires = _utcnow() + dt.timedelta(seconds=self.ttl)
        return [
            {"key": key, "data": json.dumps(data, ensure_ascii=False), "expires_at": expires}
            for key, data in states.items()
        ]

    def _remember(self, connection: Any, replies: dict[str, str]) -> None:
        connection.execute(self._statements.upsert_reply, self._reply_rows(replies))

    def _save_many(self, connection: Any, states: dict[str, dict[str, Any]]) -> None:
        connection.execute(self._statements.upsert_state, self._state_rows(states))

    def remember_reply(self, dedup_key: str, reply: str) -> None:
        with self.engine.begin() as connection:
            self._remember(connection, {dedup_key: reply})

    def finish(self, dedup_key: str, reply: str, key: str, data: dict[str, Any] | None) -> None:
        self.finish_many([(dedup_key, reply, key, data)])

    def finish_many(self, entries: list[Finish]) -> None:
        replies, states = last_per_key(entries)
        if self._rows is not None:
            # SQLite: one statement per table, each its own transaction, so the write lock is
            # never held across a return to Python. A reply without its state (a crash between
            # the two) only costs the citizen the context of one message.
            reply_rows, state_rows = self._rows
            with self._claim.connections.connection() as connection:
                reply_rows.run(connection, self._reply_rows(replies), busy_timeout=self._claim.busy_timeout)
                state_rows.run(connection, self._state_rows(states), busy_timeout=self._claim.busy_timeout)
        else:
            with self.engine.begin() as connection:  # one transaction, one statement per table
                if replies:
                    self._remember(connection, replies)
                if states:
                    self._save_many(connection, states)
        # Off the claim's path: in gunicorn workers this runs in the write-behind thread.
        self._finished += len(entries)
        if self._finished >= self.PURGE_EVERY:
            self._finished = 0
            try:
                self.purge()
            except Exception:  # the writes above went in; expired rows wait for the next purge
                log.exception("cannot purge expired conversation records")

    def reply_for(self, dedup_key: str) -> str | None:
        with self.engine.connect() as connection:
            reply = connection.execute(self._statements.reply_for, {"k_key": dedup_key}).scalar()
        if reply is None or reply == PENDING:
            return None
        return str(reply)

    def purge(self) -> None:
        """Delete expired conversation records and delivered replies older than the dedup TTL."""
        from knowledge.models import ConversationRecord, DeliveredReply

        now = _utcnow()
        cutoff = now - dt.timedelta(seconds=self.dedup_ttl)
        states = delete(ConversationRecord).where(ConversationRecord.expires_at <= now)  # type: ignore[arg-type]
        replies = delete(DeliveredReply).where(DeliveredReply.created_at < cutoff)  # type: ignore[arg-type]
        if self._rows is not None:
            # SQLite: each DELETE its own transaction, on the claim's connections (see finish_many).
            with self._claim.connections.connection() as connection:
                cursor = connection.cursor()
                for statement in (states, replies):
                    sql, values = positional(statement, self.engine.dialect)
                    execute_busy(cursor, sql, values, timeout=self._claim.busy_timeout)
            return
        with self._write() as session:
            session.exec(states)  # type: ignore[call-overload]
            session.exec(replies)  # type: ignore[call-overload]
