"""``guidebot purge --remask``: citizens' text stored before masking went by character class is masked
again (issue 15, finding 4): the question log, the audit rows and regression questions that quote it, and
item aliases copied from it by 加为别名."""

import json

from click.testing import CliRunner
from sqlmodel import Session, select

from bot.serving.remask import remask
from knowledge import schema, storage
from knowledge.console_tables import AuditLog, RegressionCase
from knowledge.db import make_engine, upgrade
from knowledge.models import ItemRevision, QuestionLog
from knowledge.testing import memory_engine
from webhook import cli

LEAKED = "sfz410105199001011234丢了"  # what the old masking stored raw
HALL = schema.Hall(name="测试大厅", phone="13912345678")  # a hall's own mobile: staff data, kept
ITEM = schema.Item.model_validate(
    {
        "code": "SF-1",
        "name": "身份证补领",
        "department": "公安局",
        "materials": [],
        "aliases": ["补办身份证", LEAKED],
    }
)


def seed(engine) -> None:
    with Session(engine) as session:
        storage.set_hall(session=session, hall=HALL)
        storage.upsert_item(session=session, item=ITEM, author="seed", publish=True)
        session.add(
            QuestionLog(
                openid_hash="h", text=LEAKED, raw_text=LEAKED, action="handoff", reason="x", group_key=LEAKED
            )
        )
        session.add(
            QuestionLog(
                openid_hash="h", text="tel13912345678 社保卡", raw_text=None, action="answer", reason="x"
            )
        )
        session.add(
            QuestionLog(
                openid_hash="h", text="社保卡在哪办", raw_text="社保卡在哪办", action="answer", reason="x"
            )
        )
        session.add(
            AuditLog(
                username="ed",
                action="alias_add",
                target="SF-1",
                detail=json.dumps({"alias": LEAKED, "questions": [1]}, ensure_ascii=False),
            )
        )
        session.add(
            AuditLog(
                username="ed",
                action="item_save",
                target="SF-1",
                detail=json.dumps({"revision": 13912345678}, ensure_ascii=False),
            )
        )
        session.add(RegressionCase(question="139.1234.5678 的社保卡", item_code="SF-1"))
        session.commit()


def test_remask_masks_what_was_stored_raw_and_leaves_the_rest():
    engine = memory_engine()
    seed(engine)
    dry = remask(engine, dry_run=True)
    assert (dry.questions, dry.audits, dry.cases, dry.items, dry.revisions) == (2, 1, 1, 1, 1)
    report = remask(engine)
    assert report.summary().startswith("已重新脱敏：提问记录 2 条")
    with Session(engine) as session:
        questions = session.exec(select(QuestionLog).order_by(QuestionLog.id)).all()
        assert [q.text for q in questions] == ["sfz〔身份证号〕丢了", "tel〔手机号〕 社保卡", "社保卡在哪办"]
        assert [q.raw_text for q in questions] == [None, None, "社保卡在哪办"]
        assert questions[0].group_key == "sfz〔身份证号〕丢了"
        audits = {row.action: json.loads(row.detail) for row in session.exec(select(AuditLog))}
        assert audits["alias_add"]["alias"] == "sfz丢了"
        assert audits["item_save"] == {"revision": 13912345678}  # not a citizen's text: untouched
        assert session.exec(select(RegressionCase)).one().question == "〔手机号〕 的社保卡"
        row = storage.get_item(session=session, code="SF-1")
        assert row.data["aliases"] == ["补办身份证", "sfz丢了"] and "4101" not in row.search_text
        assert all("4101" not in json.dumps(r.snapshot) for r in session.exec(select(ItemRevision)))
        assert storage.get_hall(session=session).phone == "13912345678"
    again = remask(engine)
    assert (again.questions, again.audits, again.cases, again.items, again.revisions) == (0, 0, 0, 0, 0)


def test_cli_remask(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/remask.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine)
    monkeypatch.setenv("GUIDEBOT_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["purge", "--remask"])
    assert result.exit_code == 0, result.output
    assert "已重新脱敏：提问记录 2 条，操作日志 1 条，回归测试问题 1 条，事项别名 1 个事项" in result.output
    with Session(engine) as session:
        assert "4101" not in json.dumps([q.text for q in session.exec(select(QuestionLog))])
    engine.dispose()
