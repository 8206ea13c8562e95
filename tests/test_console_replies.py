"""Console replies via a fake WeChat: customer-service message, 订阅通知 after 48 h, or why not."""

import datetime as dt

import pytest
from console_support import log_question, login, make_app, token
from fake_wechat import FakeWeChat
from sqlmodel import Session, select

from bot.serving.console_hooks import notifier, sender
from knowledge.consent_tables import SubscriptionConsent, record_accept
from knowledge.console import replies
from knowledge.console_tables import AuditLog
from knowledge.models import QuestionLog

TEMPLATE = "tpl-reply-notice"
CUSTOM = "/cgi-bin/message/custom/send"
BIZSEND = "/cgi-bin/message/subscribe/bizsend"
QUESTION = "残疾证怎么办理"


@pytest.fixture()
def wechat():
    with FakeWeChat() as fake:
        yield fake


def _app(tmp_path, kb_path, wechat, template=TEMPLATE):
    url = f"sqlite:///{tmp_path}/console.sqlite3"
    app, engine, _sent = make_app(
        tmp_path,
        kb_path,
        url=url,
        DATABASE_URL=url,
        WECHAT_APP_ID=wechat.app_id,
        WECHAT_APP_SECRET=wechat.app_secret,
        WECHAT_API_BASE=wechat.url,
        SUBSCRIBE_TEMPLATE_ID=template,
    )
    hooks = app.extensions["guidebot_console"]
    hooks.send, hooks.notify = sender(app), notifier(app)  # the real WeChat client, not the test double
    return app, engine


def _reply(app, question_id, message="请带户口本到3号窗口办理"):
    client = app.test_client()
    login(client, "ed")
    return client.post(
        "/admin/unanswered/action",
        data={"ids": [question_id], "action": "reply", "message": message, "csrf_token": token(client)},
        follow_redirects=True,
    ).get_data(as_text=True)


def _consents(engine):
    with Session(engine) as session:
        return session.exec(select(SubscriptionConsent)).all()


def _audit(engine):
    with Session(engine) as session:
        return [row.action for row in session.exec(select(AuditLog).where(AuditLog.target == "h1"))]


@pytest.mark.parametrize(
    ("hours_ago", "openid", "consent", "template", "custom_answer", "path", "message"),
    [
        (1, "o-abc", True, TEMPLATE, None, CUSTOM, "已回复 1 位群众"),
        (49, None, True, TEMPLATE, None, BIZSEND, "已改用订阅通知发送"),
        (49, "o-abc", True, TEMPLATE, None, BIZSEND, "已改用订阅通知发送"),
        (
            1,
            "o-abc",
            True,
            TEMPLATE,
            {"errcode": 45015, "errmsg": "response out of time limit"},
            BIZSEND,
            "已改用订阅通知发送",
        ),
        (49, None, False, TEMPLATE, None, None, "无法送达：" + replies.NO_OPENID + replies.NO_CONSENT),
        (49, "o-abc", False, TEMPLATE, None, None, "无法送达：" + replies.WINDOW_CLOSED + replies.NO_CONSENT),
        (49, None, True, "", None, None, "无法送达：" + replies.NO_OPENID + replies.NO_TEMPLATE),
    ],
    ids=[
        "in-window-custom-service",
        "purged-openid-subscription",
        "window-closed-subscription",
        "wechat-45015-subscription",
        "no-consent-refused",
        "window-closed-no-consent-refused",
        "no-template-refused",
    ],
)
def test_reply_chooses_the_channel(
    tmp_path, county_kb_path, wechat, hours_ago, openid, consent, template, custom_answer, path, message
):
    app, engine = _app(tmp_path, county_kb_path, wechat, template)
    at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)
    question = log_question(engine, QUESTION, openid=openid, at=at)
    if consent:
        with Session(engine) as session:
            record_accept(session=session, openid="o-abc", openid_hash="h1", template_id=TEMPLATE)
    if custom_answer:
        wechat.script(CUSTOM, custom_answer)
    page = _reply(app, question)
    assert message in page
    sent = [call for call in wechat.calls if call.path in (CUSTOM, BIZSEND)]
    delivered = [call.path for call in sent if call.path != CUSTOM or not custom_answer]
    assert delivered == ([path] if path else [])
    with Session(engine) as session:
        state = session.get(QuestionLog, question).state  # type: ignore[union-attr]
    assert state == ("answered" if path else "open")
    rows = _consents(engine)
    if path == BIZSEND:
        body = sent[-1].body
        assert body["touser"] == "o-abc" and body["template_id"] == TEMPLATE
        assert body["data"]["thing1"] == {"value": QUESTION}
        assert body["data"]["thing2"] == {"value": "请带户口本到3号窗口办理"}
        assert body["data"]["time3"]["value"].startswith(f"{dt.datetime.now(dt.UTC).year}年")
        assert rows[0].used_at is not None and rows[0].openid is None  # used up, raw openid gone
        assert _audit(engine) == ["reply_subscribe"]
    else:
        assert all(row.used_at is None for row in rows)
        assert _audit(engine) == (["reply"] if path == CUSTOM else [])


def test_consent_is_used_once(tmp_path, county_kb_path, wechat):
    app, engine = _app(tmp_path, county_kb_path, wechat)
    at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=60)
    first = log_question(engine, QUESTION, openid=None, at=at)
    second = log_question(engine, "残疾证要带什么", openid=None, at=at)
    with Session(engine) as session:
        record_accept(session=session, openid="o-abc", openid_hash="h1", template_id=TEMPLATE)
    assert "已改用订阅通知发送" in _reply(app, first)
    assert "无法送达：" + replies.NO_OPENID + replies.NO_CONSENT in _reply(app, second)
    assert len(wechat.calls_to(BIZSEND)) == 1


def test_wechat_saying_not_accepted_uses_the_consent_up(tmp_path, county_kb_path, wechat):
    app, engine = _app(tmp_path, county_kb_path, wechat)
    question = log_question(
        engine, QUESTION, openid=None, at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=50)
    )
    with Session(engine) as session:
        record_accept(session=session, openid="o-abc", openid_hash="h1", template_id=TEMPLATE)
    wechat.script(BIZSEND, {"errcode": 43101, "errmsg": "user refuse to accept the msg"})
    assert "无法送达：" + replies.NO_OPENID + replies.NO_CONSENT in _reply(app, question)
    assert _consents(engine)[0].used_at is not None and _audit(engine) == []


def test_long_reply_is_cut_to_the_template_limit_and_staff_are_told(tmp_path, county_kb_path, wechat):
    app, engine = _app(tmp_path, county_kb_path, wechat)
    question = log_question(
        engine, QUESTION, openid=None, at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=50)
    )
    with Session(engine) as session:
        record_accept(session=session, openid="o-abc", openid_hash="h1", template_id=TEMPLATE)
    long = "请携带本人身份证、户口本、近期一寸照片和医院诊断证明到3号窗口办理"
    assert "通知里的回复内容已截短" in _reply(app, question, long)
    value = wechat.calls_to(BIZSEND)[0].body["data"]["thing2"]["value"]
    assert len(value) == 20 and value == long[:19] + "…"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"thing1": "question", "thing2": "reply"}, {"thing1": "残疾证怎么办理", "thing2": "请到3号窗口"}),
        ({"phrase3": "reply", "thing4": "政务服务中心"}, {"phrase3": "请到3号…", "thing4": "政务服务中心"}),
        ({"time3": "date"}, {"time3": "2026年11月22日 20:30"}),
    ],
    ids=["question-and-reply", "phrase-cut-and-fixed-text", "date-in-china-time"],
)
def test_notification_data(fields, expected):
    now = dt.datetime(2026, 11, 22, 12, 30, tzinfo=dt.UTC)
    data, _shortened = replies.notification_data(
        fields=fields, question=QUESTION, text="请到3号窗口", now=now
    )
    assert data == expected
