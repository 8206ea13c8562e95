"""The unanswered queue: grouping, one-click alias, ignore, new item, regression, replies to citizens."""

import datetime as dt

import pytest
from console_support import WeChatRefusal, log_question, login, make_app, review_form, token
from sqlmodel import Session, select

from knowledge import storage
from knowledge.console import replies
from knowledge.console_tables import AuditLog, RegressionCase
from knowledge.models import QuestionLog
from knowledge.queries import group_questions, review_queue

CODE = "SF-GA-003"


@pytest.fixture()
def setup(tmp_path, county_kb_path):
    return make_app(tmp_path, county_kb_path)


def _states(engine):
    with Session(engine) as session:
        return {row.id: row.state for row in session.exec(select(QuestionLog))}


def test_similar_questions_are_grouped_most_frequent_first(setup):
    _app, engine, _sent = setup
    now = dt.datetime.now(dt.UTC)
    log_question(engine, "身份证不见了咋整", candidates=[(CODE, 0.41)], at=now - dt.timedelta(hours=3))
    log_question(engine, "身份证不见了咋整？", candidates=[(CODE, 0.43)], at=now - dt.timedelta(hours=2))
    log_question(engine, "身份证不见了咋整啊", openid_hash="h2", at=now - dt.timedelta(hours=1))
    log_question(engine, "公积金怎么提取", at=now)
    log_question(engine, "谢谢", reason="empty")  # greetings are not review work
    log_question(engine, "身份证丢了", action="answer", reason="confident")  # answered
    with Session(engine) as session:
        groups = review_queue(session=session)
    assert [(g.text, g.count) for g in groups] == [("身份证不见了咋整啊", 3), ("公积金怎么提取", 1)]
    assert groups[0].candidates == [(CODE, 0.43)]
    line = groups[0].as_json()
    assert set(line) == {"id", "state", "text", "count", "first_seen", "last_seen", "candidates"}
    assert line["state"] == "open" and line["candidates"] == [{"code": CODE, "score": 0.43}]


def test_grouping_keeps_different_questions_apart():
    rows = [
        QuestionLog(
            id=i,
            text=t,
            openid_hash="h",
            action="handoff",
            reason="out_of_scope",
            created_at=dt.datetime.now(dt.UTC),
        )
        for i, t in enumerate(["营业执照怎么办", "结婚登记要什么"])
    ]
    assert len(group_questions(rows)) == 2


def test_one_click_alias_then_review_makes_the_bot_answer(setup):
    app, engine, _sent = setup
    first = log_question(engine, "身份证不见了咋整", candidates=[(CODE, 0.4)])
    second = log_question(engine, "身份证不见了咋整？", candidates=[(CODE, 0.4)])
    client = app.test_client()
    login(client, "ed")
    page = client.get("/admin/unanswered/").get_data(as_text=True)
    assert "加为「居民身份证补领（丢失、损坏）」的别名" in page
    response = client.post(
        "/admin/unanswered/action",
        data={
            "ids": [first, second],
            "action": "alias",
            "code": CODE,
            "csrf_token": token(client, "/admin/unanswered/"),
        },
    )
    assert response.status_code == 302
    assert set(_states(engine).values()) == {"alias_added"}
    with Session(engine) as session:
        row = storage.get_item(session=session, code=CODE)
        assert row.status == "in_review" and "身份证不见了咋整" in row.data["aliases"]
    reviewer = app.test_client()
    login(reviewer, "rev")
    reviewer.post(f"/admin/review/{CODE}/approve", data=review_form(reviewer, CODE))
    answer = reviewer.get("/admin/items/ask?q=身份证不见了咋整").get_data(as_text=True)
    assert f"事项：<strong>{CODE}</strong>" in answer


def test_alias_to_an_item_the_bot_did_not_guess(setup):
    """The bot's three guesses were all wrong: staff pick the right item by code from the page's list."""
    app, engine, _sent = setup
    asked = log_question(engine, "二代证寻不见咧", candidates=[("SF-MZ-001", 0.2)])
    client = app.test_client()
    login(client, "ed")
    page = client.get("/admin/unanswered/").get_data(as_text=True)
    assert f'<option value="{CODE}">居民身份证补领（丢失、损坏）</option>' in page  # every item is offered
    assert 'list="item-codes"' in page
    form = {"ids": [asked], "action": "alias", "csrf_token": token(client, "/admin/unanswered/")}
    unknown = client.post("/admin/unanswered/action", data={**form, "code": "NO-SUCH"}, follow_redirects=True)
    assert "NO-SUCH" in unknown.get_data(as_text=True) and set(_states(engine).values()) == {"open"}
    client.post("/admin/unanswered/action", data={**form, "code": CODE})
    assert set(_states(engine).values()) == {"alias_added"}
    with Session(engine) as session:
        assert "二代证寻不见咧" in storage.get_item(session=session, code=CODE).data["aliases"]


@pytest.mark.parametrize(
    ("action", "state"), [("ignore", "ignored"), ("new_item", "item_created")], ids=["ignore", "new-item"]
)
def test_state_actions(setup, action, state):
    app, engine, _sent = setup
    question = log_question(engine, "残疾证怎么办理")
    client = app.test_client()
    login(client, "ed")
    response = client.post(
        "/admin/unanswered/action", data={"ids": [question], "action": action, "csrf_token": token(client)}
    )
    assert response.status_code == 302
    assert _states(engine)[question] == state
    if action == "new_item":
        assert "/admin/items/new" in response.headers["Location"]
        form = client.get(response.headers["Location"]).get_data(as_text=True)
        assert 'value="残疾证怎么办理"' in form


def test_add_to_regression_table_is_admin_only(setup):
    app, engine, _sent = setup
    question = log_question(engine, "身份证没了", candidates=[(CODE, 0.5)])
    editor = app.test_client()
    login(editor, "ed")
    data = {"ids": [question], "action": "regression", "code": CODE}
    assert (
        editor.post("/admin/unanswered/action", data={**data, "csrf_token": token(editor)}).status_code == 403
    )
    admin = app.test_client()
    login(admin, "admin")
    assert (
        admin.post("/admin/unanswered/action", data={**data, "csrf_token": token(admin)}).status_code == 302
    )
    with Session(engine) as session:
        case = session.exec(select(RegressionCase)).one()
        assert (case.question, case.item_code) == ("身份证没了", CODE)


def test_masked_tokens_are_not_made_aliases():
    from knowledge.console.unanswered import phrasing

    assert phrasing("我的身份证〔身份证号〕丢了怎么办？") == "我的身份证丢了怎么办"


def test_reply_within_window_is_sent_and_audited(setup):
    app, engine, sent = setup
    question = log_question(engine, "残疾证怎么办理", openid="o-abc")
    client = app.test_client()
    login(client, "ed")
    response = client.post(
        "/admin/unanswered/action",
        data={
            "ids": [question],
            "action": "reply",
            "message": "请到3号窗口咨询",
            "csrf_token": token(client),
        },
        follow_redirects=True,
    )
    assert "已回复 1 位群众" in response.get_data(as_text=True)
    assert sent.messages == [("o-abc", "请到3号窗口咨询")]
    assert _states(engine)[question] == "answered"
    with Session(engine) as session:
        assert session.exec(select(AuditLog).where(AuditLog.action == "reply")).one().target == "h1"


@pytest.mark.parametrize(
    ("hours_ago", "openid", "replies_before", "error", "reason"),
    [
        (49, "o-1", 0, None, replies.WINDOW_CLOSED),
        (1, None, 0, None, replies.NO_OPENID),
        (1, "o-1", 5, None, replies.QUOTA_USED),
        (1, "o-1", 0, WeChatRefusal(45015, "out of response count limit"), replies.WINDOW_CLOSED),
        (1, "o-1", 0, WeChatRefusal(45047, "out of response count limit"), replies.QUOTA_USED),
    ],
    ids=["window-closed", "openid-purged", "quota-used", "wechat-45015", "wechat-45047"],
)
def test_reply_refused_says_why(setup, hours_ago, openid, replies_before, error, reason):
    app, engine, sent = setup
    at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)
    question = log_question(engine, "残疾证怎么办理", openid=openid, at=at)
    with Session(engine) as session:
        for _ in range(replies_before):
            session.add(AuditLog(username="x", action="reply", target="h1"))
        session.commit()
    sent.error = error
    client = app.test_client()
    login(client, "ed")
    page = client.post(
        "/admin/unanswered/action",
        data={"ids": [question], "action": "reply", "message": "您好", "csrf_token": token(client)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"无法送达：{reason}" in page
    assert sent.messages == [] and _states(engine)[question] == "open"


def test_action_without_csrf_is_refused(setup):
    app, engine, _sent = setup
    question = log_question(engine, "残疾证怎么办理")
    client = app.test_client()
    login(client, "ed")
    assert (
        client.post("/admin/unanswered/action", data={"ids": [question], "action": "ignore"}).status_code
        == 400
    )
    assert _states(engine)[question] == "open"


def test_raw_openids_are_purged_after_48_hours(setup):
    from knowledge.queries import purge_raw_openids

    _app, engine, _sent = setup
    now = dt.datetime.now(dt.UTC)
    old = log_question(engine, "残疾证", openid="o-old", at=now - dt.timedelta(hours=49))
    new = log_question(engine, "残疾证", openid="o-new", at=now - dt.timedelta(hours=1))
    with Session(engine) as session:
        assert purge_raw_openids(session=session, now=now) == 1
        openids = {row.id: row.openid for row in session.exec(select(QuestionLog))}
    assert openids == {old: None, new: "o-new"}
