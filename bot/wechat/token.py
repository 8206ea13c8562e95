"""The access-token provider: one refresher at a time, every other worker only reads the cache.

The token lives in a shared store (Redis, the ``ApiToken`` table, or process memory for one process).
``get()`` returns the cached token while it is fresh. A few minutes before expiry, the one caller that
wins the store's lock fetches ``cgi-bin/stable_token`` (normal mode) and writes the cache; callers that
lose the lock keep using the still-valid token, or, when the token has already expired, poll the cache
briefly instead of fetching themselves. Several workers refreshing on their own is what causes the
classic 40001 storm, which is why nothing here fetches without the lock.
"""

import datetime as dt
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from bot import metrics
from bot.wechat.client import (
    DEFAULT_API_BASE,
    DEFAULT_TIMEOUTS,
    Timeouts,
    TokenUnavailable,
    WeChatApiError,
    WeChatClient,
    fetch_stable_token,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedToken:
    """A token and when it stops working (epoch seconds)."""

    value: str
    expires_at: float


class TokenStore(Protocol):
    """Where the token is cached and the refresh lock is held; shared by every worker that uses it."""

    def read(self, name: str) -> CachedToken | None: ...

    def write(self, name: str, token: CachedToken) -> None: ...

    def try_lock(self, name: str, ttl: float) -> str | None:
        """A handle when this caller now holds the refresh lock for ``ttl`` seconds, else None."""

    def unlock(self, name: str, handle: str) -> None: ...


class MemoryTokenStore:
    """One process: a dict and a non-blocking lock with an expiry."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._tokens: dict[str, CachedToken] = {}
        self._locks: dict[str, tuple[str, float]] = {}
        self._mutex = threading.Lock()
        self._clock = clock

    def read(self, name: str) -> CachedToken | None:
        with self._mutex:
            return self._tokens.get(name)

    def write(self, name: str, token: CachedToken) -> None:
        with self._mutex:
            self._tokens[name] = token

    def try_lock(self, name: str, ttl: float) -> str | None:
        with self._mutex:
            held = self._locks.get(name)
            if held is not None and held[1] > self._clock():
                return None
            handle = secrets.token_hex(8)
            self._locks[name] = (handle, self._clock() + ttl)
            return handle

    def unlock(self, name: str, handle: str) -> None:
        with self._mutex:
            if self._locks.get(name, ("", 0.0))[0] == handle:
                del self._locks[name]


# Delete the lock only if we still own it (it may have expired and been taken by someone else).
_UNLOCK_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""


class RedisTokenStore:
    """Several processes or hosts: the token under one key, the lock as ``SET NX PX``."""

    def __init__(self, redis: Any, *, prefix: str = "guidebot:token:") -> None:
        self.redis = redis
        self.prefix = prefix

    def read(self, name: str) -> CachedToken | None:
        raw = self.redis.get(self.prefix + name)
        if raw is None:
            return None
        data = json.loads(raw)
        return CachedToken(value=data["value"], expires_at=float(data["expires_at"]))

    def write(self, name: str, token: CachedToken) -> None:
        ttl_ms = max(1, int((token.expires_at - time.time()) * 1000))
        payload = json.dumps({"value": token.value, "expires_at": token.expires_at})
        self.redis.set(self.prefix + name, payload, px=ttl_ms)

    def try_lock(self, name: str, ttl: float) -> str | None:
        handle = secrets.token_hex(8)
        acquired = self.redis.set(self.prefix + name + ":lock", handle, nx=True, px=max(1, int(ttl * 1000)))
        return handle if acquired else None

    def unlock(self, name: str, handle: str) -> None:
        self.redis.eval(_UNLOCK_SCRIPT, 1, self.prefix + name + ":lock", handle)


def _to_datetime(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


class DatabaseTokenStore:
    """Several workers without Redis: the ``api_token`` row, locked through its ``lock_until`` lease.

    Taking the lock is one short transaction (``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN
    IMMEDIATE`` on SQLite) that sets ``lock_until``; the HTTP fetch happens outside any transaction.
    The handle is the ``lock_until`` value itself, so ``unlock`` clears only a lock it still owns.
    """

    def __init__(self, engine: Any, *, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self._clock = clock

    def read(self, name: str) -> CachedToken | None:
        from sqlmodel import Session

        from knowledge.models import ApiToken

        with Session(self.engine) as session:
            row = session.get(ApiToken, name)
            if row is None or not row.value:
                return None
            return CachedToken(value=row.value, expires_at=row.expires_at.timestamp())

    def write(self, name: str, token: CachedToken) -> None:
        from knowledge.db import write_session
        from knowledge.models import ApiToken

        with write_session(self.engine) as session:
            row = session.get(ApiToken, name, with_for_update=True)
            if row is None:
                row = ApiToken(name=name, value=token.value, expires_at=_to_datetime(token.expires_at))
            row.value, row.expires_at = token.value, _to_datetime(token.expires_at)
            session.add(row)

    def try_lock(self, name: str, ttl: float) -> str | None:
        from sqlalchemy.exc import IntegrityError

        from knowledge.db import write_session
        from knowledge.models import ApiToken

        now = self._clock()
        # Microsecond precision survives both backends, and makes the handle unique enough.
        until = _to_datetime(round(now + ttl, 6))
        try:
            with write_session(self.engine) as session:
                row = session.get(ApiToken, name, with_for_update=True)
                if row is None:
                    # An empty placeholder row carries the lock until the first token is written.
                    row = ApiToken(name=name, value="", expires_at=_to_datetime(0))
                elif row.lock_until is not None and row.lock_until.timestamp() > now:
                    return None
                row.lock_until = until
                session.add(row)
        except IntegrityError:
            return None  # another worker inserted the row (and holds the lock) at the same moment
        return until.isoformat()

    def unlock(self, name: str, handle: str) -> None:
        from knowledge.db import write_session
        from knowledge.models import ApiToken

        with write_session(self.engine) as session:
            row = session.get(ApiToken, name, with_for_update=True)
            if row is not None and row.lock_until is not None and row.lock_until.isoformat() == handle:
                row.lock_until = None
                session.add(row)


class FallbackTokenStore:
    """Redis first; the database while Redis is unreachable (issue 6: Redis down, keep working).

    During an outage every worker falls back together, so the database lock still admits one
    refresher; should workers disagree about the outage, stable_token's normal mode hands both the
    same token, so nothing is invalidated.
    """

    def __init__(
        self,
        primary: TokenStore,
        fallback: TokenStore,
        *,
        pause: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary, self.fallback = primary, fallback
        # After a failure, Redis is left alone for ``pause`` seconds: a hanging server would
        # otherwise cost its socket timeout on every call.
        self.pause = pause
        self._clock = clock
        self._down_until = float("-inf")

    def _either(self, method: str, *args: Any) -> Any:
        import redis

        if self._clock() >= self._down_until:
            try:
                return getattr(self.primary, method)(*args)
            except redis.RedisError:
                self._down_until = self._clock() + self.pause
        return getattr(self.fallback, method)(*args)

    def read(self, name: str) -> CachedToken | None:
        return self._either("read", name)  # type: ignore[no-any-return]

    def write(self, name: str, token: CachedToken) -> None:
        self._either("write", name, token)

    def try_lock(self, name: str, ttl: float) -> str | None:
        return self._either("try_lock", name, ttl)  # type: ignore[no-any-return]

    def unlock(self, name: str, handle: str) -> None:
        self._either("unlock", name, handle)


class TokenProvider:
    """Hands out the access token of one account; implements ``bot.wechat.client.TokenSource``."""

    def __init__(
        self,
        store: TokenStore,
        *,
        app_id: str,
        app_secret: str,
        api_base: str = DEFAULT_API_BASE,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        session: requests.Session | None = None,
        refresh_margin: float = 240.0,
        local_ttl: float = 30.0,
        wait: float = 3.0,
        poll_interval: float = 0.05,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.name = f"wechat:{app_id}"
        self.app_id, self.app_secret = app_id, app_secret
        self.api_base = api_base
        self.timeouts = timeouts
        self.session = session or requests.Session()
        # WeChat's stable_token hands out a new token in the last 5 minutes of the old one.
        self.refresh_margin = refresh_margin
        self.wait = wait
        self.poll_interval = poll_interval
        # The lock outlives the longest refresh (a normal and a forced fetch, each up to connect +
        # read timeout) with room to spare. A -1 from stable_token is not retried here: the caller
        # (the outbox's schedule) retries later, and the lock stays short.
        self.lock_ttl = 2 * (timeouts.connect + timeouts.read) + 2.0
        self._clock = clock
        self._sleep = sleep
        # Guards against a fetch loop should WeChat hand out a token that is already inside the margin.
        self._last_fetch = float("-inf")
        # A copy of the shared token, re-read from the store at least every ``local_ttl`` seconds, so a
        # burst of sends does not cost one store round trip each.
        self.local_ttl = local_ttl
        self._local: CachedToken | None = None
        self._local_read = float("-inf")

    def get(self) -> str:
        """A valid token: the cached one, or a fresh one if it is due and this caller wins the lock."""
        now = self._clock()
        local = self._local
        recent = now < self._local_read + self.local_ttl
        if local is not None and recent and now < local.expires_at - self.refresh_margin:
            return local.value
        cached = self.store.read(self.name)
        self._local, self._local_read = cached, now
        if cached is not None and now < cached.expires_at - self.refresh_margin:
            return cached.value
        if cached is not None and now < cached.expires_at and now - self._last_fetch < 30.0:
            return cached.value
        still_valid = cached is not None and now < cached.expires_at
        try:
            fetched = self._fetch_locked(stale=None)
        except WeChatApiError as exc:
            if cached is None or not still_valid:
                raise
            # An early refresh failed, but the current token works for a few more minutes.
            log.warning("access token refresh failed, keeping the current token: %s", exc)
            return cached.value
        if fetched is not None:
            return fetched
        if cached is not None and still_valid:
            return cached.value  # someone else is refreshing; the current token still works
        return self._await_token(stale=None)

    def refresh(self, stale: str) -> str:
        """A token other than ``stale`` after WeChat refused it (40001/40014/42001)."""
        self._local = None
        cached = self.store.read(self.name)
        if cached is not None and cached.value != stale and self._clock() < cached.expires_at:
            return cached.value  # another worker already replaced it
        fetched = self._fetch_locked(stale=stale)
        if fetched is not None:
            return fetched
        return self._await_token(stale=stale)

    def _fetch_locked(self, *, stale: str | None) -> str | None:
        """Fetch and cache a token if this caller gets the lock; None when someone else holds it."""
        handle = self.store.try_lock(self.name, self.lock_ttl)
        if handle is None:
            return None
        try:
            cached = self.store.read(self.name)
            now = self._clock()
            # Double-check: the previous lock holder may have refreshed while we were deciding.
            if cached is not None and cached.value != stale and now < cached.expires_at - self.refresh_margin:
                return cached.value
            value, expires_in = self._fetch(force=False)
            if stale is not None and value == stale:
                # Normal mode handed back the token WeChat just refused: force one new token.
                value, expires_in = self._fetch(force=True)
            token = CachedToken(value=value, expires_at=self._clock() + expires_in)
            self.store.write(self.name, token)
            self._local, self._local_read = token, self._clock()
            return value
        finally:
            self.store.unlock(self.name, handle)

    def _fetch(self, *, force: bool) -> tuple[str, int]:
        self._last_fetch = self._clock()
        try:
            fetched = fetch_stable_token(
                self.session,
                api_base=self.api_base,
                app_id=self.app_id,
                app_secret=self.app_secret,
                timeouts=self.timeouts,
                force_refresh=force,
            )
        except WeChatApiError as exc:
            metrics.record_token(False, exc.code)
            raise
        metrics.record_token(True)
        return fetched

    def _await_token(self, *, stale: str | None) -> str:
        """Poll the cache while another caller refreshes; never fetch from here."""
        deadline = self._clock() + self.wait
        while self._clock() < deadline:
            self._sleep(self.poll_interval)
            cached = self.store.read(self.name)
            if cached is not None and cached.value != stale and self._clock() < cached.expires_at:
                return cached.value
        raise TokenUnavailable(None, f"no fresh token after waiting {self.wait:g} s")


def timeouts_from_config(config: Mapping[str, Any]) -> Timeouts:
    """``WECHAT_CONNECT_TIMEOUT`` / ``WECHAT_READ_TIMEOUT`` from the app config."""
    return Timeouts(
        connect=float(config.get("WECHAT_CONNECT_TIMEOUT", 3.0)),
        read=float(config.get("WECHAT_READ_TIMEOUT", 5.0)),
    )


def store_from_config(config: Mapping[str, Any], *, engine: Any = None) -> TokenStore:
    """Redis when ``REDIS_URL`` is set (falling back to ``engine``'s ``api_token`` table while Redis is
    down), else the ``api_token`` table, else process memory."""
    if config.get("REDIS_URL"):
        import redis

        # Short socket timeouts: a dead Redis must not eat the webhook's 5 s.
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        client = redis.Redis.from_url(
            config["REDIS_URL"], socket_connect_timeout=0.5, socket_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )
        store = RedisTokenStore(client)
        return store if engine is None else FallbackTokenStore(store, DatabaseTokenStore(engine))
    if engine is not None:
        return DatabaseTokenStore(engine)
    return MemoryTokenStore()


def client_from_config(
    config: Mapping[str, Any], *, store: TokenStore | None = None, engine: Any = None
) -> WeChatClient:
    """The WeChat client for the configured account (``WECHAT_APP_ID``/``WECHAT_APP_SECRET``).

    The token store is ``store``, or else chosen by ``store_from_config`` (Redis, ``engine``, memory).
    """
    timeouts = timeouts_from_config(config)
    api_base = str(config.get("WECHAT_API_BASE") or DEFAULT_API_BASE)
    session = requests.Session()
    provider = TokenProvider(
        store or store_from_config(config, engine=engine),
        app_id=str(config["WECHAT_APP_ID"]),
        app_secret=str(config["WECHAT_APP_SECRET"]),
        api_base=api_base,
        timeouts=timeouts,
        session=session,
    )
    return WeChatClient(provider, api_base=api_base, timeouts=timeouts, session=session)
