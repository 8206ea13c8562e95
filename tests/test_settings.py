"""Every setting is documented in the README, and the environment reaches the app (Datasette-style)."""

from pathlib import Path

import pytest

import webhook

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", webhook.SETTINGS, ids=[s.name for s in webhook.SETTINGS])
def test_setting_documented_in_readme(setting):
    assert f"`GUIDEBOT_{setting.name}`" in README


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("GUIDEBOT_WECHAT_TOKEN", "from-env")
    monkeypatch.setenv("GUIDEBOT_TIMESTAMP_WINDOW", "120")
    app = webhook.create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3"})
    assert app.config["WECHAT_TOKEN"] == "from-env"
    assert app.config["TIMESTAMP_WINDOW"] == 120  # from_prefixed_env parses JSON values


def test_test_config_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("GUIDEBOT_WECHAT_TOKEN", "from-env")
    app = webhook.create_app({"WECHAT_TOKEN": "from-test", "DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3"})
    assert app.config["WECHAT_TOKEN"] == "from-test"


def test_default_database_is_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("GUIDEBOT_DATABASE_URL", raising=False)
    app = webhook.create_app()
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert app.config["DATABASE_URL"].endswith("guidebot.sqlite3")
    assert app.instance_path in app.config["DATABASE_URL"]


def test_secret_key_is_shared_by_apps_of_one_instance_folder(monkeypatch, tmp_path):
    # Several gunicorn workers each build an app; console cookies must verify in all of them.
    monkeypatch.delenv("GUIDEBOT_SECRET_KEY", raising=False)
    first = webhook._instance_secret(str(tmp_path))
    second = webhook._instance_secret(str(tmp_path))
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_secret_key_from_environment_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("GUIDEBOT_SECRET_KEY", "k" * 40)
    app = webhook.create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3"})
    assert app.config["SECRET_KEY"] == "k" * 40
