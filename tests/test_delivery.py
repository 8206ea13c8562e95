"""bot.serving.delivery.Deliverer: one answer per push, retries from the cache, failures never escape."""

import threading

import pytest

from bot.conversation.engine import Context
from bot.conversation.knowledge import StaticKnowledge
from bot.conversation.messages import Message, Reply
from bot.conversation.records import MemoryRecorder
from bot.conversation.state import MemoryStore
from bot.serving import delivery
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


def test_a_retry_whose_first_delivery_left_no_reply_is_answered(context):
    """Issue 15, finding 6: an empty body ends WeChat's deliveries with nothing shown. A first delivery
    that never remembered its reply (its database turned read-only) leaves the retry to answer."""
    key = delivery.store_key(MESSAGE.dedup_key)
    context.store.claim(key)  # a first delivery that never finishes
    deliverer = delivery.Deliverer(context=context, render=render, retry_wait=0.1)
    answer = deliverer.handle(MESSAGE)
    assert answer.startswith("text:【")
    assert context.store.reply_for(key) == answer  # remembered now: the next retry repeats it
    assert deliverer.handle(MESSAGE) == answer


class _UnreadableReplies(MemoryStore):
    def reply_for(self, dedup_key: str) -> str | None:
        raise ConnectionError("store down")


def test_a_retry_the_store_cannot_answer_is_answered_afresh(knowledge):
    context = Context(knowledge=knowledge, store=_UnreadableReplies(), recorder=MemoryRecorder())
    deliverer = delivery.Deliverer(context=context, render=render)
    first = deliverer.handle(MESSAGE)
    assert deliverer.handle(MESSAGE) == first  # not "": the citizen sees the answer


@pytest.mark.parametrize(
    ("key", "kept"),
    [("msg:24000000000000001", True), ("msg:" + "9" * 40, False), ("event:o|1|view|" + "x" * 1024, False)],
    ids=["msgid", "overlong-msgid", "long-eventkey"],
)
def test_store_keys_have_a_fixed_size(key, kept):
    stored = delivery.store_key(key)
    assert (stored == key) is kept and len(stored.encode()) <= 70
    assert delivery.store_key(key) == stored and "o|1" not in stored


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


def test_a_question_the_bot_failed_on_is_recorded_once_for_review(context, monkeypatch):
    """A new worker that cannot read its knowledge (the database unreadable) still logs the question:
    the recorder spools it, and administrators see it among the unanswered."""

    def broken(message, ctx):
        raise KeyError("bug")

    monkeypatch.setattr(delivery, "respond", broken)
    deliverer = delivery.Deliverer(context=context, render=render)
    deliverer.handle(MESSAGE)
    deliverer.handle(MESSAGE)  # WeChat's retry: the cached fallback, no second record
    [question] = context.recorder.questions
    assert (question["text"], question["msg_id"]) == ("社保卡在哪办", "1")
    assert (question["action"], question["reason"]) == ("handoff", "error")


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


def _thread_of_answer(deliverer, monkeypatch) -> list[str]:
    threads: list[str] = []
    real = delivery.respond

    def recording(message, ctx):
        threads.append(threading.current_thread().name)
        return real(message, ctx)

    monkeypatch.setattr(delivery, "respond", recording)
    return threads


def test_a_push_that_cannot_block_is_answered_on_the_request_thread(context, monkeypatch):
    deliverer = delivery.Deliverer(context=context, render=render, inline=lambda message: True)
    threads = _thread_of_answer(deliverer, monkeypatch)
    reply = deliverer.handle(MESSAGE)
    assert reply.startswith("text:【社会保障卡申领】")
    assert threads == [threading.current_thread().name]
    assert deliverer.handle(MESSAGE) == reply and len(context.recorder.questions) == 1  # dedup as before


def test_other_pushes_keep_the_deadline_thread(context, monkeypatch):
    deliverer = delivery.Deliverer(context=context, render=render, inline=lambda message: False)
    threads = _thread_of_answer(deliverer, monkeypatch)
    deliverer.handle(MESSAGE)
    assert threads and threads[0].startswith("answer")


def test_without_a_preloaded_state_the_deadline_thread_answers(context, monkeypatch):
    # The store failed at the claim: loading the state would touch it again, so no inline answer.
    def broken(dedup_key, key):
        raise ConnectionError("store down")

    monkeypatch.setattr(context.store, "claim_and_load", broken)
    deliverer = delivery.Deliverer(context=context, render=render, inline=lambda message: True)
    threads = _thread_of_answer(deliverer, monkeypatch)
    assert deliverer.handle(MESSAGE).startswith("text:【")
    assert threads and threads[0].startswith("answer")


def test_runtime_answers_inline_only_text_with_the_index_in_memory(knowledge):
    from bot.conversation.messages import Message
    from bot.serving import runtime

    class Source:
        ready = True

        def __call__(self):
            return knowledge()

    source = Source()
    cannot_block = runtime._cannot_block(Context(knowledge=source, recorder=MemoryRecorder()))
    assert cannot_block(MESSAGE)
    assert not cannot_block(Message(kind="event", openid="o", event="subscribe", account="gh"))
    source.ready = False
    assert not cannot_block(MESSAGE)


def test_runtime_keeps_the_deadline_thread_while_the_recorder_writes_directly(knowledge, tmp_path):
    from bot.serving import runtime
    from bot.serving.recording import DatabaseRecorder
    from bot.serving.spool import Spool
    from bot.serving.spooling import SpoolingRecorder
    from knowledge.testing import memory_engine

    recorder = SpoolingRecorder(DatabaseRecorder(memory_engine(), hash_key="k"), Spool(tmp_path / "spool"))
    cannot_block = runtime._cannot_block(Context(knowledge=knowledge, recorder=recorder))
    assert not cannot_block(MESSAGE)  # ratings and the most-asked list would reach the database
    recorder.start_batching()
    try:
        assert cannot_block(MESSAGE)
    finally:
        recorder.stop_batching()
