"""The WeChat protocol adapter: the only module that imports wechatpy.

It verifies signatures (constant time, with a timestamp window), screens and parses pushes
(plaintext, 兼容模式 and 安全模式, accepting the current and the previous EncodingAESKey and
checking the AppID), and renders and encrypts replies. wechatpy has no timestamp window, compares
signatures with ``!=`` and writes reply text into CDATA unescaped; those gaps are closed here.
"""

import base64
import binascii
import hashlib
import hmac
import logging
import re
import struct
import time
import xml.parsers.expat
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import PrpCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import MESSAGE_TYPES, UnknownMessage
from wechatpy.replies import TextReply, TransferCustomerServiceReply

from bot.conversation.messages import Message, Reply

log = logging.getLogger(__name__)

#: Largest push body accepted; WeChat's own pushes are a few hundred bytes.
MAX_BODY = 64 * 1024
#: WeChat limits passive text replies to about 2048 bytes of UTF-8.
MAX_CONTENT_BYTES = 2047
#: Element nesting a genuine push never exceeds (xml → SendPicsInfo → PicList → item → PicMd5Sum).
MAX_DEPTH = 6

_KINDS = {"text", "voice", "image", "video", "location", "link", "event"}
#: Characters XML 1.0 forbids even inside CDATA.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Everything wechatpy and xmltodict raise on malformed input.
_PARSE_ERRORS = (
    KeyError,
    AttributeError,
    TypeError,
    IndexError,
    ValueError,  # includes UnicodeDecodeError
    binascii.Error,
    struct.error,
    xml.parsers.expat.ExpatError,
    InvalidAppIdException,
)


class PushError(Exception):
    """A push that is refused; ``status`` is the HTTP status to answer with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadSignature(PushError):
    """The signature does not match the token (or is missing)."""

    status = 403


class StaleTimestamp(PushError):
    """The timestamp is further from now than the configured window allows."""

    status = 403


class WrongAppId(PushError):
    """An encrypted push decrypted with a valid key but names another AppID."""

    status = 403


class NotConfigured(PushError):
    """No token is set: nothing can be verified, so nothing is served (the message is for the operator)."""

    status = 503


class PlaintextRefused(PushError):
    """A plaintext push while an EncodingAESKey is set and 兼容模式 is not allowed."""

    status = 403


class BodyTooLarge(PushError):
    """The body exceeds :data:`MAX_BODY`."""

    status = 413


class HostileXml(PushError):
    """The body declares a DOCTYPE or entities, nests too deep, or is not UTF-8."""

    status = 400


class MalformedPush(PushError):
    """The body is not a WeChat push wechatpy can read."""

    status = 400


@dataclass(frozen=True)
class Credentials:
    """What the account's 服务器配置 page holds, plus the key before the last rotation."""

    token: str
    app_id: str = ""
    aes_key: str = ""
    previous_aes_key: str = ""
    #: Seconds a timestamp may differ from now; 0 turns the check off.
    timestamp_window: int = 300
    #: With an EncodingAESKey set, accept plaintext pushes too (兼容模式, or while switching modes).
    allow_plaintext: bool = False

    def keys(self) -> list[bytes]:
        """The AES keys to try, current first."""
        keys = []
        for encoded in (self.aes_key, self.previous_aes_key):
            if encoded:
                key = base64.b64decode(encoded + "=")
                if len(key) != 32:
                    raise ValueError("EncodingAESKey must be 43 characters of base64")
                keys.append(key)
        return keys


@dataclass(frozen=True)
class Push:
    """A verified, parsed push and how to answer it (encrypted or not)."""

    message: Message
    encrypted: bool
    nonce: str
    timestamp: str
    #: The EncodingAESKey that opened an encrypted push: its reply is sealed with the same key, so a
    #: sender still on the previous key (during a rotation) can read it.
    key: bytes | None = None


# -- signatures ---------------------------------------------------------------------------------


def sign(*parts: str) -> str:
    """WeChat's signature: sha1 over the sorted parts joined without separator."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def _check_signature(expected: str, given: str | None) -> None:
    if not given or not hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace")):
        raise BadSignature("signature mismatch")


def _check_timestamp(timestamp: str | None, window: int, now: float | None) -> None:
    # isascii: str.isdigit() accepts digits such as "²" that int() refuses.
    if timestamp is None or not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise BadSignature("missing or malformed timestamp")
    if window and abs((time.time() if now is None else now) - int(timestamp)) > window:
        raise StaleTimestamp(f"timestamp {timestamp} outside the {window} s window")


NO_TOKEN = "微信接口未启用：未设置 GUIDEBOT_WECHAT_TOKEN（公众平台「服务器配置」中的 Token），设置后重启服务"


def _check_configured(credentials: Credentials) -> None:
    # An empty token would make every signature computable by anyone: serve nothing instead.
    if not credentials.token:
        raise NotConfigured(NO_TOKEN)


def verify_url(credentials: Credentials, args: Mapping[str, str], *, now: float | None = None) -> str:
    """The ``echostr`` to send back for a valid URL verification (GET); raises :class:`PushError`."""
    _check_configured(credentials)
    timestamp, nonce = args.get("timestamp"), args.get("nonce", "")
    _check_timestamp(timestamp, credentials.timestamp_window, now)
    assert timestamp is not None
    _check_signature(sign(credentials.token, timestamp, nonce), args.get("signature"))
    echostr = args.get("echostr")
    if echostr is None:
        raise MalformedPush("echostr missing")
    return echostr


def check_query(credentials: Credentials, args: Mapping[str, str], *, now: float | None = None) -> None:
    """Refuse a push whose query string WeChat did not sign, before its body is read.

    WeChat signs ``token, timestamp, nonce`` as ``signature`` on every push, plaintext and 安全模式
    alike (安全模式 adds ``msg_signature`` over the body). Checking it first means a stranger's slow or
    huge body is never read at all.
    """
    timestamp = args.get("timestamp")
    _check_timestamp(timestamp, credentials.timestamp_window, now)
    assert timestamp is not None
    _check_signature(sign(credentials.token, timestamp, args.get("nonce", "")), args.get("signature"))


# -- reading pushes -----------------------------------------------------------------------------


#: A push read in the screening pass: its text, and its fields when it is a flat ``<xml>`` document.
Flat = dict[str, str | None]


def _screen(body: bytes) -> tuple[str, Flat | None]:
    """Refuse oversize, non-UTF-8, DOCTYPE/ENTITY and deeply nested bodies before any parsing.

    The same expat pass reads a flat push (``<xml>`` with leaf children only, no attributes, no
    repeated names: every text message and most events) into the dict xmltodict would make of it,
    so the push is not parsed a second time; anything else gets None and goes to xmltodict.
    """
    if len(body) > MAX_BODY:
        raise BodyTooLarge(f"{len(body)} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HostileXml(f"not UTF-8 at byte {exc.start}") from exc
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise HostileXml("DOCTYPE or ENTITY declaration")
    depth = 0
    flat: Flat | None = {}
    parts: list[str] = []

    def start(name: str, attrs: object) -> None:
        nonlocal depth, flat
        depth += 1
        if depth > MAX_DEPTH:
            raise HostileXml(f"nesting deeper than {MAX_DEPTH}")
        if attrs or depth > 2 or (depth == 1 and name != "xml"):
            flat = None
        parts.clear()

    def end(name: str) -> None:
        nonlocal depth, flat
        if depth == 2 and flat is not None:
            if name in flat:
                flat = None  # a repeated name: xmltodict makes a list
            else:
                # As xmltodict: the text's pieces joined, stripped, None when nothing is left.
                flat[name] = "".join(parts).strip() or None
        depth -= 1

    def characters(data: str) -> None:
        nonlocal flat
        if depth == 2:
            parts.append(data)
        elif depth == 1 and flat is not None and data.strip():
            flat = None  # text beside the fields: xmltodict keeps it as "#text"

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(text.encode("utf-8"), True)
    except xml.parsers.expat.ExpatError as exc:
        raise MalformedPush(f"not well-formed XML: {exc}") from exc
    return text, flat or None


def _parse(text: str, flat: Flat | None) -> Any:
    """wechatpy's message object for a screened push.

    A flat message that is not an event gets its class from wechatpy's own table, as
    ``wechatpy.parse_message`` picks it; events (whose class depends on their Event and EventKey)
    and everything not flat go through ``parse_message`` itself.
    """
    kind = flat.get("MsgType") if flat is not None else None
    if flat is None or kind is None or kind.lower() == "event" or kind.lower().startswith("device_"):
        return parse_message(text)
    return MESSAGE_TYPES.get(kind.lower(), UnknownMessage)(flat)


def _decrypt(credentials: Credentials, encrypt: str) -> tuple[bytes, bytes]:
    """Decrypt ``Encrypt`` with the current key, then the previous one; check the AppID.

    Returns the plaintext and the key that opened it.
    """
    app_id_mismatch = False
    for key in credentials.keys():
        try:
            return PrpCrypto(key).decrypt(encrypt, credentials.app_id).encode("utf-8"), key
        except InvalidAppIdException:
            app_id_mismatch = True
        except _PARSE_ERRORS:
            continue
    if app_id_mismatch:
        # A wrong key produces garbage and also fails the AppID comparison; only a clean
        # decryption naming another account is a wrong AppID, but both are refused alike.
        raise WrongAppId("AppID inside the encrypted push does not match")
    raise MalformedPush("cannot decrypt with the current or previous EncodingAESKey")


def _to_message(raw: Any) -> Message:
    data = raw._data
    kind = str(data["MsgType"]).lower()
    openid = data.get("FromUserName")
    if not isinstance(openid, str) or not openid:
        raise MalformedPush("FromUserName missing")
    create_time = data.get("CreateTime") or "0"
    if not isinstance(create_time, str) or not (create_time.isascii() and create_time.isdigit()):
        raise MalformedPush("CreateTime malformed")
    msg_id = data.get("MsgId")
    if msg_id is not None and not isinstance(msg_id, str):
        raise MalformedPush("MsgId malformed")
    if kind == "shortvideo":
        kind = "video"
    if kind not in _KINDS:
        kind = "unknown"
    text = data.get("Content") if kind == "text" else None
    event = data.get("Event")
    event_key = data.get("EventKey")
    recognition = data.get("Recognition")
    for name, value in (
        ("Content", text),
        ("Event", event),
        ("EventKey", event_key),
        ("Recognition", recognition),
    ):
        if value is not None and not isinstance(value, str):
            raise MalformedPush(f"{name} malformed")
    account = data.get("ToUserName")
    subscriptions = _subscriptions(data) if kind == "event" else ()
    return Message(
        kind=kind,  # type: ignore[arg-type]
        openid=openid,
        text=text or "",
        msg_id=msg_id or None,
        create_time=int(create_time),
        event=(event or "").lower() or None if kind == "event" else None,
        event_key=event_key or None,
        recognition=recognition or None,
        account=account if isinstance(account, str) else "",
        subscriptions=subscriptions,
    )


_SUBSCRIBE_EVENT_BODIES = ("SubscribeMsgPopupEvent", "SubscribeMsgChangeEvent", "SubscribeMsgSentEvent")


def _subscriptions(data: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """(TemplateId, status) pairs of a subscription-notification event; xmltodict gives one List as a dict."""
    found: list[tuple[str, str]] = []
    for name in _SUBSCRIBE_EVENT_BODIES:
        body = data.get(name)
        if not isinstance(body, dict):
            continue
        entries = body.get("List")
        for entry in entries if isinstance(entries, list) else [entries]:
            if not isinstance(entry, dict):
                continue
            template_id = entry.get("TemplateId")
            status = entry.get("SubscribeStatusString") or entry.get("ErrorStatus") or ""
            if isinstance(template_id, str) and template_id and isinstance(status, str):
                found.append((template_id, status.lower()))
    return tuple(found)


def read_push(
    credentials: Credentials, args: Mapping[str, str], body: bytes, *, now: float | None = None
) -> Push:
    """Verify and parse a POSTed push; raises a :class:`PushError` subclass for anything refused."""
    _check_configured(credentials)
    timestamp, nonce = args.get("timestamp"), args.get("nonce", "")
    if len(body) > MAX_BODY:
        raise BodyTooLarge(f"{len(body)} bytes")
    _check_timestamp(timestamp, credentials.timestamp_window, now)
    assert timestamp is not None
    encrypted = args.get("encrypt_type", "raw").lower() == "aes"
    key: bytes | None = None
    keyed = bool(credentials.aes_key or credentials.previous_aes_key)
    if not encrypted and keyed and not credentials.allow_plaintext:
        # 安全模式: a plaintext body is covered by no signature at all, so it is never trusted.
        raise PlaintextRefused("plaintext push refused: 安全模式 expects encrypt_type=aes")
    if not encrypted:
        # The plaintext signature does not cover the body; check it before parsing anything.
        _check_signature(sign(credentials.token, timestamp, nonce), args.get("signature"))
    text, flat = _screen(body)
    try:
        if encrypted:
            outer = flat if flat is not None else xmltodict.parse(text)["xml"]
            encrypt = outer["Encrypt"]
            if not isinstance(encrypt, str):
                raise MalformedPush("Encrypt malformed")
            _check_signature(sign(credentials.token, timestamp, nonce, encrypt), args.get("msg_signature"))
            plain, key = _decrypt(credentials, encrypt)
            text, flat = _screen(plain)
        raw = _parse(text, flat)
        if raw is None:
            raise MalformedPush("empty body")
        message = _to_message(raw)
    except PushError:
        raise
    except InvalidSignatureException as exc:
        raise BadSignature("signature mismatch") from exc
    except _PARSE_ERRORS as exc:
        raise MalformedPush(f"{type(exc).__name__}: {exc}") from exc
    return Push(message=message, encrypted=encrypted, nonce=nonce, timestamp=timestamp, key=key)


# -- replies ------------------------------------------------------------------------------------


def cdata_safe(text: str) -> str:
    """Text that survives wechatpy's unescaped CDATA: split ``]]>`` and drop XML-forbidden characters."""
    return _INVALID_XML_CHARS.sub("", text).replace("]]>", "]]]]><![CDATA[>")


def fit_bytes(text: str, limit: int = MAX_CONTENT_BYTES) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes at a character boundary (a last resort: answers fit already)."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    log.warning("reply of %d bytes cut to %d", len(encoded), limit)
    cut = encoded[: limit - len("…".encode())].decode("utf-8", "ignore")
    return cut + "…"


def render_reply(reply: Reply, message: Message, *, now: float | None = None) -> str:
    """The plaintext reply XML for ``message`` ("" for nothing, which WeChat treats like ``success``)."""
    created = int(time.time() if now is None else now)
    sender, receiver = cdata_safe(message.account), cdata_safe(message.openid)
    if reply.kind == "transfer":
        return TransferCustomerServiceReply(source=sender, target=receiver, time=created).render()
    if reply.kind == "empty" or not reply.text:
        return ""
    content = cdata_safe(fit_bytes(reply.text))
    return TextReply(source=sender, target=receiver, time=created, content=content).render()


def seal(credentials: Credentials, xml_text: str, push: Push) -> str:
    """The response body: ``xml_text`` as is, or encrypted and signed for a 安全模式 push."""
    if not xml_text or not push.encrypted:
        return xml_text
    key = push.key or credentials.keys()[0]  # the key the push came with (a rotation in progress)
    encrypt = PrpCrypto(key).encrypt(xml_text, credentials.app_id).decode("ascii")
    timestamp = str(int(time.time()))
    signature = sign(credentials.token, timestamp, push.nonce, encrypt)
    return (
        "<xml>\n"
        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n"
        f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n"
        f"<TimeStamp>{timestamp}</TimeStamp>\n"
        f"<Nonce><![CDATA[{cdata_safe(push.nonce)}]]></Nonce>\n"
        "</xml>"
    )


def read_reply(body: str, credentials: Credentials | None = None) -> dict[str, str]:
    """Parse a reply body (decrypting a sealed one): for tests, the CLI and the benchmark."""
    data = xmltodict.parse(body)["xml"]
    if "Encrypt" in data and credentials is not None:
        _check_signature(
            sign(credentials.token, data["TimeStamp"], data["Nonce"], data["Encrypt"]), data["MsgSignature"]
        )
        data = xmltodict.parse(_decrypt(credentials, data["Encrypt"])[0].decode("utf-8"))["xml"]
    return dict(data)


def encrypt_push(credentials: Credentials, xml_text: str, *, nonce: str, timestamp: str) -> tuple[str, str]:
    """Encrypt a push as WeChat does: the body and its ``msg_signature`` (for tests and the benchmark)."""
    encrypt = PrpCrypto(credentials.keys()[0]).encrypt(xml_text, credentials.app_id).decode("ascii")
    body = f"<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return body, sign(credentials.token, timestamp, nonce, encrypt)
