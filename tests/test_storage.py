"""Storage tests, run on a migrated in-memory SQLite database and on a real PostgreSQL database."""

import datetime as dt

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from knowledge import schema, storage
from knowledge.models import ItemRevision, ServiceItem
from knowledge.testing import PostgresUnavailable, memory_engine, postgres_database

TODAY = dt.date(2026, 6, 1)
HALL = schema.Hall(name="测试县政务服务中心", phone="0999-1")
TABLES = ("item_revision", "service_item", "synonym", "hall", "hall_revision", "audit_log")


@pytest.fixture(scope="session")
def postgres_url():
    try:
        with postgres_database("guidebot_test_storage") as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL storage tests skipped: {exc}")


@pytest.fixture(scope="session")
def postgres_engine(postgres_url):
    from knowledge.db import make_engine, upgrade

    engine = make_engine(postgres_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request):
    if request.param == "sqlite":
        yield memory_engine()
        return
    engine = request.getfixturevalue("postgres_engine")
    yield engine
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        connection.execute(text("UPDATE kb_meta SET version = 0"))


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


def make_item(code: str = "T-001", **changes) -> schema.Item:
    data = {"code": code, "name": f"测试事项{code}", "department": "县公安局",
            "materials": [{"name": "居民户口簿", "form": "原件", "copies": 1}]}
    return schema.Item.model_validate(data | changes)


def import_items(session, *items, **options) -> storage.ImportReport:
    kb = schema.KnowledgeBase(format="guidebot-kb/1", hall=HALL, items=list(items))
    return storage.import_kb(session=session, kb=kb, author="测试", today=TODAY, **options)


def visible(session, today=TODAY) -> dict[str, str]:
    return {item.code: item.name for item in storage.published_items(session=session, today=today)}


def revision_count(session) -> int:
    return session.exec(select(func.count()).select_from(ItemRevision)).one()


# --- import and export -----------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["county_kb_path", "guangdong_kb_path"], ids=["county", "guangdong"])
def test_json_round_trip_is_lossless(request, session, fixture):
    kb = schema.load_kb(request.getfixturevalue(fixture))
    report = storage.import_kb(session=session, kb=kb, author="测试")
    assert len(report.created) == len(kb.items) and report.hall_changed
    exported = storage.export_kb(session=session)
    assert exported.model_dump() == kb.model_dump()
    again = storage.import_kb(session=session, kb=exported, author="测试")
    assert len(again.unchanged) == len(kb.items) and not again.updated and not again.hall_changed


def test_no_op_reimport_writes_no_revision_and_keeps_version(session):
    import_items(session, make_item("A"), make_item("B"))
    revisions, version = revision_count(session), storage.kb_version(session=session)
    report = import_items(session, make_item("A"), make_item("B"))
    assert report.unchanged == ["A", "B"] and report.created == [] and report.updated == []
    assert revision_count(session) == revisions == 2
    assert storage.kb_version(session=session) == version


def test_changed_item_gets_a_revision_and_bumps_version(session):
    import_items(session, make_item("A"), make_item("B"))
    version = storage.kb_version(session=session)
    report = import_items(session, make_item("A", name="新名称"), make_item("B"))
    assert report.updated == ["A"] and report.unchanged == ["B"]
    assert [r.number for r in storage.history(session=session, code="A")] == [1, 2]
    assert storage.kb_version(session=session) == version + 1
    assert visible(session)["A"] == "新名称"


def test_import_is_all_or_nothing_when_interrupted(session):
    import_items(session, make_item("A"))
    calls = []

    def stop_at_third(step: int) -> None:
        calls.append(step)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_items(session, make_item("A", name="改"), make_item("B"), make_item("C"), make_item("D"),
                     progress=stop_at_third)
    assert [row.code for row in storage.list_items(session=session)] == ["A"]
    assert visible(session) == {"A": "测试事项A"}


def test_import_is_all_or_nothing_on_a_bad_item(session):
    bad = schema.Item.model_construct(**(make_item("BAD").model_dump() | {"visits": "两次"}))
    kb = schema.KnowledgeBase.model_construct(format="guidebot-kb/1", hall=HALL,
                                              items=[make_item("A"), make_item("B"), bad])
    with pytest.raises(Exception, match="visits"):
        storage.import_kb(session=session, kb=kb, author="测试")
    assert storage.is_empty(session=session)
    assert storage.get_hall(session=session) is None


def test_dry_run_reports_and_writes_nothing(session):
    import_items(session, make_item("A"))
    report = import_items(session, make_item("A", name="改"), make_item("B"), dry_run=True)
    assert (report.created, report.updated, report.dry_run) == (["B"], ["A"], True)
    assert visible(session) == {"A": "测试事项A"} and revision_count(session) == 1


@pytest.mark.parametrize(("prune", "expected"), [
    (False, {"A": "published", "B": "published", "C": "published"}),
    (True, {"A": "published", "B": "archived", "C": "archived"}),
], ids=["kept", "pruned"])
def test_items_missing_from_the_file(session, prune, expected):
    import_items(session, make_item("A"), make_item("B"), make_item("C"))
    report = import_items(session, make_item("A"), prune=prune)
    assert report.pruned == ([code for code, s in expected.items() if s == "archived"])
    assert {row.code: row.status for row in storage.list_items(session=session)} == expected
    assert set(visible(session)) == {code for code, s in expected.items() if s == "published"}


def test_draft_import_is_invisible_until_approved(session):
    report = import_items(session, make_item("A"), publish=False)
    assert report.created == ["A"] and storage.get_item(session=session, code="A").status == "draft"
    assert visible(session) == {}
    assert storage.export_kb(session=session).items == []
    assert [i.code for i in storage.export_kb(session=session, status="all").items] == ["A"]


def test_export_without_hall_raises(session):
    with pytest.raises(storage.HallNotSet, match="大厅"):
        storage.export_kb(session=session)


# --- lifecycle -------------------------------------------------------------------------------


def test_review_cycle(session):
    storage.upsert_item(session=session, item=make_item("A"), author="张三", today=TODAY)
    storage.submit_for_review(session=session, code="A", author="张三")
    storage.return_for_changes(session=session, code="A", reviewer="李四", comment="材料写全")
    assert storage.get_item(session=session, code="A").status == "draft"
    storage.submit_for_review(session=session, code="A", author="张三")
    change = storage.approve(session=session, code="A", reviewer="李四", today=TODAY)
    assert change.status == "published" and visible(session) == {"A": "测试事项A"}
    revisions = storage.history(session=session, code="A")
    assert [(r.number, r.status, r.author) for r in revisions] == [
        (1, "draft", "张三"), (2, "in_review", "张三"), (3, "draft", "李四"),
        (4, "in_review", "张三"), (5, "published", "李四")]
    assert revisions[2].comment == "材料写全"


@pytest.mark.parametrize(("setup", "step"), [
    ("draft", lambda s: storage.approve(session=s, code="A", reviewer="r")),
    ("draft", lambda s: storage.return_for_changes(session=s, code="A", reviewer="r", comment="c")),
    ("published", lambda s: storage.submit_for_review(session=s, code="A", author="a")),
    ("archived", lambda s: storage.archive(session=s, code="A", author="a")),
], ids=["approve-draft", "return-draft", "submit-published", "archive-archived"])
def test_invalid_transitions(session, setup, step):
    storage.upsert_item(session=session, item=make_item("A"), author="a", publish=setup != "draft")
    if setup == "archived":
        storage.archive(session=session, code="A", author="a")
    with pytest.raises(storage.InvalidTransition) as caught:
        step(session)
    assert caught.value.code == "A" and caught.value.from_status == setup
    assert "不能改为" in str(caught.value)


def test_published_item_stays_visible_while_its_edit_is_a_draft(session):
    storage.set_hall(session=session, hall=HALL)
    storage.upsert_item(session=session, item=make_item("A"), author="a", publish=True)
    version = storage.kb_version(session=session)
    storage.upsert_item(session=session, item=make_item("A", name="新版"), author="a", today=TODAY)
    row = storage.get_item(session=session, code="A")
    assert row.status == "draft" and row.item().name == "新版"
    assert visible(session) == {"A": "测试事项A"}
    assert storage.kb_version(session=session) == version
    assert storage.export_kb(session=session).items[0].name == "测试事项A"
    storage.submit_for_review(session=session, code="A", author="a")
    assert visible(session) == {"A": "测试事项A"}
    storage.approve(session=session, code="A", reviewer="r", today=TODAY)
    assert visible(session) == {"A": "新版"}
    assert storage.kb_version(session=session) == version + 1


def test_approved_edit_with_future_date_waits_for_it(session):
    storage.upsert_item(session=session, item=make_item("A"), author="a", publish=True)
    storage.upsert_item(session=session, item=make_item("A", name="新政策"), author="a", today=TODAY)
    storage.set_effective_date(session=session, code="A", effective_date=dt.date(2026, 7, 1), author="a")
    storage.submit_for_review(session=session, code="A", author="a")
    storage.approve(session=session, code="A", reviewer="r", today=TODAY)
    assert visible(session, TODAY) == {"A": "测试事项A"}
    assert visible(session, dt.date(2026, 7, 1)) == {"A": "新政策"}


def test_new_item_with_future_date_appears_on_that_date(session):
    storage.upsert_item(session=session, item=make_item("A"), author="a")
    storage.set_effective_date(session=session, code="A", effective_date=dt.date(2026, 7, 1), author="a")
    storage.submit_for_review(session=session, code="A", author="a")
    storage.approve(session=session, code="A", reviewer="r", today=TODAY)
    assert visible(session, dt.date(2026, 6, 30)) == {}
    assert visible(session, dt.date(2026, 7, 1)) == {"A": "测试事项A"}


def test_effective_date_only_on_drafts(session):
    storage.upsert_item(session=session, item=make_item("A"), author="a", publish=True)
    with pytest.raises(storage.NotEditable, match="生效日期"):
        storage.set_effective_date(session=session, code="A", effective_date=TODAY, author="a")


def test_archive_hides_and_edit_after_archive_is_a_draft(session):
    storage.upsert_item(session=session, item=make_item("A"), author="a", publish=True)
    storage.archive(session=session, code="A", author="a")
    assert visible(session) == {}
    storage.upsert_item(session=session, item=make_item("A", name="重新启用"), author="a", today=TODAY)
    row = storage.get_item(session=session, code="A")
    assert (row.status, row.live_data) == ("draft", None) and visible(session) == {}


def test_upsert_unchanged_writes_nothing(session):
    storage.upsert_item(session=session, item=make_item("A"), author="a", publish=True)
    change = storage.upsert_item(session=session, item=make_item("A"), author="b", publish=True)
    assert change.action == "unchanged" and revision_count(session) == 1
    assert storage.get_item(session=session, code="A").updated_by == "a"


# --- revisions and restore -------------------------------------------------------------------


def test_restore_publishes_an_earlier_snapshot_as_a_new_revision(session):
    for name in ("一", "二", "三"):
        storage.upsert_item(session=session, item=make_item("A", name=name), author="a", publish=True)
    change = storage.restore(session=session, code="A", revision=1, author="管理员")
    assert (change.revision, change.status) == (4, "published")
    assert visible(session) == {"A": "一"}
    latest = storage.history(session=session, code="A")[-1]
    assert (latest.author, latest.snapshot["name"]) == ("管理员", "一") and "第 1 版" in latest.summary


def test_restore_as_draft_keeps_the_live_version(session):
    storage.upsert_item(session=session, item=make_item("A", name="旧"), author="a", publish=True)
    storage.upsert_item(session=session, item=make_item("A", name="新"), author="a", publish=True)
    storage.restore(session=session, code="A", revision=1, author="a", publish=False, today=TODAY)
    assert storage.get_item(session=session, code="A").item().name == "旧"
    assert visible(session) == {"A": "新"}


def test_restore_the_same_content_still_writes_a_revision(session):
    storage.upsert_item(session=session, item=make_item("A"), author="a", publish=True)
    storage.restore(session=session, code="A", revision=1, author="a")
    assert [r.number for r in storage.history(session=session, code="A")] == [1, 2]


def test_snapshots_are_full_items(session):
    item = make_item("A", aliases=["补办户口"], fee={"free": True}, faq=[{"q": "要钱吗", "a": "不收费"}])
    storage.upsert_item(session=session, item=item, author="a", publish=True)
    revision = storage.get_revision(session=session, code="A", number=1)
    assert schema.Item.model_validate(revision.snapshot) == item


@pytest.mark.parametrize(("call", "error", "fields"), [
    (lambda s: storage.get_item(session=s, code="NOPE"), storage.ItemNotFound, {"code": "NOPE"}),
    (lambda s: storage.history(session=s, code="NOPE"), storage.ItemNotFound, {"code": "NOPE"}),
    (lambda s: storage.restore(session=s, code="A", revision=9, author="a"), storage.RevisionNotFound,
     {"code": "A", "number": 9}),
    (lambda s: storage.approve(session=s, code="NOPE", reviewer="r"), storage.ItemNotFound, {"code": "NOPE"}),
], ids=["get", "history", "restore-revision", "approve"])
def test_errors_carry_their_data(session, call, error, fields):
    storage.upsert_item(session=session, item=make_item("A"), author="a", publish=True)
    with pytest.raises(error) as caught:
        call(session)
    assert {key: getattr(caught.value, key) for key in fields} == fields
    assert any("\u4e00" <= char <= "\u9fff" for char in str(caught.value))


def test_failed_write_leaves_the_session_usable(session):
    with pytest.raises(storage.ItemNotFound):
        storage.approve(session=session, code="NOPE", reviewer="r")
    assert storage.upsert_item(session=session, item=make_item("A"), author="a").action == "created"


# --- reads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("search", "status", "full_text", "expected"), [
    (None, None, False, ["A", "B", "C"]),
    ("户口", None, False, []),
    ("户口", None, True, ["A", "B", "C"]),
    ("补办", None, False, ["B"]),
    ("c", None, False, ["C"]),
    ("100%", None, False, []),
    (None, "draft", False, ["C"]),
    ("补办", "draft", False, []),
], ids=["all", "material-text-not-searched", "material-text-on-request", "alias", "code-any-case",
        "like-escaped", "status", "both"])
def test_list_items(session, search, status, full_text, expected):
    import_items(session, make_item("A"), make_item("B", aliases=["补办身份证"]))
    storage.upsert_item(session=session, item=make_item("C"), author="a")
    found = storage.list_items(session=session, search=search, status=status, full_text=full_text)
    assert [row.code for row in found] == expected


def test_search_ranks_code_then_name_then_alias_then_other_text(session):
    import_items(
        session,
        make_item("X-1", name="社会保障卡申领", materials=[{"name": "居民身份证"}]),
        make_item("X-2", name="居民身份证补领"),
        make_item("X-3", name="港澳通行证", aliases=["身份证明"]),
        make_item("SFZ", name="户口迁移"),
    )
    ranked = storage.list_items(session=session, search="身份证", full_text=True)
    assert [row.code for row in ranked] == ["X-2", "X-3", "X-1"]  # name, alias, then material text
    assert [row.code for row in storage.list_items(session=session, search="sfz")] == ["SFZ"]  # code


def test_count_by_status(session):
    import_items(session, make_item("A"), make_item("B"))
    storage.upsert_item(session=session, item=make_item("C"), author="a")
    assert storage.count_by_status(session=session) == {"draft": 1, "in_review": 0, "published": 2,
                                                        "archived": 0}


def test_published_kb_includes_hall(session):
    import_items(session, make_item("A"))
    kb = storage.published_kb(session=session, today=TODAY)
    assert kb.hall == HALL and [item.code for item in kb.items] == ["A"]


def test_hall_set_and_get(session):
    assert storage.get_hall(session=session) is None
    assert storage.set_hall(session=session, hall=HALL)
    version = storage.kb_version(session=session)
    assert not storage.set_hall(session=session, hall=HALL)
    assert storage.kb_version(session=session) == version
    assert storage.get_hall(session=session) == HALL


def test_synonyms(session):
    version = storage.kb_version(session=session)
    first = storage.add_synonym(session=session, word=" 户口本 ", canonical="居民户口簿")
    assert storage.add_synonym(session=session, word="户口本", canonical="居民户口簿").id == first.id
    storage.add_synonym(session=session, word="身份证", canonical="居民身份证")
    assert [(s.word, s.canonical) for s in storage.list_synonyms(session=session)] == [
        ("户口本", "居民户口簿"), ("身份证", "居民身份证")]
    assert storage.delete_synonym(session=session, synonym_id=first.id)
    assert not storage.delete_synonym(session=session, synonym_id=first.id)
    assert storage.kb_version(session=session) == version + 3


@pytest.mark.parametrize(("word", "canonical"), [("", "x"), ("同", "同"), ("  ", "x")],
                         ids=["empty", "same", "blank"])
def test_invalid_synonym(session, word, canonical):
    with pytest.raises(storage.InvalidSynonym, match="同义词"):
        storage.add_synonym(session=session, word=word, canonical=canonical)


@pytest.mark.parametrize(("action", "bumps"), [
    (lambda s: storage.upsert_item(session=s, item=make_item("B"), author="a"), False),
    (lambda s: storage.upsert_item(session=s, item=make_item("B"), author="a", publish=True), True),
    (lambda s: storage.archive(session=s, code="A", author="a"), True),
    (lambda s: storage.restore(session=s, code="A", revision=1, author="a"), True),
    (lambda s: storage.restore(session=s, code="A", revision=1, author="a", publish=False), False),
], ids=["draft-save", "publish", "archive", "restore", "restore-draft"])
def test_kb_version_moves_only_when_the_bot_view_may_change(session, action, bumps):
    import_items(session, make_item("A"))
    version = storage.kb_version(session=session)
    action(session)
    assert storage.kb_version(session=session) == version + (1 if bumps else 0)


def test_load_demo_if_empty(session, county_kb_path):
    assert storage.load_demo_if_empty(session=session, path=county_kb_path)
    assert not storage.load_demo_if_empty(session=session, path=county_kb_path)
    assert len(storage.published_items(session=session)) == 77
    assert storage.history(session=session, code="SF-GA-001")[0].author == storage.DEMO_AUTHOR


def test_shipped_demo_hall_loads(session):
    if not storage.DEMO_PATH.exists():
        pytest.skip(f"demo hall not written yet: {storage.DEMO_PATH}")
    assert storage.load_demo_if_empty(session=session)
    assert len(storage.published_items(session=session)) >= 20


def test_item_columns_follow_the_data(session):
    storage.upsert_item(session=session, item=make_item("A", type="行政许可", updated="2026-05-01"),
                        author="a", publish=True)
    row = session.exec(select(ServiceItem)).one()
    assert (row.name, row.department, row.type, row.updated) == ("测试事项A", "县公安局", "行政许可",
                                                                 dt.date(2026, 5, 1))
