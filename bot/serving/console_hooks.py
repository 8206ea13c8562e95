"""The bot's callables for the staff console; ``webhook.py`` hands them to ``knowledge.console.init_app``.

The console lives in ``knowledge/`` and may not import ``bot/``; the app factory hands it these instead.
They answer without side effects: no conversation state is kept and no question is recorded, so staff
previews never show up in the review queue or the dashboard.
"""

import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.conversation import answers
from bot.conversation.knowledge import Knowledge, build
from bot.matching.decision import Decision
from knowledge import storage
from knowledge.models import china_today
from knowledge.schema import Hall, Item

HANDOFF_PREVIEW = "（转人工：机器人没有把握回答，会请群众联系工作人员或拨打咨询电话）"


class ConsoleBot:
    """Answers like the bot over the live knowledge base (re-indexed when it changes) or a given item list."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._live: tuple[object, Knowledge] | None = None
        # The regression gate asks many questions over one would-be item list: index it once.
        self._over: tuple[Sequence[Item], Knowledge] | None = None

    def _hall_and_synonyms(self, session: Session) -> tuple[Hall, dict[str, str]]:
        hall = storage.get_hall(session=session) or Hall(name="政务服务中心")
        return hall, {row.word: row.canonical for row in storage.list_synonyms(session=session)}

    def live(self) -> Knowledge:
        """The knowledge the bot sees now; rebuilt at once (not in the background) when it changed."""
        with Session(self.engine) as session:
            key = (storage.kb_version(session=session), china_today())
            with self._lock:
                if self._live is not None and self._live[0] == key:
                    return self._live[1]
            hall, synonyms = self._hall_and_synonyms(session)
            knowledge = build(storage.published_items(session=session), hall, synonyms=synonyms, version=key)
        with self._lock:
            self._live = (key, knowledge)
        return knowledge

    def over(self, items: Sequence[Item]) -> Knowledge:
        with self._lock:
            if self._over is not None and self._over[0] is items:
                return self._over[1]
        with Session(self.engine) as session:
            hall, synonyms = self._hall_and_synonyms(session)
        knowledge = build(items, hall, synonyms=synonyms, version="preview")
        with self._lock:
            self._over = (items, knowledge)
        return knowledge

    def answer(self, question: str, items: Sequence[Item] | None) -> tuple[Decision, str]:
        knowledge = self.live() if items is None else self.over(items)
        decision = knowledge.matcher.decide(question)
        return decision, reply_text(knowledge, decision)

    def preview(self, item: Item, field: str | None) -> str:
        with Session(self.engine) as session:
            hall, _synonyms = self._hall_and_synonyms(session)
        if field is None:
            return answers.overview(item, hall).text
        return answers.field_answer(item, field, hall).text


def reply_text(knowledge: Knowledge, decision: Decision) -> str:
    """The first reply the citizen would read for ``decision`` (situation questions aside)."""
    if decision.action == "answer" and decision.item:
        item = knowledge.item(decision.item)
        if item is not None:
            if decision.field:
                return answers.field_answer(item, decision.field, knowledge.hall).text
            return answers.overview(item, knowledge.hall).text
    if decision.action == "clarify":
        names = [found.name for code in decision.candidates if (found := knowledge.item(code)) is not None]
        return answers.clarify_question(names)
    return HANDOFF_PREVIEW


def sender(app: Any) -> Callable[[str, str], None]:
    """Send a customer-service text now (raises ``WeChatApiError`` with ``code`` 45015/45047 when refused)."""

    def send(openid: str, text: str) -> None:
        from bot.wechat.token import client_from_config
        from knowledge.db import get_engine

        config = app.config
        if not config.get("WECHAT_APP_ID") or not config.get("WECHAT_APP_SECRET"):
            raise RuntimeError(
                "未配置 GUIDEBOT_WECHAT_APP_ID 或 GUIDEBOT_WECHAT_APP_SECRET，无法发送客服消息"
            )
        client_from_config(config, engine=get_engine(app)).send_text(openid, text)

    return send


def notifier(app: Any) -> Callable[[str, str, dict[str, str]], None]:
    """Send a 订阅通知 the citizen accepted (``message/subscribe/bizsend``; raises ``WeChatApiError``)."""

    def notify(openid: str, template_id: str, data: dict[str, str]) -> None:
        from bot.wechat.token import client_from_config
        from knowledge.db import get_engine

        config = app.config
        if not config.get("WECHAT_APP_ID") or not config.get("WECHAT_APP_SECRET"):
            raise RuntimeError(
                "未配置 GUIDEBOT_WECHAT_APP_ID 或 GUIDEBOT_WECHAT_APP_SECRET，无法发送订阅通知"
            )
        client_from_config(config, engine=get_engine(app)).send_subscribe_message(openid, template_id, data)

    return notify
