"""Fuzzing /wechat with hypothesis: any body and query string gets 200/400/403/413, never a 500.

Signed pushes carry fuzzed bodies so the screening, parsing and decryption are actually reached:
plaintext bodies with a valid signature, 安全模式 envelopes whose fuzzed ``Encrypt`` is signed, and
well-encrypted fuzzed inner XML. Durations are recorded and printed, not asserted (bench/fuzz_timing.py
reports max and p99).
"""

import time
import urllib.parse

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.wechat import protocol as wechat
from knowledge.schema import load_kb
from tests.service_support import AES_KEY, APP_ID, CREDS, TOKEN, signed_args
from webhook import create_app

ALLOWED = {200, 400, 403, 413}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
DURATIONS: list[float] = []


@pytest.fixture(scope="module")
def client(county_kb_path, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "KB": load_kb(county_kb_path),
            "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('fuzz')}/unused.sqlite3",
            "WECHAT_TOKEN": TOKEN,
            "WECHAT_APP_ID": APP_ID,
            "WECHAT_AES_KEY": AES_KEY,
            "WECHAT_COMPAT_MODE": True,  # fuzz the plaintext reader too
            "SEND_LATER": lambda *args: None,
        }
    )
    yield app.test_client()
    print(f"\nfuzz: {len(DURATIONS)} requests, slowest {max(DURATIONS, default=0) * 1000:.1f} ms")


def send(client, query: str | dict[str, str], body: bytes) -> int:
    query_string = query if isinstance(query, str) else urllib.parse.urlencode(query)
    started = time.perf_counter()
    response = client.post("/wechat?" + query_string, data=body, content_type="text/xml")
    DURATIONS.append(time.perf_counter() - started)
    status = response.status_code
    assert status in ALLOWED, (status, response.get_data()[:200])
    if status == 200 and response.get_data():
        wechat.read_reply(response.get_data(as_text=True), CREDS)  # every reply is well-formed XML
    return status


# Bodies: raw bytes, arbitrary text, and XML-looking text built from WeChat's element names.
TAGS = [
    "xml",
    "ToUserName",
    "FromUserName",
    "CreateTime",
    "MsgType",
    "Content",
    "MsgId",
    "Event",
    "EventKey",
    "Recognition",
    "Encrypt",
    "!DOCTYPE",
    "![CDATA[",
]
xmlish = st.lists(
    st.one_of(
        st.sampled_from(TAGS).map(lambda tag: f"<{tag}>"),
        st.sampled_from(TAGS).map(lambda tag: f"</{tag}>"),
        st.sampled_from(
            ["text", "event", "voice", "subscribe", "CLICK", "]]>", "&amp;", "&#0;", "\x00", "12345"]
        ),
        st.text(max_size=40),
    ),
    max_size=60,
).map("".join)
bodies = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=2048).map(lambda text: text.encode("utf-8", "surrogatepass")),
    xmlish.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.integers(min_value=60 * 1024, max_value=70 * 1024).map(lambda size: b"<xml>" + b"a" * size),
)
query_strings = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300)


@FUZZ
@given(query=query_strings, body=bodies)
def test_any_query_and_body(client, query, body):
    assert send(client, query, body) in {400, 403, 413}  # unsigned: never answered


@FUZZ
@given(body=bodies)
def test_signed_plaintext_with_any_body(client, body):
    assert send(client, signed_args(), body) in ALLOWED


@FUZZ
@given(
    content=st.text(max_size=700),
    kind=st.sampled_from(["text", "voice", "event", "image", "other"]),
    msg_id=st.one_of(st.none(), st.text(max_size=30)),
)
def test_signed_messages_with_fuzzed_fields(client, content, kind, msg_id):
    def cdata(value: str) -> str:
        return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"

    field = {"text": "Content", "voice": "Recognition", "event": "EventKey"}.get(kind, "PicUrl")
    xml = (
        f"<xml><ToUserName>{cdata('gh_hall')}</ToUserName><FromUserName>{cdata('oFuzz')}</FromUserName>"
        f"<CreateTime>1700000000</CreateTime><MsgType>{cdata(kind)}</MsgType>"
        + (f"<Event>{cdata('CLICK')}</Event>" if kind == "event" else "")
        + f"<{field}>{cdata(content)}</{field}>"
        + (f"<MsgId>{cdata(msg_id)}</MsgId>" if msg_id is not None else "")
        + "</xml>"
    )
    assert send(client, signed_args(), xml.encode("utf-8", "surrogatepass")) in ALLOWED


@FUZZ
@given(
    encrypt=st.text(max_size=3000),
    extra=st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=4),
)
def test_aes_envelope_with_any_encrypt(client, encrypt, extra):
    args = signed_args()
    safe = encrypt.replace("]]>", "")
    body = f"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[{safe}]]></Encrypt></xml>"
    query = (
        extra
        | args
        | {
            "encrypt_type": "aes",
            "msg_signature": wechat.sign(TOKEN, args["timestamp"], args["nonce"], safe),
        }
    )
    assert send(client, query, body.encode("utf-8", "surrogatepass")) in ALLOWED


@FUZZ
@given(inner=st.one_of(xmlish, st.text(max_size=2000)))
def test_aes_with_fuzzed_inner_xml(client, inner):
    args = signed_args()
    try:
        body, msg_signature = wechat.encrypt_push(
            CREDS, inner, nonce=args["nonce"], timestamp=args["timestamp"]
        )
    except UnicodeEncodeError:
        return  # lone surrogates cannot be encrypted by WeChat either
    query = args | {"encrypt_type": "aes", "msg_signature": msg_signature}
    assert send(client, query, body.encode()) in ALLOWED


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["signature", "timestamp", "nonce", "encrypt_type", "msg_signature", "openid", "echostr"]
        ),
        st.text(max_size=64),
        max_size=7,
    )
)
@example(params={"signature": "", "timestamp": "²"})  # Unicode digits pass str.isdigit, not int()
def test_fuzzed_known_parameters(client, params):
    status = send(client, params, b"<xml><MsgType>text</MsgType></xml>")
    assert status in {400, 403, 413}
