"""Several gunicorn workers: one push delivered 20 times at once is answered and recorded once, and a
publish reaches every worker's index within seconds. Real gunicorn on a random loopback port."""

import concurrent.futures
import time
from pathlib import Path

import pytest

from bot.wechat import protocol as wechat
from knowledge import storage
from knowledge.db import make_engine, write_session
from knowledge.schema import load_kb
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


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())


def deliver_20_times(base: str) -> tuple[str, list[tuple[int, bytes]]]:
    """The same push (same MsgId, same signature) sent 20 times at once from 20 threads."""
    msg_id = new_msg_id()
    body = text_xml("社保卡在哪办", msg_id, "oCitizenTwenty").encode()
    args = signed_args()
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: post(base, body, args), range(20)))
    return msg_id, results


def assert_once(msg_id: str, results: list[tuple[int, bytes]], url: str) -> None:
    assert [status for status, _ in results] == [200] * 20
    bodies = {body for _, body in results}
    assert len(bodies) == 1, f"{len(bodies)} different bodies"  # every copy got the remembered reply
    (body,) = bodies
    assert wechat.read_reply(body.decode(), CREDS)["Content"].startswith("【社会保障卡申领】")
    # Workers record questions in batches off the request path: the row arrives within moments, once.
    assert wait_for(lambda: count_questions(url, msg_id) >= 1, 10)
    time.sleep(0.5)  # longer than a batch interval: a doubled row would be in by now
    assert count_questions(url, msg_id) == 1


@pytest.fixture(scope="module")
def kb_path(county_kb_path):
    return county_kb_path


def test_twenty_deliveries_on_postgres_and_redis(tmp_path, kb_path):
    redis_url = redis_or_skip()
    with postgres_url("guidebot_test_multiworker", kb_path) as url:
        env = service_env(url, tmp_path, REDIS_URL=redis_url)
        with gunicorn(env, workers=4, log_path=tmp_path / "gunicorn.log") as base:
            msg_id, results = deliver_20_times(base)
        assert_once(msg_id, results, url)


def test_twenty_deliveries_on_sqlite_default_lmdb_store(tmp_path, kb_path):
    # The default on a SQLite file: claims and states in the LMDB environment beside it.
    url = sqlite_url(tmp_path, kb_path)
    env = service_env(url, tmp_path)
    with gunicorn(env, workers=4, log_path=tmp_path / "gunicorn.log") as base:
        msg_id, results = deliver_20_times(base)
    assert_once(msg_id, results, url)
    state = Path(url.removeprefix("sqlite:///") + "-state")
    assert (state / "data.mdb").stat().st_size > 0
    assert "store failed" not in (tmp_path / "gunicorn.log").read_text()  # no worker fell back


def test_twenty_deliveries_on_sqlite_database_store(tmp_path, kb_path):
    url = sqlite_url(tmp_path, kb_path)
    env = service_env(url, tmp_path, STATE_STORE="database")
    with gunicorn(env, workers=4, log_path=tmp_path / "gunicorn.log") as base:
        msg_id, results = deliver_20_times(base)
    assert_once(msg_id, results, url)


def round_of_answers(base: str, question: str, count: int = 16) -> list[str]:
    def ask(index: int) -> str:
        status, body = post(base, text_xml(question, new_msg_id(), f"oFresh{index}").encode(), signed_args())
        assert status == 200
        return wechat.read_reply(body.decode(), CREDS)["Content"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(ask, range(count)))


@pytest.mark.parametrize("backend", ["postgres-redis", "sqlite"])
def test_a_publish_reaches_every_worker(tmp_path, kb_path, backend):
    kb = load_kb(kb_path)
    original = next(item for item in kb.items if item.name == "社会保障卡申领")
    changed = original.model_copy(update={"name": "社会保障卡申领（新版）"})

    def run(url: str, env: dict[str, str]) -> None:
        with gunicorn(env, workers=4, log_path=tmp_path / "gunicorn.log") as base:
            assert all(
                text.startswith("【社会保障卡申领】") for text in round_of_answers(base, "社保卡在哪办")
            )
            engine = make_engine(url)
            # As the console and `guidebot kb` publish: a write transaction (BEGIN IMMEDIATE on SQLite).
            with write_session(engine) as session:
                storage.upsert_item(session=session, item=changed, author="test", publish=True)
            engine.dispose()
            published = time.monotonic()
            fresh_rounds = 0
            while fresh_rounds < 3 and time.monotonic() - published < 30:
                answers = round_of_answers(base, "社保卡在哪办")
                fresh = all(text.startswith("【社会保障卡申领（新版）】") for text in answers)
                fresh_rounds = fresh_rounds + 1 if fresh else 0
                time.sleep(0.2)
            seconds = time.monotonic() - published
            print(f"publish reached every worker after {seconds:.1f} s ({backend})")
            assert fresh_rounds == 3, "some worker still answers with the old index"

    if backend == "sqlite":
        url = sqlite_url(tmp_path, kb_path)
        run(url, service_env(url, tmp_path, INDEX_CHECK_INTERVAL="1"))
    else:
        redis_url = redis_or_skip()
        with postgres_url("guidebot_test_multiworker", kb_path) as url:
            run(url, service_env(url, tmp_path, REDIS_URL=redis_url, INDEX_CHECK_INTERVAL="1"))
