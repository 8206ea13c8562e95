"""bot.conversation.state, bot.serving.dbstore, bot.serving.redisstore, bot.serving.lmdbstore: the stores
behave alike (TTL, dedup, replies)."""

import sqlite3
import threading
import uuid
from collections.abc import Iterator

import pytest

from bot.conversation.state import PENDING, MemoryStore, StateStore
from bot.serving.dbstore import DatabaseStore
from bot.serving.lmdbstore import LmdbStore
from bot.serving.redisstore import RedisStore


def _sqlite_store(path=None, **kwargs) -> DatabaseStore:
    from knowledge.db import make_engine, upgrade

    # A file, not sqlite:// : the in-memory database is one connection that threads cannot share.
    engine = make_engine(f"sqlite:///{path}" if path else "sqlite://")
    upgrade(engine)
    return DatabaseStore(engine, **kwargs)


def _postgres_store(**kwargs) -> Iterator[DatabaseStore]:
    import psycopg

    from knowledge.db import make_engine, upgrade

    name = f"guidebot_test_state_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True, connect_timeout=2
        )
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL unreachable at 127.0.0.1:5432: {exc}")
    admin.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        upgrade(engine)
        yield DatabaseStore(engine, **kwargs)
    finally:
        engine.dispose()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _redis_store(**kwargs) -> Iterator[RedisStore]:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.skip(f"Redis unreachable at 127.0.0.1:6379: {exc}")
    prefix = f"guidebot-test-{uuid.uuid4().hex[:8]}:"
    try:
        yield RedisStore(client, prefix=prefix, **kwargs)
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        "lmdb",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("redis", marks=pytest.mark.redis),
    ]
)
def store(request, tmp_path) -> Iterator[StateStore]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        yield _sqlite_store(tmp_path / "state.sqlite3")
    elif request.param == "lmdb":
        store = LmdbStore(tmp_path / "state.lmdb")
        yield store
        store.close()
    elif request.param == "postgres":
        yield from _postgres_store()
    else:
        yield from _redis_store()


def test_state_round_trip_and_forget(store):
    assert store.load("oCitizen") is None
    store.save("oCitizen", {"turn": {"item": "SF-GA-003"}, "streak": 1, "pages": ["材料]]>清单"]})
    assert store.load("oCitizen") == {"turn": {"item": "SF-GA-003"}, "streak": 1, "pages": ["材料]]>清单"]}
    store.save("oCitizen", {"streak": 0})
    assert store.load("oCitizen") == {"streak": 0}
    store.forget("oCitizen")
    assert store.load("oCitizen") is None
    store.forget("nobody")  # forgetting twice is harmless


def test_claim_once_then_cached_reply(store):
    assert store.claim("msg:1") is True
    assert store.claim("msg:1") is False
    assert store.reply_for("msg:1") is None  # still being answered
    store.remember_reply("msg:1", "<xml>答复</xml>")
    assert store.reply_for("msg:1") == "<xml>答复</xml>"
    assert store.claim("msg:1") is False
    assert store.claim("msg:2") is True


def test_empty_reply_is_remembered_as_a_reply(store):
    assert store.claim("event:o|1|view|x")
    store.remember_reply("event:o|1|view|x", "")
    assert store.reply_for("event:o|1|view|x") == ""


def test_claim_and_load_then_finish(store):
    store.save("oCitizen", {"turn": {"item": "SF-GA-003"}})
    assert store.claim_and_load("msg:10", "oCitizen") == (True, {"turn": {"item": "SF-GA-003"}})
    assert store.claim_and_load("msg:10", "oCitizen") == (False, None)  # a retry loads nothing
    assert store.reply_for("msg:10") is None
    store.finish("msg:10", "<xml>答复</xml>", "oCitizen", {"streak": 2})
    assert store.reply_for("msg:10") == "<xml>答复</xml>"
    assert store.load("oCitizen") == {"streak": 2}
    store.finish("msg:11", "", "oCitizen", None)  # None: the state is left as it is
    assert store.reply_for("msg:11") == "" and store.load("oCitizen") == {"streak": 2}
    assert store.claim_and_load("msg:12", "oNobody") == (True, None)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_raw_claim_writes_rows_as_sqlalchemy_does(backend, tmp_path):
    # The claim bypasses SQLAlchemy's execution path; its row must read back like any other.
    import datetime as dt

    from sqlmodel import Session, select

    from bot.conversation.state import PENDING
    from knowledge.models import DeliveredReply

    stores = iter([_sqlite_store(tmp_path / "raw.sqlite3")]) if backend == "sqlite" else _postgres_store()
    store = next(stores)
    try:
        store.save("oA", {"n": 1})
        assert store.claim_and_load("msg:raw", "oA") == (True, {"n": 1})
        assert store.claim_and_load("msg:raw", "oA") == (False, None)
        with Session(store.engine) as session:
            row = session.exec(select(DeliveredReply)).one()
        assert row.reply == PENDING and row.created_at.tzinfo is not None
        assert abs((dt.datetime.now(dt.UTC) - row.created_at).total_seconds()) < 60
    finally:
        next(stores, None)


def test_finish_many_writes_in_order(store):
    store.claim("msg:20")
    store.finish_many(
        [
            ("msg:20", "<xml>一</xml>", "oA", {"n": 1}),
            (None, "", "oB", {"n": 2}),  # a save only
            ("msg:21", "<xml>二</xml>", "oA", {"n": 3}),  # the later state of oA wins
        ]
    )
    assert store.reply_for("msg:20") == "<xml>一</xml>" and store.reply_for("msg:21") == "<xml>二</xml>"
    assert store.load("oA") == {"n": 3} and store.load("oB") == {"n": 2}
    assert store.claim("msg:21") is False  # a remembered reply is a claimed push


def test_concurrent_claims_have_one_winner(store):
    results: list[bool] = []
    lock = threading.Lock()

    def claim() -> None:
        won = store.claim("msg:race")
        with lock:
            results.append(won)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


@pytest.mark.parametrize(
    "make",
    [
        lambda _: MemoryStore(ttl=0, dedup_ttl=0),
        lambda _: _sqlite_store(ttl=0, dedup_ttl=0),
        lambda path: LmdbStore(path / "state.lmdb", ttl=0, dedup_ttl=0),
    ],
    ids=["memory", "sqlite", "lmdb"],
)
def test_expired_entries_are_gone(make, tmp_path):
    store = make(tmp_path)
    store.save("oCitizen", {"streak": 1})
    assert store.load("oCitizen") is None
    assert store.claim("msg:1")


def test_memory_store_drops_expired_entries_as_it_goes(monkeypatch):
    # Expired entries leave with the next write, not after a 10,000-entry scan on every claim.
    clock = [1000.0]
    monkeypatch.setattr("bot.conversation.state.time.monotonic", lambda: clock[0])
    store = MemoryStore(ttl=10, dedup_ttl=5)
    for number in range(50):
        store.claim(f"msg:{number}")
        store.save(f"oCitizen{number}", {"n": number})
        clock[0] += 1
    # Replies live 5 s and states 10 s: only the last few writes are still held.
    assert len(store._replies) == 5 and len(store._states) == 10
    # A rewritten key moves to the back, so it is not dropped before entries written after it.
    store.save("oCitizen45", {"n": "again"})
    clock[0] += 9
    store.save("oCitizen-new", {"n": 0})
    assert store.load("oCitizen45") == {"n": "again"}
    assert list(store._states) == ["oCitizen45", "oCitizen-new"]


def test_database_purge_removes_expired_rows():
    from sqlmodel import Session, select

    from knowledge.models import ConversationRecord, DeliveredReply

    store = _sqlite_store(ttl=0, dedup_ttl=0)
    store.save("oCitizen", {"streak": 1})
    store.claim("msg:1")
    store.purge()
    with Session(store.engine) as session:
        assert session.exec(select(ConversationRecord)).all() == []
        assert session.exec(select(DeliveredReply)).all() == []


@pytest.mark.redis
def test_redis_keys_carry_the_ttl():
    for store in _redis_store(ttl=120, dedup_ttl=60):
        store.save("oCitizen", {"streak": 1})
        store.claim("msg:1")
        assert 0 < store.client.ttl(store._state("oCitizen")) <= 120
        assert 0 < store.client.ttl(store._reply("msg:1")) <= 60


class _Broken(MemoryStore):
    """A primary store whose every call fails while ``down`` is set."""

    down = True

    def __getattribute__(self, name):
        if name in {
            "load",
            "save",
            "claim",
            "claim_and_load",
            "finish",
            "finish_many",
            "reply_for",
        } and object.__getattribute__(self, "down"):
            raise ConnectionError("primary down")
        return object.__getattribute__(self, name)


def test_fallback_claim_and_load_through_an_outage():
    from bot.serving.fallback import FallbackStore

    now = [0.0]
    primary, backup = _Broken(), MemoryStore()
    store = FallbackStore(primary, backup, retry_after=5, clock=lambda: now[0])
    # Down: the push is claimed and its state kept in the fallback.
    assert store.claim_and_load("msg:1", "oA") == (True, None)
    store.finish("msg:1", "<xml>一</xml>", "oA", {"n": 1})
    assert backup.load("oA") == {"n": 1}
    # Back up: a retry of the outage's push is still recognised, and the outage's state found.
    now[0] = 10.0
    primary.down = False
    assert store.claim_and_load("msg:1", "oA") == (False, None)
    assert store.reply_for("msg:1") == "<xml>一</xml>"
    assert store.claim_and_load("msg:2", "oA") == (True, {"n": 1})
    store.finish("msg:2", "<xml>二</xml>", "oA", {"n": 2})
    assert primary.load("oA") == {"n": 2} and primary.reply_for("msg:2") == "<xml>二</xml>"


@pytest.mark.redis
def test_redis_claim_survives_a_killed_connection():
    import redis

    stores = _redis_store()
    store = next(stores)
    try:
        assert store.claim_and_load("msg:k1", "oA") == (True, None)
        held = store._held.connection[1]
        admin = redis.Redis(host="127.0.0.1", port=6379)
        host, port = held._sock.getsockname()[:2]
        admin.client_kill(f"{host}:{port}")  # as a Redis restart or a proxy timeout would
        with pytest.raises(redis.ConnectionError):  # this push falls back (FallbackStore) …
            store.claim_and_load("msg:k2", "oA")
        # … and the broken connection is not reused: the next push is served again.
        assert store.claim_and_load("msg:k3", "oA") == (True, None)
        assert store.claim_and_load("msg:k3", "oA") == (False, None)
        admin.close()
    finally:
        next(stores, None)


def test_sqlite_finish_many_writes_each_table_in_one_statement(tmp_path):
    # One statement per table in autocommit mode: the write lock is never held across a return to
    # Python, where the other workers' claims would wait for this thread to get the GIL back.
    store = _sqlite_store(tmp_path / "rows.sqlite3")
    seen: list[str] = []
    with store._claim.connections.connection() as connection:
        connection.set_trace_callback(seen.append)
    entries = [(f"msg:{n}", f"<xml>{n}</xml>", f"o{n % 3}", {"n": n}) for n in range(7)]
    store.finish_many(entries)
    writes = [sql for sql in seen if not sql.startswith("PRAGMA")]
    assert len(writes) == 2 and all(sql.startswith("INSERT") for sql in writes)
    assert not any(sql.startswith("BEGIN") for sql in seen)
    assert store.reply_for("msg:6") == "<xml>6</xml>" and store.load("o0") == {"n": 6}


def test_sqlite_finish_many_waits_for_another_writer(tmp_path):
    path = tmp_path / "locked.sqlite3"
    store = _sqlite_store(path)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(0.1, lambda: other.execute("COMMIT"))
    timer.start()
    store.finish_many([("msg:w", "<xml>w</xml>", "oW", {"n": 1})])  # would fail at once without waiting
    timer.join()
    assert store.reply_for("msg:w") == "<xml>w</xml>"
    other.close()


def test_expired_rows_are_purged_by_finishing_pushes_not_by_claims(tmp_path):
    from sqlmodel import Session, select

    from knowledge.models import DeliveredReply

    store = _sqlite_store(tmp_path / "purge.sqlite3", ttl=0, dedup_ttl=0)
    store.PURGE_EVERY = 3
    for n in range(5):
        store.claim(f"msg:{n}")
    with Session(store.engine) as session:
        assert len(session.exec(select(DeliveredReply)).all()) == 5  # claims never purge
    store.finish_many([(f"msg:{n}", "<xml/>", "oA", {"n": n}) for n in range(3)])
    with Session(store.engine) as session:
        assert session.exec(select(DeliveredReply)).all() == []


def test_a_failing_purge_does_not_fail_the_finish(tmp_path, monkeypatch, caplog):
    store = _sqlite_store(tmp_path / "purgefail.sqlite3")
    store.PURGE_EVERY = 1

    def broken() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "purge", broken)
    store.finish_many([("msg:p", "<xml>p</xml>", "oP", {"n": 1})])
    assert store.reply_for("msg:p") == "<xml>p</xml>"
    assert "cannot purge" in caplog.text


@pytest.mark.postgres
def test_postgres_claim_survives_a_connection_the_server_closed():
    from sqlalchemy import text

    stores = _postgres_store()
    store = next(stores)
    try:
        assert store.claim_and_load("msg:c1", "oA") == (True, None)
        held = store._claim.connections._idle[0]
        with store.engine.connect() as admin:  # as a server restart or an idle timeout would
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": held.info.backend_pid})
        assert store.claim_and_load("msg:c2", "oA") == (True, None)  # once more, on a new connection
        assert store.claim_and_load("msg:c2", "oA") == (False, None)
        assert store._claim.connections._idle[0] is not held
    finally:
        next(stores, None)


@pytest.mark.parametrize(
    "command",
    [
        ("SET", "guidebot:reply:msg:1", PENDING, "NX", "EX", "600"),
        ("GET", "guidebot:state:oAbc-_123"),
        ("SET", "键:中文", "", "EX", "1"),
    ],
)
def test_claims_pack_redis_commands_as_redis_py_does(command):
    from redis.connection import Connection

    from bot.serving.redisstore import resp_command

    expected = b"".join(Connection().pack_command(*command))
    assert resp_command(*(part.encode() for part in command)) == expected


@pytest.mark.redis
def test_redis_finish_many_sets_ttls_and_drops_the_connection_on_an_error_reply():
    import redis

    stores = _redis_store(ttl=120, dedup_ttl=60)
    store = next(stores)
    try:
        store.finish_many([("msg:f1", "<xml>一</xml>", "oF", {"n": "中文"}), (None, "", "oG", {"n": 2})])
        assert store.reply_for("msg:f1") == "<xml>一</xml>" and store.load("oF") == {"n": "中文"}
        assert 0 < store.client.ttl(store._reply("msg:f1")) <= 60
        assert 0 < store.client.ttl(store._state("oG")) <= 120
        socket_before = store._held.connection[1]._sock
        store.ttl = -5  # Redis answers "invalid expire time" to both SETs
        with pytest.raises(redis.ResponseError):
            store.finish_many([(None, "", "oH", {"n": 3}), (None, "", "oI", {"n": 4})])
        assert store._held.connection is None  # the second reply was never read: not reused
        store.ttl = 120
        store.finish_many([(None, "", "oJ", {"n": 5})])
        assert store.load("oJ") == {"n": 5}
        assert store._held.connection[1]._sock is not socket_before  # a new socket, after a disconnect
    finally:
        next(stores, None)


def test_the_sqlite_claim_and_state_read_are_one_statement(tmp_path):
    # The INSERT returns the state row (RETURNING with scalar subqueries): one transaction per push.
    store = _sqlite_store(tmp_path / "one.sqlite3")
    store.save("oA", {"n": 1})
    store.claim_and_load("msg:warm", "oA")  # the claim's connection is kept from here on
    statements: list[str] = []
    for connection in store._claim.connections._idle:
        connection.set_trace_callback(statements.append)
    assert store.claim_and_load("msg:one", "oA") == (True, {"n": 1})
    assert store.claim_and_load("msg:one", "oA") == (False, None)
    assert store.claim_and_load("msg:two", "oNobody") == (True, None)
    assert len(statements) == 3 and all(s.startswith("INSERT INTO delivered_reply") for s in statements)
    assert "RETURNING" in statements[0]
