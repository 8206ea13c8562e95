"""PostgreSQL-only checks; the shared storage tests also run on PostgreSQL (see test_storage.py)."""

import datetime as dt
import threading

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import Session, SQLModel

import knowledge.console_tables  # noqa: F401  (its tables are part of the migrated schema)
from knowledge import db, schema, storage
from knowledge.models import ApiToken
from knowledge.testing import POSTGRES_SERVER, PostgresUnavailable, postgres_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url():
    try:
        with postgres_database("guidebot_test_pg") as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")


@pytest.fixture
def pg_engine(pg_url):
    engine = db.make_engine(pg_url)
    yield engine
    engine.dispose()


def _databases() -> set[str]:
    with psycopg.connect(POSTGRES_SERVER + " dbname=postgres") as connection:
        return {name for (name,) in connection.execute("SELECT datname FROM pg_database")}


def test_test_database_is_created_and_dropped():
    try:
        with postgres_database("guidebot_test_pg") as url:
            name = url.rsplit("/", 1)[1]
            assert name in _databases()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    assert name not in _databases()


def test_upgrade_and_revision(pg_engine):
    assert db.current_revision(pg_engine) is None
    db.upgrade(pg_engine)
    assert db.is_up_to_date(pg_engine)


def test_migrations_match_the_models(pg_engine):
    db.upgrade(pg_engine)
    with pg_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_concurrent_upgrades_are_serialised(pg_url):
    errors: list[BaseException] = []

    def run() -> None:
        engine = db.make_engine(pg_url)
        try:
            db.upgrade(engine)
        except BaseException as exc:  # noqa: BLE001 (asserted below)
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = db.make_engine(pg_url)
    assert db.is_up_to_date(engine)
    engine.dispose()


def test_chinese_is_stored_readably_in_json(pg_engine):
    db.upgrade(pg_engine)
    item = schema.Item(code="A", name="户口迁移", department="公安局", materials=[])
    with Session(pg_engine) as session:
        storage.upsert_item(session=session, item=item, author="a", publish=True)
        stored = session.connection().execute(text("SELECT data::text FROM service_item")).scalar()
    assert "户口迁移" in stored


def test_timestamps_round_trip_whatever_the_session_time_zone(pg_engine):
    db.upgrade(pg_engine)
    moment = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
    with Session(pg_engine) as session:
        session.connection().execute(text("SET TIME ZONE 'Asia/Shanghai'"))
        session.add(ApiToken(name="t", value="v", expires_at=moment))
        session.commit()
    with Session(pg_engine) as session:
        assert session.get(ApiToken, "t").expires_at == moment
