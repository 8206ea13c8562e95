"""bot.matching.semantic and vectorcache: passages per item, best passage per item, embed only what is new."""

import numpy as np
import pytest

from bot.matching.semantic import MemoryVectorCache, SemanticIndex, passages, vector_key
from bot.matching.vectorcache import LmdbVectorCache
from knowledge.schema import FaqEntry, Item, Situation


class CountingEmbedder:
    """A deterministic toy model: a text's vector is its character histogram over a few characters."""

    model_id = "toy/1"
    dim = 4
    alphabet = "身份证社"

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        vector = np.array([text.count(ch) for ch in self.alphabet], dtype=np.float32) + 0.01
        return vector / np.linalg.norm(vector)

    def queries(self, texts):
        return np.vstack([self._vector(t) for t in texts])

    def passages(self, texts):
        self.embedded.extend(texts)
        return np.vstack([self._vector(t) for t in texts])


def _items() -> list[Item]:
    return [
        Item(
            code="A",
            name="身份证补领",
            department="公安",
            materials=[],
            aliases=["身份证丢了"],
            situations=[Situation(name="被盗", materials=[])],
            faq=[FaqEntry(q="要登报吗", a="不需要")],
        ),
        Item(code="B", name="社保卡申领", department="人社", materials=[]),
    ]


def test_passages_cover_name_aliases_situations_faq_and_extra():
    item = _items()[0]
    expected = ["身份证补领", "身份证丢了", "身份证补领：被盗", "要登报吗", "补身份证要多久"]
    assert passages(item, ["补身份证要多久"]) == expected


def test_item_scores_take_each_items_best_passage():
    embedder = CountingEmbedder()
    index = SemanticIndex.build(_items(), embedder, MemoryVectorCache())
    assert index is not None
    scores = index.item_scores(embedder.queries(["社保"])[0])
    assert scores.shape == (2,) and scores[1] > scores[0]
    by_passage = dict(index.passage_scores(embedder.queries(["身份证"])[0], 0))
    assert set(by_passage) == set(passages(_items()[0]))


def test_a_rebuild_embeds_only_new_texts(tmp_path):
    cache = LmdbVectorCache(str(tmp_path / "vectors"))
    first = CountingEmbedder()
    SemanticIndex.build(_items(), first, cache)
    again = CountingEmbedder()
    SemanticIndex.build(_items(), again, cache, extra={"B": ["社保卡补办"]})
    assert again.embedded == ["社保卡补办"]
    assert len(first.embedded) == 5  # four passages of A, the name of B


def test_texts_another_worker_cached_meanwhile_are_not_embedded_again(tmp_path):
    """Workers of a host start together on an empty cache: what one has cached, the others take."""
    shared = LmdbVectorCache(str(tmp_path / "vectors"))
    other = CountingEmbedder()

    class RacingCache:
        """The host's cache as one worker sees it: empty at first, then another worker fills it."""

        def __init__(self) -> None:
            self.lookups = 0

        def get_many(self, keys):
            self.lookups += 1
            if self.lookups == 1:
                return {}
            SemanticIndex.build(_items(), other, shared)  # the other worker, done in the meantime
            return shared.get_many(keys)

        def put_many(self, vectors):
            shared.put_many(vectors)

    late = CountingEmbedder()
    index = SemanticIndex.build(_items(), late, RacingCache())
    assert late.embedded == [] and len(other.embedded) == 5
    assert index is not None and len(index.texts) == 5


def test_missing_texts_are_not_embedded_when_told_not_to(tmp_path):
    index = SemanticIndex.build(_items(), CountingEmbedder(), MemoryVectorCache(), embed_missing=False)
    assert index is None


def test_keys_depend_on_the_model():
    assert vector_key("m1", "身份证") != vector_key("m2", "身份证")


def test_cached_vectors_survive_a_new_process_view(tmp_path):
    path = str(tmp_path / "v")
    vector = np.array([0.6, 0.8, 0.0, 0.0], dtype=np.float32)
    LmdbVectorCache(path).put_many({"k": vector})
    found = LmdbVectorCache(path).get_many(["k", "missing"])
    assert list(found) == ["k"]
    assert found["k"] == pytest.approx(vector, abs=1e-3)  # stored as float16


def test_a_storys_asking_clause_is_compared_in_meaning_on_its_own():
    from bot.matching.matcher import Matcher, SemanticStage, ask_clause
    from bot.matching.normalize import normalize

    embedder = CountingEmbedder()
    index = SemanticIndex.build(_items(), embedder, MemoryVectorCache())
    assert index is not None
    matcher = Matcher.build(_items()).with_semantic(SemanticStage(index, embedder))
    # The story talks of the ID card; the clause that asks is about the social security card.
    story = normalize("我的身份证身份证身份证上个月刚换过，现在单位让我去办社保卡，社保卡怎么办")
    assert ask_clause(story)
    found = {c.position: c.values for c in matcher.candidates(story, matcher.prepare(story), "hybrid")}
    whole = matcher.semantic_scores(story)
    asked = matcher.semantic_scores(ask_clause(story))
    assert whole is not None and asked is not None and whole[0] > whole[1] and asked[1] > asked[0]
    assert found[1]["sem_ask"] == pytest.approx(float(asked[1])) and found[1]["sem_ask_gap"] == 0.0
    assert found[0]["sem"] == pytest.approx(float(whole[0])) and found[0]["sem_ask_gap"] > 0
    short = normalize("社保卡怎么办")  # no story: the clause is the whole message
    plain = {c.position: c.values for c in matcher.candidates(short, matcher.prepare(short), "hybrid")}
    assert all(v["sem_ask"] == v["sem"] for v in plain.values())


def test_an_index_built_on_an_empty_cache_ranks_as_one_read_back_from_it(tmp_path):
    # The cache keeps float16: vectors embedded now are used at that precision too, so a cold host answers
    # exactly as a warm one (a question on a borderline once flipped between the two).
    embedder = CountingEmbedder()
    cache = LmdbVectorCache(str(tmp_path / "vectors"))
    cold = SemanticIndex.build(_items(), embedder, cache)
    warm = SemanticIndex.build(_items(), CountingEmbedder(), LmdbVectorCache(str(tmp_path / "vectors")))
    assert cold is not None and warm is not None
    assert np.array_equal(cold.matrix, warm.matrix)


def test_misspellings_that_sound_like_their_word_are_corrected_before_meaning_is_read() -> None:
    from bot.matching.synonyms import Synonyms

    synonyms = Synonyms({"社宝卡": "社会保障卡"})
    # 公基金 sounds as 公积金: a misspelling; 社宝卡 → 社会保障卡 is another word, left to the lexical stage.
    assert synonyms.respelled("那个公基金怎么提出来 社宝卡") == "那个公积金怎么提出来 社宝卡"
    assert synonyms.canonical("公基金") == "公积金"
