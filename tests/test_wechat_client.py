"""The WeChat API client against the fake server: bodies, error mapping, bounded retries, timeouts."""

import json
from collections.abc import Iterator

import pytest
from fake_wechat import FakeWeChat

from bot.wechat.client import (
    ApiQuotaLimited,
    ApiUnauthorized,
    InvalidOpenId,
    IpNotWhitelisted,
    QuotaExceeded,
    Timeouts,
    TokenInvalid,
    WeChatApiError,
    WeChatBusy,
    WeChatClient,
    WeChatUnreachable,
    WindowClosed,
)
from bot.wechat.token import MemoryTokenStore, TokenProvider

SEND = "/cgi-bin/message/custom/send"


@pytest.fixture()
def wechat() -> Iterator[FakeWeChat]:
    with FakeWeChat() as fake:
        yield fake


def _client(wechat: FakeWeChat, **kwargs: object) -> tuple[WeChatClient, list[float]]:
    sleeps: list[float] = []
    provider = TokenProvider(
        MemoryTokenStore(), app_id=wechat.app_id, app_secret=wechat.app_secret, api_base=wechat.url
    )
    client = WeChatClient(provider, api_base=wechat.url, sleep=sleeps.append, **kwargs)  # type: ignore[arg-type]
    return client, sleeps


def test_send_text_posts_utf8_json_with_the_token(wechat: FakeWeChat) -> None:
    client, _ = _client(wechat)
    client.send_text("o-citizen", "请携带身份证原件")
    [call] = wechat.calls_to(SEND)
    assert call.params == {"access_token": "TOKEN-1"}
    assert call.body == {"touser": "o-citizen", "msgtype": "text", "text": {"content": "请携带身份证原件"}}
    assert "请携带身份证原件".encode() in call.raw  # not \\u escapes


def test_create_menu_posts_the_menu(wechat: FakeWeChat) -> None:
    client, _ = _client(wechat)
    menu = {"button": [{"type": "click", "name": "人工服务", "key": "HUMAN"}]}
    client.create_menu(menu)
    [call] = wechat.calls_to("/cgi-bin/menu/create")
    assert call.body == menu


def test_send_subscribe_message_wraps_values(wechat: FakeWeChat) -> None:
    client, _ = _client(wechat)
    client.send_subscribe_message("o-citizen", "TPL-1", {"thing1": "户口迁移"}, page="pages/index")
    [call] = wechat.calls_to("/cgi-bin/message/subscribe/bizsend")
    assert call.body == {
        "touser": "o-citizen",
        "template_id": "TPL-1",
        "page": "pages/index",
        "data": {"thing1": {"value": "户口迁移"}},
    }


@pytest.mark.parametrize(
    ("code", "error", "retryable"),
    [
        (45015, WindowClosed, False),
        (45047, QuotaExceeded, False),
        (40003, InvalidOpenId, False),
        (45009, ApiQuotaLimited, False),
        (45011, ApiQuotaLimited, False),
        (40164, IpNotWhitelisted, False),
        (48001, ApiUnauthorized, False),
        (45002, WeChatApiError, False),
    ],
    ids=[
        "window-closed",
        "quota",
        "bad-openid",
        "daily-quota",
        "frequency",
        "ip-whitelist",
        "unauthorised",
        "unknown-code",
    ],
)
def test_errors_raise_at_once_with_their_code(
    wechat: FakeWeChat, code: int, error: type[WeChatApiError], retryable: bool
) -> None:
    wechat.always(SEND, {"errcode": code, "errmsg": f"message {code}"})
    client, sleeps = _client(wechat)
    with pytest.raises(error) as caught:
        client.send_text("o-citizen", "你好")
    assert type(caught.value) is error
    assert (caught.value.code, caught.value.message) == (code, f"message {code}")
    assert caught.value.retryable is retryable
    assert str(code) in str(caught.value) and caught.value.staff_hint in str(caught.value)
    assert len(wechat.calls_to(SEND)) == 1
    assert wechat.token_fetches == 1
    assert sleeps == []


@pytest.mark.parametrize("code", [40001, 40014, 42001], ids=["40001", "40014", "42001"])
def test_permanent_token_error_refreshes_once_and_retries_once(wechat: FakeWeChat, code: int) -> None:
    wechat.always(SEND, {"errcode": code, "errmsg": "invalid credential"})
    client, _ = _client(wechat)
    with pytest.raises(TokenInvalid) as caught:
        client.send_text("o-citizen", "你好")
    assert caught.value.code == code
    assert len(wechat.calls_to(SEND)) == 2
    # One initial fetch, then one refresh: normal mode repeats the token, so it is forced once.
    forced = [call.body["force_refresh"] for call in wechat.calls_to("/cgi-bin/stable_token")]
    assert forced == [False, False, True]


def test_token_rejected_once_then_accepted(wechat: FakeWeChat) -> None:
    client, _ = _client(wechat)
    client.send_text("o-citizen", "第一条")
    wechat.expire_tokens()  # WeChat forgets TOKEN-1 while our cache still holds it
    client.send_text("o-citizen", "第二条")
    calls = wechat.calls_to(SEND)
    assert [call.params["access_token"] for call in calls] == ["TOKEN-1", "TOKEN-1", "TOKEN-2"]
    assert wechat.token_fetches == 2


def test_busy_is_retried_with_bounded_backoff(wechat: FakeWeChat) -> None:
    wechat.always(SEND, {"errcode": -1, "errmsg": "system error"})
    client, sleeps = _client(wechat, busy_backoff=(0.5, 1.0))
    with pytest.raises(WeChatBusy) as caught:
        client.send_text("o-citizen", "你好")
    assert caught.value.retryable
    assert sleeps == [0.5, 1.0]
    assert len(wechat.calls_to(SEND)) == 3


def test_busy_once_then_sent(wechat: FakeWeChat) -> None:
    wechat.script(SEND, {"errcode": -1, "errmsg": "system error"})
    client, sleeps = _client(wechat)
    client.send_text("o-citizen", "你好")
    assert sleeps == [0.5]
    assert len(wechat.calls_to(SEND)) == 2


@pytest.mark.parametrize(
    "answer",
    [
        {"_delay": 1.0},
        {"_status": 502, "errcode": 0},
    ],
    ids=["read-timeout", "http-502"],
)
def test_unreachable_is_raised_without_retry(wechat: FakeWeChat, answer: dict[str, object]) -> None:
    client, sleeps = _client(wechat, timeouts=Timeouts(connect=1.0, read=0.2))
    client.tokens.get()
    wechat.script(SEND, answer)
    with pytest.raises(WeChatUnreachable) as caught:
        client.send_text("o-citizen", "你好")
    assert caught.value.code is None and caught.value.retryable
    assert len(wechat.calls_to(SEND)) == 1
    assert sleeps == []


def test_connection_refused_is_unreachable() -> None:
    with FakeWeChat() as fake:
        dead_url = fake.url
    provider = TokenProvider(
        MemoryTokenStore(),
        app_id="wx",
        app_secret="s",
        api_base=dead_url,
        timeouts=Timeouts(connect=0.5, read=0.5),
    )
    with pytest.raises(WeChatUnreachable):
        provider.get()


def test_error_message_is_json_safe(wechat: FakeWeChat) -> None:
    wechat.always(SEND, {"errcode": 45015, "errmsg": "response out of time limit"})
    client, _ = _client(wechat)
    with pytest.raises(WindowClosed) as caught:
        client.send_text("o-citizen", "你好")
    assert json.loads(json.dumps({"error": str(caught.value)}))["error"].startswith("群众超过 48 小时")
