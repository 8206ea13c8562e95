"""Question vectors shared by the workers of a host: each distinct question is embedded once per host.

Embedding a question costs 30–40 ms of CPU, the bulk of a push that needs the semantic stage. Every worker
keeps its own small cache (``Matcher``); this one sits behind it, in the vector cache's LMDB folder, so a
question that one worker embedded (an announcement makes many citizens ask the same) costs the others a
lookup. Keys are hashes of the model and the text, values the vectors: the text itself is not stored, and a
text that carries personal data (an ID-card, phone or bank-card number) is never cached at all. The store
is bounded: past ``QUERY_ENTRIES`` questions it is emptied and fills again.
"""

import hashlib
import logging
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from bot.matching.embedding import Embedder, clip
from bot.matching.pii import mask_personal_data

log = logging.getLogger(__name__)

#: Questions kept before the store is emptied (1.5 KiB each, float32 so that a question read back ranks
#: exactly as when it was embedded: some 30 MiB at most).
QUERY_ENTRIES = 20_000


class QueryStore(Protocol):
    """Question vectors by key (``bot.matching.vectorcache.LmdbQueryStore``)."""

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, vectors: dict[str, np.ndarray]) -> None: ...


def query_key(model_id: str, text: str) -> str:
    """The store key of a question: the model's identity and the text as embedded."""
    return hashlib.sha256(f"{model_id}\x00query\x00{clip(text)}".encode()).hexdigest()[:40]


class SharedQueries:
    """An :class:`~bot.matching.embedding.Embedder` whose question vectors go through a host-wide store;
    passages pass straight through (they have their own cache). A store that fails costs an embedding,
    never an answer."""

    def __init__(self, embedder: Embedder, store: QueryStore) -> None:
        self.embedder = embedder
        self.store = store
        self.model_id = embedder.model_id
        self.dim = embedder.dim

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        keys = [None if mask_personal_data(t) != t else query_key(self.model_id, t) for t in texts]
        wanted = [key for key in keys if key is not None]
        try:
            found = self.store.get_many(wanted) if wanted else {}
        except Exception:
            log.exception("question vector store unreadable")
            found = {}
        missing = [i for i, key in enumerate(keys) if key is None or key not in found]
        fresh = self.embedder.queries([texts[i] for i in missing]) if missing else None
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            if key is not None and key in found:
                rows[i] = found[key]
        new: dict[str, np.ndarray] = {}
        for row, i in enumerate(missing):
            assert fresh is not None
            rows[i] = fresh[row]
            key = keys[i]
            if key is not None:
                new[key] = fresh[row]
        if new:
            try:
                self.store.put_many(new)
            except Exception:
                log.exception("question vector store unwritable")
        return rows

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.passages(texts)
