"""What each push leaves for operators: its metrics and one log line, never its text or openid."""

import logging
from collections.abc import Callable, Mapping
from typing import Any

from bot import metrics
from bot.conversation.messages import Message
from bot.conversation.records import hash_openid
from bot.serving.delivery import Outcome

#: One line per answered push (INFO): MsgId, openid hash, type, action, item code, latency.
push_log = logging.getLogger("guidebot.push")


def push(
    app: Any,
    status: int,
    message: Message | None,
    outcome: Outcome,
    seconds: float,
    *,
    hash_key: Callable[[Mapping[str, Any]], str],
) -> None:
    """Count a push (refused when ``message`` is None) and log it."""
    if not metrics.enabled() and app.config.get("METRICS", True):
        metrics.enable()  # in the worker that serves, never in a gunicorn master
    if message is None:
        metrics.record_refused(status)
        return
    action = outcome.action or "none"
    metrics.record_push(message.kind, action, seconds)
    if push_log.isEnabledFor(logging.INFO):
        push_log.info(
            "%s",
            message.log_ref,
            extra={
                "event": "push",
                "msg_id": message.msg_id,
                "openid_hash": hash_openid(message.openid, hash_key(app.config)),
                "type": message.kind,
                "action": action,
                "item": outcome.item,
                "latency_ms": round(seconds * 1000, 1),
            },
        )
