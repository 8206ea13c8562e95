"""A compact character n-gram TF-IDF index over short phrases (item names, aliases, FAQ questions).

Each phrase is a sparse vector of character 1–3-grams weighted by smoothed IDF and L2-normalised.
Postings are numpy arrays (phrase ids int32, weights float32), so scoring a question is one
concatenation and one ``bincount`` however many phrases the knowledge base has.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

NGRAM_SIZES = (1, 2, 3)


def ngrams(text: str, sizes: Sequence[int] = NGRAM_SIZES) -> Counter[str]:
    """Character n-grams of each space-separated token (n-grams never span a space)."""
    grams: Counter[str] = Counter()
    for token in text.split():
        for size in sizes:
            for start in range(len(token) - size + 1):
                grams[token[start : start + size]] += 1
    return grams


class PhraseIndex:
    """TF-IDF cosine search over distinct phrases; a phrase may belong to several items (``owners``)."""

    def __init__(self, phrases: Sequence[str], owners: Sequence[Sequence[int]]) -> None:
        self.size = len(phrases)
        flat = [owner for group in owners for owner in group]
        self.owner_ids = np.asarray(flat, dtype=np.int32)
        self.owner_ptr = np.zeros(self.size + 1, dtype=np.int64)
        self.owner_ptr[1:] = np.cumsum([len(group) for group in owners])
        vectors = [ngrams(phrase) for phrase in phrases]
        document_frequency: Counter[str] = Counter()
        for vector, group in zip(vectors, owners, strict=True):
            for gram in vector:
                document_frequency[gram] += len(group)
        total = max(1, len(flat))
        self.idf = {gram: math.log((1 + total) / (1 + df)) + 1.0 for gram, df in document_frequency.items()}
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for phrase_id, vector in enumerate(vectors):
            weights = {gram: (1 + math.log(count)) * self.idf[gram] for gram, count in vector.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for gram, weight in weights.items():
                ids, values = postings[gram]
                ids.append(phrase_id)
                values.append(weight / norm)
        # Postings in one pair of flat arrays (CSR): a dict of small arrays costs ~200 bytes a gram more.
        self.gram_ids = {gram: number for number, gram in enumerate(postings)}
        sizes = [len(ids) for ids, _ in postings.values()]
        self.posting_ptr = np.zeros(len(sizes) + 1, dtype=np.int64)
        self.posting_ptr[1:] = np.cumsum(sizes)
        total_postings = int(self.posting_ptr[-1])
        self.posting_ids = np.fromiter(
            (i for ids, _ in postings.values() for i in ids), dtype=np.int32, count=total_postings
        )
        self.posting_weights = np.fromiter(
            (w for _, values in postings.values() for w in values), dtype=np.float32, count=total_postings
        )
        # Unknown n-grams in a question count as if seen once: they lower the cosine as they should.
        self.unknown_idf = math.log(1 + total) + 1.0

    def query_vector(self, text: str) -> dict[str, float]:
        """The question's TF-IDF weights, L2-normalised."""
        grams = ngrams(text)
        weights = {
            gram: (1 + math.log(count)) * self.idf.get(gram, self.unknown_idf)
            for gram, count in grams.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {gram: weight / norm for gram, weight in weights.items()}

    def phrase_scores(self, text: str) -> np.ndarray:
        """Cosine similarity of ``text`` with every distinct phrase."""
        vector = self.query_vector(text)
        ids: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for gram, weight in vector.items():
            number = self.gram_ids.get(gram)
            if number is not None:
                start, end = self.posting_ptr[number], self.posting_ptr[number + 1]
                ids.append(self.posting_ids[start:end])
                values.append(self.posting_weights[start:end] * weight)
        if not ids:
            return np.zeros(self.size, dtype=np.float64)
        return np.bincount(np.concatenate(ids), weights=np.concatenate(values), minlength=self.size)

    def item_scores(self, text: str, items: int) -> np.ndarray:
        """For each item, the best cosine over its phrases."""
        scores = self.phrase_scores(text)
        best = np.zeros(items, dtype=np.float64)
        hit = np.nonzero(scores)[0]
        if not len(hit):
            return best
        starts, ends = self.owner_ptr[hit], self.owner_ptr[hit + 1]
        lengths = ends - starts
        # Indices of all owners of the hit phrases, without a Python loop.
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
        np.maximum.at(best, self.owner_ids[offsets], np.repeat(scores[hit], lengths))
        return best
