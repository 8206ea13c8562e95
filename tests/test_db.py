import datetime as dt
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, select

import knowledge.console_tables  # noqa: F401  (its tables are part of the migrated schema)
from knowledge import db
from knowledge.models import ApiToken, Synonym


@pytest.fixture
def file_engine(tmp_path) -> Engine:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.mark.parametrize(("pragma", "expected"), [
    ("journal_mode", "wal"), ("busy_timeout", 1000), ("foreign_keys", 1), ("synchronous", 1),
], ids=["wal", "busy-timeout-1s", "foreign-keys", "synchronous-normal"])
def test_sqlite_file_pragmas(file_engine, pragma, expected):
    with file_engine.connect() as connection:
        assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected


def test_busy_timeout_is_at_most_one_second():
    assert db.BUSY_TIMEOUT_MS <= 1000


def test_memory_engine_shares_one_connection():
    engine = db.make_engine("sqlite://")
    assert isinstance(engine.pool, StaticPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0


def test_fresh_database_has_no_revision(file_engine):
    assert db.current_revision(file_engine) is None
    assert not db.is_up_to_date(file_engine)


def test_upgrade_reaches_head_and_is_idempotent(file_engine):
    db.upgrade(file_engine)
    db.upgrade(file_engine)
    assert db.current_revision(file_engine) == db.head_revision()
    assert db.is_up_to_date(file_engine)
    tables = set(inspect(file_engine).get_table_names())
    assert {"service_item", "item_revision", "kb_meta", "question_log"} <= tables


def test_migrations_match_the_models(file_engine):
    db.upgrade(file_engine)
    with file_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migration_seeds_the_version_counter(file_engine):
    db.upgrade(file_engine)
    with file_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT id, version FROM kb_meta").all() == [(1, 0)]


def test_foreign_keys_are_on_after_upgrade(file_engine):
    db.upgrade(file_engine)
    with file_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_init_app_and_get_engine(tmp_path):
    app = Flask(__name__)
    app.config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    engine = db.init_app(app)
    assert app.extensions[db.ENGINE_KEY] is engine
    assert db.get_engine(app) is engine


def test_get_engine_creates_on_first_use(tmp_path):
    app = Flask(__name__)
    app.config["DATABASE_URL"] = "sqlite://"
    assert db.get_engine(app) is db.get_engine(app)


def test_write_session_commits(file_engine):
    db.upgrade(file_engine)
    with db.write_session(file_engine) as session:
        session.add(Synonym(word="户口本", canonical="居民户口簿"))
    with Session(file_engine) as session:
        assert [s.word for s in session.exec(select(Synonym))] == ["户口本"]


def test_write_session_rolls_back_on_error(file_engine):
    db.upgrade(file_engine)
    with pytest.raises(RuntimeError), db.write_session(file_engine) as session:
        session.add(Synonym(word="户口本", canonical="居民户口簿"))
        session.flush()
        raise RuntimeError("boom")
    with Session(file_engine) as session:
        assert session.exec(select(Synonym)).all() == []


def test_second_writer_gets_locked_error_not_a_hang(file_engine):
    db.upgrade(file_engine)
    with db.write_session(file_engine) as first:
        first.add(Synonym(word="a", canonical="b"))
        first.flush()
        with pytest.raises(OperationalError, match="locked"), db.write_session(file_engine):
            pass


def test_readers_are_not_blocked_by_a_writer(file_engine):
    db.upgrade(file_engine)
    with db.write_session(file_engine) as writer:
        writer.add(Synonym(word="a", canonical="b"))
        writer.flush()
        with Session(file_engine) as reader:
            assert reader.exec(select(Synonym)).all() == []


def test_engine_is_usable_from_several_threads(file_engine):
    db.upgrade(file_engine)
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            with Session(file_engine) as session:
                session.exec(select(Synonym)).all()
                assert session.connection().execute(text("SELECT :n"), {"n": number}).scalar() == number
        except BaseException as exc:  # noqa: BLE001 (collected and asserted below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.parametrize("stored", [
    dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 5, 1, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    dt.datetime(2026, 5, 1, 12, 0),
], ids=["utc", "china-time", "naive-taken-as-utc"])
def test_timestamps_come_back_aware_utc(file_engine, stored):
    db.upgrade(file_engine)
    with Session(file_engine) as session:
        session.add(ApiToken(name="wechat", value="v", expires_at=stored))
        session.commit()
    with Session(file_engine) as session:
        token = session.get(ApiToken, "wechat")
        assert token.expires_at == dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
        assert token.expires_at.tzinfo is dt.UTC


def test_display_url_hides_password():
    engine = db.make_engine("postgresql+psycopg://guide:secret@db.example/kb")
    assert "secret" not in db.display_url(engine)
    assert db.display_url(engine).startswith("postgresql+psycopg://guide:")


@pytest.mark.parametrize("url", [
    "postgresql://guide@db.example/kb", "postgres://guide@db.example/kb", "postgresql+psycopg://guide@db.example/kb",
], ids=["postgresql", "postgres", "explicit-driver"])
def test_postgres_urls_use_psycopg_3(url):
    assert db.make_engine(url).url.drivername == "postgresql+psycopg"


def test_database_errors_do_not_carry_citizens_data():
    # A failed insert's message reaches logs through log.exception: it must not show the values.
    import sqlalchemy as sa

    from knowledge.db import make_engine

    engine = make_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(sa.text("create table t (openid text unique)"))
        conn.execute(sa.text("insert into t values (:o)"), {"o": "oSecretOpenId123"})
    with pytest.raises(sa.exc.IntegrityError) as caught, engine.begin() as conn:
        conn.execute(sa.text("insert into t values (:o)"), {"o": "oSecretOpenId123"})
    engine.dispose()
    assert "oSecretOpenId123" not in str(caught.value)
    assert "hidden" in str(caught.value)


def test_migration_0004_adds_session_versions_to_existing_accounts(file_engine):
    # An installation upgraded from 0003 keeps its accounts; their sessions start at version 0.
    import sqlalchemy as sa

    db.upgrade(file_engine, "0003")
    with file_engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO console_user (username, role, password_hash, active, created_at) "
            "VALUES ('old', 'admin', 'x', 1, '2026-01-01 00:00:00')"
        ))
    db.upgrade(file_engine)
    with file_engine.connect() as connection:
        version = connection.execute(sa.text("SELECT session_version FROM console_user")).scalar_one()
    assert version == 0 and db.current_revision(file_engine) == db.head_revision()
