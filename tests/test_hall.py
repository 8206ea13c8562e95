"""knowledge.hall: the hall record changes only through review, is never blanked by accident, and every
change is audited with old and new values (issue 15, finding 1). SQLite in memory and PostgreSQL."""

import json

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from knowledge import hall, schema, storage
from knowledge.console_tables import AuditLog
from knowledge.testing import PostgresUnavailable, memory_engine, postgres_database

FULL = schema.Hall(
    name="青溪县政务服务中心",
    address="青溪县人民路88号",
    hours="周一至周五 9:00-17:00",
    phone="0999-1234567",
    complaint_phone="0999-12345",
    website="https://zwfw.example.gov.cn",
)


@pytest.fixture(scope="module")
def postgres_engine():
    from knowledge.db import make_engine, upgrade

    try:
        with postgres_database("guidebot_test_hall") as url:
            engine = make_engine(url)
            upgrade(engine)
            yield engine
            engine.dispose()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL hall tests skipped: {exc}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def session(request):
    engine = memory_engine() if request.param == "sqlite" else request.getfixturevalue("postgres_engine")
    with Session(engine) as session:
        storage.set_hall(session=session, hall=FULL, author="初始化")
        yield session
    if request.param == "postgres":
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE hall, hall_revision, audit_log RESTART IDENTITY CASCADE"))


def audits(session: Session, action: str) -> list[dict]:
    rows = session.exec(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()
    return [json.loads(row.detail) for row in rows]


def test_name_only_import_keeps_every_filled_field(session):
    kb = schema.KnowledgeBase(format="guidebot-kb/1", hall=schema.Hall(name="青溪县政务服务中心"), items=[])
    report = storage.import_kb(session=session, kb=kb, author="命令行", publish=True)
    assert storage.get_hall(session=session) == FULL
    assert report.hall is not None and report.hall.action == "unchanged"
    assert report.hall.kept_labels == ["地址", "办公时间", "咨询电话", "投诉电话", "网站"]


def test_blanking_a_field_takes_an_explicit_choice(session):
    kb = schema.KnowledgeBase(format="guidebot-kb/1", hall=schema.Hall(name=FULL.name), items=[])
    storage.import_kb(session=session, kb=kb, author="命令行", publish=True, clear_hall={"website"})
    assert storage.get_hall(session=session) == FULL.model_copy(update={"website": None})


def test_unpublished_import_proposes_and_citizens_read_the_old_hall(session):
    fraud = FULL.model_copy(update={"phone": "138-0000-0000"})
    kb = schema.KnowledgeBase(format="guidebot-kb/1", hall=fraud, items=[])
    report = storage.import_kb(session=session, kb=kb, author="ed", publish=False)
    assert report.hall.action == "proposed" and report.summary().endswith("大厅信息的修改已提交审核")
    assert storage.get_hall(session=session) == FULL  # nothing citizens read changed
    assert hall.proposal(session).snapshot["phone"] == "138-0000-0000"
    again = storage.import_kb(session=session, kb=kb, author="ed", publish=False)
    assert again.hall.action == "unchanged" and len(hall.history(session)) == 2  # no second review


def test_approve_publishes_the_revision_seen_and_audits_old_and_new(session):
    version = storage.kb_version(session=session)
    proposed = hall.propose_hall(
        session=session,
        hall=FULL.model_copy(update={"phone": "0999-7654321"}),
        author="ed",
        summary="换了号码",
    )
    with pytest.raises(hall.OwnHallChange):
        hall.approve_hall(session=session, reviewer="ed", revision=proposed.revision)
    with pytest.raises(hall.StaleHallRevision):
        hall.approve_hall(session=session, reviewer="rev", revision=proposed.revision - 1)
    done = hall.approve_hall(session=session, reviewer="rev", revision=proposed.revision)
    assert done.action == "published" and storage.get_hall(session=session).phone == "0999-7654321"
    assert storage.kb_version(session=session) > version
    published = audits(session, "hall_publish")[-1]
    assert published["changes"] == [{"field": "咨询电话", "old": "0999-1234567", "new": "0999-7654321"}]
    assert audits(session, "hall_submit")[-1]["changes"][0]["old"] == "0999-1234567"


def test_a_newer_proposal_refuses_the_older_approval(session):
    first = hall.propose_hall(session=session, hall=FULL.model_copy(update={"phone": "1"}), author="ed")
    second = hall.propose_hall(session=session, hall=FULL.model_copy(update={"phone": "2"}), author="ed2")
    assert second.revision == first.revision + 1
    with pytest.raises(hall.StaleHallRevision) as caught:
        hall.approve_hall(session=session, reviewer="rev", revision=first.revision)
    assert "又有新的修改" in str(caught.value) and storage.get_hall(session=session) == FULL


def test_return_then_restore(session):
    moved = FULL.model_copy(update={"address": "新址"})
    number = hall.propose_hall(session=session, hall=moved, author="ed").revision
    with pytest.raises(storage.KnowledgeError):
        hall.return_hall(session=session, reviewer="rev", revision=number, comment=" ")
    returned = hall.return_hall(session=session, reviewer="rev", revision=number, comment="地址不对")
    assert returned.status == "draft" and hall.proposal(session).comment == "地址不对"
    with pytest.raises(hall.HallNotInReview):
        hall.approve_hall(session=session, reviewer="rev", revision=returned.revision)
    restored = hall.restore_hall(session=session, number=1, author="ed")
    assert restored.action == "unchanged"  # revision 1 is what citizens read already
    changed = hall.propose_hall(
        session=session, hall=FULL.model_copy(update={"website": None}), author="ed", clear={"website"}
    )
    hall.approve_hall(session=session, reviewer="rev", revision=changed.revision)
    back = hall.restore_hall(session=session, number=1, author="ed")
    assert back.action == "proposed" and [c.field for c in back.changes] == ["website"]
    hall.approve_hall(session=session, reviewer="rev", revision=back.revision)
    assert storage.get_hall(session=session) == FULL
    with pytest.raises(hall.HallRevisionNotFound):
        hall.restore_hall(session=session, number=99, author="ed")


def test_cli_style_import_is_audited_in_its_transaction(session):
    kb = schema.KnowledgeBase(
        format="guidebot-kb/1", hall=FULL.model_copy(update={"hours": "全天"}), items=[]
    )
    storage.import_kb(session=session, kb=kb, author="命令行（root）", publish=True, source="hall.xlsx")
    (row,) = session.exec(select(AuditLog).where(AuditLog.action == "import")).all()
    detail = json.loads(row.detail)
    assert (row.username, row.target) == ("命令行（root）", "hall.xlsx")
    assert detail["hall"]["changes"] == [{"field": "办公时间", "old": FULL.hours, "new": "全天"}]
    storage.import_kb(session=session, kb=kb, author="x", publish=True, dry_run=True, source="dry.xlsx")
    assert len(session.exec(select(AuditLog).where(AuditLog.action == "import")).all()) == 1


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_upgrading_keeps_the_hall_as_revision_one_and_doubled_msgids_once(tmp_path, backend):
    """Migrations 0005_hall and 0006_msgid on a database that has a hall and a doubled MsgId."""
    from knowledge.db import make_engine, upgrade

    def run(url: str) -> None:
        engine = make_engine(url)
        try:
            upgrade(engine, "0003")
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO hall (id, name, phone) VALUES (1, '老大厅', '0999-1')"))
                row = (
                    "INSERT INTO question_log (created_at, msg_id, openid_hash, text, action, reason, "
                    "score, candidates, state) "
                    "VALUES (CURRENT_TIMESTAMP, '77', 'h', '问', 'answer', 'x', 0, '[]', 'open')"
                )
                for _ in range(2):
                    connection.execute(text(row))
            upgrade(engine)
            with Session(engine) as session:
                assert storage.get_hall(session=session) == schema.Hall(name="老大厅", phone="0999-1")
                (first,) = hall.history(session)
                assert (first.number, first.status, first.snapshot) == (
                    1,
                    "published",
                    {"name": "老大厅", "phone": "0999-1"},
                )
                assert hall.proposal(session) is None
                count = session.exec(text("SELECT COUNT(*) FROM question_log WHERE msg_id = '77'")).one()[0]
                assert count == 1
        finally:
            engine.dispose()

    if backend == "sqlite":
        run(f"sqlite:///{tmp_path}/upgrade.sqlite3")
        return
    try:
        with postgres_database("guidebot_test_hall_upgrade") as url:
            run(url)
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")

