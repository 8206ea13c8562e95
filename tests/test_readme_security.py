"""The README's "Security and reliability" table names tests that exist (a renamed test must update it)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Security and reliability", 1)[-1]
REFERENCES = sorted(set(re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", SECTION)))


def test_the_table_names_tests():
    assert "## Security and reliability" in README and len(REFERENCES) >= 20


@pytest.mark.parametrize(("path", "name"), REFERENCES, ids=[f"{p}::{n}" if n else p for p, n in REFERENCES])
def test_referenced_test_exists(path, name):
    source = (ROOT / path).read_text(encoding="utf-8")
    if name:
        assert re.search(rf"^def {name}\(", source, re.M), f"{path} has no {name}"
