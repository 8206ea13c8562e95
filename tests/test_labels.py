"""knowledge.labels: every code staff can see has a Chinese name, and audit details read as sentences."""

import re
from pathlib import Path

import pytest

from knowledge import labels

ROOT = Path(__file__).resolve().parent.parent


def _audited_actions() -> set[str]:
    """Every action string the code writes to the audit log (console views, the store, the CLI)."""
    patterns = [
        r'auth\.log\(\s*"([a-z_]+)"(?: if [^,\n]* else "([a-z_]+)")?',
        r'action="([a-z_]+)"',
        r'action = "([a-z_]+)" if [^\n]* else "([a-z_]+)"',
        r'_audit\(session, "([a-z_]+)"',
    ]
    found: set[str] = set()
    for path in [*ROOT.glob("knowledge/**/*.py"), *ROOT.glob("bot/**/*.py")]:
        # argparse's action="store_true" is not an audit action
        text = "\n".join(
            line for line in path.read_text(encoding="utf-8").splitlines() if "add_argument(" not in line
        )
        for pattern in patterns:
            for match in re.findall(pattern, text):
                found.update(part for part in (match if isinstance(match, tuple) else (match,)) if part)
        if 'f"user_{action}"' in text:
            found |= {"user_activate", "user_deactivate"}
    return found


def test_every_audited_action_has_a_chinese_name():
    actions = _audited_actions()
    assert {"login", "item_save", "publish", "user_unlock", "reply"} <= actions  # the scan finds them
    missing = sorted(actions - set(labels.AUDIT_ACTIONS))
    assert missing == []


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ('{"role": "reviewer"}', "角色：审核员"),
        ('{"revision": 4, "status": "in_review"}', "修订：第 4 版；状态：待审核"),
        ('{"alias": "sfz丢了", "questions": [1, 2, 3], "revision": 2}',
         "别名：sfz丢了；问题：3 条；修订：第 2 版"),
        ('{"question": "残疾证", "item": null}', "问题：残疾证；事项：不应回答"),
        ('{"created": ["A", "B"], "updated": [], "hall_changed": true}',
         "新增：A、B；修改：无；大厅信息：已修改"),
        ("回复内容原文", "回复内容原文"),
        ("{not json", "{not json"),
        ("", ""),
    ],
    ids=["role", "revision-status", "alias", "out-of-scope-case", "import", "plain-text", "broken-json",
         "empty"],
)
def test_audit_details_in_chinese(detail, expected):
    assert labels.describe_detail(detail) == expected


def test_reason_and_action_labels_fall_back_to_the_code():
    assert labels.reason_label("low_confidence") == "把握不大"
    assert labels.reason_label("brand_new_reason") == "brand_new_reason"
    assert labels.bot_action_label("handoff") == "转人工" and labels.role_label("admin") == "管理员"


def test_every_decision_reason_has_a_chinese_name():
    from typing import get_args

    from bot.matching.decision import Reason

    assert set(get_args(Reason)) <= set(labels.REASON_LABELS)
