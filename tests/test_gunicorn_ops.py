"""Operations under real gunicorn: /metrics summed over two workers, JSON logs, a worker refusing an
unmigrated database, and a graceful reload (kill -HUP) that drops no push."""

import concurrent.futures
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.wechat import protocol as wechat
from knowledge.db import make_engine, upgrade
from tests.service_support import (
    CREDS,
    ROOT,
    free_port,
    new_msg_id,
    post,
    service_env,
    signed_args,
    sqlite_url,
    text_xml,
)

MINIMAL = Path(__file__).parent / "fixtures" / "kb" / "minimal.json"
OPENID = "oRawOpenidGunicorn_1"
QUESTION = "身份证丢了怎么补办"


@contextlib.contextmanager
def running(env: dict[str, str], log_path: Path, *, workers: int) -> Iterator[tuple[subprocess.Popen, str]]:
    """gunicorn with guidebot's config; yields once every worker reported ready."""
    port = free_port()
    log = open(log_path, "wb")
    command = [sys.executable, "-m", "gunicorn", "-c", "python:bot.serving.gunicorn_conf"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "webhook:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_until(lambda: ready_count(log_path) >= workers or process.poll() is not None, 120)
        assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def ready_count(log_path: Path) -> int:
    return log_path.read_text(errors="replace").count("guidebot worker")


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())


def scrape(base: str) -> dict[str, float]:
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def test_metrics_count_a_known_sequence_across_two_workers_and_logs_are_json(tmp_path):
    url = sqlite_url(tmp_path, MINIMAL)
    env = service_env(url, tmp_path, LOG_FORMAT="json")
    log_path = tmp_path / "gunicorn.log"
    with running(env, log_path, workers=2) as (_process, base):
        ids = [new_msg_id() for _ in range(20)]

        def ask(msg_id: str) -> tuple[int, bytes]:
            args = {**signed_args(), "openid": OPENID}
            return post(base, text_xml(QUESTION, msg_id, OPENID).encode(), args)

        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            first = list(pool.map(ask, ids))
            retries = list(pool.map(ask, ids[:3]))  # WeChat's retries of three of them
        assert {status for status, _ in first + retries} == {200}
        assert all(wechat.read_reply(body.decode(), CREDS)["Content"].startswith("【") for _, body in first)
        refused = [post(base, b"<xml/>", {**signed_args(), "signature": "0" * 40})[0] for _ in range(2)]
        assert refused == [403, 403]
        image = text_xml("", new_msg_id(), OPENID).replace("[text]", "[image]")
        assert post(base, image.encode(), signed_args())[0] == 200

        time.sleep(1.5)  # push counts are written by each worker once a second (bot/metrics.py)
        samples = [scrape(base) for _ in range(4)]  # whichever worker answers the scrape, the sums agree
        for found in samples:
            assert found['guidebot_pushes_total{action="answer",type="text"}'] == 20
            assert found['guidebot_pushes_total{action="duplicate",type="text"}'] == 3
            assert found['guidebot_pushes_total{action="smalltalk",type="image"}'] == 1
            assert found['guidebot_pushes_refused_total{status="403"}'] == 2
            assert found["guidebot_dedup_hits_total"] == 3
            assert found["guidebot_reply_seconds_count"] == 24
            assert found["guidebot_index_items"] == 2 and found["guidebot_index_version"] >= 1
            assert found['guidebot_ready{part="database"}'] == 1

    text = log_path.read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    pushes = [record for record in records if record["event"] == "push"]
    assert len(pushes) == 24
    assert len({record["pid"] for record in pushes}) == 2  # both workers answered
    assert OPENID not in text and QUESTION not in text
    assert {"time", "level", "pid", "event", "message"} <= set(records[0])


@pytest.mark.parametrize("revision", [None, "0002"], ids=["never-migrated", "one-version-behind"])
def test_a_worker_refuses_to_start_on_an_unmigrated_database(tmp_path, revision):
    url = f"sqlite:///{tmp_path}/guidebot.sqlite3"
    engine = make_engine(url)
    if revision:
        upgrade(engine, revision)
    else:
        engine.connect().close()
    engine.dispose()
    log_path = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "python:bot.serving.gunicorn_conf"]
    command += ["--bind", f"127.0.0.1:{free_port()}", "--workers", "2", "webhook:app"]
    with open(log_path, "wb") as log:
        process = subprocess.run(
            command, cwd=ROOT, env=service_env(url, tmp_path), stdout=log, stderr=log, timeout=120
        )
    text = log_path.read_text(encoding="utf-8")
    assert process.returncode == 3  # deploy/systemd/guidebot.service: RestartPreventExitStatus=3
    assert "guidebot 拒绝启动" in text and "guidebot db upgrade" in text
    assert "Worker failed to boot" in text
    assert "UndefinedTable" not in text and "no such table" not in text
    assert "guidebot worker" not in text  # nobody reported ready


def test_a_graceful_reload_drops_no_push(tmp_path, county_kb_path):
    # The county hall's index takes seconds to build: long enough for pushes to pile up unanswered
    # if the old workers stopped before the new ones were warm.
    url = sqlite_url(tmp_path, county_kb_path)
    log_path = tmp_path / "gunicorn.log"
    with running(service_env(url, tmp_path), log_path, workers=2) as (process, base):
        results: list[tuple[int, bytes, float]] = []
        stop = threading.Event()

        def keep_asking(index: int) -> None:
            while not stop.is_set():
                started = time.monotonic()
                body = text_xml("社保卡在哪办", new_msg_id(), f"oReload{index}").encode()
                try:
                    status, answer = post(base, body, signed_args(), timeout=30)
                except OSError as exc:  # a refused or timed-out connection is a dropped push
                    status, answer = 0, repr(exc).encode()
                results.append((status, answer, time.monotonic() - started))
                time.sleep(0.05)

        threads = [threading.Thread(target=keep_asking, args=(index,)) for index in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        reloaded = len(results)
        os.kill(process.pid, signal.SIGHUP)
        assert wait_until(lambda: ready_count(log_path) >= 4, 120), log_path.read_text()[-3000:]
        time.sleep(3.0)  # the previous workers finish and exit meanwhile
        stop.set()
        for thread in threads:
            thread.join(30)
    slowest = max(seconds for _, _, seconds in results)
    print(f"{len(results)} pushes across the reload, slowest {slowest:.2f} s")
    assert len(results) > reloaded + 20  # pushes kept coming through the reload
    assert [status for status, _, _ in results] == [200] * len(results)
    for _, body, _ in results:
        assert wechat.read_reply(body.decode(), CREDS)["Content"].startswith("【社会保障卡申领】")
    assert slowest < 4.5  # within WeChat's 5 s
    assert "are warm; stopping the previous ones" in log_path.read_text(errors="replace")
