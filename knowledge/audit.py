"""The audit log: who changed what, when, from where (console and command line alike)."""

import json
from typing import Any

from sqlmodel import Session

from knowledge.console_tables import AuditLog


def audit_row(*, username: str, action: str, target: str = "", detail: Any = None, ip: str = "") -> AuditLog:
    """One audit-log row (not added to any session): for writes that audit in their own transaction."""
    text = (
        ""
        if detail is None
        else (detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False))
    )
    return AuditLog(username=username, action=action, target=target, detail=text, ip=ip)


def audit(
    *, session: Session, username: str, action: str, target: str = "", detail: Any = None, ip: str = ""
) -> None:
    """Append one audit-log row and commit."""
    session.add(audit_row(username=username, action=action, target=target, detail=detail, ip=ip))
    session.commit()
