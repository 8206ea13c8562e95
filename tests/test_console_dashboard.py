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


# -- issue 16: stale only after a real check date is due ---------------------------------------------


def _row(updated: dt.date | None, created: dt.datetime):
    from knowledge.models import ServiceItem

    return ServiceItem(code="X", name="x", department="d", data={}, updated=updated, created_at=created)


TODAY = dt.date(2026, 7, 1)


@pytest.mark.parametrize(
    ("updated", "created_days_ago", "stale"),
    [
        (None, 0, False),  # added today without a check date: not flagged at once
        (None, 180, False),  # due today, not yet overdue
        (None, 181, True),  # never checked since it was added half a year ago
        (TODAY - dt.timedelta(days=30), 400, False),  # checked recently, whatever its age
        (TODAY - dt.timedelta(days=181), 0, True),  # imported today with an old check date: overdue
    ],
    ids=["new-no-date", "due-today", "never-checked", "checked-recently", "old-check-date"],
)
def test_stale_only_after_the_check_is_due(updated, created_days_ago, stale):
    from knowledge.queries import is_stale

    created = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC) - dt.timedelta(days=created_days_ago)
    assert is_stale(_row(updated, created), today=TODAY, stale_days=180) is stale


def test_a_new_item_without_a_check_date_is_not_flagged(setup):
    app, engine, _sent = setup
    from knowledge import schema, storage

    with Session(engine) as session:
        data = {"code": "NEW-1", "name": "新事项", "department": "县民政局", "materials": []}
        item = schema.Item.model_validate(data)
        storage.upsert_item(session=session, item=item, author="ed", publish=True)
        figures = dashboard(session=session, today=china_today(), stale_days=180)
    assert "NEW-1" not in {row.code for row in figures.stale}
    client = app.test_client()
    login(client, "ed")
    assert "新事项" not in client.get("/admin/items/?stale=1").get_data(as_text=True)
