"""bot.serving.nonces: a signed (timestamp, nonce) serves one body; the same body again is a retry."""

import pytest

from bot.conversation.state import MemoryStore
from bot.serving.lmdbstore import LmdbStore
from bot.serving.nonces import first_use, nonce_key
from bot.serving.writebehind import WriteBehindStore


@pytest.fixture(params=["memory", "lmdb", "write-behind"])
def store(request, tmp_path):
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "lmdb":
        built = LmdbStore(str(tmp_path / "state"))
        yield built
        built.close()
    else:
        behind = WriteBehindStore(MemoryStore(), interval=0.01)
        behind.start()
        yield behind
        behind.stop()


def test_new_then_retry_then_replay(store):
    assert first_use(store, timestamp="1700000000", nonce="42", payload=b"<xml>a</xml>")
    assert first_use(store, timestamp="1700000000", nonce="42", payload=b"<xml>a</xml>")  # WeChat retrying
    assert not first_use(store, timestamp="1700000000", nonce="42", payload=b"<xml>b</xml>")  # a replay
    assert first_use(store, timestamp="1700000001", nonce="42", payload=b"<xml>b</xml>")  # another second
    assert first_use(store, timestamp="1700000000", nonce="43", payload=b"<xml>b</xml>")  # another nonce


def test_keys_have_a_fixed_length_whatever_the_nonce():
    assert len(nonce_key("1700000000", "9" * 5000)) == len(nonce_key("1", "")) == len("nonce:") + 40
    assert nonce_key("17", "0001") != nonce_key("170", "001")  # no ambiguity between the two parts


def test_two_workers_share_what_they_have_seen(tmp_path):
    first, second = LmdbStore(str(tmp_path / "state")), LmdbStore(str(tmp_path / "state"))
    try:
        assert first_use(first, timestamp="1700000000", nonce="7", payload=b"one")
        assert not first_use(second, timestamp="1700000000", nonce="7", payload=b"two")
        assert first_use(second, timestamp="1700000000", nonce="7", payload=b"one")
    finally:
        first.close()
        second.close()
