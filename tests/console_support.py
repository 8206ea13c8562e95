"""Helpers for the console tests: a migrated SQLite file with the county hall, accounts, a logged-in client.

The bot's callables are test doubles here (the console's contract is only "a decision and a reply");
``tests/browser/test_console_browser.py`` runs the real matcher and conversation.
"""

import datetime as dt
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete
from sqlmodel import Session

from knowledge import accounts, console, schema, storage
from knowledge.console_tables import RegressionCase
from knowledge.db import make_engine, upgrade
from knowledge.models import QuestionLog

# Cheaper argon2id parameters keep the suite quick; test_console_auth checks the production ones.
PRODUCTION_HASHER = accounts._HASHER
accounts._HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)

PASSWORD = "correct-horse-9"
USERS = {"admin": "admin", "ed": "editor", "rev": "reviewer", "rev2": "reviewer"}


@dataclass(frozen=True)
class FakeDecision:
    action: str
    item: str | None = None
    field: str | None = None
    score: float = 0.0
    candidates: tuple[str, ...] = ()
    reason: str = "confident"


def fake_answer(
    question: str, items: Sequence[schema.Item] | None, *, live: list[schema.Item]
) -> tuple[Any, str]:
    """Answer an item whose name or alias occurs in the question; ask about fees on 多少钱."""
    for item in items if items is not None else live:
        names = [item.name, *(item.aliases or [])]
        if any(name and name in question for name in names):
            field = "fee" if "多少钱" in question else None
            return FakeDecision("answer", item.code, field, 0.9), f"{item.name}：{len(item.materials)}项材料"
    return FakeDecision("handoff", reason="out_of_scope"), "转人工"


class Sent:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        self.error: Exception | None = None

    def __call__(self, openid: str, text: str) -> None:
        if self.error is not None:
            raise self.error
        self.messages.append((openid, text))


class WeChatRefusal(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errcode, errmsg)
        self.errcode, self.errmsg = errcode, errmsg


def make_app(
    tmp_path: Path, kb_path: Path, url: str | None = None, *, seed_cases: bool = False, **config: Any
) -> tuple[Flask, Any, Sent]:
    engine = make_engine(url or f"sqlite:///{tmp_path}/console.sqlite3")
    upgrade(engine)
    with Session(engine) as session:
        storage.import_kb(session=session, kb=schema.load_kb(kb_path), author="seed", publish=True)
        if not seed_cases:
            # The import seeds ~600 regression questions; the gate tests here label their own, and the
            # test double answers slowly. tests/test_regression_cases.py covers the seeding.
            session.exec(delete(RegressionCase))
            session.commit()
        for name, role in USERS.items():
            accounts.create_user(session=session, username=name, role=role, password=PASSWORD)
    app = Flask("console_test", instance_path=str(tmp_path / "instance"))
    app.config.update({"TESTING": True, "SECRET_KEY": "test-secret", "STALE_DAYS": 180, **config})

    def answer(question: str, items: Sequence[schema.Item] | None) -> tuple[Any, str]:
        with Session(engine) as session:
            live = storage.published_items(session=session)
        return fake_answer(question, items, live=live)

    sent = Sent()
    console.init_app(
        app,
        answer=answer,
        preview=lambda item, field: f"{item.name}|{field or '总览'}",
        send=sent,
        engine=engine,
    )
    return app, engine, sent


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert found, "page has no csrf_token field"
    return found.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_from(client.get("/admin/login").get_data(as_text=True))
    return client.post("/admin/login", data={"username": username, "password": password, "csrf_token": token})


def token(client: FlaskClient, url: str = "/admin/items/") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def log_question(
    engine: Any,
    text: str,
    *,
    openid: str | None = "o-citizen-1",
    openid_hash: str = "h1",
    candidates: Sequence[tuple[str, float]] = (),
    reason: str = "out_of_scope",
    at: dt.datetime | None = None,
    action: str = "handoff",
) -> int:
    with Session(engine) as session:
        row = QuestionLog(
            text=text,
            openid=openid,
            openid_hash=openid_hash,
            action=action,
            reason=reason,
            candidates=json.dumps([list(c) for c in candidates]),
            created_at=at or dt.datetime.now(dt.UTC),
        )
        session.add(row)
        session.commit()
        return int(row.id or 0)


def settled(client: FlaskClient, response: Any) -> Any:
    """Follow an import job's redirect and poll its page until the background step has finished."""
    assert response.status_code == 303, response.status_code
    url = response.headers["Location"]
    deadline = time.monotonic() + 60
    while True:
        page = client.get(url)
        state = re.search(r'data-state="(\w+)"', page.get_data(as_text=True)).group(1)
        if state not in ("queued", "checking", "applying") or time.monotonic() > deadline:
            return page
        time.sleep(0.05)


def review_form(client: FlaskClient, code: str, **fields: str) -> dict[str, str]:
    """The approve/return form of ``code``'s review page as a reviewer would submit it now (CSRF token
    and the revision the page shows), plus ``fields``."""
    page = client.get(f"/admin/review/{code}").get_data(as_text=True)
    found = re.search(r'name="revision" value="(\d+)"', page)
    assert found, "the review page has no revision field (is the item in review?)"
    return {"csrf_token": csrf_from(page), "revision": found.group(1), **fields}
