"""Replies to citizens from the review queue, within WeChat's customer-service rules.

A customer-service message can be sent within 48 hours of the citizen's last message, and at most
5 of them per citizen message. The console checks both before calling WeChat (counting its own
replies in the audit log) and also maps WeChat's refusals (45015, 45047) to the same Chinese reasons.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from knowledge.console_tables import AuditLog
from knowledge.models import QuestionLog

WINDOW = dt.timedelta(hours=48)
QUOTA = 5
WINDOW_CLOSED = (
    "已超过48小时客服消息窗口（群众最后一次发消息在48小时以前），无法通过客服消息回复；"
    "请电话联系或等待群众再次来问。"
)
QUOTA_USED = (
    "对这位群众最近一条消息已回复满5条（微信限制每条消息最多回复5条），须等群众再次发消息后才能继续回复。"
)
NO_OPENID = "群众标识已按隐私规则在48小时后清除，无法再回复。"


@dataclass(frozen=True)
class ReplyOutcome:
    openid_hash: str
    delivered: bool
    reason: str = ""


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def last_message_at(*, session: Session, openid_hash: str) -> dt.datetime | None:
    value = session.exec(
        select(func.max(QuestionLog.created_at)).where(QuestionLog.openid_hash == openid_hash)
    ).one()
    return None if value is None else _utc(value)


def replies_since(*, session: Session, openid_hash: str, since: dt.datetime) -> int:
    query = (
        select(func.count())
        .select_from(AuditLog)
        .where(AuditLog.action == "reply", AuditLog.target == openid_hash, col(AuditLog.at) >= since)
    )
    return int(session.exec(query).one())


def why_not(*, session: Session, openid: str | None, openid_hash: str, now: dt.datetime) -> str:
    """The Chinese reason a reply cannot be delivered now, or "" when it can."""
    if not openid:
        return NO_OPENID
    last = last_message_at(session=session, openid_hash=openid_hash)
    if last is None or now - last > WINDOW:
        return WINDOW_CLOSED
    if replies_since(session=session, openid_hash=openid_hash, since=last) >= QUOTA:
        return QUOTA_USED
    return ""


def refusal_reason(error: Exception) -> str:
    """A Chinese reason for WeChat's refusal (or any failure) of a customer-service message."""
    code = getattr(error, "errcode", None) or getattr(error, "code", None)
    if code is None and error.args and isinstance(error.args[0], int):
        code = error.args[0]
    if code == 45015:
        return WINDOW_CLOSED
    if code == 45047:
        return QUOTA_USED
    return f"发送失败：{error}"


def reply(
    *,
    session: Session,
    questions: list[QuestionLog],
    text: str,
    send: Any,
    username: str,
    ip: str,
    now: dt.datetime | None = None,
) -> list[ReplyOutcome]:
    """Send ``text`` to every citizen who asked one of ``questions`` (once each); audit each delivery."""
    now = now or dt.datetime.now(dt.UTC)
    outcomes: list[ReplyOutcome] = []
    seen: set[str] = set()
    for question in questions:
        if question.openid_hash in seen:
            continue
        seen.add(question.openid_hash)
        reason = why_not(session=session, openid=question.openid, openid_hash=question.openid_hash, now=now)
        if not reason:
            try:
                send(question.openid, text)
            except Exception as exc:  # noqa: BLE001 - any failure becomes a reason shown to staff
                reason = refusal_reason(exc)
        if not reason:
            session.add(
                AuditLog(
                    username=username, action="reply", target=question.openid_hash, detail=text[:500], ip=ip
                )
            )
            session.commit()
        outcomes.append(ReplyOutcome(question.openid_hash, not reason, reason))
    return outcomes
