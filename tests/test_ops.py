"""GET /healthz, /readyz and /metrics in process (bot/serving/ops.py, bot/serving/health.py).

The database, Redis and the index are made to be up and down for real: PostgreSQL and Redis through
the loopback TCP proxy the fault tests use, the index by (not) warming the worker up.
"""

import json
import time
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlmodel import Session

from bot import metrics
from bot.serving import health, runtime
from bot.wechat import protocol as wechat
from knowledge.db import make_engine
from knowledge.models import OutboxMessage
from tests.service_support import (
    APP_ID,
    CREDS,
    TOKEN,
    new_msg_id,
    postgres_url,
    redis_or_skip,
    signed_args,
    sqlite_url,
    text_xml,
)
from tests.tcp_proxy import TcpProxy
from tests.test_faults import shut_down
from webhook import create_app

MINIMAL = Path(__file__).parent / "fixtures" / "kb" / "minimal.json"
SECRETS = {"SECRET_KEY": "k" * 64, "WECHAT_APP_SECRET": "appsecret-0123456789abcdef"}


def make_app(database_url: str, tmp_path: Path, **config):
    settings = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_AES_KEY": CREDS.aes_key,
        "WECHAT_COMPAT_MODE": True,  # these tests post plaintext pushes too
        "SPOOL_DIR": str(tmp_path / "spool"),
        **SECRETS,
    }
    settings.update(config)
    return create_app(settings)


@pytest.fixture
def seeded(tmp_path):
    return sqlite_url(tmp_path, MINIMAL)


@pytest.fixture
def warm_app(seeded, tmp_path):
    app = make_app(seeded, tmp_path)
    runtime.warm_up(app)
    yield app
    shut_down(app)


def readyz(app) -> tuple[int, dict]:
    response = app.test_client().get("/readyz")
    assert response.mimetype == "application/json"
    return response.status_code, response.get_json()


def assert_no_secrets(body: str, *extra: str) -> None:
    for secret in (TOKEN, CREDS.aes_key, *SECRETS.values(), *extra):
        assert secret not in body


# -- /healthz -------------------------------------------------------------------------------------


def test_healthz_is_alive_without_touching_the_database(tmp_path):
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:9/none", tmp_path)
    client = app.test_client()
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 0.5
    assert response.status_code == 200 and response.get_json()["status"] == "alive"
    assert response.headers["Cache-Control"] == "no-store"
    assert client.post("/healthz").status_code == 405
    head = client.head("/healthz")
    assert head.status_code == 200 and head.get_data() == b"" and int(head.headers["Content-Length"]) > 0


# -- /readyz --------------------------------------------------------------------------------------


def test_readyz_is_ready_with_database_store_and_index_up(warm_app, seeded):
    status, body = readyz(warm_app)
    assert status == 200, body
    assert body["status"] == "ready" and body["failing"] == []
    checks = body["checks"]
    assert checks["database"] == {
        "ok": True,
        "backend": "sqlite",
        "schema": "current",
        "revision": checks["database"]["head"],
        "head": checks["database"]["head"],
    }
    assert checks["state_store"] == {"ok": True, "kind": "lmdb"}
    index = checks["index"]
    assert index["ok"] and index["kb_version"] >= 1 and index["items"] == 2 and 0 <= index["age_seconds"] < 60
    from bot.matching.embedding import load

    if load("auto").embedder is None:
        assert checks["semantic"] == {"ok": True, "state": "off"}
    else:  # the stage the app registered: the bundled model, loaded in this process
        assert checks["semantic"]["ok"] and checks["semantic"]["state"] == "loaded"
    assert checks["spool"] == {"ok": True, "files": 0, "records": 0}
    assert checks["outbox"]["backlog"] == 0
    assert_no_secrets(json.dumps(body), seeded.removeprefix("sqlite:///"))


def test_readyz_names_the_index_before_it_is_loaded(seeded, tmp_path):
    app = make_app(seeded, tmp_path)
    status, body = readyz(app)
    assert status == 503 and body["failing"] == ["index"]
    assert body["checks"]["index"] == {"ok": False, "error": "not loaded"}


def test_readyz_names_an_unmigrated_database(tmp_path):
    url = f"sqlite:///{tmp_path}/empty.sqlite3"
    make_engine(url).connect().close()  # the file exists, no tables
    status, body = readyz(make_app(url, tmp_path))
    assert status == 503 and "database" in body["failing"]
    assert body["checks"]["database"]["schema"] == "empty"


def test_readyz_does_not_create_a_missing_sqlite_file(tmp_path):
    missing = tmp_path / "nowhere.sqlite3"
    status, body = readyz(make_app(f"sqlite:///{missing}", tmp_path))
    assert status == 503 and body["checks"]["database"]["schema"] == "missing"
    assert not missing.exists()


@pytest.mark.parametrize(
    ("status_of", "code", "state"),
    [
        (lambda: {"state": "loaded", "model": "bge-small-zh", "detail": "512 维"}, 200, "loaded"),
        (lambda: {"state": "off", "model": "", "detail": ""}, 200, "off"),
        (lambda: {"state": "failed", "model": "bge-small-zh", "detail": "文件缺失"}, 503, "failed"),
        (lambda: 1 / 0, 503, "failed"),
    ],
    ids=["loaded", "off", "failed", "raises"],
)
def test_readyz_reads_the_semantic_stage_from_its_registered_status(warm_app, status_of, code, state):
    warm_app.extensions[health.SEMANTIC_STATUS] = status_of
    status, body = readyz(warm_app)
    assert status == code and body["checks"]["semantic"]["state"] == state
    assert ("semantic" in body["failing"]) == (code == 503)
    if state == "loaded":
        assert body["checks"]["semantic"]["model"] == "bge-small-zh"


def test_readyz_reports_spool_and_outbox_backlogs_by_errcode(warm_app, seeded, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir(exist_ok=True)
    (spool / "host-1-aa.ready").write_text('{"k":1}\n{"k":2}\n', encoding="utf-8")
    (spool / "host-2-bb.jsonl").write_text('{"k":3}\n', encoding="utf-8")
    engine = make_engine(seeded)
    with Session(engine) as session:
        session.add(OutboxMessage(openid="oRaw", payload="{}", last_error=None))
        for _ in range(2):
            session.add(
                OutboxMessage(openid="oRaw", payload="{}", last_error="微信系统繁忙（errcode=-1）：busy")
            )
        session.add(
            OutboxMessage(openid="oRaw", payload="{}", state="failed", last_error="（errcode=45015）：x")
        )
        session.commit()
    engine.dispose()
    status, body = readyz(warm_app)
    assert status == 200, body  # backlogs are reported, not failures
    assert body["checks"]["spool"] == {"ok": True, "files": 2, "records": 3}
    assert body["checks"]["outbox"] == {"ok": True, "backlog": 3, "by_errcode": {"none": 1, "-1": 2}}
    assert "oRaw" not in json.dumps(body)


@pytest.mark.postgres
@pytest.mark.redis
def test_readyz_with_postgres_and_redis_going_down_and_up(tmp_path):
    redis_or_skip()
    with postgres_url("guidebot_test_readyz", MINIMAL) as url:
        database = TcpProxy(("127.0.0.1", 5432)).start()
        redis = TcpProxy(("127.0.0.1", 6379)).start()
        proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{database.port}")
        app = make_app(proxied, tmp_path, REDIS_URL=f"redis://127.0.0.1:{redis.port}/0")
        try:
            runtime.warm_up(app)
            status, body = readyz(app)
            assert status == 200, body
            assert body["checks"]["database"]["backend"] == "postgresql"
            assert body["checks"]["state_store"]["kind"] == "redis"

            redis.stop()
            status, body = readyz(app)
            assert status == 503 and body["failing"] == ["state_store"]
            assert body["checks"]["state_store"]["error"] in ("ConnectionError", "TimeoutError")
            redis.start()
            assert readyz(app)[0] == 200

            database.stop()
            status, body = readyz(app)
            assert status == 503 and body["failing"] == ["database"]  # the index keeps answering
            assert body["checks"]["index"]["ok"]
            assert_no_secrets(json.dumps(body), url.split("@")[0])
            database.start()
            assert wait_for_ready(app)
        finally:
            shut_down(app)
            database.stop()
            redis.stop()
            runtime_redis = app.extensions.get("guidebot.health.redis")
            if runtime_redis is not None:
                runtime_redis.close()


def wait_for_ready(app, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if readyz(app)[0] == 200:
            return True
        time.sleep(0.2)
    return False


# -- /metrics -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "forwarded", "allow", "status"),
    [
        ("127.0.0.1", None, "", 200),
        ("::1", None, "", 200),
        ("10.1.2.3", None, "", 403),
        ("10.1.2.3", None, "10.1.2.0/24", 200),
        ("10.1.2.3", None, "10.1.2.4", 403),
        ("127.0.0.1", "203.0.113.9", "", 403),
        ("127.0.0.1", "10.1.2.3", "10.1.2.0/24", 200),
        ("127.0.0.1", "10.1.2.3, 203.0.113.9", "10.1.2.0/24", 403),
        ("203.0.113.9", "127.0.0.1", "", 403),
    ],
    ids=[
        "loopback",
        "loopback-v6",
        "outside",
        "allowed-network",
        "other-address",
        "through-proxy-from-outside",
        "through-proxy-allowed",
        "proxy-saw-outside",
        "spoofed-forwarded-for",
    ],
)
def test_metrics_answers_loopback_and_allowed_addresses_only(tmp_path, remote, forwarded, allow, status):
    app = make_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path, KB_FILE=str(MINIMAL), METRICS_ALLOW=allow)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    response = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": remote}, headers=headers)
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "text/plain" and "guidebot_pushes" in response.get_data(as_text=True)


def test_metrics_off_is_not_found(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path, KB_FILE=str(MINIMAL), METRICS=False)
    assert app.test_client().get("/metrics").status_code == 404


def test_a_bad_metrics_allow_list_stops_the_app_naming_the_variable(tmp_path):
    from bot.serving.settings import SettingsError

    with pytest.raises(SettingsError, match="GUIDEBOT_METRICS_ALLOW"):
        make_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path, METRICS_ALLOW="10.0.0.0/33")


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_count_a_known_sequence_of_pushes(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path, KB_FILE=str(MINIMAL))
    client = app.test_client()
    client.get("/metrics")  # metrics on in this process
    names = [
        ("guidebot_pushes_total", {"type": "text", "action": "answer"}),
        ("guidebot_pushes_total", {"type": "text", "action": "duplicate"}),
        ("guidebot_pushes_total", {"type": "image", "action": "smalltalk"}),
        ("guidebot_pushes_refused_total", {"status": "403"}),
        ("guidebot_dedup_hits_total", {}),
        ("guidebot_reply_seconds_count", {}),
    ]
    before = [sample(name, **labels) for name, labels in names]

    def post(body: str, args=None):
        return client.post(
            "/wechat", query_string=args or signed_args(), data=body.encode(), content_type="text/xml"
        )

    msg_id = new_msg_id()
    assert post(text_xml("身份证丢了怎么补办", msg_id)).status_code == 200
    assert post(text_xml("身份证丢了怎么补办", msg_id)).status_code == 200  # WeChat's retry
    image = text_xml("", new_msg_id()).replace(
        "<MsgType><![CDATA[text]]></MsgType>", "<MsgType>image</MsgType>"
    )
    assert post(image).status_code == 200
    assert post(text_xml("x", new_msg_id()), {**signed_args(), "signature": "0" * 40}).status_code == 403
    metrics.flush()  # push counts are buffered for up to a second (bot/metrics.py)
    after = [sample(name, **labels) for name, labels in names]
    assert [round(b - a) for a, b in zip(before, after, strict=True)] == [1, 1, 1, 1, 1, 3]
    text = client.get("/metrics").get_data(as_text=True)
    assert 'guidebot_ready{part="index"}' in text and "oCitizenFault" not in text
    assert wechat.sign(TOKEN, "1", "2") not in text
