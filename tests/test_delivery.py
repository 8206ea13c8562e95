"""bot.delivery.Deliverer: one answer per push, retries from the cache, failures never escape."""

import threading

import pytest

from bot import delivery
from bot.conversation import Context
from bot.kbcache import StaticKnowledge
from bot.messages import Message, Reply
from bot.recording import MemoryRecorder
from bot.state import MemoryStore
from knowledge.schema import load_kb

MESSAGE = Message(kind="text", openid="oCitizen", text="社保卡在哪办", msg_id="1", account="gh")


def render(reply: Reply, message: Message) -> str:
    return f"{reply.kind}:{reply.text}"


@pytest.fixture(scope="module")
def knowledge(county_kb_path):
    return StaticKnowledge(load_kb(county_kb_path))


@pytest.fixture
def context(knowledge):
    return Context(knowledge=knowledge, store=MemoryStore(), recorder=MemoryRecorder())


def test_one_answer_then_the_cached_reply(context):
    deliverer = delivery.Deliverer(context=context, render=render)
    first = deliverer.handle(MESSAGE)
    assert first.startswith("text:【社会保障卡申领】")
    assert deliverer.handle(MESSAGE) == first
    assert len(context.recorder.questions) == 1


def test_retry_waits_for_the_first_delivery(context, monkeypatch):
    started, release = threading.Event(), threading.Event()
    real = delivery.respond

    def slow(message, ctx):
        started.set()
        release.wait(5)
        return real(message, ctx)

    monkeypatch.setattr(delivery, "respond", slow)
    deliverer = delivery.Deliverer(context=context, render=render, retry_wait=5)
    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(deliverer.handle(MESSAGE)))
    first.start()
    assert started.wait(5)
    retry = threading.Thread(target=lambda: results.append(deliverer.handle(MESSAGE)))
    retry.start()
    release.set()
    first.join()
    retry.join()
    assert len(results) == 2 and results[0] == results[1] and results[0].startswith("text:【")


def test_retry_gives_up_with_an_empty_reply(context):
    context.store.claim(MESSAGE.dedup_key)  # a first delivery that never finishes
    deliverer = delivery.Deliverer(context=context, render=render, retry_wait=0.1)
    assert deliverer.handle(MESSAGE) == ""


class _BrokenStore(MemoryStore):
    def claim(self, dedup_key: str) -> bool:
        raise ConnectionError("store down")

    def remember_reply(self, dedup_key: str, reply: str) -> None:
        raise ConnectionError("store down")


def test_a_broken_dedup_store_still_answers(knowledge):
    context = Context(knowledge=knowledge, store=_BrokenStore(), recorder=MemoryRecorder())
    assert delivery.Deliverer(context=context, render=render).handle(MESSAGE).startswith("text:【")


def test_errors_become_the_fallback_with_the_phone(context, monkeypatch):
    def broken(message, ctx):
        raise KeyError("bug")

    monkeypatch.setattr(delivery, "respond", broken)
    reply = delivery.Deliverer(context=context, render=render).handle(MESSAGE)
    assert reply == "text:" + delivery.fallback_text("0999-1234567")


def test_late_transfer_is_sent_as_text(context, monkeypatch):
    sent: list[tuple] = []
    done = threading.Event()
    release = threading.Event()

    def slow(message, ctx):
        release.wait(5)
        return Reply.transfer()

    def send_later(*args):
        sent.append(args)
        done.set()

    monkeypatch.setattr(delivery, "respond", slow)
    deliverer = delivery.Deliverer(context=context, render=render, deadline=0.05, send_later=send_later)
    assert deliverer.handle(MESSAGE) == ""
    release.set()
    assert done.wait(5)
    assert sent == [("oCitizen", delivery.LATE_TRANSFER, "1")]
