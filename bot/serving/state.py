"""Conversation state and delivery dedup behind one store interface with a TTL.

A citizen's state (last item, pending candidates or situations, pages, unanswered streak) is a
small JSON-able dict under the citizen's openid. Dedup: the first delivery of a push ``claim``s
its key; it then ``remember_reply``s the rendered reply so WeChat's retries get the same bytes
from ``reply_for``. The stores that share the protocol:

- :class:`MemoryStore` (here): one process (the CLI, a KB file, tests).
- ``bot.serving.lmdbstore.LmdbStore``: the workers of one host, in an LMDB file (the default on SQLite).
- ``bot.serving.dbstore.DatabaseStore``: several workers through the ``conversation_record`` and
  ``delivered_reply`` tables (the unique primary key decides the first delivery).
- ``bot.serving.redisstore.RedisStore``: several workers and hosts through Redis (``SET NX EX``).

:class:`FallbackStore` (here) chains them: Redis or LMDB, else the database, else memory, so an
outage of the shared store never turns dedup off.
"""

import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

log = logging.getLogger(__name__)

#: Stored in place of a reply while the first delivery is still being answered.
PENDING = "<guidebot:pending>"

#: How long a citizen's state lives without a new message (seconds).
DEFAULT_TTL = 30 * 60
#: How long a delivered reply is kept for retries (WeChat retries within ~15 s).
DEFAULT_DEDUP_TTL = 10 * 60


class StateStore(Protocol):
    """What ``bot.conversation.engine`` and ``bot.serving.delivery`` need from a store."""

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


def last_per_key(entries: list[Finish]) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
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
