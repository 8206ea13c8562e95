"""``guidebot review list``: the unanswered queue for scripts (JSON lines) and terminals."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from console_support import log_question

import webhook
from knowledge.db import make_engine, upgrade


@pytest.fixture()
def engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("GUIDEBOT_DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    log_question(engine, "残疾证怎么办理", candidates=[("SF-MZ-001", 0.3)], at=now - dt.timedelta(hours=2))
    log_question(engine, "残疾证怎么办理？", at=now - dt.timedelta(hours=1))
    ignored = log_question(engine, "你是机器人吗", at=now)
    from sqlmodel import Session

    from knowledge.queries import set_question_state

    with Session(engine) as session:
        set_question_state(session=session, ids=[ignored], state="ignored")
    return engine


def test_json_lines(engine):
    result = CliRunner().invoke(webhook.cli, ["review", "list", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 1
    line = lines[0]
    assert line["state"] == "open" and line["count"] == 2 and line["text"] == "残疾证怎么办理？"
    assert line["candidates"] == [{"code": "SF-MZ-001", "score": 0.3}]
    assert dt.datetime.fromisoformat(line["first_seen"]) < dt.datetime.fromisoformat(line["last_seen"])


@pytest.mark.parametrize(
    ("state", "texts"),
    [
        ("ignored", ["你是机器人吗"]),
        ("all", ["残疾证怎么办理？", "你是机器人吗"]),
        ("answered", []),
    ],
    ids=["ignored", "all", "answered"],
)
def test_state_filter(engine, state, texts):
    result = CliRunner().invoke(webhook.cli, ["review", "list", "--json", "--state", state])
    assert [json.loads(line)["text"] for line in result.output.splitlines()] == texts


def test_human_readable(engine):
    result = CliRunner().invoke(webhook.cli, ["review", "list"])
    assert result.exit_code == 0
    assert "[待处理] ×2 残疾证怎么办理？" in result.output and "SF-MZ-001(0.30)" in result.output


def test_bad_state_is_refused(engine):
    result = CliRunner().invoke(webhook.cli, ["review", "list", "--state", "done"])
    assert result.exit_code == 2


@pytest.mark.parametrize(("state", "shown"), [("已忽略", "你是机器人吗"), ("全部", "残疾证怎么办理")],
                         ids=["ignored-in-chinese", "all-in-chinese"])
def test_states_in_chinese_and_times_in_hall_time(engine, state, shown):
    result = CliRunner().invoke(webhook.cli, ["review", "list", "--state", state])
    assert result.exit_code == 0, result.output
    assert shown in result.output and "UTC" not in result.output and "（北京时间）" in result.output
    assert "原因：超出范围" in result.output  # the reason, not out_of_scope


def test_a_bad_state_is_refused_in_chinese(engine):
    result = CliRunner().invoke(webhook.cli, ["review", "list", "--state", "没有这个"])
    assert result.exit_code == 2
    assert "「没有这个」不是可选的值" in result.output and "待处理（open）" in result.output
