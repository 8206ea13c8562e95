"""``guidebot match``: the JSON-lines contract, from a kb file and from the configured database."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from bot.commands.match import run
from bot.matching.matcher import Matcher
from knowledge import storage
from knowledge.db import make_engine
from knowledge.schema import load_kb
from webhook import cli

KEYS = {"id", "action", "item", "candidates", "field", "score"}

FEED = [
    {"id": "a", "question": "社保卡丢了怎么补"},
    {"id": 2, "question": "那要多少钱", "context": ["你好，我身份证过期了要去换"]},
    {"id": "c", "question": "转人工"},
]


def _feed(lines: list[dict[str, object]]) -> str:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def _parse(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_kb_file(county_kb_path: Path) -> None:
    result = CliRunner().invoke(cli, ["match", "--kb", str(county_kb_path)], input=_feed(FEED))
    assert result.exit_code == 0, repr(result.exception)
    lines = _parse(result.stdout)
    assert [set(line) for line in lines] == [KEYS] * 3
    assert [(line["id"], line["action"], line["item"], line["field"]) for line in lines] == [
        ("a", "answer", "SF-RS-002", None),
        (2, "answer", "SF-GA-002", "fee"),
        ("c", "handoff", None, None),
    ]


def test_bad_lines_get_a_handoff_and_a_message(county_kb_path: Path) -> None:
    matcher = Matcher.build(load_kb(county_kb_path).items[:3])
    errors = io.StringIO()
    lines = ["not json\n", "\n", '{"id": 5}\n', '["a list"]\n', '{"id": 6, "question": "社保卡丢了"}\n']
    out = list(run(matcher, lines, errors))
    assert [(line["id"], line["action"]) for line in out] == [
        (None, "handoff"),
        (5, "handoff"),
        (None, "handoff"),
        (6, out[3]["action"]),
    ]
    assert errors.getvalue().count("\n") == 3
    assert "第1行" in errors.getvalue()


def test_console_script_writes_only_json(county_kb_path: Path) -> None:
    # The real entry point, as score.py runs it: stdout must hold nothing but the JSON lines.
    script = Path(sys.executable).parent / "guidebot"
    process = subprocess.run(
        [str(script), "match", "--kb", str(county_kb_path)],
        input=_feed(FEED),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert [set(line) for line in _parse(process.stdout)] == [KEYS] * 3


def test_database(tmp_path: Path, county_kb_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'guidebot.sqlite3'}"
    env = {"GUIDEBOT_DATABASE_URL": url}
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    imported = runner.invoke(cli, ["kb", "import", str(county_kb_path)], env=env)
    assert imported.exit_code == 0, imported.output
    engine = make_engine(url)
    with Session(engine) as session:
        storage.add_synonym(session=session, word="摩托本", canonical="驾驶证")
        session.commit()
    engine.dispose()
    feed = _feed([{"id": 1, "question": "社保卡丢了怎么补"}, {"id": 2, "question": "摩托本丢了怎么补办"}])
    result = runner.invoke(cli, ["match"], input=feed, env=env)
    assert result.exit_code == 0, repr(result.exception)
    lines = _parse(result.stdout)
    assert [(line["action"], line["item"]) for line in lines] == [
        ("answer", "SF-RS-002"),
        ("answer", "SF-GA-013"),
    ]


@pytest.mark.parametrize("args", [["--kb", "/nonexistent/kb.json"]], ids=["missing-file"])
def test_missing_kb_file(args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["match", *args], input="")
    assert result.exit_code != 0
    assert result.stdout == ""
