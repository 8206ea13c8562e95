"""bot.serving.understanding: the app's semantic stage shares question vectors across a host's workers."""

from pathlib import Path

from bot.matching.querycache import SharedQueries
from bot.serving.understanding import semantic_setup
from tests.test_querycache import CountingEmbedder


def toy() -> CountingEmbedder:
    """``GUIDEBOT_SEMANTIC=tests.test_understanding:toy``: another runtime, as a hall could plug in."""
    return CountingEmbedder()


def test_the_apps_semantic_stage_keeps_question_vectors_beside_the_passages(tmp_path: Path) -> None:
    from webhook import create_app

    vectors = tmp_path / "vectors"
    config = {"TESTING": True, "SEMANTIC": "tests.test_understanding:toy", "VECTOR_CACHE": str(vectors)}
    first = semantic_setup(create_app(config))
    assert first is not None and isinstance(first.embedder, SharedQueries)
    first.embedder.queries(["社保卡在哪办"])
    # Another worker of the host (another app, the same folder): the question costs it a lookup.
    second = semantic_setup(create_app(config))
    assert second is not None and isinstance(second.embedder, SharedQueries)
    model = second.embedder.embedder
    assert isinstance(model, CountingEmbedder)
    asked = list(model.queried)
    second.embedder.queries(["社保卡在哪办", "户口本丢了"])
    assert model.queried == [*asked, "户口本丢了"]
    assert (vectors / "data.mdb").exists()
