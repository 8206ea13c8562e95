"""Subscription consent storage and migration 0003, on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

from knowledge import db
from knowledge.consent_tables import mark_used, record_accept, unused_consent, withdraw
from knowledge.testing import PostgresUnavailable, postgres_database

TEMPLATE = "tpl-reply-notice"


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        built = db.make_engine(f"sqlite:///{tmp_path}/consent.sqlite3")
        yield built
        built.dispose()
        return
    try:
        with postgres_database("guidebot_test_consent") as url:
            built = db.make_engine(url)
            yield built
            built.dispose()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))


def test_migration_0003_adds_the_table_and_matches_the_model(engine):
    db.upgrade(engine, "0002")
    assert "subscription_consent" not in inspect(engine).get_table_names()
    db.upgrade(engine, "0003")
    assert db.current_revision(engine) == "0003"
    columns = {
        column["name"]: column["nullable"] for column in inspect(engine).get_columns("subscription_consent")
    }
    assert columns == {
        "id": False,
        "openid_hash": False,
        "openid": True,
        "template_id": False,
        "accepted_at": False,
        "used_at": True,
    }
    db.upgrade(engine)  # the later migrations on top: the models match the head
    assert db.current_revision(engine) == db.head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migration_0003_downgrades(engine):
    db.upgrade(engine)
    config = db.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert "subscription_consent" not in inspect(engine).get_table_names()
    assert db.current_revision(engine) == "0002"


def test_consent_is_one_time_and_forgets_the_openid(engine):
    db.upgrade(engine)
    now = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)
    with Session(engine) as session:
        record_accept(session=session, openid="o-1", openid_hash="h1", template_id=TEMPLATE)
        record_accept(session=session, openid="o-1", openid_hash="h1", template_id=TEMPLATE)
        record_accept(session=session, openid="o-2", openid_hash="h2", template_id="tpl-other")
    for _ in range(2):  # two accepts, two notifications
        with Session(engine) as session:
            consent = unused_consent(session=session, openid_hash="h1", template_id=TEMPLATE)
            assert consent is not None and consent.openid == "o-1"
            mark_used(session=session, consent=consent, now=now)
            assert consent.used_at == now and consent.openid is None
    with Session(engine) as session:
        assert unused_consent(session=session, openid_hash="h1", template_id=TEMPLATE) is None
        assert unused_consent(session=session, openid_hash="h2", template_id=TEMPLATE) is None
        assert unused_consent(session=session, openid_hash="h2", template_id="") is None
        assert unused_consent(session=session, openid_hash="h2", template_id="tpl-other") is not None


def test_withdraw_drops_only_unused_consents_of_that_template(engine):
    db.upgrade(engine)
    with Session(engine) as session:
        used = record_accept(session=session, openid="o-1", openid_hash="h1", template_id=TEMPLATE)
        mark_used(session=session, consent=used)
        record_accept(session=session, openid="o-1", openid_hash="h1", template_id=TEMPLATE)
        record_accept(session=session, openid="o-1", openid_hash="h1", template_id="tpl-other")
        assert withdraw(session=session, openid_hash="h1", template_id=TEMPLATE) == 1
        assert unused_consent(session=session, openid_hash="h1", template_id=TEMPLATE) is None
        assert unused_consent(session=session, openid_hash="h1", template_id="tpl-other") is not None
