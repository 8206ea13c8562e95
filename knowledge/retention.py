"""How long citizens' raw data lives: one definition for ``guidebot purge`` and the console's queue."""

import datetime as dt
from typing import Any

from sqlmodel import col

from knowledge.models import QuestionLog

#: Raw text and openids are needed only to reply within WeChat's 48-hour customer-service window.
RAW_KEEP = dt.timedelta(hours=48)


def raw_data_expired(before: dt.datetime) -> Any:
    """Questions asked before ``before`` that still hold a raw openid or raw text."""
    return (col(QuestionLog.created_at) < before) & (
        col(QuestionLog.openid).is_not(None) | col(QuestionLog.raw_text).is_not(None)
    )
