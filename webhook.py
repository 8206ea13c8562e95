"""guidebot's Flask app factory, settings, the ``guidebot`` command and the ``gunicorn webhook:app`` entry.

Settings come from defaults, then ``GUIDEBOT_*`` environment variables, then the test mapping.
Every setting is declared once in ``SETTINGS`` (name, default, help); the README documents each
and a test fails when one is missing there.
"""

import os
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask


@dataclass(frozen=True)
class Setting:
    """One configuration value: read from ``GUIDEBOT_<name>``."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", None, "SQLAlchemy URL; default: SQLite file guidebot.sqlite3 in the instance folder"),
    Setting("SECRET_KEY", None, "Flask session key for the console; a random one per start when unset"),
    Setting("REDIS_URL", None, "Redis URL for conversation state, dedup and index updates across workers"),
    Setting("WECHAT_TOKEN", "", "Token from the WeChat console (服务器配置 → Token)"),
    Setting("WECHAT_AES_KEY", "", "EncodingAESKey (43 characters) for 安全模式 and 兼容模式"),
    Setting("WECHAT_PREVIOUS_AES_KEY", "", "The EncodingAESKey before the last rotation, still accepted"),
    Setting("WECHAT_APP_ID", "", "AppID of the official account"),
    Setting("WECHAT_APP_SECRET", "", "AppSecret, for the customer-service and menu APIs"),
    Setting("TIMESTAMP_WINDOW", 300, "Seconds a push's timestamp may differ from now; 0 turns the check off"),
    Setting("SERVICE_HOURS", "", "When people answer handoffs, e.g. '周一至周五 9:00-12:00,13:30-17:30'; "
            "default: the hall's hours"),
    Setting("LOAD_DEMO", True, "Load the demo hall into an empty database on `guidebot serve`"),
)


def _default_config(app: Flask) -> dict[str, Any]:
    config = {setting.name: setting.default for setting in SETTINGS}
    config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "guidebot.sqlite3")
    config["SECRET_KEY"] = os.urandom(32).hex()
    return config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the guidebot app: defaults, then ``GUIDEBOT_*`` environment, then ``test_config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(_default_config(app))
    app.config.from_prefixed_env("GUIDEBOT")
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    return app


@click.group(help="guidebot: 政务服务大厅微信公众号问答机器人")
def cli() -> None:
    """The ``guidebot`` command."""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="guidebot")


if __name__ == "__main__":
    main()
