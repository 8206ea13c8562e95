"""The outbox: retry schedule 1/4/16 s on an injected clock, no retry where WeChat said no, quota of 5."""

import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fake_wechat import FakeWeChat

from bot.wechat.client import WeChatBusy, WeChatClient, WeChatUnreachable
from bot.wechat.outbox import (
    QUOTA_REFUSED,
    DatabaseOutboxStore,
    Drainer,
    MemoryOutboxStore,
    Outbox,
    OutboxStore,
)
from bot.wechat.token import MemoryTokenStore, TokenProvider
from knowledge.db import make_engine, upgrade

T0 = 1_800_000_000.0
PG = "host=127.0.0.1 port=5432 user=postgres connect_timeout=2"


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    name = f"guidebot_test_outbox_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is unreachable: {exc}")
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["memory", "sqlite", "postgres"], ids=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Iterator[OutboxStore]:
    if request.param == "memory":
        yield MemoryOutboxStore()
        return
    url = "sqlite://" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    upgrade(engine)
    if request.param == "postgres":
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM outbox_message")
    yield DatabaseOutboxStore(engine)
    engine.dispose()


class Clock:
    """An injected clock: tests move time, nothing sleeps."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class ScriptedSend:
    """A ``send`` that raises the scripted errors in order, then succeeds; records every attempt."""

    def __init__(self, clock: Clock, *errors: Exception) -> None:
        self.clock, self.errors = clock, list(errors)
        self.attempts: list[tuple[float, str, Mapping[str, Any]]] = []

    def __call__(self, openid: str, payload: Mapping[str, Any]) -> None:
        self.attempts.append((self.clock.now - T0, openid, payload))
        if self.errors:
            raise self.errors.pop(0)


def test_sends_a_queued_text(store: OutboxStore) -> None:
    clock = Clock()
    send = ScriptedSend(clock)
    outbox = Outbox(store, send, clock=clock)
    entry = outbox.deliver_later("o-1", "您的材料已审核通过", "msg-1")
    assert entry.state == "pending"
    report = outbox.drain()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert send.attempts == [(0.0, "o-1", {"msgtype": "text", "text": {"content": "您的材料已审核通过"}})]
    sent = store.get(id=entry.id)
    assert sent is not None and (sent.state, sent.attempts) == ("sent", 1)
    assert outbox.drain().sent == 0  # nothing left to send


def test_retry_schedule_is_1_4_16_seconds_then_failed(store: OutboxStore) -> None:
    clock = Clock()
    send = ScriptedSend(clock, *[WeChatBusy(-1, "system error") for _ in range(10)])
    outbox = Outbox(store, send, clock=clock)
    entry = outbox.enqueue("o-1", "你好", "msg-1")
    for step in [0.0, 0.5, 1.0, 4.9, 5.0, 20.9, 21.0, 100.0, 1000.0]:
        clock.now = T0 + step
        outbox.drain()
    assert [at for at, _, _ in send.attempts] == [0.0, 1.0, 5.0, 21.0]
    failed = store.get(id=entry.id)
    assert failed is not None
    assert (failed.state, failed.attempts) == ("failed", 4)
    assert failed.last_error is not None and "errcode=-1" in failed.last_error


def test_retry_then_sent(store: OutboxStore) -> None:
    clock = Clock()
    send = ScriptedSend(clock, WeChatUnreachable(None, "timeout: ReadTimeout"))
    outbox = Outbox(store, send, clock=clock)
    entry = outbox.enqueue("o-1", "你好", "msg-1")
    assert outbox.drain().retried == 1
    clock.now = T0 + 1.0
    assert outbox.drain().sent == 1
    sent = store.get(id=entry.id)
    assert sent is not None and (sent.state, sent.attempts) == ("sent", 2)


def test_unexpected_exception_is_retried_and_recorded(store: OutboxStore) -> None:
    clock = Clock()
    outbox = Outbox(store, ScriptedSend(clock, RuntimeError("boom")), clock=clock)
    entry = outbox.enqueue("o-1", "你好", None)
    assert outbox.drain().retried == 1
    retried = store.get(id=entry.id)
    assert retried is not None and retried.last_error == "RuntimeError: boom"
    assert retried.next_attempt_at == pytest.approx(T0 + 1.0)


@pytest.fixture()
def wechat() -> Iterator[FakeWeChat]:
    with FakeWeChat() as fake:
        yield fake


def _client(wechat: FakeWeChat) -> WeChatClient:
    provider = TokenProvider(
        MemoryTokenStore(), app_id=wechat.app_id, app_secret=wechat.app_secret, api_base=wechat.url
    )
    return WeChatClient(provider, api_base=wechat.url, busy_backoff=(), sleep=lambda _: None)


SEND = "/cgi-bin/message/custom/send"


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        (45015, "48 小时"),
        (45047, "上限"),
        (40003, "OpenID"),
        (48001, "权限"),
    ],
    ids=["window-closed", "quota", "bad-openid", "unauthorised"],
)
def test_no_retry_where_wechat_said_no(wechat: FakeWeChat, code: int, hint: str) -> None:
    wechat.always(SEND, {"errcode": code, "errmsg": "refused"})
    clock = Clock()
    store = MemoryOutboxStore()
    outbox = Outbox(store, _client(wechat).send_message, clock=clock)
    entry = outbox.enqueue("o-1", "你好", "msg-1")
    assert outbox.drain().failed == 1
    clock.now = T0 + 1000.0
    assert outbox.drain().sent + outbox.drain().retried == 0
    assert len(wechat.calls_to(SEND)) == 1
    failed = store.get(id=entry.id)
    assert failed is not None and failed.state == "failed" and failed.attempts == 1
    assert failed.last_error is not None and str(code) in failed.last_error and hint in failed.last_error


def test_busy_through_the_real_client_is_retried_by_schedule(wechat: FakeWeChat) -> None:
    wechat.script(SEND, {"errcode": -1, "errmsg": "system error"}, {"errcode": -1, "errmsg": "system error"})
    clock = Clock()
    outbox = Outbox(MemoryOutboxStore(), _client(wechat).send_message, clock=clock)
    outbox.enqueue("o-1", "你好", "msg-1")
    reports = []
    for step in [0.0, 1.0, 5.0]:
        clock.now = T0 + step
        reports.append(outbox.drain())
    assert [(r.sent, r.retried) for r in reports] == [(0, 1), (0, 1), (1, 0)]
    assert len(wechat.calls_to(SEND)) == 3


def test_sixth_message_for_one_citizen_message_is_refused_without_calling_wechat(
    wechat: FakeWeChat, store: OutboxStore
) -> None:
    clock = Clock()
    outbox = Outbox(store, _client(wechat).send_message, clock=clock)
    entries = [outbox.enqueue("o-1", f"第 {n} 条", "msg-1") for n in range(1, 7)]
    other = outbox.enqueue("o-1", "另一条消息的回复", "msg-2")
    assert [entry.state for entry in entries] == ["pending"] * 5 + ["failed"]
    assert entries[5].last_error == QUOTA_REFUSED
    assert other.state == "pending"
    assert outbox.drain().sent == 6
    assert len(wechat.calls_to(SEND)) == 6
    assert "第 6 条" not in {call.body["text"]["content"] for call in wechat.calls_to(SEND)}


def test_quota_is_checked_again_at_send_time(store: OutboxStore) -> None:
    # Several workers may queue for the same citizen message at once, past the enqueue check.
    clock = Clock()
    send = ScriptedSend(clock)
    for n in range(6):
        store.add(
            openid="o-1",
            payload={"msgtype": "text", "text": {"content": str(n)}},
            source_msg_id="msg-1",
            now=T0,
        )
    report = Outbox(store, send, clock=clock).drain()
    assert (report.sent, report.failed) == (5, 1)
    assert len(send.attempts) == 5


def test_claimed_messages_are_leased(store: OutboxStore) -> None:
    entry = store.add(openid="o-1", payload={}, source_msg_id=None, now=T0)
    assert [e.id for e in store.claim_due(now=T0, lease=60.0, limit=10)] == [entry.id]
    assert store.claim_due(now=T0 + 59.0, lease=60.0, limit=10) == []
    assert [e.id for e in store.claim_due(now=T0 + 60.0, lease=60.0, limit=10)] == [entry.id]


@pytest.mark.parametrize("kind", ["memory", "postgres"], ids=["memory", "postgres"])
def test_concurrent_drains_send_each_message_once(kind: str, request: pytest.FixtureRequest) -> None:
    if kind == "memory":
        store: OutboxStore = MemoryOutboxStore()
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        upgrade(engine)
        request.addfinalizer(engine.dispose)
        store = DatabaseOutboxStore(engine)
    sent: list[str] = []
    lock = threading.Lock()

    def send(openid: str, payload: Mapping[str, Any]) -> None:
        with lock:
            sent.append(payload["text"]["content"])

    clock = Clock()
    outbox = Outbox(store, send, clock=clock, batch=3)
    texts = [f"concurrent-{kind}-{n}" for n in range(30)]
    for text in texts:
        outbox.enqueue("o-1", text, None)
    barrier = threading.Barrier(4)

    def drain_all() -> None:
        barrier.wait()
        while outbox.drain().sent:
            pass

    threads = [threading.Thread(target=drain_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent) == sorted(texts)


def test_drainer_thread_sends_in_the_background() -> None:
    done = threading.Event()
    received: list[str] = []

    def send(openid: str, payload: Mapping[str, Any]) -> None:
        received.append(openid)
        done.set()

    outbox = Outbox(MemoryOutboxStore(), send)
    drainer = Drainer(outbox, interval=0.01).start()
    outbox.enqueue("o-7", "稍后送达", "msg-7")
    assert done.wait(10)
    drainer.stop(timeout=5)
    assert received == ["o-7"]


def _wait_until(predicate: Callable[[], bool], *, limit: float = 10.0) -> bool:
    """Poll ``predicate`` for a background thread's effect (a bound, not a timed assertion)."""
    pause = threading.Event()
    for _ in range(int(limit / 0.05)):
        if predicate():
            return True
        pause.wait(0.05)
    return predicate()


def test_app_outbox_sends_through_the_configured_client(wechat: FakeWeChat, tmp_path: Path) -> None:
    from bot.wechat.outbox import outbox_for_app, stop_outbox
    from knowledge.db import get_engine
    from webhook import create_app

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'outbox.sqlite3'}",
            "REDIS_URL": None,
            "WECHAT_API_BASE": wechat.url,
            "WECHAT_APP_ID": wechat.app_id,
            "WECHAT_APP_SECRET": wechat.app_secret,
        }
    )
    upgrade(get_engine(app))
    outbox = outbox_for_app(app)
    try:
        assert outbox_for_app(app) is outbox
        entry = outbox.deliver_later("o-9", "您的证件已可领取", "msg-9")
        assert _wait_until(lambda: len(wechat.calls_to(SEND)) == 1)
        assert _wait_until(lambda: getattr(outbox.store.get(id=entry.id), "state", None) == "sent")
    finally:
        stop_outbox(app)
        get_engine(app).dispose()
    [call] = wechat.calls_to(SEND)
    assert call.body == {"touser": "o-9", "msgtype": "text", "text": {"content": "您的证件已可领取"}}
