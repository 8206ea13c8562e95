"""HTTP client for the WeChat Official Account API (customer-service messages, menu, tokens).

Written with ``requests`` instead of wechatpy's client because of the gaps WECHAT.md lists: wechatpy's
token fetch has no timeout, its retry on 40001/40014/42001 is unbounded, and its storages have no lock.
Here every call has a (connect, read) timeout, a stale token is refreshed at most once per call, and
WeChat's ``-1`` (busy) is retried a bounded number of times with backoff. Every other error becomes a
``WeChatApiError`` subclass carrying ``errcode`` and ``errmsg`` plus a Chinese message for staff.
"""

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests

DEFAULT_API_BASE = "https://api.weixin.qq.com"

#: Codes meaning "this access_token is not (or no longer) valid": refresh once, retry once.
TOKEN_CODES = frozenset({40001, 40014, 42001})


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection and for a response, passed to every request."""

    connect: float = 3.0
    read: float = 5.0

    def as_requests(self) -> tuple[float, float]:
        return (self.connect, self.read)


DEFAULT_TIMEOUTS = Timeouts()


# --- errors -------------------------------------------------------------------------------------------


class WeChatApiError(Exception):
    """WeChat answered with a non-zero ``errcode`` (or could not be reached: ``code`` is None)."""

    #: Whether sending the same request again later may succeed (the outbox retries only these).
    retryable = False
    #: What staff read in logs and CLI output.
    staff_hint = "微信接口返回错误"

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(f"{self.staff_hint}（errcode={code}）：{message}")
        self.code = code
        self.message = message


class WeChatBusy(WeChatApiError):
    """-1: WeChat's system is busy; worth a later retry."""

    retryable = True
    staff_hint = "微信系统繁忙，请稍后再试"


class WeChatUnreachable(WeChatApiError):
    """The request timed out or the connection failed; no errcode exists."""

    retryable = True
    staff_hint = "无法连接微信接口（超时或网络故障）"


class TokenInvalid(WeChatApiError):
    """40001/40014/42001 again after one refresh and one retry."""

    retryable = True
    staff_hint = "access_token 无效或已过期，刷新后仍失败，请检查 AppID/AppSecret 是否被其他程序重置"


class TokenUnavailable(WeChatApiError):
    """Another worker is refreshing the token and no fresh token appeared in time."""

    retryable = True
    staff_hint = "暂时无法取得 access_token（其他进程正在刷新），请稍后再试"


class WindowClosed(WeChatApiError):
    """45015: more than 48 h since the citizen's last message, or the citizen unsubscribed."""

    staff_hint = "群众超过 48 小时未发消息或已取消关注，无法再发送客服消息"


class QuotaExceeded(WeChatApiError):
    """45047: over the per-citizen-message quota of customer-service messages."""

    staff_hint = "针对该群众的这条消息，客服消息条数已达上限"


class InvalidOpenId(WeChatApiError):
    """40003: the openid does not belong to this account."""

    staff_hint = "OpenID 无效（不是本公众号的关注者）"


class ApiQuotaLimited(WeChatApiError):
    """45009 (daily API quota) or 45011 (frequency limit): stop and alert, do not retry."""

    staff_hint = "微信接口调用次数或频率超限，请停止调用并联系管理员"


class IpNotWhitelisted(WeChatApiError):
    """40164: the server's IP is not on the account's IP whitelist."""

    staff_hint = "服务器 IP 不在公众号的 IP 白名单中，请在公众平台「基本配置 → IP白名单」中添加"


class ApiUnauthorized(WeChatApiError):
    """48001: the account has no permission for this API (e.g. an unverified subscription account)."""

    staff_hint = "公众号没有该接口的权限（例如未认证的订阅号没有客服消息和自定义菜单接口）"


class InvalidCredential(WeChatApiError):
    """40013/40125: wrong AppID or AppSecret when fetching a token."""

    staff_hint = "AppID 或 AppSecret 错误，请检查配置"


_ERRORS: dict[int, type[WeChatApiError]] = {
    -1: WeChatBusy,
    40001: TokenInvalid,
    40014: TokenInvalid,
    42001: TokenInvalid,
    45015: WindowClosed,
    45047: QuotaExceeded,
    40003: InvalidOpenId,
    45009: ApiQuotaLimited,
    45011: ApiQuotaLimited,
    40164: IpNotWhitelisted,
    48001: ApiUnauthorized,
    40013: InvalidCredential,
    40125: InvalidCredential,
}


def error_for(code: int, message: str) -> WeChatApiError:
    """The exception for one WeChat ``errcode``."""
    return _ERRORS.get(code, WeChatApiError)(code, message)


# --- low-level call -----------------------------------------------------------------------------------


def post_json(
    session: requests.Session,
    url: str,
    payload: Mapping[str, Any],
    *,
    params: Mapping[str, str] | None = None,
    timeouts: Timeouts,
) -> dict[str, Any]:
    """POST ``payload`` as UTF-8 JSON and return the decoded answer; raise on errcode != 0.

    Chinese is sent unescaped (``ensure_ascii=False``): WeChat stores ``\\uXXXX`` escapes literally
    in some APIs (menu names).
    """
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    try:
        response = session.post(
            url,
            params=params,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            timeout=timeouts.as_requests(),
        )
    except requests.Timeout as exc:
        raise WeChatUnreachable(None, f"timeout: {exc.__class__.__name__}") from exc
    except requests.RequestException as exc:
        raise WeChatUnreachable(None, f"{exc.__class__.__name__}: {exc}") from exc
    if response.status_code >= 500:
        raise WeChatUnreachable(None, f"HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise WeChatUnreachable(None, f"HTTP {response.status_code}, body is not JSON") from exc
    if not isinstance(data, dict):
        raise WeChatUnreachable(None, "answer is not a JSON object")
    code = int(data.get("errcode", 0) or 0)
    if code != 0:
        raise error_for(code, str(data.get("errmsg", "")))
    return data


def fetch_stable_token(
    session: requests.Session,
    *,
    api_base: str,
    app_id: str,
    app_secret: str,
    timeouts: Timeouts,
    force_refresh: bool = False,
) -> tuple[str, int]:
    """``POST cgi-bin/stable_token``: the token and its remaining lifetime in seconds."""
    data = post_json(
        session,
        f"{api_base.rstrip('/')}/cgi-bin/stable_token",
        {
            "grant_type": "client_credential",
            "appid": app_id,
            "secret": app_secret,
            "force_refresh": force_refresh,
        },
        timeouts=timeouts,
    )
    try:
        return str(data["access_token"]), int(data["expires_in"])
    except (KeyError, TypeError, ValueError) as exc:
        raise WeChatUnreachable(None, "stable_token answer lacks access_token/expires_in") from exc


# --- client -------------------------------------------------------------------------------------------


class TokenSource(Protocol):
    """What the client needs from the token provider (``bot.wechat.token.TokenProvider``)."""

    def get(self) -> str: ...

    def refresh(self, stale: str) -> str: ...


class WeChatClient:
    """The few WeChat API calls guidebot makes, each with timeouts and bounded retries."""

    def __init__(
        self,
        tokens: TokenSource,
        *,
        api_base: str = DEFAULT_API_BASE,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        session: requests.Session | None = None,
        busy_backoff: tuple[float, ...] = (0.5, 1.0),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.tokens = tokens
        self.api_base = api_base.rstrip("/")
        self.timeouts = timeouts
        self.session = session or requests.Session()
        # One retry per entry on -1; the tuple's length bounds the retries.
        self.busy_backoff = busy_backoff
        self._sleep = sleep

    def call(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST to ``cgi-bin/<path>`` with the access token.

        A stale token (40001/40014/42001) is refreshed once and the call retried once; -1 is retried
        after each ``busy_backoff`` delay; everything else raises at once.
        """
        url = f"{self.api_base}/cgi-bin/{path}"
        token = self.tokens.get()
        refreshed = False
        busy_retries = iter(self.busy_backoff)
        while True:
            try:
                return post_json(
                    self.session, url, payload, params={"access_token": token}, timeouts=self.timeouts
                )
            except TokenInvalid:
                if refreshed:
                    raise
                refreshed = True
                token = self.tokens.refresh(token)
            except WeChatBusy:
                delay = next(busy_retries, None)
                if delay is None:
                    raise
                self._sleep(delay)

    def send_message(self, openid: str, message: Mapping[str, Any]) -> None:
        """``message/custom/send`` with a ready message body (``{"msgtype": ..., ...}``)."""
        self.call("message/custom/send", {"touser": openid, **message})

    def send_text(self, openid: str, text: str) -> None:
        """A customer-service text message to one citizen (within 48 h of their last message)."""
        self.send_message(openid, text_message(text))

    def create_menu(self, menu: Mapping[str, Any]) -> None:
        """``menu/create``: replace the account's custom menu (``{"button": [...]}``)."""
        self.call("menu/create", menu)

    def send_subscribe_message(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str],
        *,
        page: str | None = None,
    ) -> None:
        """``message/subscribe/bizsend``: a 订阅通知 the citizen consented to for ``template_id``."""
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if page:
            payload["page"] = page
        self.call("message/subscribe/bizsend", payload)


def text_message(text: str) -> dict[str, Any]:
    """The body of a customer-service text message, without ``touser``."""
    return {"msgtype": "text", "text": {"content": text}}
