"""Citizens' consent to one subscription notification (订阅通知), and its one-time use.

WeChat pushes ``subscribe_msg_popup_event`` when a citizen accepts or rejects a template; each accept
allows one ``message/subscribe/bizsend`` for that template. ``bot.conversation.consent`` records accepts and
rejects here; the console's reply uses one up when the 48-hour customer-service window has closed.
The raw openid is kept only until the consent is used or withdrawn (it is what the send needs).
``knowledge/migrations/env.py`` imports this module; migration 0003 creates the table.
"""

import datetime as dt

from sqlmodel import Field, Session, SQLModel, col, select

from knowledge.models import UtcDateTime, utcnow


class SubscriptionConsent(SQLModel, table=True):
    """One accepted template for one citizen; ``used_at`` is set when the notification went out."""

    __tablename__ = "subscription_consent"

    id: int | None = Field(default=None, primary_key=True)
    openid_hash: str = Field(index=True, max_length=64)
    openid: str | None = Field(default=None, max_length=128)
    template_id: str = Field(max_length=128)
    accepted_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    used_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)


def record_accept(
    *, session: Session, openid: str, openid_hash: str, template_id: str
) -> SubscriptionConsent:
    """Store one accept (each accept allows one notification)."""
    row = SubscriptionConsent(openid=openid, openid_hash=openid_hash, template_id=template_id)
    session.add(row)
    session.commit()
    return row


def withdraw(*, session: Session, openid_hash: str, template_id: str) -> int:
    """Drop the unused consents for ``template_id`` (the citizen rejected it); returns how many."""
    rows = session.exec(_unused(openid_hash, template_id)).all()
    for row in rows:
        session.delete(row)
    session.commit()
    return len(rows)


def _unused(openid_hash: str, template_id: str):  # type: ignore[no-untyped-def]
    return (
        select(SubscriptionConsent)
        .where(
            SubscriptionConsent.openid_hash == openid_hash,
            SubscriptionConsent.template_id == template_id,
            col(SubscriptionConsent.used_at).is_(None),
            col(SubscriptionConsent.openid).is_not(None),
        )
        .order_by(col(SubscriptionConsent.accepted_at), col(SubscriptionConsent.id))
    )


def unused_consent(*, session: Session, openid_hash: str, template_id: str) -> SubscriptionConsent | None:
    """The oldest consent not yet used for ``template_id``, or None."""
    if not template_id:
        return None
    return session.exec(_unused(openid_hash, template_id)).first()


def mark_used(*, session: Session, consent: SubscriptionConsent, now: dt.datetime | None = None) -> None:
    """Use the consent up and forget the raw openid it carried."""
    consent.used_at = now or utcnow()
    consent.openid = None
    session.add(consent)
    session.commit()
