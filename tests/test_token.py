"""The access-token provider against the fake WeChat server: one fetch per expiry, whatever the workers."""

import multiprocessing
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import redis
from fake_wechat import FakeWeChat, token_worker
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.wechat.client import (
    InvalidCredential,
    Timeouts,
    TokenUnavailable,
    WeChatBusy,
    WeChatClient,
    WeChatUnreachable,
)
from bot.wechat.token import (
    CachedToken,
    DatabaseTokenStore,
    FallbackTokenStore,
    MemoryTokenStore,
    RedisTokenStore,
    TokenProvider,
    TokenStore,
    store_from_config,
)
from knowledge.db import make_engine, upgrade

WORKERS = 8
PG = "host=127.0.0.1 port=5432 user=postgres connect_timeout=2"


@pytest.fixture()
def wechat() -> Iterator[FakeWeChat]:
    with FakeWeChat() as fake:
        yield fake


@pytest.fixture()
def redis_client() -> Iterator[Any]:
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at 127.0.0.1:6379 is unreachable: {exc}")
    yield client
    client.close()


@pytest.fixture()
def redis_prefix(redis_client: Any) -> Iterator[str]:
    prefix = f"guidebot-test:{secrets.token_hex(6)}:"
    yield prefix
    for key in redis_client.scan_iter(prefix + "*"):
        redis_client.delete(key)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    name = f"guidebot_test_token_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is unreachable: {exc}")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture()
def pg_engine(postgres_url: str) -> Iterator[Any]:
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM api_token")
    yield engine
    engine.dispose()


def _provider(wechat: FakeWeChat, store: TokenStore, **kwargs: Any) -> TokenProvider:
    return TokenProvider(
        store, app_id=wechat.app_id, app_secret=wechat.app_secret, api_base=wechat.url, **kwargs
    )


def _fetch_bodies(wechat: FakeWeChat) -> list[Any]:
    return [call.body for call in wechat.calls_to("/cgi-bin/stable_token")]


def test_fetch_uses_stable_token_normal_mode(wechat: FakeWeChat) -> None:
    provider = _provider(wechat, MemoryTokenStore())
    assert provider.get() == "TOKEN-1"
    assert provider.get() == "TOKEN-1"
    assert _fetch_bodies(wechat) == [
        {
            "grant_type": "client_credential",
            "appid": wechat.app_id,
            "secret": wechat.app_secret,
            "force_refresh": False,
        }
    ]


@pytest.mark.parametrize(
    ("remaining", "fetches"),
    [
        (3600.0, 0),
        (120.0, 1),
        (-5.0, 1),
    ],
    ids=["fresh-cache-read-only", "inside-margin-refresh", "expired-refresh"],
)
def test_refresh_a_few_minutes_before_expiry(wechat: FakeWeChat, remaining: float, fetches: int) -> None:
    store = MemoryTokenStore()
    store.write(f"wechat:{wechat.app_id}", CachedToken("CACHED", time.time() + remaining))
    provider = _provider(wechat, store, refresh_margin=240.0)
    token = provider.get()
    assert wechat.token_fetches == fetches
    assert token == ("CACHED" if fetches == 0 else "TOKEN-1")


def _race(wechat: FakeWeChat, providers: list[TokenProvider]) -> list[str]:
    """Every provider sends one message at the same moment; the tokens they used."""
    barrier = threading.Barrier(len(providers))
    results: list[str] = []
    errors: list[BaseException] = []

    def work(provider: TokenProvider) -> None:
        client = WeChatClient(provider, api_base=wechat.url)
        barrier.wait()
        try:
            client.send_text("openid-1", "你好")
            results.append(provider.get())
        except BaseException as exc:  # collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(provider,)) for provider in providers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.parametrize(
    "cache", ["empty", "expired", "inside-margin"], ids=["empty", "expired", "inside-margin"]
)
def test_eight_threads_at_expiry_fetch_once(wechat: FakeWeChat, cache: str) -> None:
    # A slow token endpoint widens the window in which the other workers must wait, not fetch.
    wechat.delays["/cgi-bin/stable_token"] = 0.3
    store = MemoryTokenStore()
    if cache != "empty":
        still_valid = _provider(wechat, MemoryTokenStore()).get()  # a token the fake accepts
        wechat.calls.clear()
        remaining = -1.0 if cache == "expired" else 60.0
        store.write(f"wechat:{wechat.app_id}", CachedToken(still_valid, time.time() + remaining))
    providers = [_provider(wechat, store) for _ in range(WORKERS)]
    tokens = _race(wechat, providers)
    assert wechat.token_fetches == 1
    assert len(tokens) == WORKERS
    assert len(wechat.calls_to("/cgi-bin/message/custom/send")) == WORKERS


def _shared_store(kind: str, request: pytest.FixtureRequest) -> TokenStore:
    if kind == "redis":
        return RedisTokenStore(
            request.getfixturevalue("redis_client"), prefix=request.getfixturevalue("redis_prefix")
        )
    if kind == "postgres":
        return DatabaseTokenStore(request.getfixturevalue("pg_engine"))
    engine = make_engine("sqlite://")
    upgrade(engine)
    request.addfinalizer(engine.dispose)
    return DatabaseTokenStore(engine)


@pytest.mark.parametrize("kind", ["redis", "postgres"], ids=["redis", "postgres"])
def test_eight_threads_sharing_a_store_fetch_once(
    wechat: FakeWeChat, kind: str, request: pytest.FixtureRequest
) -> None:
    wechat.delays["/cgi-bin/stable_token"] = 0.3
    store = _shared_store(kind, request)
    providers = [_provider(wechat, store) for _ in range(WORKERS)]
    tokens = _race(wechat, providers)
    assert wechat.token_fetches == 1
    assert set(tokens) == {"TOKEN-1"}


@pytest.mark.parametrize("kind", ["redis", "postgres"], ids=["redis", "postgres"])
def test_eight_processes_at_expiry_fetch_once(
    wechat: FakeWeChat, kind: str, request: pytest.FixtureRequest
) -> None:
    if kind == "redis":
        where = ("redis", request.getfixturevalue("redis_prefix"))
    else:
        request.getfixturevalue("pg_engine")  # empties api_token
        where = ("database", request.getfixturevalue("postgres_url"))
    wechat.delays["/cgi-bin/stable_token"] = 0.5
    ctx = multiprocessing.get_context("spawn")  # fork in a threaded process is unsafe (and warns)
    barrier, out = ctx.Barrier(WORKERS), ctx.Queue()
    processes = [
        ctx.Process(
            target=token_worker, args=(wechat.url, wechat.app_id, wechat.app_secret, where, barrier, out)
        )
        for _ in range(WORKERS)
    ]
    for process in processes:
        process.start()
    tokens = [out.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert [process.exitcode for process in processes] == [0] * WORKERS
    assert wechat.token_fetches == 1
    assert tokens == ["TOKEN-1"] * WORKERS


def test_refresh_after_another_worker_replaced_the_token_does_not_fetch(wechat: FakeWeChat) -> None:
    store = MemoryTokenStore()
    store.write(f"wechat:{wechat.app_id}", CachedToken("NEWER", time.time() + 3600))
    assert _provider(wechat, store).refresh("OLDER") == "NEWER"
    assert wechat.token_fetches == 0


def test_refresh_forces_a_new_token_when_normal_mode_repeats_the_refused_one(wechat: FakeWeChat) -> None:
    provider = _provider(wechat, MemoryTokenStore())
    first = provider.get()
    assert provider.refresh(first) == "TOKEN-2"
    assert [body["force_refresh"] for body in _fetch_bodies(wechat)] == [False, False, True]


def test_waiters_poll_the_cache_then_give_up_without_fetching(wechat: FakeWeChat) -> None:
    now = [1000.0]
    store = MemoryTokenStore(clock=lambda: now[0])
    assert store.try_lock(f"wechat:{wechat.app_id}", 60.0) is not None  # another worker is refreshing

    def sleep(seconds: float) -> None:
        now[0] += seconds

    provider = _provider(wechat, store, clock=lambda: now[0], sleep=sleep, wait=2.0, poll_interval=0.5)
    with pytest.raises(TokenUnavailable) as caught:
        provider.get()
    assert caught.value.retryable
    assert wechat.token_fetches == 0
    assert now[0] == pytest.approx(1002.0)


def test_waiter_takes_the_token_another_worker_wrote(wechat: FakeWeChat) -> None:
    store = MemoryTokenStore()
    name = f"wechat:{wechat.app_id}"
    assert store.try_lock(name, 60.0) is not None

    def sleep(seconds: float) -> None:
        store.write(name, CachedToken("FROM-OTHER-WORKER", time.time() + 7200))

    assert _provider(wechat, store, sleep=sleep).get() == "FROM-OTHER-WORKER"
    assert wechat.token_fetches == 0


def test_lock_is_released_when_the_fetch_fails(wechat: FakeWeChat) -> None:
    store = MemoryTokenStore()
    provider = TokenProvider(store, app_id=wechat.app_id, app_secret="wrong", api_base=wechat.url)
    with pytest.raises(InvalidCredential) as caught:
        provider.get()
    assert caught.value.code == 40013
    assert "AppSecret" in str(caught.value)
    assert store.try_lock(provider.name, 1.0) is not None


def test_token_fetch_honours_the_read_timeout(wechat: FakeWeChat) -> None:
    wechat.delays["/cgi-bin/stable_token"] = 1.0
    provider = _provider(wechat, MemoryTokenStore(), timeouts=Timeouts(connect=1.0, read=0.2))
    with pytest.raises(WeChatUnreachable) as caught:
        provider.get()
    assert caught.value.code is None
    assert "timeout" in caught.value.message


@pytest.mark.parametrize(
    "kind", ["memory", "redis", "sqlite", "postgres"], ids=["memory", "redis", "sqlite", "postgres"]
)
def test_store_lock_is_exclusive_and_owned(kind: str, request: pytest.FixtureRequest) -> None:
    store = MemoryTokenStore() if kind == "memory" else _shared_store(kind, request)
    first = store.try_lock("acct", 30.0)
    assert first is not None
    assert store.try_lock("acct", 30.0) is None
    store.unlock("acct", "not-the-owner")
    assert store.try_lock("acct", 30.0) is None
    store.unlock("acct", first)
    assert store.try_lock("acct", 30.0) is not None
    store.write("acct", CachedToken("T", time.time() + 100))
    cached = store.read("acct")
    assert cached is not None and cached.value == "T"
    assert store.read("other") is None


def test_database_lock_expires(request: pytest.FixtureRequest) -> None:
    now = [1000.0]
    engine = make_engine("sqlite://")
    upgrade(engine)
    request.addfinalizer(engine.dispose)
    store = DatabaseTokenStore(engine, clock=lambda: now[0])
    assert store.try_lock("acct", 10.0) is not None
    now[0] += 9.0
    assert store.try_lock("acct", 10.0) is None
    now[0] += 2.0  # the holder died without unlocking: the lease lapses
    assert store.try_lock("acct", 10.0) is not None
    assert store.read("acct") is None  # the placeholder row holds no token


class CountingStore(MemoryTokenStore):
    """A memory store that counts reads."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def read(self, name: str) -> CachedToken | None:
        self.reads += 1
        return super().read(name)


def test_token_is_kept_in_process_between_store_reads(wechat: FakeWeChat) -> None:
    now = [1000.0]
    store = CountingStore()
    provider = _provider(wechat, store, clock=lambda: now[0], local_ttl=30.0)
    store.write(provider.name, CachedToken("SHARED-1", 1000.0 + 7200))
    assert [provider.get() for _ in range(50)] == ["SHARED-1"] * 50
    assert store.reads == 1
    store.write(provider.name, CachedToken("SHARED-2", 1000.0 + 7200))  # another worker refreshed
    now[0] += 31.0
    assert provider.get() == "SHARED-2"
    assert store.reads == 2
    assert wechat.token_fetches == 0


def test_refused_local_copy_is_replaced_from_the_store(wechat: FakeWeChat) -> None:
    store = MemoryTokenStore()
    provider = _provider(wechat, store)
    store.write(provider.name, CachedToken("OLD", time.time() + 7200))
    assert provider.get() == "OLD"
    store.write(provider.name, CachedToken("NEW", time.time() + 7200))
    assert provider.get() == "OLD"  # the local copy, until WeChat refuses it
    assert provider.refresh("OLD") == "NEW"
    assert provider.get() == "NEW"
    assert wechat.token_fetches == 0


def _dead_redis() -> Any:
    with FakeWeChat() as fake:  # a loopback port that is closed once the fake server stops
        port = int(fake.url.rsplit(":", 1)[1])
    return redis.Redis(
        host="127.0.0.1",
        port=port,
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        retry=Retry(NoBackoff(), 0),
    )


def test_redis_down_falls_back_to_the_database(wechat: FakeWeChat, request: pytest.FixtureRequest) -> None:
    engine = make_engine("sqlite://")
    upgrade(engine)
    request.addfinalizer(engine.dispose)
    database = DatabaseTokenStore(engine)
    store = FallbackTokenStore(RedisTokenStore(_dead_redis()), database)
    assert _provider(wechat, store).get() == "TOKEN-1"
    cached = database.read(f"wechat:{wechat.app_id}")
    assert cached is not None and cached.value == "TOKEN-1"
    assert _provider(wechat, store).get() == "TOKEN-1"
    assert wechat.token_fetches == 1


@pytest.mark.parametrize(
    ("config", "with_engine", "kind"),
    [
        ({}, False, MemoryTokenStore),
        ({}, True, DatabaseTokenStore),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, False, RedisTokenStore),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, True, FallbackTokenStore),
    ],
    ids=["memory", "database", "redis", "redis-then-database"],
)
def test_store_from_config(config: dict[str, str], with_engine: bool, kind: type) -> None:
    engine = make_engine("sqlite://") if with_engine else None
    assert type(store_from_config(config, engine=engine)) is kind


def test_store_from_config_fails_over_fast(wechat: FakeWeChat, request: pytest.FixtureRequest) -> None:
    engine = make_engine("sqlite://")
    upgrade(engine)
    request.addfinalizer(engine.dispose)
    dead = _dead_redis().connection_pool.connection_kwargs["port"]
    store = store_from_config({"REDIS_URL": f"redis://127.0.0.1:{dead}/0"}, engine=engine)
    assert _provider(wechat, store).get() == "TOKEN-1"
    assert isinstance(store, FallbackTokenStore) and store._down_until > time.monotonic()


def test_failed_early_refresh_keeps_the_current_token(wechat: FakeWeChat) -> None:
    wechat.always("/cgi-bin/stable_token", {"errcode": -1, "errmsg": "system error"})
    store = MemoryTokenStore()
    provider = _provider(wechat, store)
    store.write(provider.name, CachedToken("STILL-VALID", time.time() + 60))  # inside the margin
    assert provider.get() == "STILL-VALID"
    assert wechat.token_fetches == 1
    store.write(provider.name, CachedToken("EXPIRED", time.time() - 1))
    with pytest.raises(WeChatBusy):
        _provider(wechat, store).get()
