"""Replies to citizens from the review queue, within WeChat's customer-service rules.

A customer-service message can be sent within 48 hours of the citizen's last message, and at most
5 of them per citizen message. The console checks both before calling WeChat (counting its own
replies in the audit log) and also maps WeChat's refusals (45015, 45047) to the same Chinese reasons.
After the window, a reply can still go out as a 订阅通知 when a template is configured and the citizen
accepted it (``knowledge.consent_tables``): one accept, one notification.
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from knowledge.consent_tables import mark_used, unused_consent
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
NO_TEMPLATE = "（也无法改用订阅通知：未配置订阅通知模板 GUIDEBOT_SUBSCRIBE_TEMPLATE_ID）"
NO_CONSENT = "（也无法改用订阅通知：这位群众没有同意接收，或同意的那一次已经用掉）"
#: WeChat's "the citizen has not accepted (or has used up) this template".
NOT_ACCEPTED = 43101
DEFAULT_FIELDS: dict[str, str] = {"thing1": "question", "thing2": "reply", "time3": "date"}
#: Longest value per template field type (WeChat refuses longer ones); other types are not cut.
FIELD_LIMITS = {"thing": 20, "phrase": 5, "character_string": 32, "number": 32, "letter": 32, "name": 10}
_FIELD_TYPE = re.compile(r"^([a-z_]+?)\d*$")
_CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class ReplyOutcome:
    openid_hash: str
    delivered: bool
    reason: str = ""
    #: "custom" (customer-service message) or "subscribe" (订阅通知).
    channel: str = "custom"
    #: The 订阅通知 carried a shortened reply (its fields hold only a few characters).
    shortened: bool = False


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


def _errcode(error: Exception) -> int | None:
    code = getattr(error, "errcode", None) or getattr(error, "code", None)
    if code is None and error.args and isinstance(error.args[0], int):
        code = error.args[0]
    return code if isinstance(code, int) else None


def refusal_reason(error: Exception) -> str:
    """A Chinese reason for WeChat's refusal (or any failure) of a customer-service message."""
    code = _errcode(error)
    if code == 45015:
        return WINDOW_CLOSED
    if code == 45047:
        return QUOTA_USED
    return f"发送失败：{error}"


def _cut(value: str, limit: int | None) -> tuple[str, bool]:
    value = " ".join(value.split())
    if limit is None or len(value) <= limit:
        return value, False
    return value[: limit - 1] + "…", True


def notification_data(
    *, fields: Mapping[str, str], question: str, text: str, now: dt.datetime
) -> tuple[dict[str, str], bool]:
    """The template data for a reply, and whether a value had to be shortened.

    ``fields`` maps each template key to ``question``, ``reply``, ``date`` or a fixed text.
    """
    sources = {"question": question, "reply": text, "date": f"{now.astimezone(_CHINA):%Y年%m月%d日 %H:%M}"}
    data: dict[str, str] = {}
    shortened = False
    for key, source in fields.items():
        found = _FIELD_TYPE.match(key)
        value, cut = _cut(sources.get(source, source), FIELD_LIMITS.get(found.group(1)) if found else None)
        data[key] = value
        shortened = shortened or (cut and source == "reply")
    return data, shortened


def _by_subscription(
    *,
    session: Session,
    question: QuestionLog,
    text: str,
    reason: str,
    notify: Any,
    template_id: str,
    fields: Mapping[str, str],
    username: str,
    ip: str,
    now: dt.datetime,
) -> ReplyOutcome:
    """Send ``text`` as a 订阅通知 when the citizen has an unused consent; else say why not."""
    openid_hash = question.openid_hash
    if not template_id or notify is None:
        return ReplyOutcome(openid_hash, False, reason + NO_TEMPLATE)
    consent = unused_consent(session=session, openid_hash=openid_hash, template_id=template_id)
    if consent is None or not consent.openid:
        return ReplyOutcome(openid_hash, False, reason + NO_CONSENT)
    data, shortened = notification_data(fields=fields, question=question.text, text=text, now=now)
    session.commit()  # no read transaction across the WeChat call (see ``reply``)
    try:
        notify(consent.openid, template_id, data)
    except Exception as exc:  # noqa: BLE001 - any failure becomes a reason shown to staff
        if _errcode(exc) == NOT_ACCEPTED:
            mark_used(session=session, consent=consent, now=now)  # WeChat says it is gone: so is ours
            return ReplyOutcome(openid_hash, False, reason + NO_CONSENT)
        return ReplyOutcome(openid_hash, False, f"订阅通知发送失败：{exc}")
    mark_used(session=session, consent=consent, now=now)
    session.add(
        AuditLog(username=username, action="reply_subscribe", target=openid_hash, detail=text[:500], ip=ip)
    )
    session.commit()
    return ReplyOutcome(openid_hash, True, channel="subscribe", shortened=shortened)


def reply(
    *,
    session: Session,
    questions: list[QuestionLog],
    text: str,
    send: Any,
    username: str,
    ip: str,
    now: dt.datetime | None = None,
    notify: Any = None,
    template_id: str = "",
    fields: Mapping[str, str] | None = None,
) -> list[ReplyOutcome]:
    """Send ``text`` to every citizen who asked one of ``questions`` (once each); audit each delivery.

    Within the 48-hour window it goes as a customer-service message; after it (or on 45015, or once
    the raw openid is purged) as a 订阅通知 through ``notify`` when the citizen has an unused consent
    to ``template_id``.
    """
    now = now or dt.datetime.now(dt.UTC)
    outcomes: list[ReplyOutcome] = []
    seen: set[str] = set()
    for question in questions:
        if question.openid_hash in seen:
            continue
        seen.add(question.openid_hash)
        reason = why_not(session=session, openid=question.openid, openid_hash=question.openid_hash, now=now)
        # End the read transaction before calling WeChat: the token refresh writes to the same
        # database, and on SQLite a snapshot older than that write cannot become a writer.
        session.commit()
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
            outcomes.append(ReplyOutcome(question.openid_hash, True))
        elif reason in (WINDOW_CLOSED, NO_OPENID):
            outcomes.append(
                _by_subscription(
                    session=session,
                    question=question,
                    text=text,
                    reason=reason,
                    notify=notify,
                    template_id=template_id,
                    fields=DEFAULT_FIELDS if fields is None else fields,
                    username=username,
                    ip=ip,
                    now=now,
                )
            )
        else:
            outcomes.append(ReplyOutcome(question.openid_hash, False, reason))
    return outcomes
