"""`guidebot serve`: first run creates the SQLite database and loads the demo hall, then serves."""

import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import webhook
from bot.commands import serve as serve_command


@pytest.fixture
def fresh_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("GUIDEBOT_"):
            monkeypatch.delenv(name)
    db = tmp_path / "guidebot.sqlite3"
    monkeypatch.setenv("GUIDEBOT_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("GUIDEBOT_SECRET_KEY", "s" * 64)
    return db


@pytest.fixture
def default_instance(monkeypatch, tmp_path):
    """No GUIDEBOT_DATABASE_URL: the default SQLite file in an instance folder of this test's own."""
    for name in list(os.environ):
        if name.startswith("GUIDEBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GUIDEBOT_SECRET_KEY", "s" * 64)
    instance = tmp_path / "instance"
    monkeypatch.setattr(webhook.Flask, "auto_find_instance_path", lambda self: str(instance))
    return instance / "guidebot.sqlite3"


def published_items(db) -> int:
    engine = sa.create_engine(str(db) if str(db).startswith("postgresql") else f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(
                sa.text("select count(*) from service_item where status = 'published'")
            ).scalar())
    finally:
        engine.dispose()


def test_first_run_creates_database_and_loads_demo(default_instance, monkeypatch):
    fresh_env = default_instance
    started = {}
    monkeypatch.setattr(serve_command, "_run_gunicorn", lambda **kwargs: started.update(kwargs))
    result = CliRunner().invoke(webhook.cli, ["serve", "--port", "5999", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "已创建数据库" in result.output
    assert "已载入示范大厅" in result.output
    assert "guidebot user add" in result.output  # no console account yet
    assert "GUIDEBOT_WECHAT_TOKEN" in result.output  # no token yet
    factory = started.pop("factory")
    assert started == {"host": "127.0.0.1", "port": 5999, "workers": 2}
    assert factory is webhook.create_app  # gunicorn's workers build the app with the same factory
    engine = sa.create_engine(f"sqlite:///{fresh_env}")
    with engine.connect() as conn:
        items = conn.execute(sa.text("select count(*) from service_item where status = 'published'")).scalar()
        mode = conn.execute(sa.text("pragma journal_mode")).scalar()
    engine.dispose()
    assert items >= 25
    assert mode == "wal"

    # A second start finds the database and loads nothing again.
    again = CliRunner().invoke(webhook.cli, ["serve"])
    assert again.exit_code == 0, again.output
    assert "已创建数据库" not in again.output and "已载入示范大厅" not in again.output


# -- issue 17, finding 1: the fictional demo hall never lands in a configured (production) database ----


def test_configured_database_gets_no_demo_hall(fresh_env, monkeypatch):
    monkeypatch.setattr(serve_command, "_run_gunicorn", lambda **kwargs: None)
    result = CliRunner().invoke(webhook.cli, ["serve", "--workers", "4"])
    assert result.exit_code == 0, result.output
    assert "已创建数据库" in result.output and "已载入示范大厅" not in result.output
    assert "guidebot kb import" in result.output and "GUIDEBOT_LOAD_DEMO=true" in result.output
    assert published_items(fresh_env) == 0


def invoke_disposing(args: list[str]):
    """Run a command in process, then close its app's database connections (PostgreSQL is dropped next)."""
    from flask.cli import ScriptInfo

    from knowledge.db import get_engine

    apps = []

    def factory():
        apps.append(webhook.create_app())
        return apps[-1]

    info = ScriptInfo(create_app=factory, set_debug_flag=False, load_dotenv_defaults=False)
    try:
        return CliRunner().invoke(webhook.cli, args, obj=info)
    finally:
        for app in apps:
            get_engine(app).dispose()


@pytest.mark.postgres
def test_upgraded_empty_postgres_gets_no_demo_hall(monkeypatch):
    # The run: an empty PostgreSQL database after `guidebot db upgrade`, then `serve --workers N`.
    from knowledge.testing import PostgresUnavailable, postgres_database

    for name in list(os.environ):
        if name.startswith("GUIDEBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(serve_command, "_run_gunicorn", lambda **kwargs: None)
    try:
        with postgres_database("guidebot_test_serve_demo") as url:
            monkeypatch.setenv("GUIDEBOT_DATABASE_URL", url)
            upgraded = invoke_disposing(["db", "upgrade"])
            assert upgraded.exit_code == 0, upgraded.output
            result = invoke_disposing(["serve", "--workers", "4"])
            assert result.exit_code == 0, result.output
            assert "已载入示范大厅" not in result.output
            assert published_items(url) == 0
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))


def test_load_demo_true_loads_into_an_empty_configured_database(fresh_env, monkeypatch):
    monkeypatch.setenv("GUIDEBOT_LOAD_DEMO", "true")
    monkeypatch.setattr(serve_command, "_run_gunicorn", lambda **kwargs: None)
    result = CliRunner().invoke(webhook.cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert "已载入示范大厅" in result.output
    assert published_items(fresh_env) >= 25


def test_load_demo_false_keeps_even_the_default_database_empty(default_instance, monkeypatch):
    monkeypatch.setenv("GUIDEBOT_LOAD_DEMO", "false")
    monkeypatch.setattr(serve_command, "_run_gunicorn", lambda **kwargs: None)
    result = CliRunner().invoke(webhook.cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert "已创建数据库" in result.output and "已载入示范大厅" not in result.output
    assert published_items(default_instance) == 0


def test_existing_database_without_schema_is_not_migrated_behind_the_users_back(fresh_env, monkeypatch):
    monkeypatch.setattr(serve_command, "_run_gunicorn", lambda **kwargs: pytest.fail("must not start"))
    empty = sa.create_engine(f"sqlite:///{fresh_env}")
    empty.connect().close()  # an empty file that exists
    empty.dispose()
    assert fresh_env.exists()
    result = CliRunner().invoke(webhook.cli, ["serve"])
    assert result.exit_code != 0
    assert "guidebot db upgrade" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_a_signed_push_end_to_end(fresh_env, tmp_path):
    port = _free_port()
    env = dict(os.environ, GUIDEBOT_WECHAT_TOKEN="servetoken", GUIDEBOT_LOAD_DEMO="true")
    guidebot = Path(sys.executable).with_name("guidebot")
    proc = subprocess.Popen(
        [str(guidebot), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login", timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
                assert time.monotonic() < deadline, "guidebot serve did not start within 60 s"
                time.sleep(0.3)
        ts, nonce = str(int(time.time())), "n1"
        sig = hashlib.sha1("".join(sorted(["servetoken", ts, nonce])).encode()).hexdigest()
        body = (
            "<xml><ToUserName><![CDATA[gh_hall]]></ToUserName><FromUserName><![CDATA[oCitizen]]></FromUserName>"
            f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            "<Content><![CDATA[身份证丢了怎么补办]]></Content><MsgId>990001</MsgId></xml>"
        ).encode()
        url = f"http://127.0.0.1:{port}/wechat?signature={sig}&timestamp={ts}&nonce={nonce}"
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=10) as response:
            reply = response.read().decode()
        assert "居民身份证补领" in reply and "材料" in reply
        bad = urllib.request.Request(url.replace(sig, "0" * 40), data=body)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad, timeout=10)
        refused.value.close()
        assert refused.value.code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()


def test_a_busy_port_stops_before_anything_is_printed_or_created(fresh_env, monkeypatch):
    monkeypatch.setattr(serve_command, "_run_gunicorn", lambda **kwargs: pytest.fail("must not start"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(webhook.cli, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"端口 {port} 已被占用" in result.stderr and f"--port {port + 1}" in result.stderr
    assert "http://" not in result.output and "已创建数据库" not in result.output
    assert not fresh_env.exists()  # nothing created for a server that never started


def test_an_unknown_host_is_explained(fresh_env, monkeypatch):
    monkeypatch.setattr(serve_command, "_run_gunicorn", lambda **kwargs: pytest.fail("must not start"))
    result = CliRunner().invoke(webhook.cli, ["serve", "--host", "192.0.2.123"])  # TEST-NET: not this machine
    assert result.exit_code == 1 and "本机没有地址 192.0.2.123" in result.stderr
    assert "http://" not in result.output


def test_without_a_token_the_start_says_the_webhook_is_closed(fresh_env, monkeypatch):
    monkeypatch.setattr(serve_command, "_run_gunicorn", lambda **kwargs: None)
    result = CliRunner().invoke(webhook.cli, ["serve"])
    assert result.exit_code == 0
    assert "未设置 GUIDEBOT_WECHAT_TOKEN，微信接口 /wechat 不会响应任何请求" in result.output
    assert "管理后台照常可用" in result.output


@pytest.mark.parametrize(
    ("env", "cpus", "expected"),
    [({}, 2, 4), ({}, 1, 2), ({}, 32, 8), ({"GUIDEBOT_STATE_STORE": "memory"}, 8, 1)],
    ids=["two-cores", "one-core", "many-cores", "memory-store"],
)
def test_serve_defaults_to_several_workers_where_the_store_allows(
    fresh_env, monkeypatch, env, cpus, expected
):
    """Issue 15, finding 9: the single default sync worker was stalled by one slow request."""
    started: dict[str, object] = {}
    monkeypatch.setattr(serve_command, "_run_gunicorn", lambda **kwargs: started.update(kwargs))
    monkeypatch.setattr(serve_command.os, "cpu_count", lambda: cpus)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(webhook.cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert started["workers"] == expected and f"工作进程：{expected} 个" in result.output


def test_serve_with_a_kb_file_keeps_one_worker():
    assert serve_command.default_workers("memory", 16) == 1
    assert serve_command.default_workers("lmdb", None) == 2
