"""A shared state store backed by another, so an outage of the shared store never turns dedup off."""

import logging
import time
from typing import Any

from bot import metrics
from bot.conversation.state import DEFAULT_DEDUP_TTL, Finish, StateStore

log = logging.getLogger(__name__)


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
                if self.name == "database":
                    metrics.record_database_error("state")
        metrics.record_fallback(self.name)
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
