"""``guidebot doctor``: a good configuration passes; each misconfiguration gets its Chinese line and the
right exit status (bot/commands/doctor.py, checks.py, kbchecks.py)."""

import datetime as dt
import json
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_wechat import FakeWeChat
from flask.cli import ScriptInfo
from sqlmodel import Session

import webhook
from bot.serving import health
from knowledge import storage
from knowledge.db import get_engine, make_engine, upgrade
from knowledge.schema import load_kb

MINIMAL = Path(__file__).parent / "fixtures" / "kb" / "minimal.json"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
GOOD = {
    "WECHAT_TOKEN": "hallToken2026",
    "WECHAT_AES_KEY": AES_KEY,
    "WECHAT_APP_ID": "wx0123456789abcdef",
    "WECHAT_APP_SECRET": "0123456789abcdef0123456789abcdef",
    "SECRET_KEY": "ab" * 32,
    "SECURE_COOKIES": "true",
    "LOAD_DEMO": "false",
}


def hall_kb(tmp_path: Path, **hall_changes) -> Path:
    """The minimal knowledge base with a complete hall record and items checked today."""
    data = json.loads(MINIMAL.read_text(encoding="utf-8"))
    data["hall"].update(address="测试县人民路1号", hours="周一至周五 9:00-12:00,13:30-17:30", **hall_changes)
    for item in data["items"]:
        item["updated"] = dt.date.today().isoformat()
    path = tmp_path / "hall.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def seeded(tmp_path: Path, kb: Path | None = None, *, author: str = "test") -> str:
    url = f"sqlite:///{tmp_path}/guidebot.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        storage.import_kb(session=session, kb=load_kb(kb or hall_kb(tmp_path)), author=author, publish=True)
    engine.dispose()
    return url


def doctor(monkeypatch, tmp_path, env: dict[str, str], *args: str, hook=None):
    """Run ``guidebot doctor`` with exactly ``env`` as its GUIDEBOT_* environment."""
    for name in list(os.environ):
        if name.startswith("GUIDEBOT_"):
            monkeypatch.delenv(name)
    for name, value in {"SPOOL_DIR": str(tmp_path / "spool"), **env}.items():
        monkeypatch.setenv(f"GUIDEBOT_{name}", value)
    apps = []

    def factory():
        apps.append(webhook.create_app())
        if hook is not None:
            hook(apps[-1])
        return apps[-1]

    info = ScriptInfo(create_app=factory, set_debug_flag=False, load_dotenv_defaults=False)
    try:
        return CliRunner().invoke(webhook.cli, ["doctor", *args], obj=info, catch_exceptions=False)
    finally:
        for app in apps:
            get_engine(app).dispose()


def test_a_good_configuration_passes(monkeypatch, tmp_path):
    result = doctor(monkeypatch, tmp_path, {**GOOD, "DATABASE_URL": seeded(tmp_path)})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line and not line.startswith(" ")]
    assert all(line.startswith("正常") for line in lines[:-1]), result.output
    for expected in (
        "微信 Token",
        "EncodingAESKey",
        "AppID",
        "AppSecret",
        "会话密钥",
        "结构是最新版本",
        "auto 选择了 lmdb",
        "大厅信息（测试县政务服务中心）",
        "人工服务时间",
        "2 个已发布",
        "语义匹配模型：",
    ):
        assert expected in result.output
    assert result.output.rstrip().endswith("结论：一切正常，可以提供服务。")
    assert GOOD["WECHAT_APP_SECRET"] not in result.output and GOOD["SECRET_KEY"] not in result.output


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CASES = [
    # (id, env changes, expected line fragment, exit code)
    ("token-missing", {"WECHAT_TOKEN": ""}, "问题  微信 Token（GUIDEBOT_WECHAT_TOKEN）：未设置", 1),
    (
        "token-digits",
        {"WECHAT_TOKEN": "20240101"},
        "正常  微信 Token（GUIDEBOT_WECHAT_TOKEN）：已设置（8 个字符）",
        0,
    ),
    ("token-punctuation", {"WECHAT_TOKEN": "hall-token!"}, "只接受 3–32 位英文字母或数字", 1),
    ("aes-key-short", {"WECHAT_AES_KEY": AES_KEY[:42]}, "长度为 42，应为 43 个字符", 1),
    ("aes-key-not-base64", {"WECHAT_AES_KEY": AES_KEY[:42] + "-"}, "含有 Base64 以外的字符", 1),
    ("previous-key-bad", {"WECHAT_PREVIOUS_AES_KEY": "old"}, "问题  旧 EncodingAESKey", 1),
    ("app-id-format", {"WECHAT_APP_ID": "wx123"}, "问题  AppID（GUIDEBOT_WECHAT_APP_ID）：格式不对", 1),
    ("app-id-missing-with-aes", {"WECHAT_APP_ID": ""}, "安全模式需要用它核对每条加密消息", 1),
    (
        "app-secret-format",
        {"WECHAT_APP_SECRET": "secret"},
        "问题  AppSecret（GUIDEBOT_WECHAT_APP_SECRET）",
        0,
    ),
    ("secret-key-weak", {"SECRET_KEY": "short"}, "问题  会话密钥（GUIDEBOT_SECRET_KEY）：只有 5 个字符", 1),
    (
        "setting-wrong-kind",
        {"TIMESTAMP_WINDOW": "五分钟"},
        "问题  设置 GUIDEBOT_TIMESTAMP_WINDOW：应为整数",
        1,
    ),
    ("setting-unknown", {"WECHAT_TOKEM": "x"}, "提示  设置 GUIDEBOT_WECHAT_TOKEM：guidebot 没有这个设置", 0),
    ("timestamp-off", {"TIMESTAMP_WINDOW": "0"}, "提示  时间戳检查", 0),
    ("store-memory", {"STATE_STORE": "memory"}, "微信重试可能得到第二次回答", 0),
    ("store-unknown", {"STATE_STORE": "mongo"}, "不认识的取值 'mongo'", 1),
    ("hours-unparseable", {"SERVICE_HOURS": "工作日白天"}, "「工作日白天」中找不到时间段", 0),
    ("redis-down", {"REDIS_URL": f"redis://127.0.0.1:{_closed_port()}/0"}, "问题  Redis", 0),
    (
        "database-down",
        {"DATABASE_URL": f"postgresql://guidebot:pw@127.0.0.1:{_closed_port()}/guidebot"},
        "无法连接（OperationalError）",
        1,
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected", "code"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_each_misconfiguration_gets_its_line(monkeypatch, tmp_path, changes, expected, code):
    env = {**GOOD, "DATABASE_URL": seeded(tmp_path), **changes}
    result = doctor(monkeypatch, tmp_path, env)
    assert expected in result.output, result.output
    assert result.exit_code == code, result.output
    if code:
        assert "个会妨碍服务" in result.output
    assert "pw@" not in result.output  # a database password is never shown


def test_an_unmigrated_database_is_blocking(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path}/old.sqlite3"
    engine = make_engine(url)
    upgrade(engine, "0002")
    engine.dispose()
    result = doctor(monkeypatch, tmp_path, {**GOOD, "DATABASE_URL": url})
    assert result.exit_code == 1
    assert (
        "数据库结构不是最新版本（当前 0002" in result.output and "运行 `guidebot db upgrade`" in result.output
    )


def test_a_missing_sqlite_file_points_at_the_environment_file_and_is_not_created(monkeypatch, tmp_path):
    # Cron without the environment file: the default SQLite path instead of PostgreSQL.
    missing = tmp_path / "instance" / "guidebot.sqlite3"
    result = doctor(monkeypatch, tmp_path, {**GOOD, "DATABASE_URL": f"sqlite:///{missing}"})
    assert result.exit_code == 1
    assert "数据库文件不存在" in result.output and "环境文件" in result.output
    assert not missing.exists()


def test_an_empty_knowledge_base_is_blocking(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path}/empty.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    result = doctor(monkeypatch, tmp_path, {**GOOD, "DATABASE_URL": url})
    assert result.exit_code == 1
    assert "问题  服务事项：没有已发布的事项" in result.output
    assert "问题  大厅信息：数据库中还没有大厅信息" in result.output


def test_an_incomplete_hall_and_stale_items_are_reported(monkeypatch, tmp_path):
    data = json.loads(MINIMAL.read_text(encoding="utf-8"))  # no address, no hours, old or no dates
    path = tmp_path / "minimal.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = doctor(monkeypatch, tmp_path, {**GOOD, "DATABASE_URL": seeded(tmp_path, path)})
    assert result.exit_code == 0, result.output
    assert (
        "问题  大厅信息（测试县政务服务中心）：缺少地址（群众问「在哪里」时答不上）、办公时间"
        in result.output
    )
    # T-001 was checked long ago; T-002 has no check date and counts from the day it was added (new).
    assert "提示  事项核对：1 个已发布事项超过 180 天未核对（T-001）" in result.output
    assert "提示  人工服务时间（大厅办公时间）：没有可用的时间" in result.output


def test_demo_items_in_a_production_database_are_reported(monkeypatch, tmp_path):
    url = seeded(tmp_path, storage.DEMO_PATH, author=storage.DEMO_AUTHOR)
    result = doctor(monkeypatch, tmp_path, {**GOOD, "DATABASE_URL": url})
    assert "问题  示范事项：数据库中有 26 个虚构的示范大厅（青溪县）事项" in result.output
    assert "--prune" in result.output


@pytest.mark.parametrize(
    ("status", "expected", "code"),
    [
        (
            {"state": "loaded", "model": "bge-small-zh", "detail": ""},
            "正常  语义匹配模型：已加载：bge-small-zh",
            0,
        ),
        (
            {"state": "failed", "model": "bge-small-zh", "detail": "模型文件缺失"},
            "问题  语义匹配模型：加载失败",
            1,
        ),
    ],
    ids=["loaded", "failed"],
)
def test_the_semantic_model_line_reads_the_registered_status(monkeypatch, tmp_path, status, expected, code):
    def register(app):
        app.extensions[health.SEMANTIC_STATUS] = lambda: status

    result = doctor(monkeypatch, tmp_path, {**GOOD, "DATABASE_URL": seeded(tmp_path)}, hook=register)
    assert expected in result.output and result.exit_code == code, result.output


def test_online_fetches_a_token_from_wechat(monkeypatch, tmp_path):
    with FakeWeChat(app_id=GOOD["WECHAT_APP_ID"], app_secret=GOOD["WECHAT_APP_SECRET"]) as wechat:
        env = {**GOOD, "DATABASE_URL": seeded(tmp_path), "WECHAT_API_BASE": wechat.url}
        result = doctor(monkeypatch, tmp_path, env, "--online")
        assert result.exit_code == 0, result.output
        assert "正常  微信接口（获取 access_token）：成功" in result.output
        assert wechat.token_fetches == 1 and "TOKEN-1" not in result.output
        wechat.always("/cgi-bin/stable_token", {"errcode": 40164, "errmsg": "invalid ip 1.2.3.4"})
        refused = doctor(monkeypatch, tmp_path, env, "--online")
    assert refused.exit_code == 1
    assert "问题  微信接口（获取 access_token）：失败（errcode=40164）" in refused.output
    assert "IP白名单" in refused.output
