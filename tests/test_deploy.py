"""The shipped deployment files (deploy/): the environment file, systemd units and timers, the nginx server
block (``nginx -t``, then for real in front of guidebot over TLS), the alert rules (finding 5 and 7)."""

import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import yaml
from sqlmodel import Session

import webhook
from bot.serving.settings import from_environment
from bot.wechat import protocol as wechat
from knowledge.accounts import create_user
from knowledge.db import make_engine
from tests.deploy_support import (
    DEPLOY,
    environment_file,
    nginx_conf,
    nginx_or_skip,
    nginx_running,
    nginx_test,
    server_block,
)
from tests.service_support import CREDS, TOKEN, free_port, new_msg_id, signed_args, sqlite_url, text_xml

MINIMAL = Path(__file__).parent / "fixtures" / "kb" / "minimal.json"
ENV = environment_file((DEPLOY / "guidebot.env.example").read_text(encoding="utf-8"))
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))


# -- environment file -----------------------------------------------------------------------------


def test_environment_file_sets_known_settings_that_parse():
    names = {name.removeprefix("GUIDEBOT_") for name in ENV}
    assert all(name.startswith("GUIDEBOT_") for name in ENV)
    known = {setting.name for setting in webhook.SETTINGS}
    assert names <= known, names - known
    values = from_environment(webhook.SETTINGS, ENV)  # every value is of its setting's kind
    assert values["SECURE_COOKIES"] is True and values["LOAD_DEMO"] == "false"
    assert values["DATABASE_URL"].startswith("postgresql+psycopg://") and values["REDIS_URL"].startswith(
        "redis://"
    )
    assert ENV["GUIDEBOT_TRUSTED_PROXIES"] == "1"  # one nginx in front, as deploy/nginx/guidebot.conf
    for name in ("SECRET_KEY", "WECHAT_TOKEN", "WECHAT_AES_KEY", "WECHAT_APP_ID", "WECHAT_APP_SECRET"):
        assert f"GUIDEBOT_{name}" in ENV
    assert values["INSTANCE_PATH"] == "/var/lib/guidebot" and values["SPOOL_DIR"].startswith(
        "/var/lib/guidebot"
    )


# -- systemd --------------------------------------------------------------------------------------


def unit(path: Path) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        elif line and not line.startswith("#") and current is not None:
            key, _, value = line.partition("=")
            current[key] = value
    return sections


@pytest.mark.parametrize("path", [p for p in UNITS if p.suffix == ".service"], ids=lambda p: p.name)
def test_services_run_as_the_service_user_with_the_environment_file(path):
    service = unit(path)["Service"]
    assert service["EnvironmentFile"] == "/etc/guidebot.env"  # not cron's empty environment
    assert service["User"] == "guidebot"
    assert service["ExecStart"].startswith("/opt/guidebot/venv/bin/")  # not cron's PATH


@pytest.mark.parametrize("path", [p for p in UNITS if p.suffix == ".timer"], ids=lambda p: p.name)
def test_timers_start_an_existing_service(path):
    target = unit(path)["Timer"]["Unit"]
    assert (DEPLOY / "systemd" / target).exists()
    assert unit(path)["Install"]["WantedBy"] == "timers.target"


def test_the_server_reloads_gracefully_and_does_not_restart_on_a_refusal():
    service = unit(DEPLOY / "systemd" / "guidebot.service")["Service"]
    assert service["ExecReload"] == "/bin/kill -s HUP $MAINPID"  # bot/serving/handover.py
    assert service["RestartPreventExitStatus"] == "3"  # a worker refusing an unmigrated database
    assert "python:bot.serving.gunicorn_conf" in service["ExecStart"]


def test_systemd_analyze_verifies_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    venv = Path(sys.executable).parent.parent  # has gunicorn and guidebot, as /opt/guidebot/venv would
    for path in UNITS:
        text = path.read_text(encoding="utf-8").replace("/opt/guidebot/venv", str(venv))
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    done = subprocess.run(
        [analyze, "verify", *(str(tmp_path / path.name) for path in UNITS)], capture_output=True, text=True
    )
    problems = [line for line in done.stderr.splitlines() if "guidebot" in line]
    assert done.returncode == 0 and not problems, done.stderr


def test_the_admin_wrapper_is_valid_shell():
    assert subprocess.run(["sh", "-n", str(DEPLOY / "guidebot-admin")]).returncode == 0


# -- nginx ----------------------------------------------------------------------------------------


def test_nginx_accepts_the_server_block(tmp_path):
    nginx = nginx_or_skip()
    conf = nginx_conf(tmp_path, server_block(tmp_path, http=free_port(), https=free_port(), upstream=8000))
    done = nginx_test(nginx, conf)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr


@pytest.fixture
def console_app(tmp_path):
    """guidebot with a console user, served on loopback behind one proxy (GUIDEBOT_TRUSTED_PROXIES=1, as the
    shipped environment file sets it)."""
    from werkzeug.serving import make_server

    url = sqlite_url(tmp_path, MINIMAL)
    engine = make_engine(url)
    with Session(engine) as session:
        create_user(session=session, username="zhang", role="admin", password="a long password 2026")
    engine.dispose()
    app = webhook.create_app(
        {
            "DATABASE_URL": url,
            "WECHAT_TOKEN": TOKEN,
            "WECHAT_APP_ID": CREDS.app_id,
            "WECHAT_AES_KEY": CREDS.aes_key,
            "SECRET_KEY": "s" * 64,
            "SECURE_COOKIES": True,
            "SPOOL_DIR": str(tmp_path / "spool"),
            "TRUSTED_PROXIES": 1,
            "WECHAT_COMPAT_MODE": True,  # the test posts plaintext pushes through nginx
        }
    )
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield port
    server.shutdown()
    thread.join(5)


def login(base: str, cert: Path) -> int:
    with requests.Session() as session:
        page = session.get(f"{base}/admin/login", verify=str(cert), timeout=10)
        assert page.status_code == 200
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        done = session.post(
            f"{base}/admin/login",
            data={"csrf_token": token, "username": "zhang", "password": "a long password 2026"},
            headers={"Referer": f"{base}/admin/login"},
            verify=str(cert),
            allow_redirects=False,
            timeout=10,
        )
        return done.status_code


HOST_WITHOUT_PORT = {
    "proxy_set_header Host              $http_host;": "proxy_set_header Host $host;",
    "proxy_set_header X-Forwarded-Host  $http_host;": "proxy_set_header X-Forwarded-Host $host;",
}


@pytest.mark.parametrize(
    ("replace", "expected"), [({}, 302), (HOST_WITHOUT_PORT, 400)], ids=["shipped", "host-without-port"]
)
def test_console_login_through_nginx_on_a_non_443_port(tmp_path, console_app, replace, expected):
    # The failure: X-Forwarded-Proto https with Host $host (no port) makes the console's
    # same-origin check compare https://127.0.0.1/ with the browser's https://127.0.0.1:PORT/ → 400.
    nginx = nginx_or_skip()
    https = free_port()
    block = server_block(tmp_path, http=free_port(), https=https, upstream=console_app, replace=replace)
    conf = nginx_conf(tmp_path, block)
    with nginx_running(nginx, conf, https):
        assert login(f"https://127.0.0.1:{https}", tmp_path / "fullchain.pem") == expected


def test_nginx_in_front_of_guidebot(tmp_path, console_app):
    nginx = nginx_or_skip()
    http, https = free_port(), free_port()
    conf = nginx_conf(tmp_path, server_block(tmp_path, http=http, https=https, upstream=console_app))
    cert = str(tmp_path / "fullchain.pem")
    base = f"https://127.0.0.1:{https}"
    with nginx_running(nginx, conf, https):
        plain = requests.get(f"http://127.0.0.1:{http}/wechat?x=1", allow_redirects=False, timeout=10)
        assert plain.status_code == 301 and plain.headers["Location"] == "https://127.0.0.1/wechat?x=1"

        push = requests.post(
            f"{base}/wechat",
            params=signed_args(),
            data=text_xml("身份证丢了怎么补办", new_msg_id()).encode(),
            verify=cert,
            timeout=10,
        )
        assert push.status_code == 200
        assert wechat.read_reply(push.text, CREDS)["Content"].startswith("【居民身份证补领】")
        assert "Strict-Transport-Security" in push.headers

        too_big = requests.post(
            f"{base}/wechat", params=signed_args(), data=b"x" * 100_000, verify=cert, timeout=10
        )
        assert too_big.status_code == 413  # nginx's 64k, before guidebot

        # A 1.8 MB console upload reaches the console (which promises 20 MB); 23 MB stops at nginx.
        upload = requests.post(
            f"{base}/admin/io/upload",
            files={"file": ("hall.xlsx", b"x" * 1_800_000)},
            verify=cert,
            timeout=30,
        )
        assert upload.status_code != 413 and "nginx" not in upload.text
        huge = requests.post(
            f"{base}/admin/io/upload",
            files={"file": ("hall.xlsx", b"x" * 23_000_000)},
            verify=cert,
            timeout=30,
        )
        assert huge.status_code == 413

        ready = requests.get(f"{base}/readyz", verify=cert, timeout=10)
        assert "checks" in ready.json()  # answered by guidebot (this host may read it)
        metrics = requests.get(f"{base}/metrics", verify=cert, timeout=10)
        assert metrics.status_code == 200 and "guidebot_pushes_total" in metrics.text
        assert requests.get(f"{base}/", verify=cert, timeout=10).status_code == 404
    log = (tmp_path / "access.log").read_text()
    assert "/wechat" in log and "signature=" not in log and "nonce=" not in log  # no query strings


# -- alert rules ----------------------------------------------------------------------------------


def test_alert_rules_use_metrics_guidebot_exposes(tmp_path):
    rules = yaml.safe_load((DEPLOY / "prometheus" / "guidebot-alerts.yml").read_text(encoding="utf-8"))
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    assert all(rule.get("annotations", {}).get("summary") for g in rules["groups"] for rule in g["rules"])
    app = webhook.create_app({"DATABASE_URL": sqlite_url(tmp_path, MINIMAL), "WECHAT_TOKEN": TOKEN})
    from bot.serving import runtime

    runtime.warm_up(app)
    try:
        time.sleep(0.1)
        exposed = app.test_client().get("/metrics").get_data(as_text=True)
    finally:
        from tests.test_faults import shut_down

        shut_down(app)
    names = set()
    for family, kind in re.findall(r"^# TYPE (guidebot_\w+) (\w+)$", exposed, re.MULTILINE):
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}.get(kind, [""])
        names.update(family.removesuffix("_total") + suffix for suffix in suffixes)
    for expr in exprs:
        for used in re.findall(r"guidebot_\w+", expr):
            assert used in names, (used, sorted(names))
