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


# -- issue 17, finding 2: settings are read by their type, secrets never JSON-parsed ----------------

#: Text settings whose content is checked where it is used (METRICS_ALLOW: addresses).
CHECKED_TEXT = {"METRICS_ALLOW", "TIMEZONE"}  # validated: a wrong value stops the app by name
TEXT_SETTINGS = [
    s.name
    for s in webhook.SETTINGS
    if (s.default is None or isinstance(s.default, str)) and not s.choices and s.name not in CHECKED_TEXT
]


@pytest.mark.parametrize("name", TEXT_SETTINGS, ids=TEXT_SETTINGS)
@pytest.mark.parametrize("raw", ["20240101", "1e5", "true", "null", '{"a": 1}', "0012"],
                         ids=["digits", "exponent", "true", "null", "object", "leading-zeros"])
def test_text_settings_keep_their_exact_text(monkeypatch, tmp_path, name, raw):
    # A path setting given "null" makes a folder of that name: make it in tmp_path, not in the checkout.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(f"GUIDEBOT_{name}", raw)
    if name != "DATABASE_URL":
        monkeypatch.setenv("GUIDEBOT_DATABASE_URL", f"sqlite:///{tmp_path}/t.sqlite3")
    app = webhook.create_app()
    assert app.config[name] == raw and isinstance(app.config[name], str)


def test_digits_only_token_verifies_the_url_and_answers_pushes(monkeypatch, tmp_path):
    import time

    from bot.wechat import protocol as wechat

    monkeypatch.setenv("GUIDEBOT_WECHAT_TOKEN", "20240101")
    monkeypatch.setenv("GUIDEBOT_DATABASE_URL", f"sqlite:///{tmp_path}/t.sqlite3")
    app = webhook.create_app({"TESTING": True, "KB_FILE": str(Path(webhook.__file__).parent
                                                              / "knowledge" / "demo_hall.json")})
    client = app.test_client()
    ts, nonce = str(int(time.time())), "123"
    args = {"signature": wechat.sign("20240101", ts, nonce), "timestamp": ts, "nonce": nonce}
    verified = client.get("/wechat", query_string={**args, "echostr": "hello"})
    assert (verified.status_code, verified.get_data(as_text=True)) == (200, "hello")
    body = (
        "<xml><ToUserName><![CDATA[gh_hall]]></ToUserName><FromUserName><![CDATA[oDigits]]></FromUserName>"
        f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[身份证丢了怎么补办]]></Content><MsgId>7100001</MsgId></xml>"
    )
    args = {"signature": wechat.sign("20240101", ts, "124"), "timestamp": ts, "nonce": "124"}  # a new nonce
    answered = client.post("/wechat", query_string=args, data=body.encode(), content_type="text/xml")
    assert answered.status_code == 200
    assert "身份证" in wechat.read_reply(answered.get_data(as_text=True))["Content"]


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("TIMESTAMP_WINDOW", "0", 0),
        ("TIMESTAMP_WINDOW", " 120 ", 120),
        ("ANSWER_DEADLINE", "3", 3.0),
        ("LOAD_DEMO", "false", "false"),
        ("LOAD_DEMO", "0", "false"),
        ("LOAD_DEMO", "Auto", "auto"),
        ("SECURE_COOKIES", "True", True),
        ("SECURE_COOKIES", "yes", True),
        ("SUBSCRIBE_TEMPLATE_FIELDS", '{"thing1": "question"}', {"thing1": "question"}),
    ],
    ids=["int-zero", "int-spaces", "float-from-int", "choice-false", "choice-zero", "choice-Auto",
         "bool-True", "bool-yes", "json"],
)
def test_typed_settings_are_read_as_their_type(monkeypatch, tmp_path, name, raw, expected):
    monkeypatch.setenv(f"GUIDEBOT_{name}", raw)
    app = webhook.create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3"})
    assert app.config[name] == expected and type(app.config[name]) is type(expected)


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("TIMESTAMP_WINDOW", "five minutes", "整数"),
        ("ANSWER_DEADLINE", "nan", "数字"),
        ("LOAD_DEMO", "maybe", "auto、true 或 false"),
        ("SECURE_COOKIES", "maybe", "true 或 false"),
        ("SUBSCRIBE_TEMPLATE_FIELDS", "[1, 2]", "JSON 对象"),
    ],
    ids=["int", "float-nan", "choice", "bool", "json-not-object"],
)
def test_a_value_of_the_wrong_kind_is_refused_by_name_without_its_value(monkeypatch, tmp_path, name, raw,
                                                                         expected):
    from click.testing import CliRunner

    from bot.serving.settings import SettingsError

    monkeypatch.setenv(f"GUIDEBOT_{name}", raw)
    with pytest.raises(SettingsError) as refused:
        webhook.create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3"})
    assert f"GUIDEBOT_{name}" in str(refused.value) and expected in str(refused.value)
    assert raw not in str(refused.value)
    # The command line says the same in one line, without a traceback.
    monkeypatch.setenv("GUIDEBOT_DATABASE_URL", f"sqlite:///{tmp_path}/t.sqlite3")
    result = CliRunner().invoke(webhook.cli, ["kb", "list"])
    assert result.exit_code == 1
    assert f"GUIDEBOT_{name}" in result.output and "Traceback" not in result.output


def test_unknown_variables_are_listed_for_doctor():
    from bot.serving.settings import unknown_variables

    environ = {"GUIDEBOT_WECHAT_TOKEM": "x", "GUIDEBOT_WECHAT_TOKEN": "y", "GUIDEBOT_CI_VENV": "/t"}
    assert unknown_variables(webhook.SETTINGS, environ) == ["GUIDEBOT_WECHAT_TOKEM"]


def test_instance_path_from_the_environment(monkeypatch, tmp_path):
    # Installed into a root-owned virtualenv, Flask's default instance folder is not writable by the
    # service user; the deployment points it at /var/lib/guidebot.
    monkeypatch.setenv("GUIDEBOT_INSTANCE_PATH", str(tmp_path / "state"))
    monkeypatch.delenv("GUIDEBOT_DATABASE_URL", raising=False)
    app = webhook.create_app()
    assert app.instance_path == str(tmp_path / "state")
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/state/guidebot.sqlite3"
    assert (tmp_path / "state").is_dir()
