"""Helpers for the fault, multi-worker and fuzz tests: signed pushes, seeded databases, gunicorn."""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.wechat import protocol as wechat
from knowledge.db import make_engine, upgrade
from knowledge.schema import load_kb

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "fault-token"
APP_ID = "wxfault000000000"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CREDS = wechat.Credentials(token=TOKEN, app_id=APP_ID, aes_key=AES_KEY)


def text_xml(content: str, msg_id: str, openid: str = "oCitizenFault") -> str:
    return (
        "<xml><ToUserName><![CDATA[gh_hall]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def signed_args(nonce: str | None = None) -> dict[str, str]:
    """A signed query string as WeChat makes one: a fresh random nonce for every push."""
    timestamp = str(int(time.time()))
    nonce = nonce or str(secrets.randbelow(10**10))
    return {"signature": wechat.sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def new_msg_id() -> str:
    return str(uuid.uuid4().int % 10**18)


def seed(engine: Engine, kb_path: Path) -> None:
    """Migrate ``engine`` and publish the knowledge base at ``kb_path``."""
    from knowledge import storage

    upgrade(engine)
    with Session(engine) as session:
        storage.import_kb(session=session, kb=load_kb(kb_path), author="test", publish=True)


def sqlite_url(tmp_path: Path, kb_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/guidebot.sqlite3"
    engine = make_engine(url)
    seed(engine, kb_path)
    engine.dispose()
    return url


@contextlib.contextmanager
def postgres_url(prefix: str, kb_path: Path) -> Iterator[str]:
    """A seeded throw-away PostgreSQL database, or a skip when the server is unreachable."""
    from knowledge.testing import PostgresUnavailable, postgres_database

    try:
        with postgres_database(prefix) as url:
            engine = make_engine(url)
            seed(engine, kb_path)
            engine.dispose()
            yield url
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))


def redis_or_skip() -> str:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.skip(f"Redis unreachable at 127.0.0.1:6379: {exc}")
    finally:
        client.close()
    return "redis://127.0.0.1:6379/0"


def count_questions(url: str, msg_id: str | None = None) -> int:
    from knowledge.models import QuestionLog

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            query = select(func.count()).select_from(QuestionLog)
            if msg_id is not None:
                query = query.where(QuestionLog.msg_id == msg_id)
            return int(session.exec(query).one())
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUIDEBOT_")}
    env.update(
        GUIDEBOT_DATABASE_URL=database_url,
        GUIDEBOT_WECHAT_TOKEN=TOKEN,
        GUIDEBOT_WECHAT_APP_ID=APP_ID,
        GUIDEBOT_WECHAT_AES_KEY=AES_KEY,
        GUIDEBOT_WECHAT_COMPAT_MODE="true",  # the workers get plaintext pushes (and encrypted ones)
        GUIDEBOT_LOAD_DEMO="false",
        GUIDEBOT_SPOOL_DIR=str(instance / "spool"),
    )
    env.update({f"GUIDEBOT_{key}": value for key, value in extra.items()})
    return env


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int, log_path: Path) -> Iterator[str]:
    """Run ``gunicorn webhook:app`` with the guidebot config on a free loopback port; yield its base URL."""
    port = free_port()
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:bot.serving.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "webhook:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log_path.read_text(errors='replace')[-2000:]}")
            # Ready when every worker has warmed up (built its index): see bot/serving/gunicorn_conf.py.
            if log_path.read_text(errors="replace").count("guidebot worker") >= workers:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start within 60 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def post(base: str, body: bytes, args: dict[str, str], timeout: float = 10.0) -> tuple[int, bytes]:
    import http.client

    parsed = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        connection.request(
            "POST", "/wechat?" + urllib.parse.urlencode(args), body=body, headers={"Content-Type": "text/xml"}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
