"""bot.conversation.consent: subscription-notification events are parsed, recorded and answered with
``success``."""

import datetime as dt
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.conversation import consent
from bot.conversation.engine import Context, respond
from bot.conversation.hours import CHINA
from bot.conversation.knowledge import StaticKnowledge
from bot.conversation.messages import Message, Reply
from bot.conversation.records import hash_openid
from bot.serving.runtime import hash_key
from bot.wechat import protocol as wechat
from knowledge.consent_tables import SubscriptionConsent
from knowledge.db import get_engine, make_engine, upgrade
from knowledge.schema import load_kb
from webhook import create_app

FIXTURES = Path(__file__).parent / "fixtures" / "wechat"
TOKEN = "consent-token"
CREDS = wechat.Credentials(token=TOKEN, app_id="wx1234567890abcdef", timestamp_window=0)
OPENID = "oCitizen0000000000000000001"
TEMPLATE = "tpl-reply-notice"
SUNDAY_NIGHT = dt.datetime(2026, 12, 13, 23, 10, tzinfo=CHINA)


def push(name: str) -> Message:
    timestamp, nonce = "1700000000", "n0nce"
    args = {"timestamp": timestamp, "nonce": nonce, "signature": wechat.sign(TOKEN, timestamp, nonce)}
    return wechat.read_push(CREDS, args, (FIXTURES / f"{name}.xml").read_bytes()).message


@pytest.mark.parametrize(
    ("name", "event", "subscriptions"),
    [
        (
            "event_subscribe_msg_popup",
            "subscribe_msg_popup_event",
            ((TEMPLATE, "accept"), ("tpl-other", "reject")),
        ),
        ("event_subscribe_msg_change", "subscribe_msg_change_event", ((TEMPLATE, "reject"),)),
        ("event_subscribe_msg_sent", "subscribe_msg_sent_event", ((TEMPLATE, "success"),)),
    ],
    ids=["popup-two-templates", "change-one-template", "sent"],
)
def test_events_are_parsed(name, event, subscriptions):
    message = push(name)
    assert (message.kind, message.event, message.openid) == ("event", event, OPENID)
    assert message.subscriptions == subscriptions
    assert event in consent.EVENTS


def test_other_events_carry_no_subscriptions():
    assert push("event_click").subscriptions == ()


@pytest.mark.parametrize(
    ("names", "accepted"),
    [
        (["event_subscribe_msg_popup"], [(OPENID, TEMPLATE)]),
        (["event_subscribe_msg_popup", "event_subscribe_msg_popup"], [(OPENID, TEMPLATE)] * 2),
        (["event_subscribe_msg_popup", "event_subscribe_msg_change"], []),
        (["event_subscribe_msg_sent"], []),
    ],
    ids=["accept", "two-accepts-two-sends", "accept-then-reject", "sent-changes-nothing"],
)
def test_handle_records_accepts_and_rejects(names, accepted):
    book = consent.MemoryConsents()
    for name in names:
        assert consent.handle(push(name), book) == Reply.nothing()
    assert book.accepted == accepted


class BrokenBook:
    def accept(self, *, openid: str, template_id: str) -> None:
        raise RuntimeError("database down")

    def reject(self, *, openid: str, template_id: str) -> None:
        raise RuntimeError("database down")


@pytest.mark.parametrize("book", [None, BrokenBook()], ids=["no-book", "book-fails"])
def test_event_is_answered_even_when_it_cannot_be_recorded(book, caplog):
    assert consent.handle(push("event_subscribe_msg_popup"), book) == Reply.nothing()
    assert caplog.records and "event subscribe_msg_popup_event" in caplog.text


@pytest.fixture(scope="module")
def knowledge(county_kb_path):
    return StaticKnowledge(load_kb(county_kb_path))


def test_respond_records_consent_in_the_database(tmp_path, knowledge):
    engine = make_engine(f"sqlite:///{tmp_path}/consent.sqlite3")
    upgrade(engine)
    context = Context(knowledge=knowledge, consents=consent.DatabaseConsents(engine, hash_key="k"))
    assert respond(push("event_subscribe_msg_popup"), context) == Reply.nothing()
    with Session(engine) as session:
        rows = session.exec(select(SubscriptionConsent)).all()
    assert [(row.openid, row.openid_hash, row.template_id, row.used_at) for row in rows] == [
        (OPENID, hash_openid(OPENID, "k"), TEMPLATE, None)
    ]
    assert respond(push("event_subscribe_msg_change"), context) == Reply.nothing()
    with Session(engine) as session:
        assert session.exec(select(SubscriptionConsent)).all() == []


@pytest.mark.parametrize(
    ("template", "page", "mentioned"),
    [
        (TEMPLATE, "https://hall.example.cn/notify", True),
        ("", "https://hall.example.cn/notify", False),
        (TEMPLATE, "", False),
    ],
    ids=["template-and-page", "no-template", "no-page"],
)
def test_handoff_names_the_subscribe_page_only_when_configured(knowledge, template, page, mentioned):
    subscribe_page = consent.subscribe_page({"SUBSCRIBE_TEMPLATE_ID": template, "SUBSCRIBE_PAGE_URL": page})
    # Outside the hall's hours, where the handoff says when a person is back and may offer the page (a fixed
    # clock: the test once passed or failed by the hour it ran).
    context = Context(
        knowledge=knowledge, service_hours=None, subscribe_page=subscribe_page, clock=lambda: SUNDAY_NIGHT
    )
    reply = respond(Message(kind="text", openid=OPENID, text="人工", msg_id="1"), context)
    assert reply.kind == "text" and reply.action == "handoff" and "恢复人工服务" in reply.text
    assert ("允许接收一次回复通知" in reply.text) is mentioned
    assert ("https://hall.example.cn/notify" in reply.text) is mentioned


def test_webhook_records_consent_once_per_push(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path}/guidebot.sqlite3",
            "WECHAT_TOKEN": TOKEN,
            "SUBSCRIBE_TEMPLATE_ID": TEMPLATE,
        }
    )
    engine = get_engine(app)
    upgrade(engine)
    client = app.test_client()
    timestamp, nonce = str(int(time.time())), "n0nce"
    args = {"timestamp": timestamp, "nonce": nonce, "signature": wechat.sign(TOKEN, timestamp, nonce)}
    body = (FIXTURES / "event_subscribe_msg_popup.xml").read_bytes()
    for _ in range(2):  # WeChat retries a push it got no answer to in time: one record only
        response = client.post("/wechat", query_string=args, data=body, content_type="text/xml")
        assert response.status_code == 200 and response.get_data(as_text=True) in ("", "success")
    with Session(engine) as session:
        rows = session.exec(select(SubscriptionConsent)).all()
    assert [(row.openid_hash, row.template_id) for row in rows] == [
        (hash_openid(OPENID, hash_key(app.config)), TEMPLATE)
    ]
