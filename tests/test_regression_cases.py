"""knowledge.regression_cases: every import seeds the publish gate with each item's name, aliases and FAQ."""

import pytest
from sqlmodel import Session, select

from knowledge import schema, storage
from knowledge.console import regression
from knowledge.console_tables import RegressionCase
from knowledge.db import make_engine, upgrade
from knowledge.regression_cases import SEED_AUTHOR, seed_questions

HALL = schema.Hall(name="测试大厅")


def item(code: str, name: str, aliases=(), faq=()) -> schema.Item:
    data = {"code": code, "name": name, "department": "县公安局", "materials": []}
    if aliases:
        data["aliases"] = list(aliases)
    if faq:
        data["faq"] = [{"q": q, "a": "答复"} for q in faq]
    return schema.Item.model_validate(data)


def kb(*items: schema.Item) -> schema.KnowledgeBase:
    return schema.KnowledgeBase(format="guidebot-kb/1", hall=HALL, items=list(items))


@pytest.fixture()
def engine(tmp_path):
    built = make_engine(f"sqlite:///{tmp_path}/seed.sqlite3")
    upgrade(built)
    yield built
    built.dispose()


def cases(engine) -> dict[str, str | None]:
    with Session(engine) as session:
        return {case.question: case.item_code for case in session.exec(select(RegressionCase))}


def test_names_aliases_and_faq_become_cases():
    items = [item("A", "居民身份证补领", ["身份证丢了"], ["能加急吗？"]), item("B", "出生登记")]
    found = seed_questions(items)
    assert found == {"居民身份证补领": "A", "身份证丢了": "A", "能加急吗？": "A", "出生登记": "B"}


def test_a_question_shared_by_two_items_is_left_out():
    items = [item("A", "社保卡申领", faq=["要本人去吗"]), item("B", "社保卡补领", faq=["要本人去吗"])]
    found = seed_questions(items)
    assert "要本人去吗" not in found and found["社保卡申领"] == "A"


def test_import_seeds_once_and_leaves_staff_cases_alone(engine):
    with Session(engine) as session:
        regression.add_case(
            session=session, question="身份证丢了", item_code=None, field=None, created_by="admin"
        )
        first = kb(item("A", "居民身份证补领", ["身份证丢了"]))
        report = storage.import_kb(session=session, kb=first, author="t")
    assert report.cases_added == 1 and "新增回归测试问题 1 个" in report.summary()
    assert cases(engine) == {"身份证丢了": None, "居民身份证补领": "A"}  # staff's label kept
    with Session(engine) as session:
        again = storage.import_kb(session=session, kb=kb(item("A", "居民身份证补领", ["身份证丢了", "sfz"])),
                                  author="t")
        authors = {case.question: case.created_by for case in session.exec(select(RegressionCase))}
    assert again.cases_added == 1 and cases(engine)["sfz"] == "A"
    assert authors == {"身份证丢了": "admin", "居民身份证补领": SEED_AUTHOR, "sfz": SEED_AUTHOR}


def test_a_dry_run_seeds_nothing(engine):
    with Session(engine) as session:
        report = storage.import_kb(session=session, kb=kb(item("A", "出生登记")), author="t", dry_run=True)
    assert report.cases_added == 1 and cases(engine) == {}


def test_the_demo_hall_starts_with_a_gate_that_checks(engine):
    with Session(engine) as session:
        assert storage.load_demo_if_empty(session=session)
    assert len(cases(engine)) > 100


def test_the_gate_now_stops_a_change_that_breaks_a_seeded_question(tmp_path, county_kb_path):
    # The real bot: renaming 居民身份证补领's aliases away breaks questions that used to be answered.
    from console_support import PASSWORD, login, review_form, token

    from webhook import create_app

    url = f"sqlite:///{tmp_path}/gate.sqlite3"
    built = make_engine(url)
    upgrade(built)
    from knowledge import accounts

    with Session(built) as session:
        storage.import_kb(session=session, kb=schema.load_kb(county_kb_path), author="seed", publish=True)
        accounts.create_user(session=session, username="ed", role="editor", password=PASSWORD)
        accounts.create_user(session=session, username="rev", role="reviewer", password=PASSWORD)
        row = storage.get_item(session=session, code="SF-GA-003")
        every = regression.list_cases(session=session)
        seeded = [case.question for case in every if case.item_code == "SF-GA-003"]
    built.dispose()
    assert len(seeded) >= 3
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "gate", "LOAD_DEMO": False})
    editor, reviewer = app.test_client(), app.test_client()
    login(editor, "ed")
    login(reviewer, "rev")
    data = row.data
    form = {"name": "其他证件补领", "department": data["department"], "submit_review": "1",
            "materials-0-name": "照片", "csrf_token": token(editor)}
    assert editor.post("/admin/items/SF-GA-003", data=form).status_code == 302
    blocked = reviewer.post("/admin/review/SF-GA-003/approve", data=review_form(reviewer, "SF-GA-003"))
    assert blocked.status_code == 409
    assert "原来能答对的测试问题会答错" in blocked.get_data(as_text=True)
