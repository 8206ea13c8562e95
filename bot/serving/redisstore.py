"""The state store in Redis, shared by every worker and host: ``SET NX EX`` decides the first delivery.

A push costs one round trip (the claim and the state read sent together, packed by hand on a
connection each thread keeps); replies and states go back in batches from the write-behind thread.
"""

import json
import logging
import os
import threading
from typing import Any

from bot.conversation.state import DEFAULT_DEDUP_TTL, DEFAULT_TTL, PENDING, Finish

log = logging.getLogger(__name__)


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
        # On this thread's connection, as claim_and_load (the nonce guard claims on every push too).
        packed = resp_command(
            b"SET", self._reply(dedup_key).encode(), _PENDING, b"NX", b"EX", str(self.dedup_ttl).encode()
        )
        connection = self._connection()
        try:
            connection.send_packed_command([packed])
            return bool(connection.read_response())
        except BaseException:
            self._drop(connection)
            raise

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
