"""The dashboard: figures from the question log and ratings, drawn as SVG charts."""

import datetime as dt

import pytest
from console_support import log_question, login, make_app
from sqlmodel import Session

from knowledge.models import QuestionLog, Rating, china_today
from knowledge.queries import dashboard

CODE = "SF-GA-003"


@pytest.fixture()
def setup(tmp_path, county_kb_path):
    app, engine, sent = make_app(tmp_path, county_kb_path)
    now = dt.datetime.now(dt.UTC)
    for _ in range(3):
        log_question(engine, "身份证丢了", action="answer", reason="confident", at=now)
    with Session(engine) as session:
        row = session.get(QuestionLog, 1)
        row.item_code = CODE
        session.add(row)
        session.add(Rating(item_code=CODE, score=4, openid_hash="h1"))
        session.add(Rating(item_code=CODE, score=5, openid_hash="h2"))
        session.commit()
    log_question(engine, "残疾证怎么办", at=now - dt.timedelta(days=1))
    log_question(engine, "户口怎么迁", action="clarify", reason="ambiguous", at=now)
    return app, engine, sent


def test_figures(setup):
    with Session(setup[1]) as session:
        figures = dashboard(session=session, today=china_today(), stale_days=180)
    assert figures.total == 5
    # 转人工 counts every handoff; the unanswered ones (out of scope, low confidence) are part of it.
    assert figures.actions == {"answer": 3, "clarify": 1, "handoff": 1, "unanswered": 1}
    assert figures.top_items == [(CODE, 1)]
    assert figures.satisfaction == [(CODE, 4.5, 2)]
    assert sum(count for _day, count in figures.days) == 5 and len(figures.days) == 30
    assert sum(count for _hour, count in figures.hours) == 5
    assert [group.text for group in figures.top_groups] == ["残疾证怎么办"]


def test_page_draws_charts(setup):
    client = setup[0].test_client()
    login(client, "ed")
    page = client.get("/admin/").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 6
    assert "居民身份证补领（丢失、损坏）：4.5" in page  # satisfaction bar tooltip
    assert "已回答" in page and "60%" in page
    assert "残疾证怎么办：1" in page


def test_stale_items_listed(tmp_path, county_kb_path):
    app, _engine, _sent = make_app(tmp_path, county_kb_path, STALE_DAYS=1)
    client = app.test_client()
    login(client, "ed")
    page = client.get("/admin/").get_data(as_text=True)
    assert "需要核对的事项（超过1天未核对）" in page
