"""bot.serving.purge / ``guidebot purge``: retention of raw text, openids, masked text, replies and the
outbox."""

import datetime as dt
import threading

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from bot.conversation.records import Question
from bot.matching.decision import Decision
from bot.serving.purge import purge
from bot.serving.recording import DatabaseRecorder
from knowledge.db import make_engine, upgrade
from knowledge.models import ConversationRecord, DeliveredReply, OutboxMessage, QuestionLog
from knowledge.testing import PostgresUnavailable, memory_engine, postgres_database
from webhook import cli

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
DECISION = Decision(action="answer", item="SB-001", field=None, score=0.9, reason="match")


def seed(engine, now: dt.datetime = NOW) -> None:
    ages = {"fresh": dt.timedelta(hours=1), "day3": dt.timedelta(days=3), "old": dt.timedelta(days=200)}
    with Session(engine) as session:
        for name, age in ages.items():
            session.add(
                QuestionLog(
                    created_at=now - age,
                    msg_id=name,
                    openid=f"o-{name}",
                    openid_hash="h",
                    text=f"问{name}",
                    raw_text=f"问{name}",
                    action="answer",
                    reason="match",
                )
            )
            session.add(DeliveredReply(dedup_key=f"msg:{name}", reply="<xml/>", created_at=now - age))
            session.add(
                ConversationRecord(key=f"o-{name}", data="{}", expires_at=now - age + dt.timedelta(hours=2))
            )
            session.add(OutboxMessage(openid=f"o-{name}", payload="{}", created_at=now - age, state="sent"))
        session.commit()


def check(engine) -> None:
    report = purge(engine, now=NOW)
    assert (report.raw_cleared, report.questions_deleted) == (2, 1)  # day3 and old cleared, old deleted
    assert (report.replies_deleted, report.states_deleted, report.outbox_deleted) == (
        3,
        2,
        1,
    )  # replies older than 10 min
    with Session(engine) as session:
        questions = {row.msg_id: row for row in session.exec(select(QuestionLog))}
        assert set(questions) == {"fresh", "day3"}
        assert (questions["fresh"].openid, questions["fresh"].raw_text) == ("o-fresh", "问fresh")
        assert (questions["day3"].openid, questions["day3"].raw_text, questions["day3"].text) == (
            None,
            None,
            "问day3",
        )
        assert list(session.exec(select(DeliveredReply))) == []
        assert [row.key for row in session.exec(select(ConversationRecord))] == ["o-fresh"]
        assert sorted(row.openid for row in session.exec(select(OutboxMessage))) == ["o-day3", "o-fresh"]
    again = purge(engine, now=NOW)
    assert (again.raw_cleared, again.questions_deleted, again.outbox_deleted) == (0, 0, 0)


def test_purge_sqlite():
    engine = memory_engine()
    seed(engine)
    check(engine)


def test_purge_postgres():
    try:
        with postgres_database("guidebot_test_purge") as url:
            engine = make_engine(url)
            upgrade(engine)
            seed(engine)
            check(engine)
            engine.dispose()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))


def test_dry_run_changes_nothing():
    engine = memory_engine()
    seed(engine)
    report = purge(engine, now=NOW, dry_run=True)
    assert (report.raw_cleared, report.questions_deleted, report.outbox_deleted) == (2, 1, 1)
    assert "将清除" in report.summary()
    with Session(engine) as session:
        assert len(list(session.exec(select(QuestionLog)))) == 3


def test_retention_days_setting():
    engine = memory_engine()
    seed(engine)
    report = purge(engine, now=NOW, retention_days=2)
    assert report.questions_deleted == 2  # day3 and old


def test_purge_while_questions_arrive(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/serving.sqlite3")
    upgrade(engine)
    with Session(engine) as session:
        for _ in range(1200):
            session.add(
                QuestionLog(
                    created_at=NOW - dt.timedelta(days=200),
                    openid="o",
                    openid_hash="h",
                    text="旧问题",
                    raw_text="旧问题",
                    action="answer",
                    reason="match",
                )
            )
        session.commit()
    recorder = DatabaseRecorder(engine, hash_key="k")
    errors: list[Exception] = []

    def serve() -> None:
        for index in range(100):
            try:
                recorder.question(Question("oNew", "社保卡在哪办", DECISION, str(index)))
            except Exception as exc:  # a writer locked out for longer than the busy timeout
                errors.append(exc)

    writer = threading.Thread(target=serve)
    writer.start()
    report = purge(engine, now=NOW, batch=50)
    writer.join()
    assert errors == [] and report.questions_deleted == 1200
    with Session(engine) as session:
        assert len(list(session.exec(select(QuestionLog)))) == 100
    engine.dispose()


def test_cli(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, dt.datetime.now(dt.UTC))
    engine.dispose()
    monkeypatch.setenv("GUIDEBOT_DATABASE_URL", url)
    monkeypatch.setenv("GUIDEBOT_RETENTION_DAYS", "400")
    result = CliRunner().invoke(cli, ["purge"])
    assert result.exit_code == 0, result.output
    assert "已清除48小时前的原始提问和openid：2 条" in result.output
    assert "已删除超过保留期的提问记录：0 条" in result.output  # 400 days kept
    assert "已删除过期的客服消息：1 条" in result.output


def test_old_subscription_consents_are_deleted():
    # An unused consent keeps the raw openid the notification needs; past the retention period it goes.
    from knowledge.consent_tables import SubscriptionConsent

    engine = memory_engine()
    with Session(engine) as session:
        for name, age in {"recent": dt.timedelta(days=10), "stale": dt.timedelta(days=200)}.items():
            session.add(
                SubscriptionConsent(
                    openid=f"o-{name}", openid_hash=name, template_id="T1", accepted_at=NOW - age
                )
            )
        session.commit()
    assert purge(engine, now=NOW, dry_run=True).consents_deleted == 1
    report = purge(engine, now=NOW)
    assert report.consents_deleted == 1
    assert "订阅通知授权：1 条" in report.summary()
    with Session(engine) as session:
        assert [row.openid_hash for row in session.exec(select(SubscriptionConsent))] == ["recent"]


def test_cli_purges_the_lmdb_state_store(tmp_path, monkeypatch):
    from bot.serving.lmdbstore import LmdbStore

    url = f"sqlite:///{tmp_path}/hall.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    store = LmdbStore(tmp_path / "hall.sqlite3-state", ttl=-1, dedup_ttl=-1)  # written already expired
    store.finish_many([("msg:1", "<xml/>", "oA", {"n": 1}), ("msg:2", "<xml/>", "oB", {"n": 2})])
    LmdbStore(tmp_path / "hall.sqlite3-state").save("oC", {"n": 3})  # alive
    store.close()
    monkeypatch.setenv("GUIDEBOT_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "将删除过期的回复缓存：2 条、会话状态：2 条" in result.output
    result = CliRunner().invoke(cli, ["purge"])
    assert "已删除过期的回复缓存：2 条、会话状态：2 条" in result.output
    assert CliRunner().invoke(cli, ["purge"]).output.count("回复缓存：0 条、会话状态：0 条") == 1
    assert LmdbStore(tmp_path / "hall.sqlite3-state").load("oC") == {"n": 3}


# -- issue 17, finding 4: cron without the environment file ---------------------------------------


@pytest.mark.parametrize(
    "command",
    [["purge"], ["user", "add", "admin", "--role", "admin", "--password-stdin"]],
    ids=["purge", "user-add"],
)
def test_without_the_environment_file_commands_leave_no_empty_sqlite_file(tmp_path, monkeypatch, command):
    # Under cron without EnvironmentFile, GUIDEBOT_DATABASE_URL is unset: the default SQLite file in the
    # instance folder. It must not be created (empty), and the message must say what to load.
    import os

    import webhook

    for name in list(os.environ):
        if name.startswith("GUIDEBOT_"):
            monkeypatch.delenv(name)
    instance = tmp_path / "instance"
    monkeypatch.setattr(webhook.Flask, "auto_find_instance_path", lambda self: str(instance))
    result = CliRunner().invoke(webhook.cli, command, input="long enough password 2026\n")
    assert result.exit_code == 1
    assert "数据库文件不存在" in result.output and "环境文件" in result.output
    assert not (instance / "guidebot.sqlite3").exists()
