import datetime as dt

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select

from knowledge import models, schema
from knowledge.testing import memory_engine

ITEM = {"code": "A", "name": "事项", "department": "部门", "materials": []}
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def engine():
    return memory_engine()


def row(status: str, *, effective: dt.date | None = None, live: dict | None = None) -> models.ServiceItem:
    return models.ServiceItem(code="A", name="事项", department="部门", status=status,
                              data=ITEM | {"name": "新"}, effective_date=effective, live_data=live)


@pytest.mark.parametrize(("status", "effective", "live", "seen"), [
    ("published", None, None, "新"),
    ("published", TODAY, None, "新"),
    ("published", dt.date(2026, 7, 1), None, None),
    ("published", dt.date(2026, 7, 1), ITEM, "事项"),
    ("draft", None, None, None),
    ("draft", None, ITEM, "事项"),
    ("in_review", None, ITEM, "事项"),
    ("archived", None, ITEM, None),
], ids=["published", "effective-today", "future-new", "future-edit", "draft-new", "draft-edit",
        "in-review-edit", "archived"])
def test_visible_item(status, effective, live, seen):
    item = row(status, effective=effective, live=live).visible_item(TODAY)
    assert (item.name if item else None) == seen


@pytest.mark.parametrize(("status", "live", "expected"), [
    ("published", None, "新"), ("draft", ITEM, "事项"), ("draft", None, None), ("archived", ITEM, None),
], ids=["published", "draft-edit", "draft-new", "archived"])
def test_published_data(status, live, expected):
    data = row(status, live=live).published_data()
    assert (data["name"] if data else None) == expected


def test_item_json_validates_on_write(engine):
    with Session(engine) as session:
        session.add(models.ServiceItem(code="A", name="n", department="d", data=ITEM | {"visits": "两次"}))
        with pytest.raises(StatementError, match="visits"):
            session.commit()


def test_item_json_drops_unstated_keys(engine):
    with Session(engine) as session:
        session.add(models.ServiceItem(code="A", name="n", department="d", data=ITEM | {"fee": None}))
        session.commit()
        assert session.exec(select(models.ServiceItem)).one().data == ITEM


def test_live_data_none_is_sql_null(engine):
    with Session(engine) as session:
        session.add(models.ServiceItem(code="A", name="n", department="d", data=ITEM))
        session.commit()
        raw = session.connection().exec_driver_sql("SELECT live_data IS NULL FROM service_item").scalar()
        assert raw == 1


def test_revision_needs_its_item(engine):
    with Session(engine) as session:
        revision = models.ItemRevision(item_code="NOPE", number=1, author="a", snapshot=ITEM, status="draft")
        session.add(revision)
        with pytest.raises(Exception, match="FOREIGN KEY"):
            session.commit()


@pytest.mark.parametrize(("table", "columns"), [
    ("conversation_record", {"key", "data", "expires_at"}),
    ("delivered_reply", {"dedup_key", "reply", "created_at"}),
    ("question_log", {"id", "created_at", "msg_id", "openid", "openid_hash", "text", "raw_text", "action",
                      "reason", "item_code", "field", "score", "candidates", "state", "group_key"}),
    ("rating", {"id", "created_at", "item_code", "score", "openid_hash"}),
    ("api_token", {"name", "value", "expires_at", "lock_until"}),
    ("outbox_message", {"id", "created_at", "openid", "payload", "state", "attempts", "next_attempt_at",
                        "last_error", "source_msg_id"}),
    ("synonym", {"id", "word", "canonical", "created_at"}),
    ("hall", {"id", "name", "address", "hours", "phone", "complaint_phone", "website",
              "revision", "status", "updated_at", "updated_by"}),
    ("hall_revision", {"id", "number", "author", "created_at", "summary", "snapshot", "status", "comment"}),
], ids=lambda value: value if isinstance(value, str) else "")
def test_tables_have_the_agreed_columns(engine, table, columns):
    assert {column["name"] for column in inspect(engine).get_columns(table)} == columns


@pytest.mark.parametrize(("table", "column"), [
    ("conversation_record", "expires_at"), ("delivered_reply", "created_at"), ("question_log", "created_at"),
    ("question_log", "openid_hash"), ("question_log", "group_key"), ("rating", "item_code"),
    ("question_log", "msg_id"),
], ids=lambda value: value)
def test_indexed_columns(engine, table, column):
    indexed = {tuple(index["column_names"]) for index in inspect(engine).get_indexes(table)}
    assert (column,) in indexed


def test_delivered_reply_insert_is_unique(engine):
    with Session(engine) as session:
        session.add(models.DeliveredReply(dedup_key="k", reply="r"))
        session.commit()
        session.add(models.DeliveredReply(dedup_key="k", reply="again"))
        with pytest.raises(Exception, match="UNIQUE"):
            session.commit()


def test_question_log_defaults(engine):
    with Session(engine) as session:
        session.add(models.QuestionLog(openid_hash="h", text="问", action="handoff", reason="out_of_scope"))
        session.commit()
        log = session.exec(select(models.QuestionLog)).one()
        assert (log.state, log.candidates, log.score) == ("open", "[]", 0.0)
        assert log.created_at.tzinfo is dt.UTC


def test_status_labels_cover_every_status():
    assert set(models.STATUS_LABELS) == set(models.STATUSES)


def test_item_method_returns_schema_item():
    assert row("draft").item() == schema.Item.model_validate(ITEM | {"name": "新"})


def test_china_today_is_utc_plus_eight():
    assert models.CHINA.utcoffset(None) == dt.timedelta(hours=8)
    assert abs((models.china_today() - dt.datetime.now(dt.UTC).date()).days) <= 1
