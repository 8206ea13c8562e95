"""``guidebot converse``: the dialogue_score contract — one line in per dialogue, one line of replies out."""

import json

from click.testing import CliRunner

from webhook import cli

DIALOGUES = [
    {
        "id": "a",
        "at": "2026-12-08T10:30:00+08:00",
        "turns": [{"text": "身份证丢了怎么补办"}, {"text": "要多少钱"}, {"text": "谢谢"}],
    },
    {"id": "b", "at": "2026-12-13T23:10:00+08:00", "turns": [{"text": "转人工"}]},
    {"id": "c", "turns": [{"voice": "社保卡在哪办"}, {"event": "subscribe"}]},
]


def _run(lines: str, kb: str):
    return CliRunner().invoke(cli, ["converse", "--kb", kb], input=lines)


def test_one_line_of_replies_per_dialogue(county_kb_path):
    result = _run("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in DIALOGUES), str(county_kb_path))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    first = lines[0]["replies"]
    assert [r["action"] for r in first] == ["answer", "answer", "smalltalk"]
    assert first[0]["item"] == "SF-GA-003" and first[0]["field"] is None
    assert first[1]["item"] == "SF-GA-003" and first[1]["field"] == "fee" and "40元" in first[1]["text"]
    assert set(first[0]) == {"text", "action", "item", "field", "situation", "choices"}
    night = lines[1]["replies"][0]
    assert night["action"] == "handoff" and night["text"]  # Sunday 23:10: a visible text, not a bare transfer
    assert "12345" in night["text"]
    voice, welcome = lines[2]["replies"]
    assert voice["item"] == "SF-RS-001"
    assert welcome["action"] in ("smalltalk", "hall") and welcome["item"] is None


def test_a_bad_line_gets_an_error_line_and_a_chinese_message(county_kb_path):
    result = _run('not json\n{"id": "x", "turns": [{"nothing": 1}]}\n', str(county_kb_path))
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("error") is not None for line in lines] == [True, True]
    assert lines[1]["id"] == "x" and lines[1]["replies"] == []
    assert "第1行无法读取" in result.stderr and "第2行无法读取" in result.stderr
