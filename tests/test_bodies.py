"""A push's body is read after its signature and within a time limit (issue 15, findings 9 and 11).

The unit tests drive ``bot.serving.bodies.read_body`` over a real socket pair; the service tests send a
slow body to a real gunicorn sync worker and time a genuine push sent behind it.
"""

import io
import socket
import threading
import time
import urllib.parse

import pytest

from bot.serving import bodies, runtime
from bot.wechat import protocol as wechat
from tests.service_support import (
    CREDS,
    TOKEN,
    gunicorn,
    new_msg_id,
    post,
    service_env,
    signed_args,
    sqlite_url,
    text_xml,
)
from webhook import create_app


def trickle(sock: socket.socket, data: bytes, every: float, stop: threading.Event) -> threading.Thread:
    """Send ``data`` one byte every ``every`` seconds from a thread (until ``stop``)."""

    def run() -> None:
        for byte in data:
            if stop.wait(every):
                return
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_complete_body_is_read_at_once():
    assert bodies.read_body(io.BytesIO(b"<xml/>"), limit=100) == b"<xml/>"
    assert bodies.read_body(io.BytesIO(b"x" * 300), limit=100) == b"x" * 101  # one more: "too large"


@pytest.mark.parametrize("main_thread", [True, False], ids=["main-thread-timer", "socket-timeout"])
def test_a_trickled_body_is_given_up_within_the_limit(main_thread):
    ours, theirs = socket.socketpair()
    stop = threading.Event()
    trickle(theirs, b"<xml>" + b"a" * 200 + b"</xml>", 0.05, stop)
    outcome: dict[str, object] = {}

    def read() -> None:
        started = time.monotonic()
        try:
            with ours.makefile("rb") as stream:
                bodies.read_body(stream, limit=10_000, seconds=0.6, sock=ours)
        except bodies.SlowBody as exc:
            outcome["error"] = exc
        outcome["took"] = time.monotonic() - started

    try:
        if main_thread:
            read()
        else:
            worker = threading.Thread(target=read)
            worker.start()
            worker.join(5)
    finally:
        stop.set()
        ours.close()
        theirs.close()
    assert isinstance(outcome.get("error"), bodies.SlowBody)
    assert outcome["took"] < 1.5  # the socket-timeout path may wait one more short read


class Unreadable(io.RawIOBase):
    """A body that must never be read."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read before the signature was checked")


@pytest.mark.parametrize(
    "args",
    [{"signature": "0" * 40}, {"signature": ""}, {"timestamp": "1409735669"}, {"encrypt_type": "aes"}],
    ids=["bad-signature", "no-signature", "stale", "aes-without-signature"],
)
def test_the_signature_is_checked_before_the_body_is_read(tmp_path, args):
    app = create_app({"TESTING": True, "WECHAT_TOKEN": TOKEN, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    query = signed_args() | args
    if args.get("encrypt_type"):
        del query["signature"]
    status, body = runtime.handle_push(app, query, 10**9, Unreadable())
    assert (status, body) == (403, "拒绝访问")


HOSTILE = [
    ({}, b"<xml><Encrypt><![CDATA[abcd]]></Encrypt></xml>"),  # 安全模式 envelope, no AES key here
    ({}, b"<xml><ToUserName>x</ToUserName></xml>"),
    ({}, b"<xml><MsgType>text</MsgType><Content>x</Content></xml>"),
    ({}, b'<!DOCTYPE xml [<!ENTITY a "b">]><xml>&a;</xml>'),
    ({}, b"\xff\xfe<xml/>"),
    ({}, b"<xml>" + b"<a>" * 20 + b"</a>" * 20 + b"</xml>"),
    ({"encrypt_type": "aes", "msg_signature": "0" * 40}, b"<xml><Encrypt>x</Encrypt></xml>"),
    ({"signature": "0" * 40}, b"<xml/>"),
    ({}, b"x" * (wechat.MAX_BODY + 10)),
]


@pytest.mark.parametrize(
    ("extra", "body"),
    HOSTILE,
    ids=[
        "encrypt-without-key",
        "no-msgtype",
        "no-sender",
        "doctype",
        "not-utf8",
        "deep",
        "bad-msg-signature",
        "bad-signature",
        "oversize",
    ],
)
def test_refusals_carry_fixed_neutral_texts(tmp_path, extra, body):
    app = create_app(
        {"TESTING": True, "WECHAT_TOKEN": TOKEN, "KB_FILE": "", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    )
    response = app.test_client().post("/wechat", query_string=signed_args() | extra, data=body)
    assert response.status_code in runtime.REFUSALS
    assert response.get_data(as_text=True) == runtime.REFUSALS[response.status_code]


def test_url_verification_refusal_is_neutral(tmp_path):
    app = create_app({"TESTING": True, "WECHAT_TOKEN": TOKEN, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    response = app.test_client().get("/wechat", query_string=signed_args() | {"signature": "1" * 40})
    assert (response.status_code, response.get_data(as_text=True)) == (403, "拒绝访问")


# -- a real gunicorn sync worker ------------------------------------------------------------------


def open_slow_push(base: str, args: dict[str, str], length: int) -> socket.socket:
    """A POST whose headers promise ``length`` bytes, of which only a few are ever sent."""
    port = int(urllib.parse.urlsplit(base).port or 0)
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        f"POST /wechat?{urllib.parse.urlencode(args)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: text/xml\r\nContent-Length: {length}\r\n\r\n<xml>"
    )
    sock.sendall(head.encode())
    return sock


def genuine_push_time(base: str) -> tuple[int, float]:
    started = time.monotonic()
    status, body = post(base, text_xml("社保卡在哪办", new_msg_id()).encode(), signed_args(), timeout=30)
    assert wechat.read_reply(body.decode(), CREDS)["Content"]
    return status, time.monotonic() - started


@pytest.fixture
def one_worker(tmp_path, county_kb_path):
    env = service_env(sqlite_url(tmp_path, county_kb_path), tmp_path)
    with gunicorn(env, workers=1, log_path=tmp_path / "gunicorn.log") as base:
        yield base


@pytest.mark.parametrize("signed", [False, True], ids=["stranger", "replayed-signature"])
def test_a_slow_body_does_not_stall_the_single_worker(one_worker, signed):
    args = signed_args() if signed else signed_args() | {"signature": "f" * 40}
    slow = open_slow_push(one_worker, args, length=2000)
    try:
        time.sleep(0.2)  # the worker has taken the slow request
        status, took = genuine_push_time(one_worker)
        # A stranger is refused before the body is read; a signed trickle is cut at BODY_SECONDS.
        assert status == 200 and took < bodies.BODY_SECONDS + 1.0, f"the genuine push waited {took:.1f} s"
        slow.settimeout(5)
        try:
            answer = slow.recv(1024).decode(errors="replace")
        except ConnectionResetError:
            answer = ""  # closed at once, unread body and all: the refusal itself may be cut off
        expected = "408" if signed else "403"
        assert answer == "" or answer.startswith(f"HTTP/1.1 {expected}"), answer[:80]
    finally:
        slow.close()
