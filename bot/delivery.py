"""Delivering replies to WeChat: dedup of retries, the answer deadline, and the polite fallback.

WeChat waits 5 s, then re-sends the same push up to twice. :meth:`Deliverer.handle`:

- claims the push's dedup key in the store; a retry gets the reply remembered for the first
  delivery (the same bytes), so nothing is answered or recorded twice;
- runs :func:`bot.conversation.respond` with a deadline (``ANSWER_DEADLINE``, 4 s by default); when
  it is late, WeChat gets an empty body (like ``success``) and the answer goes out later through the
  ``send_later`` hook;
- turns any internal error into a polite text with the hall's phone number, logged with the msg id.

The ``send_later`` hook is a callable ``(openid, text, source_msg_id) -> None`` (the signature of
``bot.outbox.Outbox.enqueue``); without one, a late answer is logged and dropped.
"""

import concurrent.futures
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.conversation import Context, respond
from bot.messages import Message, Reply

log = logging.getLogger(__name__)

SendLater = Callable[[str, str, str | None], object]
Render = Callable[[Reply, Message], str]

LATE_TRANSFER = "正在为您联系工作人员，请稍候。"


def fallback_text(phone: str | None) -> str:
    """What a citizen reads when something broke on our side."""
    call = f"，或拨打咨询电话 {phone}" if phone else ""
    return f"抱歉，系统暂时出了点问题，请稍后再试{call}。"


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
    executor: concurrent.futures.ThreadPoolExecutor = field(
        default_factory=lambda: concurrent.futures.ThreadPoolExecutor(
            max_workers=16, thread_name_prefix="answer"
        )
    )

    #: Seconds the answer always gets, however long the claim took.
    MIN_ANSWER_TIME = 0.5

    def handle(self, message: Message) -> str:
        """The plaintext reply XML for ``message`` ("" means nothing to show)."""
        started = time.monotonic()
        key = message.dedup_key
        try:
            first = self.context.store.claim(key)
        except Exception:
            log.exception("dedup store failed for %s; answering without dedup", message.log_ref)
            first = True
        if not first:
            return self._remembered(key, message.log_ref)
        # The deadline covers the whole push: time lost claiming (a slow store) comes off the answer's.
        xml = self._answer(message, max(self.MIN_ANSWER_TIME, self.deadline - (time.monotonic() - started)))
        try:
            self.context.store.remember_reply(key, xml)
        except Exception:
            log.exception("cannot remember the reply for %s", message.log_ref)
        return xml

    def _remembered(self, key: str, ref: str) -> str:
        waited_until = time.monotonic() + self.retry_wait
        while True:
            try:
                reply = self.context.store.reply_for(key)
            except Exception:
                log.exception("dedup store failed reading %s", ref)
                return ""
            if reply is not None:
                log.info("retry of %s answered from the cache", ref)
                return reply
            if time.monotonic() >= waited_until:
                log.warning("retry of %s while the first delivery is still working: empty reply", ref)
                return ""
            time.sleep(0.05)

    def _answer(self, message: Message, deadline: float) -> str:
        future = self.executor.submit(self._respond, message)
        try:
            reply = future.result(timeout=deadline)
        except concurrent.futures.TimeoutError:
            log.warning(
                "answer to %s later than %.1f s: replying empty, sending later",
                message.log_ref,
                deadline,
            )
            future.add_done_callback(lambda done: self._send_late(message, done.result()))
            return ""
        try:
            return self.render(reply, message)
        except Exception:
            log.exception("cannot render the reply to %s", message.log_ref)
            return self.render(Reply.say(self._fallback()), message)

    def _respond(self, message: Message) -> Reply:
        try:
            return respond(message, self.context)
        except Exception:
            log.exception("internal error answering %s", message.log_ref)
            return Reply.say(self._fallback())

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
