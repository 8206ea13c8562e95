"""A state store in an LMDB file: dedup and conversation state shared by the workers of one host.

For single-host deployments on SQLite. Every push claims its dedup key and reads its citizen's
state before it is answered; on SQLite that is a write transaction under the database's single
write lock, which every worker (and its background writers) queue for, and after every other
worker's write a connection starts again from an empty page cache. LMDB is built for this: a
memory-mapped B+tree shared by processes, writers queued on a process-shared mutex (no polling),
readers never blocked, a claim a few microseconds.

The data is short-lived (states expire after ``ttl``, remembered replies after ``dedup_ttl``), so
commits are not flushed to disk one by one (``sync=False``): a crash of the process loses nothing,
a crash of the machine may lose the last moments' states. A file LMDB cannot open (the machine
went down mid-write) is moved aside and started afresh.

Layout: three sub-databases, ``reply`` (dedup key → expiry + reply), ``state`` (openid → expiry +
JSON) and ``expiry`` (expiry + kind + key → empty), the last one ordered by time so a purge reads
only what has expired.
"""

import fcntl
import json
import logging
import os
import struct
import threading
import time
from pathlib import Path
from typing import Any

import lmdb

from bot.conversation.state import DEFAULT_DEDUP_TTL, DEFAULT_TTL, PENDING, Finish, last_per_key

log = logging.getLogger(__name__)

_STAMP = struct.Struct(">d")  # big-endian: byte order is time order in the expiry index
_PENDING = PENDING.encode()
_REPLY, _STATE = b"r", b"s"

#: What a machine's crash can leave: a file LMDB does not recognise.
_BROKEN = (lmdb.InvalidError, lmdb.CorruptedError, lmdb.VersionMismatchError)

#: Open environments: realpath → (pid that opened it, (env, reply db, state db, expiry db)).
_ENVS: dict[str, tuple[int, tuple[Any, Any, Any, Any]]] = {}
_ENVS_LOCK = threading.Lock()

#: Default size of the memory map (the file grows as needed; this is the most it may use).
DEFAULT_MAP_SIZE = 4 << 30


class LmdbStore:
    """Dedup keys, replies and conversation states in one LMDB environment (a directory)."""

    #: Expired entries are deleted on every this many finished pushes ...
    PURGE_EVERY = 200
    #: ... at most this many per write transaction, which every claim waits for meanwhile.
    PURGE_LIMIT = 1000

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        ttl: int = DEFAULT_TTL,
        dedup_ttl: int = DEFAULT_DEDUP_TTL,
        map_size: int = DEFAULT_MAP_SIZE,
    ) -> None:
        self.path, self.ttl, self.dedup_ttl, self.map_size = Path(path), ttl, dedup_ttl, map_size
        self._key = os.path.realpath(self.path)  # the environment's identity in _ENVS
        self._finished = 0

    # -- the environment --

    def _open(self) -> tuple[Any, Any, Any, Any]:
        """The environment and its three databases: one per path and process, opened on first use.

        LMDB allows one handle per environment and process (stores for the same path share it),
        and none across a fork: a child cannot use or reopen what its parent opened.
        """
        key, pid = self._key, os.getpid()
        opened = _ENVS.get(key)
        if opened is not None and opened[0] == pid:
            return opened[1]
        with _ENVS_LOCK:
            opened = _ENVS.get(key)
            if opened is None or opened[0] != pid:
                opened = _ENVS[key] = (pid, self._open_env())
            return opened[1]

    def _open_env(self) -> tuple[Any, Any, Any, Any]:
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            env = self._environment()
        except _BROKEN:
            env = self._recover()
        except lmdb.Error:
            if self.path.is_dir():
                raise
            # Another worker moved the broken folder aside between our mkdir and the open: its
            # successor is made under the recovery lock, so wait there and open that.
            env = self._recover()
        # Anything else (an environment this process inherited through a fork, which LMDB cannot
        # reopen; a full disk) propagates: the fallback store answers meanwhile.
        return (
            env,
            env.open_db(b"reply"),
            env.open_db(b"state"),
            env.open_db(b"expiry"),
        )

    def _recover(self) -> Any:
        """Set an unreadable environment aside and start an empty one (short-lived data only).

        One process at a time, under a lock file beside it: every worker finds the broken file
        when the machine comes back, and only the first may move it; the others open its successor.
        """
        with open(self.path.with_name(f"{self.path.name}.lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                return self._environment()
            except _BROKEN as exc:
                aside = self.path.with_name(f"{self.path.name}.broken-{int(time.time())}-{os.getpid()}")
                log.error(
                    "state store %s cannot be opened (%s); moved to %s, starting empty", self.path, exc, aside
                )
                self.path.rename(aside)
                # A worker outside the lock may create the folder again between the two calls (its
                # _open_env makes sure the folder exists): that is the fresh one, not an error.
                self.path.mkdir(parents=True, exist_ok=True)
                return self._environment()

    def _environment(self) -> Any:
        return lmdb.open(
            str(self.path),
            map_size=self.map_size,
            max_dbs=3,
            max_readers=1024,
            sync=False,  # see the module docstring: flushed by the OS, not per commit
            metasync=False,
            readahead=False,
        )

    def close(self) -> None:
        """Close this process's environment for the path (it reopens on the next call)."""
        with _ENVS_LOCK:
            opened = _ENVS.pop(self._key, None)
            if opened is not None and opened[0] == os.getpid():
                opened[1][0].close()

    # -- values --

    @staticmethod
    def _live(value: bytes | None, now: float) -> bytes | None:
        """The payload of a stored value, or None when absent or expired."""
        if value is None or _STAMP.unpack_from(value)[0] <= now:
            return None
        return value[_STAMP.size :]

    @staticmethod
    def _put(txn: Any, db: Any, index: Any, kind: bytes, key: bytes, expires: float, payload: bytes) -> None:
        stamp = _STAMP.pack(expires)
        txn.put(key, stamp + payload, db=db)
        txn.put(stamp + kind + key, b"", db=index)

    # -- the StateStore protocol --

    def load(self, key: str) -> dict[str, Any] | None:
        env, _, states, _ = self._open()
        with env.begin(db=states) as txn:
            payload = self._live(txn.get(key.encode()), time.time())
        return json.loads(payload) if payload is not None else None

    def save(self, key: str, data: dict[str, Any]) -> None:
        self.finish_many([(None, "", key, data)])

    def forget(self, key: str) -> None:
        env, _, states, _ = self._open()
        with env.begin(write=True) as txn:
            txn.delete(key.encode(), db=states)

    def claim(self, dedup_key: str) -> bool:
        return self.claim_and_load(dedup_key, None)[0]

    def claim_and_load(self, dedup_key: str, key: str | None) -> tuple[bool, dict[str, Any] | None]:
        env, replies, states, index = self._open()
        now = time.time()
        encoded = dedup_key.encode()
        with env.begin(write=True) as txn:
            if self._live(txn.get(encoded, db=replies), now) is not None:
                return False, None
            self._put(txn, replies, index, _REPLY, encoded, now + self.dedup_ttl, _PENDING)
            payload = self._live(txn.get(key.encode(), db=states), now) if key is not None else None
        return True, json.loads(payload) if payload is not None else None

    def remember_reply(self, dedup_key: str, reply: str) -> None:
        self.finish_many([(dedup_key, reply, "", None)])

    def reply_for(self, dedup_key: str) -> str | None:
        env, replies, _, _ = self._open()
        with env.begin(db=replies) as txn:
            payload = self._live(txn.get(dedup_key.encode()), time.time())
        if payload is None or payload == _PENDING:
            return None
        return payload.decode()

    def finish(self, dedup_key: str, reply: str, key: str, data: dict[str, Any] | None) -> None:
        self.finish_many([(dedup_key, reply, key, data)])

    def finish_many(self, entries: list[Finish]) -> None:
        replies_by_key, states_by_key = last_per_key(entries)
        env, replies, states, index = self._open()
        now = time.time()
        with env.begin(write=True) as txn:
            for dedup_key, reply in replies_by_key.items():
                expires = now + self.dedup_ttl
                self._put(txn, replies, index, _REPLY, dedup_key.encode(), expires, reply.encode())
            for key, data in states_by_key.items():
                payload = json.dumps(data, ensure_ascii=False).encode()
                self._put(txn, states, index, _STATE, key.encode(), now + self.ttl, payload)
        self._finished += len(entries)
        if self._finished >= self.PURGE_EVERY:
            self._finished = 0
            try:
                self.purge(limit=self.PURGE_LIMIT)
            except Exception:  # the writes went in; expired entries wait for the next purge
                log.exception("cannot purge expired conversation states")

    def purge(self, *, limit: int | None = None, dry_run: bool = False) -> tuple[int, int]:
        """Delete expired replies and states, oldest first, up to ``limit`` index entries (None: all);
        returns how many (replies, states) went (would go, for a dry run).

        Each write transaction takes at most ``PURGE_LIMIT`` entries: every claim waits for it.
        """
        env = self._open()[0]
        env.reader_check()  # reader slots of workers that died mid-read would keep old pages
        now = time.time()
        if dry_run:  # one read transaction: readers block nobody
            replies, states, _ = self._purge_batch(now, limit, dry_run=True)
            return replies, states
        replies = states = 0
        while limit is None or limit > 0:
            batch = self.PURGE_LIMIT if limit is None else min(limit, self.PURGE_LIMIT)
            gone_replies, gone_states, seen = self._purge_batch(now, batch, dry_run=False)
            replies, states = replies + gone_replies, states + gone_states
            if seen < batch:
                break
            if limit is not None:
                limit -= seen
        return replies, states

    def _purge_batch(self, now: float, limit: int | None, *, dry_run: bool) -> tuple[int, int, int]:
        """(replies, states, index entries read) of one transaction over the expired entries."""
        env, replies, states, index = self._open()
        gone = {_REPLY: 0, _STATE: 0}
        seen = 0
        with env.begin(write=not dry_run) as txn:
            cursor = txn.cursor(db=index)
            found = cursor.first()
            while found and (limit is None or seen < limit):
                entry = cursor.key()
                if not entry or _STAMP.unpack_from(entry)[0] > now:  # past the end, or not yet due
                    break
                kind, key = entry[_STAMP.size : _STAMP.size + 1], entry[_STAMP.size + 1 :]
                db = replies if kind == _REPLY else states
                # Written again since (a later expiry): only the index entry is stale.
                value = txn.get(key, db=db)
                if value is not None and self._live(value, now) is None:
                    gone[kind] += 1
                    if not dry_run:
                        txn.delete(key, db=db)
                seen += 1
                found = cursor.next() if dry_run else cursor.delete()
        return gone[_REPLY], gone[_STATE], seen
