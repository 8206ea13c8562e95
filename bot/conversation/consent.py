"""Subscription-notification consent events: record accepts and rejects, answer ``success``.

WeChat pushes ``subscribe_msg_popup_event`` after the citizen answers the 订阅通知 prompt,
``subscribe_msg_change_event`` when they change it in the account's settings, and
``subscribe_msg_sent_event`` after a notification went out. An accept allows one notification
(``knowledge.consent_tables``); a reject withdraws the unused ones for that template.
"""

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine

from bot.conversation.messages import Message, Reply
from bot.conversation.records import hash_openid

log = logging.getLogger(__name__)

EVENTS = frozenset({"subscribe_msg_popup_event", "subscribe_msg_change_event", "subscribe_msg_sent_event"})


class ConsentBook(Protocol):
    """Where consent is kept."""

    def accept(self, *, openid: str, template_id: str) -> None: ...

    def reject(self, *, openid: str, template_id: str) -> None: ...


@dataclass
class MemoryConsents:
    """Consent in a list (tests, and apps without a database)."""

    accepted: list[tuple[str, str]] = field(default_factory=list)

    def accept(self, *, openid: str, template_id: str) -> None:
        self.accepted.append((openid, template_id))

    def reject(self, *, openid: str, template_id: str) -> None:
        self.accepted = [pair for pair in self.accepted if pair != (openid, template_id)]


class DatabaseConsents:
    """Consent in the ``subscription_consent`` table."""

    def __init__(self, engine: Engine, *, hash_key: str) -> None:
        self.engine, self.hash_key = engine, hash_key

    def accept(self, *, openid: str, template_id: str) -> None:
        from knowledge.consent_tables import record_accept
        from knowledge.db import write_session

        with write_session(self.engine) as session:
            record_accept(
                session=session,
                openid=openid,
                openid_hash=hash_openid(openid, self.hash_key),
                template_id=template_id,
            )

    def reject(self, *, openid: str, template_id: str) -> None:
        from knowledge.consent_tables import withdraw
        from knowledge.db import write_session

        with write_session(self.engine) as session:
            withdraw(session=session, openid_hash=hash_openid(openid, self.hash_key), template_id=template_id)


def handle(message: Message, book: ConsentBook | None) -> Reply:
    """Record the event's accepts and rejects; the citizen gets nothing back (``success``)."""
    if message.event == "subscribe_msg_sent_event":
        for template_id, status in message.subscriptions:
            log.info("subscription notice %s for %s: %s", template_id, message.log_ref, status)
        return Reply.nothing()
    if book is None:
        log.warning("consent event %s not recorded: no consent book configured", message.log_ref)
        return Reply.nothing()
    for template_id, status in message.subscriptions:
        try:
            if status == "accept":
                book.accept(openid=message.openid, template_id=template_id)
            elif status == "reject":
                book.reject(openid=message.openid, template_id=template_id)
        except Exception:
            # WeChat does not resend a consent event we answered: log it, never fail the push.
            log.exception("cannot record consent to %s from %s", template_id, message.log_ref)
    return Reply.nothing()


def subscribe_page(config: Any) -> str:
    """The page with the subscribe button to name at handoff, when a template and the page are set."""
    if config.get("SUBSCRIBE_TEMPLATE_ID") and config.get("SUBSCRIBE_PAGE_URL"):
        return str(config["SUBSCRIBE_PAGE_URL"])
    return ""
