"""Recovery after faults, against the real servers (issue 15, findings 6, 7 and 8).

- SQLite made read-only for seconds during traffic (``chattr +i`` on its files, as an administrator's
  backup script or a full disk does): the console never answers 500 and works again right after, the
  spool drains without a restart, every question is recorded exactly once (restart included), and no
  push or retry gets an empty body.
- A VIEW event with a 600-byte EventKey on the default SQLite + LMDB store: no fallback, a pending
  choice survives, a retried MsgId is recorded once.
- Redis cut mid-stream through the test proxy (connections dropped, as ``kill -9`` does): a MsgId claimed
  in Redis and claimed again in the database is recorded once.
- PostgreSQL cut through the test proxy: the console says so in Chinese, then works again without a
  restart.
"""

import concurrent.futures
import http.client
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlmodel import Session

from bot.serving import runtime
from bot.wechat import protocol as wechat
from knowledge import accounts
from knowledge.db import get_engine, make_engine
from tests.service_support import (
    CREDS,
    count_questions,
    gunicorn,
    new_msg_id,
    post,
    postgres_url,
    redis_or_skip,
    service_env,
    signed_args,
    sqlite_url,
    text_xml,
)
from tests.tcp_proxy import TcpProxy
from tests.test_faults import content_of, make_app, push, shut_down, wait_for

PASSWORD = "correct-horse-9"
QUESTIONS = ["社保卡在哪办", "身份证丢了怎么补办", "结婚登记要带什么", "怎么提取公积金", "营业执照怎么办"]


def chattr_or_skip(probe: Path) -> None:
    """Skip unless this process may set the immutable flag (root with CAP_LINUX_IMMUTABLE)."""
    probe.write_text("x")
    try:
        done = subprocess.run(["chattr", "+i", str(probe)], capture_output=True, timeout=10)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        pytest.skip("chattr is not available")
    if done.returncode != 0:
        pytest.skip(f"cannot set the immutable flag here: {done.stderr.decode(errors='replace').strip()}")
    subprocess.run(["chattr", "-i", str(probe)], check=True)


def immutable(paths: list[Path], on: bool) -> None:
    for path in paths:
        if path.exists():
            subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True)


def add_admin(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        accounts.create_user(session=session, username="admin", role="admin", password=PASSWORD)
    engine.dispose()


def console_login(base: str) -> int:
    """Log in through the console's form: 200 once logged in, the refusal's status, or 0 when the
    connection dropped (a worker killed by the kernel under it)."""
    try:
        with requests.Session() as browser:
            page = browser.get(f"{base}/admin/login", timeout=30)
            if page.status_code != 200:
                return page.status_code
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
            form = {"username": "admin", "password": PASSWORD, "csrf_token": token}
            done = browser.post(f"{base}/admin/login", data=form, timeout=30)
            return done.status_code if "退出" in done.text or done.status_code != 200 else 401
    except requests.ConnectionError:
        return 0


def deliver(base: str, content: str, msg_id: str, openid: str) -> tuple[list[tuple[int, bytes]], int]:
    """A push delivered as WeChat delivers it: once, and again (a retry) after a slow, lost or dropped
    answer, at most three times. Here every push is retried once even when answered, to check that
    retries are answered too. Returns the answers and how many deliveries met a dropped connection."""
    body = text_xml(content, msg_id, openid).encode()
    args = signed_args()
    answers: list[tuple[int, bytes]] = []
    dropped = 0
    for _ in range(3):
        try:
            answers.append(post(base, body, args, timeout=30))
        except (OSError, http.client.HTTPException):
            dropped += 1
        if len(answers) == 2:
            break
    return answers, dropped


@pytest.mark.parametrize(
    "suffixes",
    [("", "-wal"), ("", "-wal", "-shm")],
    ids=["database-and-wal", "with-shared-memory-file"],
)
def test_sqlite_read_only_for_seconds_during_traffic(tmp_path, county_kb_path, suffixes):
    """With the ``-shm`` file made immutable too, the kernel kills (SIGBUS) a worker whose SQLite
    writes to its memory map of it: nothing in-process can stop that. gunicorn starts a new worker,
    WeChat delivers the push again, and nothing the dead worker held is lost (its journal)."""
    chattr_or_skip(tmp_path / "probe")
    url = sqlite_url(tmp_path, county_kb_path)
    add_admin(url)
    database = url.removeprefix("sqlite:///")
    files = [Path(database + suffix) for suffix in suffixes]
    env = service_env(url, tmp_path)
    env["GUIDEBOT_SECRET_KEY"] = "recovery-secret"
    msg_ids = [new_msg_id() for _ in range(120)]
    results: dict[str, tuple[list[tuple[int, bytes]], int]] = {}
    logins: list[tuple[float, int]] = []
    try:
        with gunicorn(env, workers=2, log_path=tmp_path / "gunicorn.log") as base:
            assert console_login(base) == 200
            stop = threading.Event()

            def keep_logging_in() -> None:
                while not stop.is_set():
                    logins.append((time.monotonic(), console_login(base)))
                    time.sleep(0.3)

            def traffic(index: int, msg_id: str) -> None:
                time.sleep(index * 0.06)  # about 7 s of traffic
                results[msg_id] = deliver(base, QUESTIONS[index % len(QUESTIONS)], msg_id, f"oRo{index:04d}")

            login_thread = threading.Thread(target=keep_logging_in, daemon=True)
            login_thread.start()
            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
                futures = [pool.submit(traffic, i, msg_id) for i, msg_id in enumerate(msg_ids)]
                time.sleep(1.5)
                immutable(files, True)  # read-only for 4 s in the middle of the traffic
                read_only_from = time.monotonic()
                time.sleep(4)
                immutable(files, False)
                writable_from = time.monotonic()
                for future in futures:
                    future.result()
            time.sleep(3)
            stop.set()
            login_thread.join(60)

            assert all(status != 500 for _, status in logins), logins
            during = [status for at, status in logins if read_only_from <= at < writable_from]
            after = [status for at, status in logins if at >= writable_from + 2]
            assert during and after and set(after) == {200}, (during, after)
            crashes = (tmp_path / "gunicorn.log").read_text(errors="replace").count("SIGBUS")
            for msg_id, (answers, dropped) in results.items():
                assert answers, f"{msg_id}: no answer in three deliveries"
                assert "-shm" in suffixes or not dropped, f"{msg_id}: a dropped connection without a crash"
                for status, body in answers:
                    assert status == 200 and body, f"{msg_id}: an empty body shows the citizen nothing"
                    assert wechat.read_reply(body.decode(), CREDS)["Content"]
            print(f"workers killed by SIGBUS: {crashes}")
            # The spool drains without a restart: every question in, once.
            assert wait_for(lambda: count_questions(url) >= len(msg_ids), 60), count_questions(url)
        # After a restart too (the workers flushed and spooled what they held): nothing lost, nothing doubled.
        with gunicorn(env, workers=2, log_path=tmp_path / "gunicorn-2.log") as base:
            assert console_login(base) == 200
            time.sleep(1)
        assert count_questions(url) == len(msg_ids)
        assert all(count_questions(url, msg_id) == 1 for msg_id in msg_ids)
    finally:
        immutable(files, False)


LONG_KEY = "https://zwfw.example.gov.cn/" + "x" * 572  # 600 bytes; WeChat allows 1,024


def view_event(openid: str, key: str) -> str:
    return (
        "<xml><ToUserName><![CDATA[gh_hall]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[VIEW]]></Event>"
        f"<EventKey><![CDATA[{key}]]></EventKey></xml>"
    )


def test_a_600_byte_eventkey_on_the_lmdb_store(tmp_path, county_kb_path):
    url = sqlite_url(tmp_path, county_kb_path)
    app = make_app(url, tmp_path)
    client = app.test_client()
    try:
        store = runtime.deliverer(app).context.store
        assert getattr(store, "name", "") == "lmdb"
        asked = new_msg_id()
        first, _ = push(client, "怎么提取公积金", asked, "oViewer")
        assert "回复数字" in content_of(first)  # a numbered choice is pending
        view = view_event("oViewer", LONG_KEY).encode()
        event = client.post("/wechat", query_string=signed_args(), data=view)
        assert event.status_code == 200
        assert not store.primary_down  # no fallback: the key fits LMDB
        retry, _ = push(client, "怎么提取公积金", asked, "oViewer")
        assert retry.get_data() == first.get_data()  # a retry, answered from LMDB
        chosen, _ = push(client, "2", new_msg_id(), "oViewer")
        assert content_of(chosen).startswith("【住房公积金提取（租赁住房）】")  # the choice survived
    finally:
        shut_down(app)
    assert count_questions(url, asked) == 1


def test_redis_cut_mid_stream_records_each_msgid_once(tmp_path, county_kb_path):
    redis_or_skip()
    url = sqlite_url(tmp_path, county_kb_path)
    proxy = TcpProxy(("127.0.0.1", 6379)).start()
    app = make_app(url, tmp_path, REDIS_URL=f"redis://127.0.0.1:{proxy.port}/0")
    client = app.test_client()
    claimed = [new_msg_id() for _ in range(5)]
    try:
        for msg_id in claimed:  # claimed and answered through Redis …
            assert content_of(push(client, "社保卡在哪办", msg_id, "oRedisCut")[0])
        proxy.stop()  # … then Redis goes away as under kill -9 (connections dropped, port closed)
        for msg_id in claimed:  # WeChat retries them: Redis cannot say they were answered
            assert content_of(push(client, "社保卡在哪办", msg_id, "oRedisCut")[0])
        fresh = new_msg_id()
        assert content_of(push(client, "身份证丢了怎么补办", fresh, "oRedisCut")[0])
    finally:
        proxy.stop()
        shut_down(app)
    assert all(count_questions(url, msg_id) == 1 for msg_id in [*claimed, fresh])
    assert count_questions(url) == len(claimed) + 1


def test_postgres_cut_the_console_says_so_and_recovers(tmp_path, county_kb_path):
    with postgres_url("guidebot_test_recovery", county_kb_path) as real_url:
        add_admin(real_url)
        proxy = TcpProxy(("127.0.0.1", 5432)).start()
        url = real_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        app = make_app(url, tmp_path, SECRET_KEY="recovery")
        client = app.test_client()
        try:
            page = client.get("/admin/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            form = {"username": "admin", "password": PASSWORD, "csrf_token": token}
            assert client.post("/admin/login", data=form).status_code == 302
            proxy.stop()
            down = client.get("/admin/items/")
            assert down.status_code == 503 and "数据库暂时不可用" in down.get_data(as_text=True)
            proxy.start()
            back = client.get("/admin/items/")
            assert back.status_code == 200 and "服务事项" in back.get_data(as_text=True)
        finally:
            proxy.stop()
            shut_down(app)
            get_engine(app).dispose()  # the console's connections (no push built the webhook's parts)
