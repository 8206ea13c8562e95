"""The semantic stage: item passages embedded once, questions compared with them by cosine.

An item is described by several short passages (its name, aliases, "name：situation", FAQ questions and the
citizens' questions staff resolved to it in the review queue); its semantic score for a question is the best
cosine over its passages. Passage vectors come from a :class:`VectorCache` keyed by the model and the text,
so a rebuild after a publish embeds only texts it has never seen.
"""

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from bot.matching.embedding import Embedder, clip
from knowledge.schema import Item

log = logging.getLogger(__name__)

#: Passages embedded per call while building: small enough that a question waiting on the same engine
#: waits briefly, large enough to batch.
BATCH = 16


class VectorCache(Protocol):
    """Passage vectors by key, shared by the workers of a host (``bot.serving.vectorcache``)."""

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, vectors: Mapping[str, np.ndarray]) -> None: ...


class MemoryVectorCache:
    """Vectors in a dict (one process: tests, a knowledge-base file without an instance folder)."""

    def __init__(self) -> None:
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            return {key: self._vectors[key] for key in keys if key in self._vectors}

    def put_many(self, vectors: Mapping[str, np.ndarray]) -> None:
        with self._lock:
            self._vectors.update(vectors)


def vector_key(model_id: str, text: str) -> str:
    """The cache key of a passage: the model's identity and the text as embedded."""
    return hashlib.sha256(f"{model_id}\x00passage\x00{clip(text)}".encode()).hexdigest()[:40]


def passages(item: Item, extra: Sequence[str] = ()) -> list[str]:
    """The texts that describe ``item`` to the model, without repeats."""
    texts = [item.name, *(item.aliases or [])]
    texts += [f"{item.name}：{situation.name}" for situation in item.situations or []]
    texts += [entry.q for entry in item.faq or []]
    texts += list(extra)
    return list(dict.fromkeys(text.strip() for text in texts if text and text.strip()))


@dataclass(frozen=True)
class SemanticIndex:
    """Passage vectors of one knowledge-base version, grouped by item."""

    model_id: str
    #: (passages, dim) float32, rows grouped by item in item order.
    matrix: np.ndarray
    #: Start row of each item's passages (every item has at least its name).
    starts: np.ndarray
    #: The passages' texts, row by row.
    texts: tuple[str, ...] = ()

    def item_scores(self, query: np.ndarray) -> np.ndarray:
        """Best cosine of each item's passages with one query vector, in item order."""
        if not len(self.matrix):
            return np.zeros(len(self.starts), dtype=np.float32)
        return np.maximum.reduceat(self.matrix @ query, self.starts)  # type: ignore[no-any-return]

    def passage_scores(self, query: np.ndarray, position: int) -> list[tuple[str, float]]:
        """Each passage of the item at ``position`` with its cosine to ``query``, in passage order."""
        start = int(self.starts[position])
        end = int(self.starts[position + 1]) if position + 1 < len(self.starts) else len(self.matrix)
        scores = self.matrix[start:end] @ query
        return [(self.texts[start + i], float(score)) for i, score in enumerate(scores)]

    @classmethod
    def build(
        cls,
        items: Sequence[Item],
        embedder: Embedder,
        cache: VectorCache,
        *,
        extra: Mapping[str, Sequence[str]] | None = None,
        embed_missing: bool = True,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> "SemanticIndex | None":
        """Embed what the cache lacks (in batches, each cached at once) and index it; None if stopped, or
        if texts are missing and ``embed_missing`` is False."""
        texts = [passages(item, (extra or {}).get(item.code, ())) for item in items]
        keys = [[vector_key(embedder.model_id, text) for text in group] for group in texts]
        wanted = list(dict.fromkeys(key for group in keys for key in group))
        found = cache.get_many(wanted)
        text_of = {
            key: text
            for group_k, group_t in zip(keys, texts, strict=True)
            for key, text in zip(group_k, group_t, strict=True)
        }
        missing = [key for key in wanted if key not in found]
        if missing and not embed_missing:
            return None
        if missing:
            log.info("embedding %d new item texts of %d", len(missing), len(wanted))
        batches = [missing[start : start + BATCH] for start in range(0, len(missing), BATCH)]
        # A host's workers start together on an empty cache: each begins at another batch and skips what the
        # others cached meanwhile, so the host embeds each text about once rather than once per worker.
        shift = os.getpid() % len(batches) if batches else 0
        for batch in batches[shift:] + batches[:shift]:
            if should_stop():
                return None
            cached = cache.get_many(batch)
            found.update(cached)
            todo = [key for key in batch if key not in cached]
            if not todo:
                continue
            vectors = embedder.passages([text_of[key] for key in todo])
            # At the cache's precision (float16) from the start: an index built on an empty cache then ranks
            # exactly as one read back from it, so a cold host answers as a warm one does.
            fresh = {
                key: vector.astype(np.float16).astype(np.float32)
                for key, vector in zip(todo, vectors, strict=True)
            }
            cache.put_many(fresh)
            found.update(fresh)
        rows = [found[key] for group in keys for key in group]
        matrix = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, embedder.dim), np.float32)
        counts = np.array([len(group) for group in keys], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        flat = tuple(text for group in texts for text in group)
        return cls(model_id=embedder.model_id, matrix=matrix, starts=starts, texts=flat)
