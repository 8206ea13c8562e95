"""The console on PostgreSQL: migrations, login rate limit, review and publish, the queue, as on SQLite."""

import datetime as dt

import pytest
from console_support import log_question, login, make_app, review_form, token
from sqlmodel import Session, select

from knowledge import accounts, storage
from knowledge.models import QuestionLog
from knowledge.testing import PostgresUnavailable, postgres_database

pytestmark = pytest.mark.postgres
CODE = "SF-GA-003"


@pytest.fixture()
def setup(tmp_path, county_kb_path):
    try:
        with postgres_database("guidebot_test_console") as url:
            app, engine, sent = make_app(tmp_path, county_kb_path, url=url)
            yield app, engine, sent
            engine.dispose()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))


def test_rate_limit(setup):
    client = setup[0].test_client()
    for _ in range(accounts.MAX_FAILURES):
        assert login(client, "ed", "wrong-password").status_code == 401
    assert login(client, "ed").status_code == 429


def test_alias_review_publish_and_purge(setup):
    app, engine, _sent = setup
    old = log_question(
        engine, "sfz丢了", candidates=[(CODE, 0.25)], at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=50)
    )
    editor = app.test_client()
    login(editor, "ed")
    page = editor.get("/admin/unanswered/").get_data(as_text=True)
    assert "sfz丢了" in page
    editor.post(
        "/admin/unanswered/action",
        data={"ids": [old], "action": "alias", "code": CODE, "csrf_token": token(editor)},
    )
    reviewer = app.test_client()
    login(reviewer, "rev")
    assert (
        reviewer.post(f"/admin/review/{CODE}/approve", data=review_form(reviewer, CODE)).status_code
        == 302
    )
    with Session(engine) as session:
        row = storage.get_item(session=session, code=CODE)
        assert row.status == "published" and "sfz丢了" in row.data["aliases"]
        logged = session.exec(select(QuestionLog)).one()
        assert logged.state == "alias_added" and logged.openid is None  # purged after 48 h


def test_nul_in_a_username_is_a_clear_400_not_a_500(setup):
    # PostgreSQL refuses NUL in text: it must never reach a query.
    from console_support import csrf_from

    client = setup[0].test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post(
        "/admin/login", data={"username": "ed\x00", "password": "x", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 400 and "控制字符" in response.get_data(as_text=True)
    assert login(client, "ed").status_code == 302  # and the console carries on


def test_unlock_and_session_versions_on_postgres(setup):
    app, engine, _sent = setup
    clerk = app.test_client()
    for _ in range(accounts.MAX_FAILURES):
        login(clerk, "ed", "wrong-password")
    assert login(clerk, "ed").status_code == 429
    with Session(engine) as session:
        user = accounts.find_user(session=session, username="ed")
        assert accounts.unlock(session=session, user=user) == accounts.MAX_FAILURES
    assert login(clerk, "ed").status_code == 302
    clerk.post("/admin/logout", data={"csrf_token": token(clerk)})
    with Session(engine) as session:
        assert accounts.find_user(session=session, username="ed").session_version == 1


def test_nul_in_an_item_is_a_clear_refusal_not_a_500(setup):
    """Issue 15, finding 10: PostgreSQL refuses NUL in text, which used to surface as a 500."""
    app, _engine, _sent = setup
    client = app.test_client()
    login(client, "ed")
    form = {
        "code": "NUL-1",
        "name": "新\x00事项",
        "department": "测试局",
        "materials-0-name": "申请表",
        "csrf_token": token(client),
    }
    response = client.post("/admin/items/new", data=form)
    assert response.status_code == 422 and "控制字符" in response.get_data(as_text=True)
