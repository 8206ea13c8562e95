"""bot.serving.writebehind: replies and states queued, written in batches, read back before they land."""

import threading
import time

import pytest

from bot.conversation.state import MemoryStore
from bot.serving.writebehind import WriteBehindStore


class CountingStore(MemoryStore):
    """A memory store that counts batches (the round trips a shared store would make)."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []
        self.gate = threading.Event()
        self.gate.set()

    def finish_many(self, entries):
        self.gate.wait(5)
        self.batches.append(len(entries))
        super().finish_many(entries)


@pytest.fixture
def inner():
    return CountingStore()


def test_without_the_writer_thread_writes_at_once(inner):
    store = WriteBehindStore(inner)
    store.finish("msg:1", "<xml>一</xml>", "oA", {"n": 1})
    assert inner.reply_for("msg:1") == "<xml>一</xml>" and inner.load("oA") == {"n": 1}
    assert inner.batches == [1]


def test_queued_writes_are_read_back_then_written_in_one_batch(inner):
    store = WriteBehindStore(inner, interval=0.05)
    inner.gate.clear()  # hold the writer: everything below stays queued
    store.start()
    try:
        for n in range(5):
            assert store.claim_and_load(f"msg:{n}", "oA")[0]
            store.finish(f"msg:{n}", f"<xml>{n}</xml>", "oA", {"n": n})
        # This process reads its own queued writes; the store below has none of them yet.
        assert store.load("oA") == {"n": 4} and inner.load("oA") is None
        assert store.reply_for("msg:3") == "<xml>3</xml>" and inner.reply_for("msg:3") is None
        assert store.claim_and_load("msg:9", "oA") == (True, {"n": 4})
        inner.gate.set()
        deadline = time.monotonic() + 5
        while inner.load("oA") != {"n": 4} and time.monotonic() < deadline:
            time.sleep(0.01)
        assert inner.load("oA") == {"n": 4} and inner.reply_for("msg:0") == "<xml>0</xml>"
        assert sum(inner.batches) == 5 and len(inner.batches) <= 2  # not one round trip per push
    finally:
        store.stop()


def test_loaded_state_is_a_copy(inner):
    store = WriteBehindStore(inner)
    store.start()
    try:
        store.save("oA", {"pages": ["a"]})
        loaded = store.load("oA")
        loaded["pages"].append("changed by the reader")
        assert store.load("oA") == {"pages": ["a"]}
    finally:
        store.stop()
    assert inner.load("oA") == {"pages": ["a"]}


def test_forget_is_not_undone_by_a_queued_save(inner):
    store = WriteBehindStore(inner, interval=10)  # the writer would wait long: forget flushes itself
    store.start()
    try:
        store.save("oA", {"n": 1})
        store.forget("oA")
        assert store.load("oA") is None and inner.load("oA") is None
    finally:
        store.stop()
    assert inner.load("oA") is None


def test_stop_writes_what_is_queued(inner):
    store = WriteBehindStore(inner, interval=10)
    store.start()
    inner.gate.clear()
    store.finish("msg:1", "<xml>一</xml>", "oA", {"n": 1})
    inner.gate.set()
    store.stop()
    assert inner.reply_for("msg:1") == "<xml>一</xml>" and inner.load("oA") == {"n": 1}


def test_a_failed_batch_is_logged_and_forgotten(inner, caplog):
    def broken(entries):
        raise ConnectionError("store down")

    inner.finish_many = broken
    store = WriteBehindStore(inner)
    store.finish("msg:1", "<xml>一</xml>", "oA", {"n": 1})
    assert "cannot write 1 queued" in caplog.text
    assert store.load("oA") is None  # not kept forever in this process either


def test_gunicorn_workers_write_behind_and_flush_on_exit(tmp_path, county_kb_path):
    # What bot.serving.gunicorn_conf does: warm_up(write_behind=True) on start, shut_down on exit.
    from bot.conversation.messages import Message
    from bot.serving import runtime
    from bot.serving.dbstore import DatabaseStore
    from knowledge.db import get_engine, make_engine, upgrade
    from webhook import create_app

    url = f"sqlite:///{tmp_path}/wb.sqlite3"
    upgrade(make_engine(url))
    app = create_app({"DATABASE_URL": url, "KB_FILE": str(county_kb_path), "STATE_STORE": "database"})
    runtime.warm_up(app, write_behind=True)
    store = runtime.deliverer(app).context.store
    assert isinstance(store, WriteBehindStore)
    store.interval = 30  # nothing is written before the worker exits
    message = Message(kind="text", openid="oCitizen", text="社保卡在哪办", msg_id="77", account="gh")
    reply = runtime.deliverer(app).handle(message)
    assert "社会保障卡" in reply
    database = DatabaseStore(get_engine(app))
    assert database.reply_for("msg:77") is None  # still queued
    started = time.monotonic()
    runtime.shut_down(app)
    assert time.monotonic() - started < 5  # the writer's 30 s pause is cut short
    assert database.reply_for("msg:77") == reply
    assert database.load("oCitizen") is not None  # the conversation's turn, for "那要多少钱"


def test_a_loaded_queued_state_is_a_copy_the_reader_may_change():
    from bot.serving.writebehind import copy_state

    def make() -> dict:
        return {"turn": {"item": "A", "candidates": ["B", "C"], "extra": {"topic": "社保"}}, "pages": ["一"]}

    state = make()
    copied = copy_state(state)
    assert copied == state
    copied["turn"]["candidates"].append("D")
    copied["turn"]["extra"]["topic"] = "x"
    copied["pages"].pop()
    assert state == make() and copied != state
