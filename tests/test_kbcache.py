"""bot.serving.kbcache: the index follows published changes without a restart and survives failures."""

import pytest
from sqlmodel import Session

from bot.conversation.knowledge import StaticKnowledge, common_codes
from bot.serving.kbcache import DatabaseKnowledge
from knowledge import storage
from knowledge.db import make_engine, upgrade
from knowledge.schema import load_kb


@pytest.fixture(scope="module")
def county(county_kb_path):
    return load_kb(county_kb_path)


@pytest.fixture
def engine(tmp_path, county):
    engine = make_engine(f"sqlite:///{tmp_path}/kb.sqlite3")
    upgrade(engine)
    with Session(engine) as session:
        storage.import_kb(session=session, kb=county, author="test")
    yield engine
    engine.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def rename(engine, county, code: str, name: str) -> None:
    item = county.item(code).model_copy(update={"name": name})
    with Session(engine) as session:
        storage.upsert_item(session=session, item=item, author="test", publish=True)


def test_rebuilds_after_a_published_change_once_the_interval_passed(engine, county):
    clock = Clock()
    source = DatabaseKnowledge(engine, interval=5, clock=clock)
    first = source()
    assert first.item("SF-RS-001").name == "社会保障卡申领" and first.hall.name == county.hall.name
    rename(engine, county, "SF-RS-001", "社会保障卡申领（新）")
    clock.now = 4
    assert source() is first  # not checked yet
    clock.now = 6
    assert source() is first  # checked: rebuild starts in the background, old index answers meanwhile
    source.wait_for_rebuild()
    assert source().item("SF-RS-001").name == "社会保障卡申领（新）"


def test_drafts_do_not_reach_the_bot(engine, county):
    clock = Clock()
    source = DatabaseKnowledge(engine, interval=1, clock=clock)
    version = source().version
    item = county.item("SF-RS-001").model_copy(update={"name": "草稿名称"})
    with Session(engine) as session:
        storage.upsert_item(session=session, item=item, author="test", publish=False)
    clock.now = 2
    source()
    source.wait_for_rebuild()
    assert source().item("SF-RS-001").name == "社会保障卡申领" and source().version == version


def test_failed_rebuild_keeps_the_old_index(engine, county, monkeypatch):
    clock = Clock()
    source = DatabaseKnowledge(engine, interval=1, clock=clock)
    first = source()
    rename(engine, county, "SF-RS-001", "改名")

    def broken(key):
        raise RuntimeError("database gone")

    monkeypatch.setattr(source, "_load", broken)
    clock.now = 2
    source()
    source.wait_for_rebuild()
    assert source() is first


def test_common_codes_prefer_the_most_asked(county):
    knowledge = StaticKnowledge(county)()
    assert common_codes(knowledge, ["SF-RS-001", "NO-SUCH", "SF-GA-003"], 3)[:2] == ["SF-RS-001", "SF-GA-003"]
    assert len(common_codes(knowledge, [], 5)) == 5


def test_with_the_refresher_running_a_push_never_queries_the_database(engine, county, monkeypatch):
    clock = Clock()
    source = DatabaseKnowledge(engine, interval=3600, clock=clock)
    assert not source.ready  # nothing in memory yet: the first call loads it
    first = source()
    assert not source.ready  # in memory, but without the refresher a call may check the version
    source.start_refresher()
    try:
        assert source.ready
        queries: list[str] = []
        monkeypatch.setattr(source, "_key", lambda: queries.append("version") or (0, ""))
        clock.now = 10_000  # long past the interval: without the refresher this call would check
        assert source() is first and queries == []
    finally:
        source.stop_refresher()
    assert not source.ready
    assert StaticKnowledge(county).ready
