"""The checks ``guidebot doctor`` runs: each setting and dependency, one :class:`Finding` per line.

Every check is a function of the app (or of its config) returning findings; none changes anything
(a missing SQLite file is not created, Redis is only pinged, ``--online`` fetches a token through
``stable_token``, which hands back the current token and invalidates nothing).
"""

import base64
import binascii
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

OK, PROBLEM, NOTE = "正常", "问题", "提示"


@dataclass(frozen=True)
class Finding:
    """One line of doctor's report: what was checked, its state, and what to do about a problem."""

    status: str
    subject: str
    detail: str
    fix: str = ""
    #: True when the service cannot work properly until this is fixed (doctor exits 1).
    blocking: bool = False

    def line(self) -> str:
        text = f"{self.status}  {self.subject}：{self.detail}"
        return f"{text}\n      → {self.fix}" if self.fix else text


def ok(subject: str, detail: str) -> Finding:
    return Finding(OK, subject, detail)


def problem(subject: str, detail: str, fix: str, *, blocking: bool = True) -> Finding:
    return Finding(PROBLEM, subject, detail, fix, blocking)


def note(subject: str, detail: str, fix: str = "") -> Finding:
    return Finding(NOTE, subject, detail, fix)


Check = Callable[[Any], Iterator[Finding]]

# -- WeChat account --------------------------------------------------------------------------------

_TOKEN = re.compile(r"^[A-Za-z0-9]{3,32}$")
_APP_ID = re.compile(r"^wx[0-9a-f]{16}$")
_APP_SECRET = re.compile(r"^[0-9a-f]{32}$")


def wechat_token(app: Any) -> Iterator[Finding]:
    token = str(app.config.get("WECHAT_TOKEN") or "")
    subject = "微信 Token（GUIDEBOT_WECHAT_TOKEN）"
    if not token:
        yield problem(
            subject,
            "未设置，微信无法验证服务器，所有消息都会被拒绝（403）",
            "设置为公众平台「基本配置 → 服务器配置」中填写的 Token",
        )
    elif not _TOKEN.match(token):
        yield problem(
            subject,
            f"{len(token)} 个字符，公众平台只接受 3–32 位英文字母或数字",
            "在公众平台重新设置 Token（只用字母和数字），并同步修改 GUIDEBOT_WECHAT_TOKEN",
        )
    else:
        yield ok(subject, f"已设置（{len(token)} 个字符）")


def _aes_key_problem(key: str) -> str:
    if len(key) != 43:
        return f"长度为 {len(key)}，应为 43 个字符"
    try:
        if len(base64.b64decode(key + "=", validate=True)) != 32:
            return "不能解码为 32 字节的密钥"
    except (binascii.Error, ValueError):
        return "含有 Base64 以外的字符"
    return ""


def aes_keys(app: Any) -> Iterator[Finding]:
    current = str(app.config.get("WECHAT_AES_KEY") or "")
    previous = str(app.config.get("WECHAT_PREVIOUS_AES_KEY") or "")
    subject = "EncodingAESKey（GUIDEBOT_WECHAT_AES_KEY）"
    if not current:
        yield note(
            subject,
            "未设置，只能使用明文模式（测试号只有明文模式）",
            "正式公众号建议在「服务器配置」选择安全模式，并设置 GUIDEBOT_WECHAT_AES_KEY",
        )
    elif wrong := _aes_key_problem(current):
        yield problem(
            subject,
            f"{wrong}，安全模式的消息都无法解密",
            "从公众平台「基本配置 → 服务器配置」复制完整的 EncodingAESKey（43 个字符）",
        )
    else:
        yield ok(subject, "43 个字符，可以解码")
    if previous:
        subject = "旧 EncodingAESKey（GUIDEBOT_WECHAT_PREVIOUS_AES_KEY）"
        if wrong := _aes_key_problem(previous):
            yield problem(
                subject,
                f"{wrong}，加密消息都会被拒绝",
                "填入更换前的完整 EncodingAESKey，或在切换完成后删除这个设置",
            )
        else:
            yield ok(subject, "可以解码（更换密钥期间新旧消息都能解密）")


def app_id(app: Any) -> Iterator[Finding]:
    value = str(app.config.get("WECHAT_APP_ID") or "")
    subject = "AppID（GUIDEBOT_WECHAT_APP_ID）"
    if not value:
        needed = bool(app.config.get("WECHAT_AES_KEY"))
        if needed:
            yield problem(
                subject,
                "未设置，安全模式需要用它核对每条加密消息",
                "设置为公众平台「基本配置」中的 AppID（wx 开头，18 个字符）",
            )
        else:
            yield note(
                subject,
                "未设置，客服消息、菜单和 --online 检查都需要它",
                "设置为公众平台「基本配置」中的 AppID",
            )
    elif not _APP_ID.match(value):
        yield problem(
            subject,
            "格式不对：应为 wx 加 16 位十六进制字符（共 18 个字符）",
            "从公众平台「基本配置」复制 AppID",
        )
    else:
        yield ok(subject, value)


def app_secret(app: Any) -> Iterator[Finding]:
    value = str(app.config.get("WECHAT_APP_SECRET") or "")
    subject = "AppSecret（GUIDEBOT_WECHAT_APP_SECRET）"
    if not value:
        yield note(
            subject,
            "未设置，超时的回答和管理后台的回复无法通过客服消息发出",
            "在公众平台「基本配置」生成 AppSecret 并设置",
        )
    elif not _APP_SECRET.match(value):
        yield problem(
            subject, "格式不对：应为 32 位十六进制字符", "从公众平台重新复制 AppSecret", blocking=False
        )
    else:
        yield ok(subject, "已设置（32 个字符）")


def secret_key(app: Any) -> Iterator[Finding]:
    subject = "会话密钥（GUIDEBOT_SECRET_KEY）"
    if not os.environ.get("GUIDEBOT_SECRET_KEY"):
        if _default_database(app):
            yield ok(subject, "使用实例目录中的随机密钥（一台服务器）")
        else:
            yield note(
                subject,
                "未设置，使用实例目录中的随机密钥，只适合一台服务器",
                "多台服务器时在每台设置相同的 64 位随机十六进制字符串",
            )
        return
    key = str(app.config.get("SECRET_KEY") or "")
    if len(key) < 32:
        yield problem(
            subject,
            f"只有 {len(key)} 个字符，容易被猜出",
            "改为 64 位随机十六进制字符串（如 `python3 -c 'import secrets; print(secrets.token_hex(32))'`）",
        )
    else:
        yield ok(subject, f"已设置（{len(key)} 个字符）")


# -- database, state store ------------------------------------------------------------------------


def _default_database(app: Any) -> bool:
    from knowledge.db import default_database_url

    return bool(app.config["DATABASE_URL"] == default_database_url(app.instance_path))


def database(app: Any) -> Iterator[Finding]:
    from bot.serving import runtime
    from knowledge.db import display_url, get_engine, schema_status

    engine = runtime.guard_engine(get_engine(app))
    subject = f"数据库（{display_url(engine)}）"
    try:
        status = schema_status(engine)
    except Exception as exc:
        yield problem(
            subject,
            f"无法连接（{type(exc).__name__}）",
            "检查 GUIDEBOT_DATABASE_URL（主机、端口、用户名、密码）和数据库服务是否在运行",
        )
        return
    if not status.ok:
        yield problem(subject, status.problem(), "升级（或改正设置）后再运行 `guidebot doctor` 确认")
    else:
        yield ok(subject, f"可以连接，结构是最新版本（{status.current}）")


def redis(app: Any) -> Iterator[Finding]:
    url = app.config.get("REDIS_URL")
    if not url:
        return
    import redis as redis_client
    from sqlalchemy.engine import make_url

    shown = make_url(str(url).replace("redis://", "postgresql://", 1)).render_as_string(hide_password=True)
    subject = f"Redis（{shown.replace('postgresql://', 'redis://', 1)}）"
    client = redis_client.Redis.from_url(str(url), socket_timeout=2.0, socket_connect_timeout=2.0)
    try:
        client.ping()
    except Exception as exc:
        yield problem(
            subject,
            f"无法连接（{type(exc).__name__}）；服务仍可回答，去重和对话状态暂时改用数据库",
            "检查 Redis 服务和 GUIDEBOT_REDIS_URL",
            blocking=False,
        )
    else:
        yield ok(subject, "可以连接")
    finally:
        client.close()


_STORE_REASONS = {
    "redis": "设置了 GUIDEBOT_REDIS_URL",
    "lmdb": "SQLite 数据库文件旁的 LMDB（一台服务器的多个进程共用）",
    "database": "PostgreSQL，未设置 Redis",
    "memory": "使用知识库文件，进程内存",
}


def state_store(app: Any) -> Iterator[Finding]:
    from bot.serving import runtime

    subject = "对话状态和去重（GUIDEBOT_STATE_STORE）"
    choice = str(app.config.get("STATE_STORE", "auto")).lower()
    kind = runtime.state_store_kind(app)
    if kind not in _STORE_REASONS:
        yield problem(subject, f"不认识的取值 {choice!r}", "改为 auto、memory、lmdb、database 或 redis")
        return
    how = f"auto 选择了 {kind}（{_STORE_REASONS[kind]}）" if choice == "auto" else f"{kind}（指定）"
    if kind == "memory" and runtime.uses_database(app.config):
        yield problem(
            subject, f"{how}：多个进程之间不共享，微信重试可能得到第二次回答", "改为 auto", blocking=False
        )
    elif kind == "lmdb" and not _writable(runtime.lmdb_path(app)):
        yield problem(subject, f"{how}：目录 {runtime.lmdb_path(app)} 不可写", "检查服务用户对这个目录的权限")
    else:
        yield ok(subject, how)


def _writable(path: str) -> bool:
    while path and not os.path.exists(path):
        path = os.path.dirname(path)
    return bool(path) and os.access(path, os.W_OK)


def spool(app: Any) -> Iterator[Finding]:
    from bot.serving import runtime
    from bot.serving.health import spool_backlog

    if not runtime.uses_database(app.config):
        return
    directory = runtime.spool_dir(app)
    subject = f"暂存目录（{directory}）"
    if not _writable(directory):
        yield problem(
            subject, "不可写：数据库中断时群众的提问无法暂存", "创建目录并让服务用户可写（本机磁盘）"
        )
        return
    files, records = spool_backlog(directory)
    if records:
        yield note(subject, f"有 {records} 条提问等待写入数据库", "数据库恢复后服务会自动补录")
    else:
        yield ok(subject, "可写，没有积压")
