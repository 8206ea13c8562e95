"""Review and publishing: four-eyes rule, returning with a comment, effective dates, the regression gate."""

import datetime as dt

import pytest
from console_support import login, make_app, review_form, token
from sqlmodel import Session, select

from knowledge import storage
from knowledge.console import regression
from knowledge.console_tables import AuditLog, RegressionCase

CODE = "SF-GA-003"


@pytest.fixture()
def setup(tmp_path, county_kb_path):
    return make_app(tmp_path, county_kb_path)


def _submit_alias_change(app, engine, user="ed", alias="身份证找不到了", aliases_drop=False):
    client = app.test_client()
    login(client, user)
    with Session(engine) as session:
        data = storage.get_item(session=session, code=CODE).data
    aliases = [] if aliases_drop else [*data.get("aliases", []), alias]
    form = {
        "name": data["name"],
        "department": data["department"],
        "aliases": "\n".join(aliases),
        "submit_review": "1",
        "csrf_token": token(client),
    }
    for index, material in enumerate(data["materials"]):
        form[f"materials-{index}-name"] = material["name"]
    assert client.post(f"/admin/items/{CODE}", data=form).status_code == 302
    return client


def _status(engine):
    with Session(engine) as session:
        return storage.get_item(session=session, code=CODE).status


def test_editor_cannot_publish(setup):
    app, engine, _sent = setup
    client = _submit_alias_change(app, engine)
    response = client.post(f"/admin/review/{CODE}/approve", data={"csrf_token": token(client)})
    assert response.status_code == 403 and _status(engine) == "in_review"


def test_reviewer_cannot_approve_own_change(setup):
    app, engine, _sent = setup
    client = _submit_alias_change(app, engine, user="rev")
    response = client.post(f"/admin/review/{CODE}/approve", data={"csrf_token": token(client)})
    assert response.status_code == 403
    assert "不能审核自己提交的修改" in response.get_data(as_text=True)
    assert _status(engine) == "in_review"


def test_second_reviewer_publishes_and_it_is_audited(setup):
    app, engine, _sent = setup
    _submit_alias_change(app, engine)
    reviewer = app.test_client()
    login(reviewer, "rev")
    page = reviewer.get(f"/admin/review/{CODE}").get_data(as_text=True)
    assert "<ins>身份证找不到了</ins>" in page
    response = reviewer.post(f"/admin/review/{CODE}/approve", data=review_form(reviewer, CODE))
    assert response.status_code == 302
    with Session(engine) as session:
        row = storage.get_item(session=session, code=CODE)
        assert row.status == "published" and "身份证找不到了" in row.data["aliases"]
        assert session.exec(select(AuditLog).where(AuditLog.action == "publish")).one().username == "rev"


def test_return_needs_a_comment(setup):
    app, engine, _sent = setup
    _submit_alias_change(app, engine)
    reviewer = app.test_client()
    login(reviewer, "rev")
    reviewer.post(f"/admin/review/{CODE}/return", data=review_form(reviewer, CODE, comment=""))
    assert _status(engine) == "in_review"
    reviewer.post(f"/admin/review/{CODE}/return", data=review_form(reviewer, CODE, comment="别名太口语"))
    assert _status(engine) == "draft"
    with Session(engine) as session:
        assert storage.history(session=session, code=CODE)[-1].comment == "别名太口语"


def test_future_effective_date_keeps_old_version_live(setup):
    app, engine, _sent = setup
    client = app.test_client()
    login(client, "ed")
    with Session(engine) as session:
        data = storage.get_item(session=session, code=CODE).data
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    form = {
        "name": "居民身份证补领（明年起）",
        "department": data["department"],
        "materials-0-name": "照片",
        "effective_date": later,
        "submit_review": "1",
        "csrf_token": token(client),
    }
    client.post(f"/admin/items/{CODE}", data=form)
    reviewer = app.test_client()
    login(reviewer, "rev")
    reviewer.post(f"/admin/review/{CODE}/approve", data=review_form(reviewer, CODE))
    with Session(engine) as session:
        names = {item.code: item.name for item in storage.published_items(session=session)}
        assert names[CODE] == "居民身份证补领（丢失、损坏）"
        assert storage.get_item(session=session, code=CODE).effective_date.isoformat() == later


def test_regression_gate_blocks_until_confirmed(setup):
    app, engine, _sent = setup
    with Session(engine) as session:
        regression.add_case(
            session=session, question="身份证消磁了", item_code=CODE, field=None, created_by="t"
        )
    _submit_alias_change(app, engine, aliases_drop=True)  # dropping the aliases breaks that question
    reviewer = app.test_client()
    login(reviewer, "rev")
    blocked = reviewer.post(f"/admin/review/{CODE}/approve", data=review_form(reviewer, CODE))
    assert blocked.status_code == 409
    assert "身份证消磁了" in blocked.get_data(as_text=True) and _status(engine) == "in_review"
    form = review_form(reviewer, CODE, confirm_broken="1")
    confirmed = reviewer.post(f"/admin/review/{CODE}/approve", data=form)
    assert confirmed.status_code == 302 and _status(engine) == "published"
    with Session(engine) as session:
        assert session.exec(select(RegressionCase)).one().last_passed is False


@pytest.mark.parametrize(
    ("user", "status"), [("ed", 403), ("rev", 403), ("admin", 302)], ids=["editor", "reviewer", "admin"]
)
def test_only_admins_edit_the_regression_table(setup, user, status):
    client = setup[0].test_client()
    login(client, user)
    response = client.post(
        "/admin/review/regression",
        data={
            "action": "add",
            "question": "身份证丢了",
            "item_code": CODE,
            "field": "",
            "csrf_token": token(client),
        },
    )
    assert response.status_code == status


def test_regression_run_records_results(setup):
    client = setup[0].test_client()
    login(client, "admin")
    for question, code in (("身份证消磁了", CODE), ("今天天气如何", "")):
        client.post(
            "/admin/review/regression",
            data={"action": "add", "question": question, "item_code": code, "csrf_token": token(client)},
        )
    client.post("/admin/review/regression", data={"action": "run", "csrf_token": token(client)})
    with Session(setup[1]) as session:
        assert [case.last_passed for case in session.exec(select(RegressionCase))] == [True, True]


@pytest.mark.parametrize(
    ("question", "code", "field", "message"),
    [
        ("", "X", None, "不能为空"),
        ("q", "X", "weather", "字段"),
        ("q", None, "fee", "超出范围"),
    ],
    ids=["empty", "bad-field", "field-without-item"],
)
def test_bad_regression_cases(setup, question, code, field, message):
    with Session(setup[1]) as session, pytest.raises(regression.CaseError) as raised:
        regression.add_case(session=session, question=question, item_code=code, field=field, created_by="t")
    assert message in raised.value.message


# -- issue 15, finding 2: approval is pinned to the revision the reviewer saw ---------------------


def test_approve_refuses_a_revision_newer_than_the_one_shown(setup):
    app, engine, _sent = setup
    _submit_alias_change(app, engine, alias="版本一")
    reviewer = app.test_client()
    login(reviewer, "rev")
    seen = review_form(reviewer, CODE)  # the reviewer opens V1 …
    _submit_alias_change(app, engine, alias="版本二")  # … the editor re-submits V2 meanwhile …
    response = reviewer.post(f"/admin/review/{CODE}/approve", data=seen)  # … the V1 form is sent
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "在您打开审核页面后又有新的修改" in page
    assert "<ins>版本二</ins>" in page  # the page now shows what changed, with the new revision's form
    with Session(engine) as session:
        row = storage.get_item(session=session, code=CODE)
        assert row.status == "in_review" and "版本二" not in (row.live_data or {}).get("aliases", [])
        assert storage.published_kb(session=session).item(CODE).aliases.count("版本二") == 0
    fresh = reviewer.post(f"/admin/review/{CODE}/approve", data=review_form(reviewer, CODE))
    assert fresh.status_code == 302 and _status(engine) == "published"


def test_return_refuses_a_revision_newer_than_the_one_shown(setup):
    app, engine, _sent = setup
    _submit_alias_change(app, engine, alias="版本一")
    reviewer = app.test_client()
    login(reviewer, "rev")
    seen = review_form(reviewer, CODE, comment="请改")
    _submit_alias_change(app, engine, alias="版本二")
    response = reviewer.post(f"/admin/review/{CODE}/return", data=seen)
    assert response.status_code == 409 and _status(engine) == "in_review"


def test_a_form_without_a_revision_publishes_nothing(setup):
    app, engine, _sent = setup
    _submit_alias_change(app, engine)
    reviewer = app.test_client()
    login(reviewer, "rev")
    response = reviewer.post(f"/admin/review/{CODE}/approve", data={"csrf_token": token(reviewer)})
    assert response.status_code == 400 and "缺少版本号" in response.get_data(as_text=True)
    assert _status(engine) == "in_review"


def test_storage_approve_is_pinned_too(setup):
    _app, engine, _sent = setup
    with Session(engine) as session:
        item = storage.get_item(session=session, code=CODE).item()
        item.name = "改名"
        storage.upsert_item(session=session, item=item, author="ed")
        change = storage.submit_for_review(session=session, code=CODE, author="ed")
        with pytest.raises(storage.StaleRevision):
            storage.approve(session=session, code=CODE, reviewer="rev", revision=change.revision - 1)
        approved = storage.approve(session=session, code=CODE, reviewer="rev", revision=change.revision)
        assert approved.status == "published"


# -- issue 15, finding 3: the reviewer sees the 修改说明, a failed save keeps it, history differs --------


def test_the_reviewer_sees_the_editors_summary(setup):
    app, engine, _sent = setup
    editor = app.test_client()
    login(editor, "ed")
    form = _edit_form(editor, engine, summary="补充群众常用说法")
    assert editor.post(f"/admin/items/{CODE}", data=form).status_code == 302
    reviewer = app.test_client()
    login(reviewer, "rev")
    page = reviewer.get(f"/admin/review/{CODE}").get_data(as_text=True)
    assert "修改说明" in page and "补充群众常用说法" in page


def test_a_failed_save_keeps_the_summary(setup):
    app, engine, _sent = setup
    editor = app.test_client()
    login(editor, "ed")
    form = _edit_form(editor, engine, summary="补充群众常用说法", name="")
    response = editor.post(f"/admin/items/{CODE}", data=form)
    assert response.status_code == 422
    assert 'value="补充群众常用说法"' in response.get_data(as_text=True)


def test_history_opens_on_two_different_versions(setup):
    app, engine, _sent = setup
    _submit_alias_change(app, engine, alias="历史比较")  # a save and a submit: two revisions, one content
    client = app.test_client()
    login(client, "rev")
    page = client.get(f"/admin/items/{CODE}/history").get_data(as_text=True)
    assert "<ins>历史比较</ins>" in page


def _edit_form(client, engine, **changes):
    with Session(engine) as session:
        data = storage.get_item(session=session, code=CODE).data
    form = {
        "name": data["name"],
        "department": data["department"],
        "aliases": "\n".join([*data.get("aliases", []), "新说法"]),
        "submit_review": "1",
        "csrf_token": token(client),
    }
    for index, material in enumerate(data["materials"]):
        form[f"materials-{index}-name"] = material["name"]
    form.update(changes)
    return form
