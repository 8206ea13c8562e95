"""Delivering replies to WeChat: dedup of retries, the answer deadline, and the polite fallback.

WeChat waits 5 s, then re-sends the same push up to twice. :meth:`Deliverer.handle`:

- claims the push's dedup key in the store, and loads the citizen's state in the same round trip;
  a retry gets the reply remembered for the first delivery (the same bytes), so nothing is
  answered or recorded twice;
- remembers the reply and saves the new state together (:class:`PushView` holds the save until
  then): two round trips to the shared store per push, one on the request path in gunicorn
  workers, where ``bot.serving.writebehind`` writes the second in batches;
- runs :func:`bot.conversation.engine.respond` with a deadline (``ANSWER_DEADLINE``, 4 s by default); when
  it is late, WeChat gets an empty body (like ``success``) and the answer goes out later through the
  ``send_later`` hook. A push that ``inline`` says cannot block (a text message while the index is
  in memory and nothing the answer calls touches a database or network) is answered on the
  request thread instead: handing it to the deadline thread and back costs more than the answer;
- turns any internal error into a polite text with the hall's phone number, logged with the msg id.

The ``send_later`` hook is a callable ``(openid, text, source_msg_id) -> None`` (the signature of
``bot.wechat.outbox.Outbox.enqueue``); without one, a late answer is logged and dropped.
"""

import concurrent.futures
import copy
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.engine import Context, respond
from bot.conversation.messages import Message, Reply
from bot.conversation.records import Question, Recorder
from bot.conversation.state import Finish, StateStore
from bot.matching.decision import Decision

log = logging.getLogger(__name__)

SendLater = Callable[[str, str, str | None], object]
Render = Callable[[Reply, Message], str]

LATE_TRANSFER = "正在为您联系工作人员，请稍候。"


def store_key(dedup_key: str) -> str:
    """The dedup key as the stores keep it: a MsgId key as it is, anything else hashed to a fixed size.

    An event's key holds its EventKey, which WeChat allows up to 1,024 bytes (LMDB keys end at 511,
    and a store that fails on one push falls back for all of them), and the citizen's openid.
    """
    number = dedup_key[4:]
    if dedup_key.startswith("msg:") and len(number) <= 24 and number.isascii() and number.isdigit():
        return dedup_key
    return "h:" + hashlib.sha256(dedup_key.encode("utf-8", "surrogatepass")).hexdigest()


def fallback_text(phone: str | None) -> str:
    """What a citizen reads when something broke on our side."""
    call = f"，或拨打咨询电话 {phone}" if phone else ""
    return f"抱歉，系统暂时出了点问题，请稍后再试{call}。"


@dataclass
class Outcome:
    """What became of one push, for the metrics and the log line (never its text or openid).

    ``action``: the conversation's decision (answer, clarify, handoff) when the push was a question;
    else what went back (reply, transfer, none); or duplicate (a retry answered from the cache),
    late (past the deadline, sent later), error (the apology).
    """

    action: str = ""
    item: str | None = None


_REPLY_ACTIONS = {"text": "reply", "transfer": "transfer", "empty": "none"}


class _Noting:
    """The recorder as one push's conversation sees it: notes the decision on the push's Outcome."""

    __slots__ = ("recorder", "outcome")

    def __init__(self, recorder: Recorder, outcome: Outcome) -> None:
        self.recorder, self.outcome = recorder, outcome

    def question(self, question: Question) -> None:
        self.outcome.action, self.outcome.item = question.decision.action, question.decision.item
        self.recorder.question(question)

    def rating(self, *, item_code: str, score: int, openid: str) -> None:
        self.recorder.rating(item_code=item_code, score=score, openid=openid)

    def most_asked(self, limit: int) -> list[str]:
        return self.recorder.most_asked(limit)


class PushView:
    """The state store as one push sees it: its citizen's state preloaded, the save held back.

    The conversation loads and saves through this view as through any store; ``close`` hands the
    held save to the caller (who writes it with the reply). A save after ``close`` (an answer that
    finished after the deadline) goes straight to the store.
    """

    def __init__(self, store: StateStore, key: str, state: dict[str, Any] | None, *, loaded: bool) -> None:
        self.store, self.key = store, key
        #: False when the state could not be preloaded (loads then go to the store).
        self.loaded = loaded
        self._state = state
        self._held: dict[str, Any] | None = None
        self._closed = False
        self._lock = threading.Lock()

    def load(self, key: str) -> dict[str, Any] | None:
        if key == self.key and self.loaded:
            return dict(self._state) if self._state is not None else None
        return self.store.load(key)

    def save(self, key: str, data: dict[str, Any]) -> None:
        with self._lock:
            if key == self.key and not self._closed:
                self._held = data
                return
        self.store.save(key, data)

    def forget(self, key: str) -> None:
        with self._lock:
            if key == self.key:
                self._held, self._state = None, None
        self.store.forget(key)

    def close(self) -> dict[str, Any] | None:
        """The held save (None: nothing to save); later saves write through."""
        with self._lock:
            self._closed = True
            held, self._held = self._held, None
            return held

    def claim(self, dedup_key: str) -> bool:
        return self.store.claim(dedup_key)

    def remember_reply(self, dedup_key: str, reply: str) -> None:
        self.store.remember_reply(dedup_key, reply)

    def reply_for(self, dedup_key: str) -> str | None:
        return self.store.reply_for(dedup_key)

    def claim_and_load(self, dedup_key: str, key: str) -> tuple[bool, dict[str, Any] | None]:
        return self.store.claim_and_load(dedup_key, key)

    def finish(self, dedup_key: str, reply: str, key: str, data: dict[str, Any] | None) -> None:
        self.store.finish(dedup_key, reply, key, data)

    def finish_many(self, entries: list[Finish]) -> None:
        self.store.finish_many(entries)


@dataclass
class Deliverer:
    """Answers pushes once each, within the deadline, never with an error."""

    context: Context
    render: Render
    send_later: SendLater | None = None
    #: Seconds to wait for an answer before replying empty and sending it later.
    deadline: float = 4.0
    #: Seconds a retry waits for the first delivery's reply before giving up with an empty body.
    retry_wait: float = 3.0
    #: True for a push whose answer cannot block (no I/O): answered without the deadline thread.
    inline: Callable[[Message], bool] | None = None
    executor: concurrent.futures.ThreadPoolExecutor = field(
        default_factory=lambda: concurrent.futures.ThreadPoolExecutor(
            max_workers=16, thread_name_prefix="answer"
        )
    )

    #: Seconds the answer always gets, however long the claim took.
    MIN_ANSWER_TIME = 0.5

    def handle(self, message: Message, outcome: Outcome | None = None) -> str:
        """The plaintext reply XML for ``message`` ("" means nothing to show).

        ``outcome`` (if given) learns what became of the push.
        """
        outcome = outcome if outcome is not None else Outcome()
        started = time.monotonic()
        key, store = store_key(message.dedup_key), self.context.store
        try:
            first, state = store.claim_and_load(key, message.openid)
            view = PushView(store, message.openid, state, loaded=True)
        except Exception:
            log.exception("dedup store failed for %s; answering without dedup", message.log_ref)
            first, view = True, PushView(store, message.openid, None, loaded=False)
        if not first:
            remembered = self._remembered(key, message.log_ref)
            if remembered is not None:
                outcome.action = "duplicate"
                return remembered
            # Nothing to repeat: the first delivery could not remember its reply (a database that
            # turned read-only, a store that failed) or the store cannot be read. An empty body
            # would end WeChat's deliveries with nothing shown, so this retry is answered afresh;
            # the question log's unique MsgId keeps the question recorded once.
            view = PushView(store, message.openid, None, loaded=False)
        # The deadline covers the whole push: time lost claiming (a slow store) comes off the answer's.
        # A shallow copy with this push's view of the store (``dataclasses.replace`` would re-run
        # the constructor over every field, on every push).
        context = copy.copy(self.context)
        context.store = view
        context.recorder = _Noting(self.context.recorder, outcome)
        if view.loaded and self.inline is not None and self.inline(message):
            reply = self._respond(message, context, outcome)
            xml = self._render(self._with_notice(message, reply), message)
        else:
            remaining = max(self.MIN_ANSWER_TIME, self.deadline - (time.monotonic() - started))
            xml = self._answer(message, context, remaining, outcome)
        try:
            store.finish(key, xml, message.openid, view.close())
        except Exception:
            log.exception("cannot remember the reply for %s", message.log_ref)
        return xml

    def _remembered(self, key: str, ref: str) -> str | None:
        """The first delivery's reply for a retry; None when there is none to repeat."""
        waited_until = time.monotonic() + self.retry_wait
        while True:
            try:
                reply = self.context.store.reply_for(key)
            except Exception:
                log.exception("dedup store failed reading %s: answering the retry afresh", ref)
                return None
            if reply is not None:
                log.info("retry of %s answered from the cache", ref)
                return reply
            if time.monotonic() >= waited_until:
                log.warning("retry of %s: the first delivery left no reply; answering afresh", ref)
                return None
            time.sleep(0.05)

    def _answer(self, message: Message, context: Context, deadline: float, outcome: Outcome) -> str:
        future = self.executor.submit(self._respond, message, context, outcome)
        try:
            reply = future.result(timeout=deadline)
        except concurrent.futures.TimeoutError:
            outcome.action = "late"
            log.warning(
                "answer to %s later than %.1f s: replying empty, sending later",
                message.log_ref,
                deadline,
            )
            future.add_done_callback(lambda done: self._send_late(message, done.result()))
            return ""
        return self._render(self._with_notice(message, reply), message)

    def _with_notice(self, message: Message, reply: Reply) -> Reply:
        """A transfer shows the citizen nothing by itself: its notice ("正在为您转接…") goes out first as a
        customer-service message. Without a way to send it, the citizen gets the notice as the reply."""
        if reply.kind != "transfer" or not reply.text:
            return reply
        if self.send_later is None:
            return Reply.say(reply.text, "handoff", reason=reply.reason)
        try:
            self.send_later(message.openid, reply.text, message.msg_id)
        except Exception:
            log.exception("cannot send the handoff notice to %s: replying with it instead", message.log_ref)
            return Reply.say(reply.text, "handoff", reason=reply.reason)
        return reply

    def _render(self, reply: Reply, message: Message) -> str:
        try:
            return self.render(reply, message)
        except Exception:
            log.exception("cannot render the reply to %s", message.log_ref)
            return self.render(Reply.say(self._fallback()), message)

    def _respond(self, message: Message, context: Context, outcome: Outcome | None = None) -> Reply:
        try:
            reply = respond(message, context)
        except Exception:
            log.exception("internal error answering %s", message.log_ref)
            if outcome is not None:
                outcome.action = "error"
            self._record_unanswered(message, context)
            return Reply.say(self._fallback())
        if outcome is not None and reply.action:  # what the conversation says it did
            outcome.action, outcome.item = reply.action, reply.item
        elif outcome is not None and not outcome.action:
            outcome.action = _REPLY_ACTIONS.get(reply.kind, reply.kind)
        return reply

    def _record_unanswered(self, message: Message, context: Context) -> None:
        """A question the bot failed on (its knowledge unreadable, a bug) still reaches the review queue:
        the recorder spools it while the database is down. Retries get the cached reply, not a record."""
        text = message.said
        if message.kind not in ("text", "voice") or not text:
            return
        try:
            context.recorder.question(
                Question(message.openid, text, Decision("handoff", reason="error"), message.msg_id)
            )
        except Exception:
            log.exception("cannot record the unanswered question of %s", message.log_ref)

    def _fallback(self) -> str:
        try:
            return fallback_text(self.context.knowledge().hall.phone)
        except Exception:
            return fallback_text(None)

    def _send_late(self, message: Message, reply: Reply) -> None:
        text = LATE_TRANSFER if reply.kind == "transfer" else reply.text
        if reply.kind == "empty" or not text:
            return
        if self.send_later is None:
            log.error("late answer to %s dropped: no send_later hook configured", message.log_ref)
            return
        try:
            self.send_later(message.openid, text, message.msg_id)
        except Exception:
            log.exception("send_later failed for %s", message.log_ref)
