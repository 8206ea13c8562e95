"""bot.matching.querycache and vectorcache.LmdbQueryStore: a question embedded once per host, never with
personal data, in a bounded store."""

from collections.abc import Sequence

import numpy as np

from bot.matching.querycache import SharedQueries, query_key
from bot.matching.vectorcache import LmdbQueryStore, LmdbVectorCache


class CountingEmbedder:
    """A toy model that counts what it embeds: a vector is the character histogram over a few characters."""

    model_id = "toy/1"
    dim = 4
    alphabet = "身份证社"

    def __init__(self) -> None:
        self.queried: list[str] = []
        self.passaged: list[str] = []

    def _rows(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.array([[t.count(ch) + 0.013 for ch in self.alphabet] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queried.extend(texts)
        return self._rows(texts)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passaged.extend(texts)
        return self._rows(texts)


class BrokenStore:
    def get_many(self, keys):
        raise OSError("disk gone")

    def put_many(self, vectors):
        raise OSError("disk gone")


def test_a_question_one_worker_embedded_costs_the_others_a_lookup(tmp_path):
    first, second = CountingEmbedder(), CountingEmbedder()
    one = SharedQueries(first, LmdbQueryStore(str(tmp_path), 100))
    other = SharedQueries(second, LmdbQueryStore(str(tmp_path), 100))
    vectors = one.queries(["身份证丢了怎么补办", "社保卡在哪办"])
    again = other.queries(["社保卡在哪办", "身份证丢了怎么补办", "户口本"])
    assert first.queried == ["身份证丢了怎么补办", "社保卡在哪办"] and second.queried == ["户口本"]
    # Exactly the vectors embedded (float32 kept), so a question ranks the same the second time.
    assert np.array_equal(again[0], vectors[1]) and np.array_equal(again[1], vectors[0])
    assert np.array_equal(again[2], CountingEmbedder().queries(["户口本"])[0])


def test_passages_pass_through_to_the_model():
    model = CountingEmbedder()
    shared = SharedQueries(model, BrokenStore())
    assert shared.model_id == "toy/1" and shared.dim == 4
    assert shared.passages(["身份证补领"]).shape == (1, 4) and model.passaged == ["身份证补领"]


def test_a_question_with_personal_data_is_never_stored(tmp_path):
    store = LmdbQueryStore(str(tmp_path), 100)
    shared = SharedQueries(CountingEmbedder(), store)
    texts = ["身份证号320102197806154311丢了", "我电话13805181234，社保卡在哪办"]
    assert shared.queries(texts).shape == (2, 4)
    assert store.get_many([query_key("toy/1", t) for t in texts]) == {}
    model = CountingEmbedder()
    SharedQueries(model, store).queries(texts)
    assert model.queried == texts  # embedded again: nothing was kept


def test_a_broken_store_costs_an_embedding_not_an_answer():
    model = CountingEmbedder()
    rows = SharedQueries(model, BrokenStore()).queries(["社保卡在哪办"])
    assert rows.shape == (1, 4) and model.queried == ["社保卡在哪办"]


def test_the_store_is_bounded_and_beside_the_passages(tmp_path):
    store = LmdbQueryStore(str(tmp_path), 3)
    passages = LmdbVectorCache(str(tmp_path))
    passages.put_many({"p" * 40: np.ones(4, dtype=np.float32)})
    vector = np.full(4, 0.5, dtype=np.float32)
    store.put_many({f"{i:040d}": vector for i in range(3)})
    assert len(store.get_many([f"{i:040d}" for i in range(3)])) == 3
    store.put_many({"9" * 40: vector})  # past the limit: emptied, then this one kept
    assert list(store.get_many([f"{i:040d}" for i in range(3)] + ["9" * 40])) == ["9" * 40]
    assert list(passages.get_many(["p" * 40])) == ["p" * 40]  # the passages' cache is untouched
