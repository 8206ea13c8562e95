"""The /wechat endpoint through Flask: pushes built exactly as WeChat builds them."""

import datetime as dt
import io
import secrets
import threading
import time
from pathlib import Path

import pytest
import xmltodict
from hypothesis import given, settings
from hypothesis import strategies as st
from wechatpy.crypto import WeChatCrypto

from bot.conversation.hours import CHINA
from bot.serving import delivery, runtime
from bot.wechat import protocol as wechat
from knowledge.schema import Hall, Item, KnowledgeBase, load_kb
from webhook import create_app

FIXTURES = Path(__file__).parent / "fixtures" / "wechat"
TOKEN = "hall-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OLD_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkj"
APP_ID = "wx1234567890abcdef"
CREDS = wechat.Credentials(token=TOKEN, app_id=APP_ID, aes_key=AES_KEY, previous_aes_key=OLD_KEY)
OPEN = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CHINA)  # Monday 10:00
CLOSED = dt.datetime(2026, 11, 28, 10, 0, tzinfo=CHINA)  # Saturday


@pytest.fixture(scope="module")
def county(county_kb_path) -> KnowledgeBase:
    return load_kb(county_kb_path)


def make_app(kb: KnowledgeBase, tmp_path: Path, **config):
    settings = {
        "TESTING": True,
        "KB": kb,
        "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3",
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_AES_KEY": AES_KEY,
        "WECHAT_PREVIOUS_AES_KEY": OLD_KEY,
        "WECHAT_COMPAT_MODE": True,  # plaintext and encrypted pushes alike (tests/test_webhook_guard.py: off)
        "CLOCK": lambda: OPEN,
    }
    settings.update(config)
    return create_app(settings)


@pytest.fixture
def app(county, tmp_path):
    return make_app(county, tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


def text_xml(content: str, msg_id: str = "24000000000000001", openid: str = "oCitizen") -> str:
    return (
        "<xml><ToUserName><![CDATA[gh_hall]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def signed(timestamp: str | None = None, nonce: str | None = None, token: str = TOKEN) -> dict[str, str]:
    """A signed query string as WeChat makes one: a fresh random nonce for every push."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or str(secrets.randbelow(10**10))
    return {"signature": wechat.sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def post_plain(client, body: str | bytes, **args):
    data = body.encode("utf-8") if isinstance(body, str) else body
    query = signed() | args
    return client.post("/wechat", query_string=query, data=data, content_type="text/xml")


def post_aes(client, xml_text: str, key: str = AES_KEY, app_id: str = APP_ID):
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
    sealed = xmltodict.parse(WeChatCrypto(TOKEN, key, app_id).encrypt_message(xml_text, nonce, timestamp))[
        "xml"
    ]
    body = f"<xml><ToUserName>gh_hall</ToUserName><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
    query = signed(timestamp, nonce) | {
        "encrypt_type": "aes",
        "msg_signature": sealed["MsgSignature"],
        "openid": "oCitizen",
    }
    return client.post("/wechat", query_string=query, data=body.encode(), content_type="text/xml")


def reply_of(response) -> dict[str, str]:
    assert response.status_code == 200
    return wechat.read_reply(response.get_data(as_text=True), CREDS)


# -- URL verification ---------------------------------------------------------------------------


def test_url_verification(client):
    response = client.get("/wechat", query_string=signed() | {"echostr": "8837261"})
    assert response.status_code == 200 and response.get_data(as_text=True) == "8837261"


@pytest.mark.parametrize(
    "args",
    [
        {"signature": "f" * 40},
        {"timestamp": "1409735669"},
        {"signature": ""},
    ],
    ids=["bad-signature", "stale", "empty-signature"],
)
def test_url_verification_refused(client, args):
    response = client.get("/wechat", query_string=signed() | {"echostr": "8837261"} | args)
    assert response.status_code == 403 and "8837261" not in response.get_data(as_text=True)


# -- messages -----------------------------------------------------------------------------------


def test_plaintext_question_gets_the_answer(client):
    reply = reply_of(post_plain(client, text_xml("社保卡在哪办")))
    assert (
        reply["MsgType"] == "text"
        and reply["ToUserName"] == "oCitizen"
        and reply["FromUserName"] == "gh_hall"
    )
    assert reply["Content"].startswith("【社会保障卡申领】\n办理地点：")


def test_encrypted_question_gets_an_encrypted_answer(client):
    response = post_aes(client, text_xml("社保卡在哪办"))
    body = response.get_data(as_text=True)
    assert "<Encrypt>" in body and "社会保障卡" not in body
    outer = xmltodict.parse(body)["xml"]
    plain = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(
        body, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"]
    )
    assert xmltodict.parse(plain)["xml"]["Content"].startswith("【社会保障卡申领】")


def test_previous_key_still_works_after_rotation(client):
    assert reply_of(post_aes(client, text_xml("社保卡在哪办"), key=OLD_KEY))["Content"].startswith(
        "【社会保障卡申领】"
    )


@pytest.mark.parametrize("key", [OLD_KEY, AES_KEY], ids=["previous-key", "current-key"])
def test_reply_is_sealed_with_the_key_the_push_came_with(client, key):
    # During a rotation WeChat may still encrypt with the previous EncodingAESKey; only that key opens
    # the reply on its side (issue 17, finding 3). The sender here knows only its own key.
    body = post_aes(client, text_xml("社保卡在哪办"), key=key).get_data(as_text=True)
    sealed = xmltodict.parse(body)["xml"]
    sender = WeChatCrypto(TOKEN, key, APP_ID)
    plain = sender.decrypt_message(body, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"])
    assert xmltodict.parse(plain)["xml"]["Content"].startswith("【社会保障卡申领】")
    other = OLD_KEY if key == AES_KEY else AES_KEY
    with pytest.raises(Exception):  # noqa: B017 (wechatpy raises several kinds for a wrong key)
        WeChatCrypto(TOKEN, other, APP_ID).decrypt_message(
            body, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
        )


def test_published_sample_vector_through_http(county, tmp_path):
    app = make_app(
        county,
        tmp_path,
        WECHAT_TOKEN="spamtest",
        WECHAT_APP_ID="wx2c2769f8efd9abc2",
        WECHAT_AES_KEY=AES_KEY,
        WECHAT_PREVIOUS_AES_KEY="",
        TIMESTAMP_WINDOW=0,
    )
    encrypt = (FIXTURES / "sample_encrypt.txt").read_text().strip()
    body = f"<xml><ToUserName>gh_10f6c3c3ac5a</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    query = {
        # WeChat signs token, timestamp and nonce on every push, 安全模式 too; the published sample
        # gives only msg_signature, so its plain signature is computed as WeChat computes it.
        "signature": wechat.sign("spamtest", "1409735669", "1320562132"),
        "timestamp": "1409735669",
        "nonce": "1320562132",
        "encrypt_type": "aes",
        "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    }
    response = app.test_client().post("/wechat", query_string=query, data=body.encode())
    creds = wechat.Credentials(token="spamtest", app_id="wx2c2769f8efd9abc2", aes_key=AES_KEY)
    reply = wechat.read_reply(response.get_data(as_text=True), creds)
    assert response.status_code == 200 and reply["ToUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert reply["MsgType"] in ("text", "transfer_customer_service")


@pytest.mark.parametrize(
    ("args", "status"),
    [
        ({"signature": "0" * 40}, 403),
        ({"timestamp": str(int(time.time()) - 400)}, 403),
        ({"timestamp": "not-a-time"}, 403),
    ],
    ids=["bad-signature", "stale-timestamp", "malformed-timestamp"],
)
def test_refused_plaintext_pushes(client, args, status):
    response = post_plain(client, text_xml("社保卡在哪办"), **args)
    assert response.status_code == status


def test_wrong_appid_is_refused(client):
    assert post_aes(client, text_xml("社保卡在哪办"), app_id="wxOtherAccount0000").status_code == 403


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ((FIXTURES / "doctype.xml").read_bytes(), 400),
        (b'<?xml version="1.0"?><!DOCTYPE xml SYSTEM "file:///etc/passwd"><xml/>', 400),
        (b"<xml>" + b"<a>" * 30 + b"</a>" * 30 + b"</xml>", 400),
        ((FIXTURES / "truncated.xml").read_bytes(), 400),
        ("<xml><Content>办证</Content></xml>".encode("gb18030"), 400),
        ((FIXTURES / "no_sender.xml").read_bytes(), 400),
        (b"", 400),
        (b"<xml>" + b"A" * (64 * 1024 + 1) + b"</xml>", 413),
    ],
    ids=[
        "entities",
        "external-doctype",
        "deep-nesting",
        "truncated",
        "non-utf8",
        "no-sender",
        "empty",
        "oversize",
    ],
)
def test_hostile_and_malformed_bodies(client, body, status):
    assert post_plain(client, body).status_code == status


def test_oversize_body_without_length_is_refused(client):
    body = b"<xml>" + b"<a/>" * (17 * 1024) + b"</xml>"
    response = client.post(
        "/wechat",
        query_string=signed(),
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked"},
        content_type="text/xml",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "name",
    sorted(
        p.stem
        for p in FIXTURES.glob("*.xml")
        if p.stem not in {"doctype", "truncated", "no_msgtype", "no_sender", "nested_sender"}
    ),
)
def test_every_fixture_gets_a_valid_reply(client, name):
    response = post_plain(client, (FIXTURES / f"{name}.xml").read_bytes())
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    if body:
        reply = xmltodict.parse(body)["xml"]
        assert reply["MsgType"] in ("text", "transfer_customer_service")
        assert len(reply.get("Content", "").encode("utf-8")) <= 2047
    else:
        silent = {"file", "event_unsubscribe", "event_view", "event_location", "event_scancode_waitmsg"}
        assert name in silent or name.startswith("event_subscribe_msg_")  # consent events: ``success``


# -- retries and dedup --------------------------------------------------------------------------


def test_retries_get_the_same_bytes_and_one_record(app, client):
    bodies = [post_plain(client, text_xml("我的身份证丢了", msg_id="777")).get_data() for _ in range(3)]
    assert bodies[0] == bodies[1] == bodies[2] and b"<Content>" in bodies[0]
    recorder = app.extensions["guidebot.deliverer"].context.recorder
    assert [q["msg_id"] for q in recorder.questions] == ["777"]


def test_encrypted_retries_decrypt_to_the_same_reply(client):
    first, second = (post_aes(client, text_xml("社保卡在哪办", msg_id="888")) for _ in range(2))
    assert reply_of(first) == reply_of(second)


def test_events_dedup_by_sender_time_event_and_key(app, client):
    click = (FIXTURES / "event_click_common.xml").read_bytes()
    view = (FIXTURES / "event_view.xml").read_bytes()
    first, retry = post_plain(client, click).get_data(), post_plain(client, click).get_data()
    assert first == retry and b"\xe5\xb8\xb8\xe5\x8a\x9e" in first  # 常办
    assert post_plain(client, view).get_data() == b""  # same second, other event: not a "retry"


def test_concurrent_retries_answer_once(app, client):
    results: list[bytes] = []

    def deliver() -> None:
        with app.test_client() as own:
            results.append(post_plain(own, text_xml("社保卡要多少钱", msg_id="999")).get_data())

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and results[0]
    assert len(app.extensions["guidebot.deliverer"].context.recorder.questions) == 1


# -- content ------------------------------------------------------------------------------------


def _hostile_kb() -> KnowledgeBase:
    item = Item.model_validate(
        {
            "code": "X-1",
            "name": "材料]]>清单<事项>",
            "aliases": ["特殊事项"],
            "department": "测试局",
            "conditions": "条件]]>说明&amp;",
            "materials": [{"name": f"材料{n}]]>" + "很长" * 40} for n in range(30)],
        }
    )
    return KnowledgeBase(format="guidebot-kb/1", hall=Hall(name="测试]]>大厅", phone="0999-1"), items=[item])


def test_cdata_terminator_in_the_knowledge_base_survives(tmp_path):
    client = make_app(_hostile_kb(), tmp_path).test_client()
    first = reply_of(post_plain(client, text_xml("特殊事项", msg_id="1")))
    assert first["Content"].startswith("【材料]]>清单<事项>】")
    assert len(first["Content"].encode("utf-8")) <= 2047 and first["Content"].endswith(
        "回复 1 查看完整材料清单"
    )
    page = reply_of(post_plain(client, text_xml("1", msg_id="2")))
    assert "材料0]]>" in page["Content"] and len(page["Content"].encode("utf-8")) <= 2047


def test_welcome_names_the_hall_even_with_cdata_terminator(tmp_path):
    client = make_app(_hostile_kb(), tmp_path).test_client()
    reply = reply_of(post_plain(client, (FIXTURES / "event_subscribe.xml").read_bytes()))
    assert reply["Content"].startswith("您好，欢迎关注测试]]>大厅！")


# -- handoff, failures, late answers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "msg_type"),
    [(OPEN, "transfer_customer_service"), (CLOSED, "text")],
    ids=["inside-hours", "outside-hours"],
)
def test_handoff(county, tmp_path, now, msg_type):
    notices: list[tuple[str, str, str | None]] = []
    client = make_app(
        county, tmp_path, CLOCK=lambda: now, SEND_LATER=lambda *sent: notices.append(sent)
    ).test_client()
    reply = reply_of(post_plain(client, text_xml("转人工", msg_id="7001")))
    assert reply["MsgType"] == msg_type
    if msg_type == "text":  # Saturday: when people are back, and a line open now
        assert "11月30日（周一）9:00" in reply["Content"] and "12345" in reply["Content"]
        assert notices == []
    else:  # a bare transfer shows nothing: the citizen gets the notice as a customer-service text first
        assert notices == [("oCitizen", notices[0][1], "7001")] and "正在为您转接" in notices[0][1]


def test_transfer_notice_goes_out_through_the_outbox(county_kb_path, tmp_path):
    """In service hours: the transfer reply, and the notice sent by the customer-service outbox."""
    from fake_wechat import FakeWeChat
    from service_support import seed

    from bot.wechat.outbox import stop_outbox
    from knowledge.db import get_engine

    with FakeWeChat(app_id=APP_ID) as wechat:
        app = make_app(
            load_kb(county_kb_path),
            tmp_path,
            KB=None,
            DATABASE_URL=f"sqlite:///{tmp_path / 'handoff.sqlite3'}",
            WECHAT_API_BASE=wechat.url,
            WECHAT_APP_SECRET=wechat.app_secret,
            STATE_STORE="memory",
        )
        engine = get_engine(app)
        seed(engine, county_kb_path)
        try:
            reply = reply_of(post_plain(app.test_client(), text_xml("转人工", msg_id="7002")))
            assert reply["MsgType"] == "transfer_customer_service"
            deadline = time.monotonic() + 10
            while not wechat.calls_to("/cgi-bin/message/custom/send") and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop_outbox(app)
            engine.dispose()
        [call] = wechat.calls_to("/cgi-bin/message/custom/send")
        assert call.body["touser"] == "oCitizen" and "正在为您转接" in call.body["text"]["content"]


def test_internal_error_becomes_a_polite_fallback(client, monkeypatch, caplog):
    def broken(message, context):
        raise RuntimeError("boom")

    monkeypatch.setattr(delivery, "respond", broken)
    response = post_plain(client, text_xml("社保卡在哪办", msg_id="4242"))
    reply = reply_of(response)
    assert reply["Content"] == delivery.fallback_text("0999-1234567")
    assert any("4242" in record.getMessage() for record in caplog.records)


def test_late_answer_replies_empty_and_is_sent_later(county, tmp_path, monkeypatch):
    sent: list[tuple[str, str, str | None]] = []
    done = threading.Event()

    def send_later(openid: str, text: str, source_msg_id: str | None) -> None:
        sent.append((openid, text, source_msg_id))
        done.set()

    real = delivery.respond
    release = threading.Event()

    def slow(message, context):
        release.wait(5)
        return real(message, context)

    monkeypatch.setattr(delivery, "respond", slow)
    app = make_app(county, tmp_path, ANSWER_DEADLINE=0.05, SEND_LATER=send_later)
    response = post_plain(app.test_client(), text_xml("社保卡在哪办", msg_id="5151"))
    assert response.status_code == 200 and response.get_data() == b""
    release.set()
    assert done.wait(5)
    assert sent[0][0] == "oCitizen" and sent[0][2] == "5151" and sent[0][1].startswith("【社会保障卡申领】")


def test_unsubscribe_replies_empty(client):
    response = post_plain(client, (FIXTURES / "event_unsubscribe.xml").read_bytes())
    assert response.status_code == 200 and response.get_data() == b""


# -- end to end through the real SQLite store ---------------------------------------------------


def test_end_to_end_with_the_database(county, tmp_path):
    from sqlmodel import Session, select

    from knowledge import storage
    from knowledge.db import get_engine, upgrade
    from knowledge.models import QuestionLog, Rating

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path}/guidebot.sqlite3",
            "WECHAT_TOKEN": TOKEN,
            "CLOCK": lambda: OPEN,
            "INDEX_CHECK_INTERVAL": 0,
        }
    )
    engine = get_engine(app)
    upgrade(engine)
    with Session(engine) as session:
        storage.import_kb(session=session, kb=county, author="test")
    client = app.test_client()

    for _ in range(2):  # a retry
        answer = reply_of(post_plain(client, text_xml("社保卡在哪办", msg_id="1001")))
    assert answer["Content"].startswith("【社会保障卡申领】")
    assert reply_of(post_plain(client, text_xml("评价 4", msg_id="1002")))["Content"].startswith(
        "感谢您的评价"
    )
    with Session(engine) as session:
        questions = session.exec(select(QuestionLog)).all()
        assert [(q.msg_id, q.item_code, q.action) for q in questions] == [("1001", "SF-RS-001", "answer")]
        assert questions[0].openid == "oCitizen" and questions[0].openid_hash != "oCitizen"
        assert [(r.item_code, r.score) for r in session.exec(select(Rating))] == [("SF-RS-001", 4)]
    # The retry was answered from the reply remembered in the store (LMDB beside this SQLite file).
    store = runtime.deliverer(app).context.store
    assert type(store.primary).__name__ == "LmdbStore" and store.reply_for("msg:1001") is not None

    # A published change is answered without a restart.
    changed = county.item("SF-RS-001").model_copy(update={"name": "社会保障卡申领（新版）"})
    with Session(engine) as session:
        storage.upsert_item(session=session, item=changed, author="test", publish=True)
    deliverer = app.extensions["guidebot.deliverer"]
    deliverer.context.knowledge()  # notices the new version, rebuilds in the background
    deliverer.context.knowledge.wait_for_rebuild()
    reply = reply_of(post_plain(client, text_xml("社保卡在哪办", msg_id="1003")))
    assert reply["Content"].startswith("【社会保障卡申领（新版）】")


def test_late_answer_goes_to_the_database_outbox_by_default(county, tmp_path, monkeypatch):
    from sqlmodel import Session, select

    from bot.wechat.outbox import stop_outbox
    from knowledge import storage
    from knowledge.db import get_engine, upgrade
    from knowledge.models import OutboxMessage

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path}/late.sqlite3",
            "WECHAT_TOKEN": TOKEN,
            "CLOCK": lambda: OPEN,
            "ANSWER_DEADLINE": 0.05,
        }
    )
    engine = get_engine(app)
    upgrade(engine)
    with Session(engine) as session:
        storage.import_kb(session=session, kb=county, author="test")
    real, release = delivery.respond, threading.Event()

    def slow(message, context):
        release.wait(5)
        return real(message, context)

    monkeypatch.setattr(delivery, "respond", slow)
    try:
        response = post_plain(app.test_client(), text_xml("社保卡在哪办", msg_id="6161"))
        assert response.status_code == 200 and response.get_data() == b""
        release.set()
        deadline = time.monotonic() + 10
        rows: list = []
        while not rows and time.monotonic() < deadline:
            with Session(engine) as session:
                rows = list(session.exec(select(OutboxMessage)))
            time.sleep(0.05)
        assert [(row.openid, row.source_msg_id) for row in rows] == [("oCitizen", "6161")]
        assert "社会保障卡申领" in rows[0].payload
    finally:
        stop_outbox(app)


def test_pushes_skip_flask_dispatch_everything_else_keeps_it(app, client):
    # POST /wechat goes straight to the webhook (webhook.PushShortcut); the rest is Flask's.
    hooks: list[str] = []
    app.before_request(lambda: hooks.append("before") or None)
    response = post_plain(client, text_xml("社保卡在哪办", msg_id="24000000000000077"))
    assert reply_of(response)["Content"].startswith("【社会保障卡申领】")
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert "Set-Cookie" not in response.headers and hooks == []
    assert client.get("/wechat", query_string=signed() | {"echostr": "abc"}).get_data(as_text=True) == "abc"
    assert hooks == ["before"]  # URL verification still goes through Flask
    assert client.put("/wechat").status_code == 405 and client.post("/wechat/").status_code == 404
    refused = client.post("/wechat", data=b"<xml/>", content_type="text/xml")  # unsigned
    assert refused.status_code == 403 and refused.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    assert int(refused.headers["Content-Length"]) == len(refused.get_data()) > 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("signature=a&signature=b&nonce=", {"signature": "a", "nonce": ""}),  # first wins, blanks kept
        ("timestamp=%31%32&x=%E5%8A%9E", {"timestamp": "12", "x": "办"}),
        ("nonce=%ZZ%E5&bad=%FF", {"nonce": "%ZZ%E5", "bad": "%FF"}),  # invalid escapes stay as sent
        ("", {}),
        ("a=1&&b=2=3&c&=4&d=", {"a": "1", "b": "2=3", "c": "", "": "4", "d": ""}),  # nothing to unquote
        ("a=1+2&b=%20", {"a": "1 2", "b": " "}),
        ("signature=ab&nonce=42&openid=oX", {"signature": "ab", "nonce": "42", "openid": "oX"}),
    ],
)
def test_push_query_strings_read_as_flask_reads_them(app, query, expected):
    from flask import request

    from webhook import query_args

    assert query_args({"QUERY_STRING": query}) == expected
    with app.test_request_context("/wechat?" + query):
        assert {name: request.args.get(name) for name in expected} == expected


@given(st.text(alphabet="ab=&%+2EF;", max_size=30))
@settings(max_examples=300, deadline=None)
def test_the_unquoted_fast_path_reads_as_parse_qsl(query):
    import urllib.parse

    from webhook import query_args

    expected: dict[str, str] = {}
    for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True, errors="werkzeug.url_quote"):
        expected.setdefault(name, value)
    assert query_args({"QUERY_STRING": query}) == expected


def test_a_raw_non_utf8_query_string_is_refused_not_an_error(app):
    # Raw bytes that are not UTF-8 (WSGI hands them over as latin-1): no 500, the signature fails.
    from werkzeug.test import EnvironBuilder

    from webhook import query_args

    environ = EnvironBuilder(path="/wechat", method="POST", data=b"<xml/>").get_environ()
    rest = "&".join(f"{name}={value}" for name, value in signed().items() if name != "signature")
    environ["QUERY_STRING"] = "signature=\xff\xfe&" + rest
    assert query_args(environ)["signature"] == "\ufffd\ufffd"
    statuses: list[str] = []
    body = b"".join(app(environ, lambda status, _headers: statuses.append(status)))
    assert statuses == ["403 FORBIDDEN"] and body
