"""guidebot ask / guidebot chat: the replies a citizen would get, from a JSON file or the database."""

import pytest
from click.testing import CliRunner

from bot.commands.chat import show
from bot.conversation.messages import Reply
from webhook import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_ask_with_a_json_file(runner, county_kb_path):
    result = runner.invoke(cli, ["ask", "--kb", str(county_kb_path), "社保卡在哪办"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("【社会保障卡申领】\n办理地点：")


def test_ask_from_the_database(runner, county_kb_path, tmp_path, monkeypatch):
    from sqlmodel import Session

    from knowledge import storage
    from knowledge.db import make_engine, upgrade
    from knowledge.schema import load_kb

    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        storage.import_kb(session=session, kb=load_kb(county_kb_path), author="test")
    engine.dispose()
    monkeypatch.setenv("GUIDEBOT_DATABASE_URL", url)
    result = runner.invoke(cli, ["ask", "社保卡要多少钱"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("【社会保障卡申领】\n收费标准：")


def test_chat_is_a_multi_turn_conversation(runner, county_kb_path):
    lines = "提取公积金\n3\n/new\n2\n社保卡在哪办\n要多少钱\n评价 5\n/quit\n"
    result = runner.invoke(cli, ["chat", "--kb", str(county_kb_path)], input=lines)
    assert result.exit_code == 0, result.output
    turns = result.output.split("机器人> ")[1:]
    assert turns[0].startswith("您想办理的是以下哪一项？")
    third = next(line[3:] for line in turns[0].split("\n") if line.startswith("3. "))
    assert f"【{third}】" in turns[1]
    assert turns[2].startswith("现在没有待选择的编号")  # /new forgot the numbered question
    assert turns[3].startswith("【社会保障卡申领】\n办理地点：")
    assert turns[4].startswith("【社会保障卡申领】\n收费标准：")
    assert turns[5].startswith("感谢您的评价")


def test_chat_ends_at_end_of_input(runner, county_kb_path):
    result = runner.invoke(cli, ["chat", "--kb", str(county_kb_path)], input="你好\n")
    assert result.exit_code == 0 and "请直接说您要办的事" in result.output


@pytest.mark.parametrize(
    ("reply", "shown"),
    [
        (Reply.say("好的"), "好的"),
        (Reply.transfer(), "［转接人工客服］"),
        (Reply.transfer("正在为您转接人工客服，请稍候…"), "正在为您转接人工客服，请稍候…\n［转接人工客服］"),
        (Reply.nothing(), "［不回复］"),
    ],
    ids=["text", "transfer", "transfer-with-notice", "empty"],
)
def test_show(reply, shown):
    assert show(reply) == shown
