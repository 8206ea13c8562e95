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

``bot.serving.fallback.FallbackStore`` chains them: Redis or LMDB, else the database, else memory, so an
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
