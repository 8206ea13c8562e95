"""Passage vectors on disk, shared by the workers of one host: an LMDB file keyed by model and text.

A worker that starts finds the vectors its predecessors embedded; a publish embeds only new texts. Values
are float16 (half the size; cosine rankings do not move at that precision). Losing the folder costs one
re-embedding and nothing else, so it needs no backup; a folder LMDB cannot open is moved aside and started
afresh, like the state store's.
"""

import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import lmdb
import numpy as np

log = logging.getLogger(__name__)

#: Address space reserved for the file (it grows as used; 2,262 items take about 10 MiB).
MAP_SIZE = 1 << 30

#: Named databases beside the passages' main one (the questions' store).
MAX_DBS = 2

_ENVIRONMENTS: dict[str, lmdb.Environment] = {}
_LOCK = threading.Lock()


def _open(path: str) -> lmdb.Environment:
    with _LOCK:
        env = _ENVIRONMENTS.get(path)
        if env is None:
            os.makedirs(path, exist_ok=True)
            try:
                env = lmdb.open(
                    path, map_size=MAP_SIZE, max_readers=256, max_dbs=MAX_DBS, sync=False, lock=True
                )
            except (lmdb.InvalidError, lmdb.CorruptedError, lmdb.VersionMismatchError) as exc:
                aside = f"{path}.broken-{int(time.time())}-{os.getpid()}"
                log.warning("vector cache %s unreadable (%s): moved to %s", path, exc, aside)
                os.replace(path, aside)
                os.makedirs(path, exist_ok=True)
                env = lmdb.open(
                    path, map_size=MAP_SIZE, max_readers=256, max_dbs=MAX_DBS, sync=False, lock=True
                )
            _ENVIRONMENTS[path] = env
        return env


class LmdbVectorCache:
    """``bot.matching.semantic.VectorCache`` in an LMDB folder."""

    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(path)
        self._pid = os.getpid()
        self._env: lmdb.Environment | None = None

    def _environment(self) -> lmdb.Environment:
        # py-lmdb forbids using an environment across fork: open it in the process that uses it.
        if self._env is None or self._pid != os.getpid():
            self._env, self._pid = _open(self.path), os.getpid()
        return self._env

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._environment().begin(buffers=True) as txn:
            for key in keys:
                value = txn.get(key.encode("ascii"))
                if value is not None:
                    found[key] = np.frombuffer(bytes(value), dtype=np.float16).astype(np.float32)
        return found

    def put_many(self, vectors: Mapping[str, np.ndarray]) -> None:
        with self._environment().begin(write=True) as txn:
            for key, vector in vectors.items():
                txn.put(key.encode("ascii"), np.asarray(vector, dtype=np.float16).tobytes())


class LmdbQueryStore:
    """``bot.matching.querycache.QueryStore`` in the same LMDB folder (a database of its own), float32 and
    bounded: past ``limit`` questions it is emptied and fills again."""

    def __init__(self, path: str, limit: int) -> None:
        self.path = os.path.abspath(path)
        self.limit = limit
        self._pid = os.getpid()
        self._env: lmdb.Environment | None = None
        self._db: Any = None

    def _open(self) -> tuple[lmdb.Environment, Any]:
        if self._env is None or self._pid != os.getpid():
            self._env, self._pid = _open(self.path), os.getpid()
            self._db = self._env.open_db(b"questions")
        return self._env, self._db

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        env, db = self._open()
        found: dict[str, np.ndarray] = {}
        with env.begin(db=db, buffers=True) as txn:
            for key in keys:
                value = txn.get(key.encode("ascii"))
                if value is not None:
                    found[key] = np.frombuffer(bytes(value), dtype=np.float32).copy()
        return found

    def put_many(self, vectors: Mapping[str, np.ndarray]) -> None:
        env, db = self._open()
        with env.begin(write=True, db=db) as txn:
            if txn.stat(db)["entries"] + len(vectors) > self.limit:
                txn.drop(db, delete=False)
            for key, vector in vectors.items():
                txn.put(key.encode("ascii"), np.asarray(vector, dtype=np.float32).tobytes())
