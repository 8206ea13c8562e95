"""knowledge.console.sessions: no signing work without a cookie, signed cookies as before."""

from flask import Flask, session

from knowledge.console.sessions import LazySessionInterface


def make_app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "test-secret"
    app.session_interface = LazySessionInterface()

    @app.get("/set")
    def set_value() -> str:
        session["user"] = "staff"
        return "ok"

    @app.get("/get")
    def get_value() -> str:
        return str(session.get("user", "-"))

    return app


def test_without_a_cookie_no_serializer_is_built(monkeypatch):
    app = make_app()
    built: list[object] = []
    real = LazySessionInterface.get_signing_serializer
    monkeypatch.setattr(
        LazySessionInterface, "get_signing_serializer", lambda self, a: built.append(a) or real(self, a)
    )
    response = app.test_client().get("/get")
    assert response.text == "-" and built == []
    assert "Set-Cookie" not in response.headers


def test_sessions_still_round_trip_signed():
    client = make_app().test_client()
    assert client.get("/set").text == "ok"
    cookie = client.get_cookie("session")
    assert cookie is not None and "staff" not in cookie.value  # signed and encoded, not plain
    assert client.get("/get").text == "staff"


def test_a_tampered_cookie_gives_an_empty_session():
    client = make_app().test_client()
    client.get("/set")
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value[:-2] + "xx")
    assert client.get("/get").text == "-"


def test_console_writes_take_the_sqlite_write_lock_up_front(tmp_path):
    # Bot workers write on every push; a console form must not start deferred and fail to upgrade.
    from knowledge.console import context
    from knowledge.db import IMMEDIATE
    from webhook import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/c.sqlite3", "SECRET_KEY": "k"})
    for method, immediate in (("POST", True), ("GET", False)):
        with app.test_request_context("/admin/items", method=method):
            options = context.db().connection().get_execution_options()
            assert bool(options.get(IMMEDIATE)) is immediate


def test_reading_the_session_still_varies_on_cookie():
    response = make_app().test_client().get("/get")
    assert response.headers.get("Vary") == "Cookie"  # the view read the (empty) session


def test_logging_out_deletes_the_cookie():
    app = make_app()

    @app.get("/clear")
    def clear() -> str:
        session.clear()
        return "ok"

    client = app.test_client()
    client.get("/set")
    assert client.get_cookie("session") is not None
    client.get("/clear")
    assert client.get_cookie("session") is None
