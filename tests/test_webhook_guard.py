"""/wechat closed without a token, 安全模式 without plaintext, one body per signed query string (issue 16,
finding 3), through the app factory with pushes built as WeChat builds them."""

import logging
import secrets
import time

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.serving import runtime
from bot.wechat import protocol as wechat
from knowledge.schema import load_kb
from webhook import create_app

TOKEN = "guard-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx1234567890abcdef"


@pytest.fixture(scope="module")
def county(county_kb_path):
    return load_kb(county_kb_path)


def make_app(county, tmp_path, **config):
    settings = {"TESTING": True, "KB": county, "DATABASE_URL": f"sqlite:///{tmp_path}/guard.sqlite3",
                "WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "SECRET_KEY": "guard"}
    return create_app(settings | config)


def signed(token: str = TOKEN, nonce: str | None = None) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), nonce or str(secrets.randbelow(10**10))
    return {"signature": wechat.sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def text_xml(content: str, msg_id: str) -> bytes:
    return (
        "<xml><ToUserName><![CDATA[gh_hall]]></ToUserName><FromUserName><![CDATA[oCitizen]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()


def post(client, args, body: bytes):
    return client.post("/wechat", query_string=args, data=body, content_type="text/xml")


# -- no token: nothing served, the console still works ------------------------------------------------


def test_without_a_token_nothing_is_served(county, tmp_path):
    client = make_app(county, tmp_path, WECHAT_TOKEN="").test_client()
    empty_token = signed(token="")  # what anyone can compute when the token is empty
    verify = client.get("/wechat", query_string=empty_token | {"echostr": "4815162342"})
    assert verify.status_code == 503 and "4815162342" not in verify.get_data(as_text=True)
    assert "GUIDEBOT_WECHAT_TOKEN" in verify.get_data(as_text=True)
    push = post(client, empty_token, text_xml("社保卡在哪办", "5001"))
    assert push.status_code == 503 and "社会保障卡" not in push.get_data(as_text=True)


def test_without_a_token_the_console_still_starts(county, tmp_path):
    from knowledge.db import get_engine, upgrade

    app = make_app(county, tmp_path, WECHAT_TOKEN="")
    upgrade(get_engine(app))
    client = app.test_client()
    page = client.get("/admin/login")
    assert page.status_code == 200 and "管理后台登录" in page.get_data(as_text=True)


def test_a_worker_without_a_token_says_so_in_chinese(county, tmp_path, caplog):
    app = make_app(county, tmp_path, WECHAT_TOKEN="")
    with caplog.at_level(logging.WARNING, logger="bot.serving.runtime"):
        runtime.warm_up(app)
    assert any("微信接口未启用" in record.getMessage() and "管理后台照常可用" in record.getMessage()
               for record in caplog.records)


# -- 安全模式: plaintext refused unless 兼容模式 is allowed ------------------------------------------------


def encrypted(xml: bytes) -> tuple[dict[str, str], bytes]:
    args = signed()
    sealed = xmltodict.parse(
        WeChatCrypto(TOKEN, AES_KEY, APP_ID).encrypt_message(xml.decode(), args["nonce"], args["timestamp"])
    )["xml"]
    body = f"<xml><ToUserName>gh_hall</ToUserName><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
    return args | {"encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}, body.encode()


def test_with_an_aes_key_plaintext_pushes_are_refused(county, tmp_path):
    client = make_app(county, tmp_path, WECHAT_AES_KEY=AES_KEY).test_client()
    refused = post(client, signed(), text_xml("社保卡在哪办", "5002"))
    assert refused.status_code == 403 and "社会保障卡" not in refused.get_data(as_text=True)
    args, body = encrypted(text_xml("社保卡在哪办", "5003"))
    answered = post(client, args, body)
    assert answered.status_code == 200 and "<Encrypt>" in answered.get_data(as_text=True)


@pytest.mark.parametrize("value", [True, "true", "1"], ids=["json-true", "word", "digit"])
def test_compat_mode_accepts_plaintext_too(county, tmp_path, value):
    client = make_app(county, tmp_path, WECHAT_AES_KEY=AES_KEY, WECHAT_COMPAT_MODE=value).test_client()
    plain = post(client, signed(), text_xml("社保卡在哪办", "5004"))
    assert plain.status_code == 200 and "社会保障卡" in plain.get_data(as_text=True)
    args, body = encrypted(text_xml("社保卡在哪办", "5005"))
    assert post(client, args, body).status_code == 200


def test_url_verification_works_in_safe_mode(county, tmp_path):
    client = make_app(county, tmp_path, WECHAT_AES_KEY=AES_KEY).test_client()
    response = client.get("/wechat", query_string=signed() | {"echostr": "77"})
    assert response.status_code == 200 and response.get_data(as_text=True) == "77"


# -- one body per signed query string -----------------------------------------------------------------


def test_a_signed_query_string_cannot_carry_another_body(county, tmp_path):
    client = make_app(county, tmp_path).test_client()
    args = signed()
    first = post(client, args, text_xml("社保卡在哪办", "5006"))
    assert first.status_code == 200 and "社会保障卡" in first.get_data(as_text=True)
    replayed = post(client, args, text_xml("身份证丢了怎么补办", "5007"))  # a forged message, same signature
    assert replayed.status_code == 403 and "身份证" not in replayed.get_data(as_text=True)


def test_wechat_retrying_the_same_push_still_gets_the_same_answer(county, tmp_path):
    client = make_app(county, tmp_path).test_client()
    args, body = signed(), text_xml("社保卡在哪办", "5008")
    first, retry = post(client, args, body), post(client, args, body)
    assert first.status_code == retry.status_code == 200
    assert retry.get_data() == first.get_data()


def test_url_verification_cannot_be_replayed_with_another_echo(county, tmp_path):
    client = make_app(county, tmp_path).test_client()
    args = signed()
    assert client.get("/wechat", query_string=args | {"echostr": "111"}).get_data(as_text=True) == "111"
    assert client.get("/wechat", query_string=args | {"echostr": "111"}).status_code == 200
    replay = client.get("/wechat", query_string=args | {"echostr": "<script>alert(1)</script>"})
    assert replay.status_code == 403


def test_replays_are_refused_across_workers(county, tmp_path):
    # Two apps over one SQLite file share the LMDB store beside it, as gunicorn workers of one host do.
    url = f"sqlite:///{tmp_path}/shared.sqlite3"
    from knowledge.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    workers = [create_app({"TESTING": True, "DATABASE_URL": url, "WECHAT_TOKEN": TOKEN, "SECRET_KEY": "k",
                           "LOAD_DEMO": False, "SEND_LATER": lambda *a: None}) for _ in range(2)]
    assert runtime.state_store_kind(workers[0]) == "lmdb"
    args = signed()
    assert post(workers[0].test_client(), args, text_xml("你好", "5009")).status_code == 200
    assert post(workers[1].test_client(), args, text_xml("社保卡在哪办", "5010")).status_code == 403
