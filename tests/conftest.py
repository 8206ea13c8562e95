"""Shared fixtures: paths to the shared knowledge bases and evaluation files."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
COUNTY_KB = SHARED / "kb" / "county-hall.json"
GUANGDONG_KB = SHARED / "kb" / "guangdong-2021.json"


@pytest.fixture(scope="session")
def county_kb_path() -> Path:
    if not COUNTY_KB.exists():
        pytest.skip(f"shared knowledge base not found at {COUNTY_KB}")
    return COUNTY_KB


@pytest.fixture(scope="session")
def guangdong_kb_path() -> Path:
    if not GUANGDONG_KB.exists():
        pytest.skip(f"shared knowledge base not found at {GUANGDONG_KB}")
    return GUANGDONG_KB
