"""Conversation state and delivery dedup behind one store interface with a TTL.

A citizen's state (last item, pending candidates or situations, pages, unanswered streak) is a
small JSON-able dict under the citizen's openid. Dedup: the first delivery of a push ``claim``s
its key; it then ``remember_reply``s the rendered reply so WeChat's retries get the same bytes
from ``reply_for``. Three stores share the protocol:

- :class:`MemoryStore`: one process (the default; the CLI and tests).
- :class:`DatabaseStore`: several workers through the ``conversation_record`` and
  ``delivered_reply`` tables (the unique primary key decides the first delivery).
- :class:`RedisStore`: several workers through Redis (``SET NX EX``).

:class:`FallbackStore` chains them: Redis, else the database, else memory, so an outage of the
shared store never turns dedup off.
"""

import datetime as dt
import functools
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

from sqlalchemy import Engine, bindparam, delete, insert, select

from knowledge.driver import HeldConnections, RowsStatement, execute_busy, positional

log = logging.getLogger(__name__)

#: Stored in place of a reply while the first delivery is still being answered.
PENDING = "<guidebot:pending>"

#: How long a citizen's state lives without a new message (seconds).
DEFAULT_TTL = 30 * 60
#: How long a delivered reply is kept for retries (WeChat retries within ~15 s).
DEFAULT_DEDUP_TTL = 10 * 60


class StateStore(Protocol):
    """What ``bot.conversation`` and ``bot.delivery`` need from a store."""

    def load(self, key: str) -> dict[str, Any] | None:
        """The state saved under ``key``, or None when there is none or it expired."""

    def save(self, key: str, data: dict[str, Any]) -> None:
        """Replace the state under ``key``; it expires after the store's TTL."""

    def forget(self, key: str) -> None:
        """Drop the state under ``key`` (unsubscribe)."""

    def claim(self, dedup_key: str) -> bool:
        """True for the first delivery of ``dedup_key``, False for every retry."""

    def remember_reply(self, dedup_key: str, reply: str) -> None:
        """Keep the rendered reply of a claimed delivery for its retries."""

    def reply_for(self, dedup_key: str) -> str | None:
        """The reply remembered for ``dedup_key``; None while it is still being answered."""

    def claim_and_load(self, dedup_key: str, key: str) -> tuple[bool, dict[str, Any] | None]:
        """``claim(dedup_key)`` and, for a first delivery, ``load(key)``: one round trip where it can."""

    def finish(self, dedup_key: str, reply: str, key: str, data: dict[str, Any] | None) -> None:
        """``remember_reply(dedup_key, reply)`` and, unless ``data`` is None, ``save(key, data)``."""

    def finish_many(self, entries: "list[Finish]") -> None:
        """Several :meth:`finish` calls in one round trip, in order (a None dedup key: a save only)."""


#: One deferred write: (dedup key or None, reply, state key, state or None).
Finish = tuple[str | None, str, str, dict[str, Any] | None]


def claim_then_load(store: StateStore, dedup_key: str, key: str) -> tuple[bool, dict[str, Any] | None]:
    """:meth:`StateStore.claim_and_load` for a store without a combined round trip."""
    if not store.claim(dedup_key):
        return False, None
    return True, store.load(key)


def finish_each(store: StateStore, entries: list[Finish]) -> None:
    """:meth:`StateStore.finish_many` for a store without batches."""
    for dedup_key, reply, key, data in entries:
        if dedup_key is not None:
            store.remember_reply(dedup_key, reply)
        if data is not None:
            store.save(key, data)


def _last_per_key(entries: list[Finish]) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """The replies and states of ``entries``, the last one winning for a key written twice."""
    replies = {dedup_key: reply for dedup_key, reply, _, _ in entries if dedup_key is not None}
    states = {key: data for _, _, key, data in entries if data is not None}
    return replies, states


class MemoryStore:
    """A thread-safe in-process store (one worker)."""

    def __init__(self, *, ttl: int = DEFAULT_TTL, dedup_ttl: int = DEFAULT_DEDUP_TTL) -> None:
        self.ttl, self.dedup_ttl = ttl, dedup_ttl
        self._lock = threading.Lock()
        # Oldest write first: a table has one TTL and a rewritten key moves to the end, so the
        # entries are in expiry order and expired ones are dropped from the front in O(1) each.
        self._states: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._replies: OrderedDict[str, tuple[float, str]] = OrderedDict()

    @staticmethod
    def _put(
        table: OrderedDict[str, tuple[float, str]], key: str, now: float, expires: float, value: str
    ) -> None:
        """Write ``key`` at the end of ``table``, dropping the expired entries at its front."""
        while table:
            first = next(iter(table.values()))
            if first[0] > now:
                break
            table.popitem(last=False)
        table.pop(key, None)
        table[key] = (expires, value)

    def load(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._states.get(key)
            if entry is None or entry[0] <= time.monotonic():
                return None
            return json.loads(entry[1])  # type: ignore[no-any-return]

    def save(self, key: str, data: dict[str, Any]) -> None:
        encoded = json.dumps(data, ensure_ascii=False)
        with self._lock:
            now = time.monotonic()
            self._put(self._states, key, now, now + self.ttl, encoded)

    def forget(self, key: str) -> None:
        with self._lock:
            self._states.pop(key, None)

    def claim(self, dedup_key: str) -> bool:
        with self._lock:
            now = time.monotonic()
            entry = self._replies.get(dedup_key)
            if entry is not None and entry[0] > now:
                return False
            self._put(self._replies, dedup_key, now, now + self.dedup_ttl, PENDING)
            return True

    def remember_reply(self, dedup_key: str, reply: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._put(self._replies, dedup_key, now, now + self.dedup_ttl, reply)

    def reply_for(self, dedup_key: str) -> str | None:
        with self._lock:
            entry = self._replies.get(dedup_key)
            if entry is None or entry[1] == PENDING:
                return None
            return entry[1]

    def claim_and_load(self, dedup_key: str, key: str) -> tuple[bool, dict[str, Any] | None]:
        return claim_then_load(self, dedup_key, key)

    def finish(self, dedup_key: str, reply: str, key: str, data: dict[str, Any] | None) -> None:
        finish_each(self, [(dedup_key, reply, key, data)])

    def finish_many(self, entries: list[Finish]) -> None:
        finish_each(self, entries)


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
        replies, states = _last_per_key(entries)
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


_PENDING = PENDING.encode()


def resp_command(*args: bytes) -> bytes:
    """One Redis command in the RESP protocol, as redis-py packs it (its packer costs a quarter of a
    claim's client time: it inspects and converts every argument)."""
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(arg), arg) for arg in args)


class RedisStore:
    """A store in Redis, shared by every worker: ``SET NX EX`` decides the first delivery."""

    def __init__(
        self,
        client: Any,
        *,
        ttl: int = DEFAULT_TTL,
        dedup_ttl: int = DEFAULT_DEDUP_TTL,
        prefix: str = "guidebot:",
    ) -> None:
        self.client, self.ttl, self.dedup_ttl, self.prefix = client, ttl, dedup_ttl, prefix
        self._held = threading.local()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "RedisStore":
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0), **kwargs)

    def _state(self, key: str) -> str:
        return f"{self.prefix}state:{key}"

    def _reply(self, key: str) -> str:
        return f"{self.prefix}reply:{key}"

    def load(self, key: str) -> dict[str, Any] | None:
        raw = self.client.get(self._state(key))
        return None if raw is None else json.loads(raw)  # type: ignore[no-any-return]

    def save(self, key: str, data: dict[str, Any]) -> None:
        self.client.set(self._state(key), json.dumps(data, ensure_ascii=False), ex=self.ttl)

    def forget(self, key: str) -> None:
        self.client.delete(self._state(key))

    def claim(self, dedup_key: str) -> bool:
        return bool(self.client.set(self._reply(dedup_key), PENDING, nx=True, ex=self.dedup_ttl))

    def remember_reply(self, dedup_key: str, reply: str) -> None:
        self.client.set(self._reply(dedup_key), reply, ex=self.dedup_ttl)

    def reply_for(self, dedup_key: str) -> str | None:
        raw = self.client.get(self._reply(dedup_key))
        if raw is None:
            return None
        text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        return None if text == PENDING else text

    # A round trip costs more than the commands in it: the claim and the load travel together,
    # and so do the reply and the new state.

    def claim_and_load(self, dedup_key: str, key: str) -> tuple[bool, dict[str, Any] | None]:
        # Every push runs this: the two commands go out packed on a connection this thread keeps
        # (a pipeline object and a pool checkout cost three times the round trip itself).
        connection = self._connection()
        packed = resp_command(
            b"SET", self._reply(dedup_key).encode(), _PENDING, b"NX", b"EX", str(self.dedup_ttl).encode()
        ) + resp_command(b"GET", self._state(key).encode())
        try:
            connection.send_packed_command([packed])
            claimed, raw = connection.read_response(), connection.read_response()
        except BaseException:
            self._drop(connection)  # half-read or broken: never reused
            raise
        if not claimed:
            return False, None
        return True, None if raw is None else json.loads(raw)

    def _connection(self) -> Any:
        held = getattr(self._held, "connection", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        connection = self.client.connection_pool.get_connection()
        self._held.connection = (os.getpid(), connection)
        return connection

    def _drop(self, connection: Any) -> None:
        self._held.connection = None
        connection.disconnect()
        self.client.connection_pool.release(connection)

    def finish(self, dedup_key: str, reply: str, key: str, data: dict[str, Any] | None) -> None:
        self.finish_many([(dedup_key, reply, key, data)])

    def finish_many(self, entries: list[Finish]) -> None:
        # As the claim: packed by hand and sent at once on this thread's connection (a pipeline
        # object costs more per command than Redis does).
        dedup_ttl, ttl = str(self.dedup_ttl).encode(), str(self.ttl).encode()
        commands = []
        for dedup_key, reply, key, data in entries:
            if dedup_key is not None:
                commands.append(
                    resp_command(b"SET", self._reply(dedup_key).encode(), reply.encode(), b"EX", dedup_ttl)
                )
            if data is not None:
                state = json.dumps(data, ensure_ascii=False).encode()
                commands.append(resp_command(b"SET", self._state(key).encode(), state, b"EX", ttl))
        if not commands:
            return
        connection = self._connection()
        try:
            connection.send_packed_command([b"".join(commands)])
            for _ in commands:
                connection.read_response()  # raises on an error reply
        except BaseException:
            self._drop(connection)  # replies left unread: never reused
            raise


class FallbackStore:
    """A shared store (Redis) backed by another (the database): dedup and state survive an outage.

    When ``primary`` fails, the call goes to ``fallback`` and the primary is left alone for
    ``retry_after`` seconds (one slow failure per window, not one per call). For ``dedup_ttl``
    seconds after the last failure, claims and replies also consult the fallback, so a retry of a
    push first claimed during the outage is still recognised once the primary is back.
    """

    def __init__(
        self,
        primary: StateStore,
        fallback: StateStore,
        *,
        retry_after: float = 5.0,
        dedup_ttl: int = DEFAULT_DEDUP_TTL,
        clock: Any = time.monotonic,
        name: str = "redis",
    ) -> None:
        self.primary, self.fallback = primary, fallback
        self.retry_after, self.dedup_ttl, self.clock, self.name = retry_after, dedup_ttl, clock, name
        self._down_until = float("-inf")
        self._failed_at = float("-inf")

    @property
    def primary_down(self) -> bool:
        return self.clock() < self._down_until

    def _recently_failed(self) -> bool:
        return self.clock() - self._failed_at < self.dedup_ttl

    def _call(self, method: str, *args: Any) -> Any:
        if not self.primary_down:
            try:
                return getattr(self.primary, method)(*args)
            except Exception as exc:
                now = self.clock()
                if now >= self._down_until:
                    log.warning(
                        "%s store failed (%s: %s); using the fallback store for %.0f s",
                        self.name,
                        type(exc).__name__,
                        exc,
                        self.retry_after,
                    )
                self._down_until, self._failed_at = now + self.retry_after, now
        return getattr(self.fallback, method)(*args)

    def load(self, key: str) -> dict[str, Any] | None:
        found = self._call("load", key)
        if found is None and self._recently_failed() and not self.primary_down:
            found = self.fallback.load(key)
        return found  # type: ignore[no-any-return]

    def save(self, key: str, data: dict[str, Any]) -> None:
        self._call("save", key, data)

    def forget(self, key: str) -> None:
        self._call("forget", key)
        if self._recently_failed() and not self.primary_down:
            self.fallback.forget(key)

    def claim(self, dedup_key: str) -> bool:
        used_primary = not self.primary_down
        first = bool(self._call("claim", dedup_key))
        if first and used_primary and not self.primary_down and self._recently_failed():
            # The push may have been claimed in the fallback during the outage.
            first = self.fallback.claim(dedup_key)
        return first

    def remember_reply(self, dedup_key: str, reply: str) -> None:
        self._call("remember_reply", dedup_key, reply)

    def claim_and_load(self, dedup_key: str, key: str) -> tuple[bool, dict[str, Any] | None]:
        used_primary = not self.primary_down
        first, found = self._call("claim_and_load", dedup_key, key)
        if first and used_primary and not self.primary_down and self._recently_failed():
            # As in claim() and load(): the outage's pushes and states live in the fallback.
            first = self.fallback.claim(dedup_key)
            if first and found is None:
                found = self.fallback.load(key)
        return bool(first), (found if first else None)

    def finish(self, dedup_key: str, reply: str, key: str, data: dict[str, Any] | None) -> None:
        self._call("finish", dedup_key, reply, key, data)

    def finish_many(self, entries: list[Finish]) -> None:
        self._call("finish_many", entries)

    def reply_for(self, dedup_key: str) -> str | None:
        found = self._call("reply_for", dedup_key)
        if found is None and self._recently_failed() and not self.primary_down:
            found = self.fallback.reply_for(dedup_key)
        return found  # type: ignore[no-any-return]
