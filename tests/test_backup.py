"""``guidebot backup``: everything staff built is in the copy, serving-only rows and raw personal data are
not (SQLite), older copies go; on PostgreSQL the README's pg_restore brings it all back (finding 7)."""

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlmodel import Session

import webhook
from bot.commands.backup import TRANSIENT
from knowledge import storage
from knowledge.accounts import create_user
from knowledge.console_tables import LoginAttempt, RegressionCase
from knowledge.db import get_engine, make_engine, upgrade
from knowledge.models import ApiToken, ConversationRecord, DeliveredReply, OutboxMessage, QuestionLog
from knowledge.schema import load_kb

MINIMAL = Path(__file__).parent / "fixtures" / "kb" / "minimal.json"
KEPT = ("service_item", "item_revision", "hall", "synonym", "console_user", "regression_case", "question_log")


def fill(url: str) -> None:
    """A hall's database: items, synonyms, a user, a regression question, a recent question with raw
    text and openid, and rows that matter only while serving."""
    engine = make_engine(url)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        storage.import_kb(session=session, kb=load_kb(MINIMAL), author="test", publish=True)
        storage.add_synonym(session=session, word="户口本", canonical="户口簿")
        create_user(session=session, username="zhang", role="admin", password="a long password 2026")
        session.add(RegressionCase(question="身份证丢了怎么办", item_code="T-001"))
        session.add(
            QuestionLog(
                openid="oRawBackup",
                openid_hash="h" * 32,
                text="身份证丢了",
                raw_text="身份证丢了 13812345678",
                action="answer",
                reason="match",
                created_at=now,
            )
        )
        session.add(ConversationRecord(key="oRawBackup", data="{}", expires_at=now + dt.timedelta(hours=1)))
        session.add(DeliveredReply(dedup_key="msg:1", reply="<xml>oRawBackup</xml>"))
        session.add(OutboxMessage(openid="oRawBackup", payload="{}"))
        session.add(ApiToken(name="wechat:wx", value="TOKEN", expires_at=now + dt.timedelta(hours=1)))
        session.add(LoginAttempt(username="zhang", ip="10.0.0.1"))
        session.commit()
    engine.dispose()


def run(args: list[str], database_url: str):
    apps = []

    def factory():
        apps.append(webhook.create_app({"DATABASE_URL": database_url}))
        return apps[-1]

    info = ScriptInfo(create_app=factory, set_debug_flag=False, load_dotenv_defaults=False)
    try:
        return CliRunner().invoke(webhook.cli, args, obj=info, catch_exceptions=False)
    finally:
        for app in apps:
            get_engine(app).dispose()


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: connection.execute(sa.text(f"select count(*) from {table}")).scalar_one()
                for table in (*KEPT, *TRANSIENT)
            }
    finally:
        engine.dispose()


def test_sqlite_backup_keeps_the_hall_and_drops_raw_personal_data(tmp_path):
    url = f"sqlite:///{tmp_path}/guidebot.sqlite3"
    fill(url)
    folder = tmp_path / "backups"
    result = run(["backup", str(folder)], url)
    assert result.exit_code == 0, result.output
    [copy] = folder.glob("guidebot-*.sqlite3")
    assert f"已备份到 {copy}" in result.output
    assert copy.stat().st_mode & 0o777 == 0o600
    found = counts(f"sqlite:///{copy}")
    assert all(found[table] >= 1 for table in KEPT), found
    assert all(found[table] == 0 for table in TRANSIENT), found
    with sqlite3.connect(copy) as connection:
        assert connection.execute("select openid, raw_text, text from question_log").fetchall() == [
            (None, None, "身份证丢了")
        ]
    raw = copy.read_bytes()
    assert b"oRawBackup" not in raw and b"13812345678" not in raw  # not even in free pages
    assert counts(url)["conversation_record"] == 1  # the live database is untouched


def test_old_backups_are_deleted_after_a_new_one_is_made(tmp_path):
    url = f"sqlite:///{tmp_path}/guidebot.sqlite3"
    fill(url)
    folder = tmp_path / "backups"
    folder.mkdir()
    old, recent, other = (
        folder / "guidebot-20200101-020000.sqlite3",
        folder / "guidebot-x.dump",
        folder / "notes.txt",
    )
    for path in (old, recent, other):
        path.write_text("x")
    ten_days_ago = time.time() - 10 * 86400
    os.utime(old, (ten_days_ago, ten_days_ago))
    os.utime(other, (ten_days_ago, ten_days_ago))
    result = run(["backup", str(folder), "--keep-days", "7"], url)
    assert result.exit_code == 0, result.output
    assert "已删除 1 个超过 7 天的旧备份" in result.output
    assert not old.exists() and recent.exists() and other.exists()


def test_backup_refuses_a_missing_database_without_creating_it(tmp_path):
    missing = tmp_path / "nowhere.sqlite3"
    result = run(["backup", str(tmp_path / "backups")], f"sqlite:///{missing}")
    assert result.exit_code == 1 and "数据库文件不存在" in result.output
    assert not missing.exists()


@pytest.mark.postgres
def test_postgres_backup_restores_with_the_readme_commands(tmp_path):
    from knowledge.testing import PostgresUnavailable, postgres_database

    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed")
    try:
        with (
            postgres_database("guidebot_test_backup") as url,
            postgres_database("guidebot_test_restore") as target,
        ):
            fill(url)
            folder = tmp_path / "backups"
            result = run(["backup", str(folder)], url)
            assert result.exit_code == 0, result.output
            [dump] = folder.glob("guidebot-*.dump")
            assert dump.stat().st_mode & 0o777 == 0o600
            # README, "Restore": pg_restore into the (empty) database, then upgrade and purge.
            parsed = sa.engine.make_url(target)
            restored = subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--host",
                    parsed.host,
                    "--port",
                    str(parsed.port),
                    "--username",
                    parsed.username,
                    "--dbname",
                    parsed.database,
                    str(dump),
                ],
                capture_output=True,
                text=True,
            )
            assert restored.returncode == 0, restored.stderr
            assert run(["db", "upgrade"], target).exit_code == 0
            assert run(["purge"], target).exit_code == 0
            before, after = counts(url), counts(target)
            assert {table: after[table] for table in KEPT} == {table: before[table] for table in KEPT}
            assert all(after[table] == 0 for table in TRANSIENT), after
            assert run(["doctor"], target).output.count("正常  数据库") == 1
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
