"""The README's "Security and reliability" table names only tests that exist (a promise whose test was
renamed or deleted would otherwise stand unproven)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _table() -> list[tuple[str, list[str]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Security and reliability", 1)[1]
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    rows = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| promise") and not line.startswith("|---"):
            promise, proof = line.strip("|").split(" | ", 1)
            rows.append((promise.strip(), re.findall(r"`(tests/[^`]+)`", proof)))
    return rows


def test_every_promise_names_a_test():
    rows = _table()
    assert len(rows) >= 10
    assert all(tests for _, tests in rows), [promise for promise, tests in rows if not tests]


def test_every_named_test_exists():
    missing = []
    for _promise, tests in _table():
        for node in tests:
            path, _, name = node.partition("::")
            source = ROOT / path
            if not source.is_file() or (name and f"def {name}(" not in source.read_text(encoding="utf-8")):
                missing.append(node)
    assert missing == []
