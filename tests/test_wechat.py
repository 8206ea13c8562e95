"""bot.wechat.protocol: signatures, timestamp window, 安全模式, hostile input, reply rendering."""

import time
from pathlib import Path

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.conversation.messages import Message, Reply
from bot.wechat import protocol as wechat

FIXTURES = Path(__file__).parent / "fixtures" / "wechat"
TOKEN = "test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OLD_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkj"
APP_ID = "wx1234567890abcdef"
# 兼容模式: these tests read plaintext and encrypted pushes with one set of credentials; the refusal of
# plaintext in 安全模式 has tests of its own below.
CREDS = wechat.Credentials(
    token=TOKEN, app_id=APP_ID, aes_key=AES_KEY, previous_aes_key=OLD_KEY, allow_plaintext=True
)

# WeChat's published sample (WECHAT.md): its timestamp is from 2014, so the window is off.
SAMPLE_CREDS = wechat.Credentials(
    token="spamtest",
    app_id="wx2c2769f8efd9abc2",
    aes_key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    timestamp_window=0,
)
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2Ld"
    "JF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5V"
    "Tjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSU"
    "dUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.xml").read_bytes()


def plain_args(
    creds: wechat.Credentials = CREDS, *, timestamp: str | None = None, nonce: str = "n0nce"
) -> dict:
    timestamp = timestamp or str(int(time.time()))
    return {"signature": wechat.sign(creds.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def aes_push(xml_text: str, key: str = AES_KEY, app_id: str = APP_ID) -> tuple[dict, bytes]:
    """An encrypted push built with wechatpy's own WeChatCrypto, as WeChat builds it."""
    timestamp, nonce = str(int(time.time())), "1320562132"
    sealed = WeChatCrypto(TOKEN, key, app_id).encrypt_message(xml_text, nonce, timestamp)
    data = xmltodict.parse(sealed)["xml"]
    body = f"<xml><ToUserName>gh_x</ToUserName><Encrypt><![CDATA[{data['Encrypt']}]]></Encrypt></xml>"
    args = {
        "signature": wechat.sign(TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": "oCitizen",
        "encrypt_type": "aes",
        "msg_signature": data["MsgSignature"],
    }
    return args, body.encode()


def test_published_sample_vector_decrypts():
    args = {
        "timestamp": "1409735669",
        "nonce": "1320562132",
        "encrypt_type": "aes",
        "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    }
    body = f"<xml><ToUserName>gh_10f6c3c3ac5a</ToUserName><Encrypt>{SAMPLE_ENCRYPT}</Encrypt></xml>"
    push = wechat.read_push(SAMPLE_CREDS, args, body.encode())
    assert push.encrypted
    assert push.message == Message(
        kind="text",
        openid="oyORnuP8q7ou2gfYjqLzSIWZf0rs",
        text="abcdteT",
        msg_id="6054768590064713728",
        create_time=1409735668,
        account="gh_10f6c3c3ac5a",
    )


def test_published_sample_is_stale_with_the_window_on():
    args = {
        "timestamp": "1409735669",
        "nonce": "1320562132",
        "encrypt_type": "aes",
        "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    }
    body = f"<xml><Encrypt><![CDATA[{SAMPLE_ENCRYPT}]]></Encrypt></xml>".encode()
    creds = wechat.Credentials(token="spamtest", app_id="wx2c2769f8efd9abc2", aes_key=SAMPLE_CREDS.aes_key)
    with pytest.raises(wechat.StaleTimestamp):
        wechat.read_push(creds, args, body)
    assert wechat.read_push(creds, args, body, now=1409735669 + 299).message.text == "abcdteT"


def test_url_verification_echoes_only_for_a_valid_signature():
    args = plain_args() | {"echostr": "4815162342"}
    assert wechat.verify_url(CREDS, args) == "4815162342"
    with pytest.raises(wechat.BadSignature):
        wechat.verify_url(CREDS, args | {"signature": "0" * 40})


@pytest.mark.parametrize(
    ("name", "kind", "text", "event", "key", "recognition"),
    [
        ("text", "text", "身份证丢了怎么补办", None, None, None),
        ("voice", "voice", "", None, None, "身份证丢了怎么补办"),
        ("voice_no_recognition", "voice", "", None, None, None),
        ("image", "image", "", None, None, None),
        ("video", "video", "", None, None, None),
        ("shortvideo", "video", "", None, None, None),
        ("location", "location", "", None, None, None),
        ("link", "link", "", None, None, None),
        ("file", "unknown", "", None, None, None),
        ("event_subscribe", "event", "", "subscribe", None, None),
        ("event_subscribe_scan", "event", "", "subscribe_scan", "hall", None),
        ("event_unsubscribe", "event", "", "unsubscribe", None, None),
        ("event_click", "event", "", "click", "ITEM:SF-GA-003", None),
        ("event_view", "event", "", "view", "https://zwfw.example.gov.cn", None),
        ("event_location", "event", "", "location", None, None),
        ("event_scancode_waitmsg", "event", "", "scancode_waitmsg", "SCAN", None),
    ],
    ids=lambda value: value if isinstance(value, str) and value.replace("_", "").isalpha() else None,
)
def test_every_message_and_event_type_parses(name, kind, text, event, key, recognition):
    message = wechat.read_push(CREDS, plain_args(), fixture(name)).message
    assert (message.kind, message.text, message.event, message.event_key, message.recognition) == (
        kind,
        text,
        event,
        key,
        recognition,
    )
    assert message.openid == "oCitizen0000000000000000001"
    assert message.account == "gh_10f6c3c3ac5a"


def test_dedup_keys():
    text = wechat.read_push(CREDS, plain_args(), fixture("text")).message
    click = wechat.read_push(CREDS, plain_args(), fixture("event_click")).message
    view = wechat.read_push(CREDS, plain_args(), fixture("event_view")).message
    assert text.dedup_key == "msg:24000000000000001"
    assert click.dedup_key == "event:oCitizen0000000000000000001|1700000000|click|ITEM:SF-GA-003"
    assert click.dedup_key != view.dedup_key  # a CLICK and a VIEW in the same second
    assert (text.log_ref, click.log_ref) == (
        "msg 24000000000000001",
        "event click at 1700000000",
    )  # no openid


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"signature": "0" * 40}, wechat.BadSignature),
        ({"signature": ""}, wechat.BadSignature),
        ({"nonce": "other"}, wechat.BadSignature),
        ({"timestamp": "abc"}, wechat.BadSignature),
        ({"timestamp": "²"}, wechat.BadSignature),
        ({"timestamp": "١٢٣"}, wechat.BadSignature),
        ({"timestamp": str(int(time.time()) - 301)}, wechat.StaleTimestamp),
        ({"timestamp": str(int(time.time()) + 3600)}, wechat.StaleTimestamp),
    ],
    ids=[
        "wrong",
        "empty",
        "nonce-changed",
        "timestamp-not-a-number",
        "superscript-digit",
        "arabic-indic-digits",
        "stale",
        "future",
    ],
)
def test_plaintext_signature_and_window(change, error):
    args = plain_args() | change
    with pytest.raises(error) as caught:
        wechat.read_push(CREDS, args, fixture("text"))
    assert caught.value.status == 403


def test_missing_signature_is_refused():
    args = plain_args()
    del args["signature"]
    with pytest.raises(wechat.BadSignature):
        wechat.read_push(CREDS, args, fixture("text"))


def test_encrypted_push_round_trip_answers_encrypted():
    args, body = aes_push(fixture("text").decode())
    push = wechat.read_push(CREDS, args, body)
    assert push.encrypted and push.message.text == "身份证丢了怎么补办"
    sealed = wechat.seal(CREDS, wechat.render_reply(Reply.say("好的"), push.message), push)
    assert "<Encrypt>" in sealed
    # WeChat's side decrypts our reply with wechatpy too.
    reply = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(
        sealed, *(lambda d: (d["MsgSignature"], d["TimeStamp"], d["Nonce"]))(xmltodict.parse(sealed)["xml"])
    )
    assert xmltodict.parse(reply)["xml"]["Content"] == "好的"


def test_previous_key_still_accepted_after_rotation():
    args, body = aes_push(fixture("text").decode(), key=OLD_KEY)
    assert wechat.read_push(CREDS, args, body).message.msg_id == "24000000000000001"
    without_previous = wechat.Credentials(token=TOKEN, app_id=APP_ID, aes_key=AES_KEY)
    with pytest.raises(wechat.PushError):
        wechat.read_push(without_previous, args, body)


@pytest.mark.parametrize(
    ("key", "app_id", "error"),
    [
        (AES_KEY, "wxSomeoneElse00000", wechat.WrongAppId),
        ("A" * 43, APP_ID, wechat.PushError),
    ],
    ids=["wrong-appid", "unknown-key"],
)
def test_encrypted_push_from_elsewhere_is_refused(key, app_id, error):
    args, body = aes_push(fixture("text").decode(), key=key, app_id=app_id)
    with pytest.raises(error):
        wechat.read_push(CREDS, args, body)


def test_encrypted_push_with_tampered_body_is_refused():
    args, body = aes_push(fixture("text").decode())
    tampered = body.replace(b"<![CDATA[", b"<![CDATA[A", 2)
    with pytest.raises(wechat.BadSignature):
        wechat.read_push(CREDS, args, tampered)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (fixture("doctype"), wechat.HostileXml),
        (b'<!ENTITY x "y"><xml/>', wechat.HostileXml),
        (b"<xml>" + b"<a>" * 50 + b"</a>" * 50 + b"</xml>", wechat.HostileXml),
        (fixture("truncated"), wechat.MalformedPush),
        ("<xml><Content>办证</Content></xml>".encode("gbk"), wechat.HostileXml),
        (fixture("no_msgtype"), wechat.MalformedPush),
        (fixture("no_sender"), wechat.MalformedPush),
        (fixture("nested_sender"), wechat.MalformedPush),
        (b"", wechat.MalformedPush),
        (b"not xml at all", wechat.MalformedPush),
        (b"<xml>" + b"x" * (64 * 1024) + b"</xml>", wechat.BodyTooLarge),
    ],
    ids=[
        "doctype-entities",
        "entity",
        "deep-nesting",
        "truncated",
        "gbk",
        "no-msgtype",
        "no-sender",
        "nested-sender",
        "empty",
        "not-xml",
        "oversize",
    ],
)
def test_hostile_and_malformed_bodies(body, error):
    with pytest.raises(error) as caught:
        wechat.read_push(CREDS, plain_args(), body)
    assert caught.value.status == (413 if error is wechat.BodyTooLarge else 400)


def test_hostile_xml_inside_an_encrypted_push_is_refused():
    args, body = aes_push(fixture("doctype").decode())
    with pytest.raises(wechat.HostileXml):
        wechat.read_push(CREDS, args, body)


def test_signature_is_checked_before_the_body_is_parsed():
    with pytest.raises(wechat.BadSignature):
        wechat.read_push(CREDS, plain_args() | {"signature": "x"}, fixture("doctype"))


MESSAGE = Message(kind="text", openid="oCitizen", text="q", msg_id="1", account="gh_x")


@pytest.mark.parametrize(
    "content",
    [
        "材料]]>清单",
        "]]>",
        "a]]>b]]>c",
        "<xml>&amp;</xml>",
        "控制\x00字符\x1f",
        "]]]]><![CDATA[>",
    ],
    ids=["cdata-end", "only-cdata-end", "twice", "markup", "control-chars", "pre-split"],
)
def test_rendered_text_reply_is_valid_xml_whatever_the_content(content):
    rendered = wechat.render_reply(Reply.say(content), MESSAGE)
    parsed = xmltodict.parse(rendered)["xml"]
    assert parsed["Content"] == content.replace("\x00", "").replace("\x1f", "")
    assert parsed["ToUserName"] == "oCitizen" and parsed["FromUserName"] == "gh_x"
    assert parsed["MsgType"] == "text"


def test_content_is_kept_within_2047_bytes():
    rendered = wechat.render_reply(Reply.say("办" * 1000), MESSAGE)
    content = xmltodict.parse(rendered)["xml"]["Content"]
    assert len(content.encode("utf-8")) <= 2047 and content.endswith("…")


def test_transfer_and_empty_replies():
    transfer = xmltodict.parse(wechat.render_reply(Reply.transfer(), MESSAGE))["xml"]
    assert transfer["MsgType"] == "transfer_customer_service" and transfer["ToUserName"] == "oCitizen"
    assert wechat.render_reply(Reply.nothing(), MESSAGE) == ""
    push = wechat.Push(message=MESSAGE, encrypted=True, nonce="n", timestamp="1")
    assert wechat.seal(CREDS, "", push) == ""  # `success`-like empty body even in 安全模式


def test_read_reply_decrypts_sealed_bodies():
    push = wechat.Push(message=MESSAGE, encrypted=True, nonce="n", timestamp="1")
    sealed = wechat.seal(CREDS, wechat.render_reply(Reply.say("你好]]>"), MESSAGE), push)
    assert wechat.read_reply(sealed, CREDS)["Content"] == "你好]]>"


def test_compatible_mode_body_uses_the_encrypted_part():
    """兼容模式 pushes carry the plaintext fields and Encrypt; only the signed, encrypted part counts."""
    args, body = aes_push(fixture("text").decode())
    forged = body.replace(
        b"<ToUserName>gh_x</ToUserName>",
        b"<ToUserName>gh_x</ToUserName><FromUserName>oForged</FromUserName>"
        b"<MsgType>text</MsgType><Content>forged</Content>",
    )
    message = wechat.read_push(CREDS, args, forged).message
    assert (message.openid, message.text) == ("oCitizen0000000000000000001", "身份证丢了怎么补办")


# -- one parsing pass: the screen's flat reading is xmltodict's --------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from wechatpy import parse_message  # noqa: E402

_NAMES = st.sampled_from(
    ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event", "a:b"]
)
_TEXT = st.text(alphabet=st.sampled_from(list("ab 中\n\t<&>]")), max_size=8)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def _content(draw, forms) -> str:
    text = draw(_TEXT)
    form = draw(st.sampled_from(forms))
    if form == "cdata":
        return "<![CDATA[" + text.replace("]]>", "") + "]]>"
    if form == "split":  # text in several pieces: plain, CDATA and an entity
        return _escaped(text) + "<![CDATA[x]]>&amp;" + _escaped(text)
    if form == "empty":
        return ""
    if form == "nested":
        return f"<item><Key>{_escaped(text)}</Key></item>"
    if form == "comment":
        return f"{_escaped(text)}<!-- note -->"
    return _escaped(text)


_FLAT_FORMS = ["plain", "cdata", "split", "empty", "comment"]
_MESSAGE_TYPES = [
    "",
    "<MsgType><![CDATA[text]]></MsgType>",
    "<MsgType> Image </MsgType>",
    "<MsgType>event</MsgType><Event>CLICK</Event>",
    "<MsgType>device_text</MsgType>",
]


@st.composite
def _push_xml(draw) -> str:
    """Half flat pushes (what the screen reads itself), half anything else (xmltodict's)."""
    message_type = draw(st.sampled_from(_MESSAGE_TYPES))
    if draw(st.booleans()):
        children = draw(
            st.lists(st.tuples(_NAMES, _content(_FLAT_FORMS)), max_size=6, unique_by=lambda c: c[0])
        )
        children = [(name, content) for name, content in children if not (message_type and name == "MsgType")]
        loose = draw(st.sampled_from(["", "\n  "]))
        body = "".join(f"<{name}>{content}</{name}>{loose}" for name, content in children)
        return f"<xml>{loose}{message_type}{body}</xml>"
    root = draw(st.sampled_from(["xml", "xml", "root"]))
    attrs = draw(st.sampled_from(["", ' id="1"']))
    children = draw(
        st.lists(
            st.tuples(_NAMES, st.sampled_from(["", ' x="y"']), _content(_FLAT_FORMS + ["nested"])), max_size=6
        )
    )
    loose = draw(st.sampled_from(["", "\n  ", "stray"]))
    body = "".join(f"<{name}{attr}>{content}</{name}>{loose}" for name, attr, content in children)
    return f"<{root}{attrs}>{message_type}{body}</{root}>"


@settings(max_examples=400, deadline=None)
@given(_push_xml())
def test_the_screens_flat_reading_is_what_xmltodict_reads(text):
    try:
        expected = xmltodict.parse(text)
    except Exception:
        expected = None
    _, flat = wechat._screen(text.encode("utf-8"))
    if flat is not None:  # when the screen reads the push, it reads it exactly as xmltodict does
        assert expected is not None and flat == expected["xml"]
    try:
        wanted = parse_message(text)
    except Exception as exc:
        with pytest.raises(type(exc)):
            wechat._parse(text, flat)
        return
    got = wechat._parse(text, flat)
    assert type(got) is type(wanted) and got._data == wanted._data


def test_a_plain_text_push_is_read_in_one_pass(monkeypatch):
    # The hot path: a flat text message never reaches xmltodict.
    def refuse(*_args, **_kwargs):
        raise AssertionError("parsed twice")

    monkeypatch.setattr(wechat.xmltodict, "parse", refuse)
    monkeypatch.setattr(wechat, "parse_message", refuse)
    body = (
        "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oA]]></FromUserName>"
        "<CreateTime>1790000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[ 身份证 &amp; 户口 ]]></Content><MsgId>123</MsgId></xml>"
    )
    text, flat = wechat._screen(body.encode())
    message = wechat._to_message(wechat._parse(text, flat))
    assert (message.kind, message.openid, message.text, message.msg_id) == (
        "text",
        "oA",
        "身份证 &amp; 户口",
        "123",
    )


# -- issue 16: no token, no plaintext in 安全模式 -----------------------------------------------------


def test_an_empty_token_verifies_nothing():
    creds = wechat.Credentials(token="")
    timestamp, nonce = str(int(time.time())), "1"
    args = {"signature": wechat.sign("", timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    with pytest.raises(wechat.NotConfigured) as refused:
        wechat.verify_url(creds, args | {"echostr": "x"})
    assert refused.value.status == 503 and "GUIDEBOT_WECHAT_TOKEN" in refused.value.message
    with pytest.raises(wechat.NotConfigured):
        wechat.read_push(creds, args, fixture("text"))


def test_safe_mode_refuses_plaintext_unless_allowed():
    strict = wechat.Credentials(token=TOKEN, app_id=APP_ID, aes_key=AES_KEY)
    with pytest.raises(wechat.PlaintextRefused) as refused:
        wechat.read_push(strict, plain_args(), fixture("text"))
    assert refused.value.status == 403
    assert wechat.read_push(CREDS, plain_args(), fixture("text")).message.kind == "text"  # allow_plaintext
    plaintext_mode = wechat.Credentials(token=TOKEN, app_id=APP_ID)
    assert wechat.read_push(plaintext_mode, plain_args(), fixture("text")).message.kind == "text"
