"""Console accounts that can be trusted: sessions that end, a limiter behind a proxy, unlocks, hostile input.

Issue 16, findings 1–3: a copied cookie must stop working after logout, a password reset, a role change
or deactivation; the limiter must count the real client behind nginx, per account and per address; an
administrator must be able to lift a lock; simultaneous logins, CR/LF in ``next`` and NUL in a username
must never give a 500; every console page carries the security headers and passes its own CSP.
"""

import concurrent.futures
import re
import threading

import pytest
from console_support import PASSWORD, USERS, csrf_from, log_question, login, make_app, token
from sqlmodel import Session, select
from werkzeug.serving import make_server

from knowledge import accounts
from knowledge.console_tables import AuditLog, ConsoleUser, LoginAttempt


@pytest.fixture()
def setup(tmp_path, county_kb_path):
    return make_app(tmp_path, county_kb_path)


def _user(engine, name: str) -> ConsoleUser:
    with Session(engine) as session:
        return session.exec(select(ConsoleUser).where(ConsoleUser.username == name)).one()


def _copy_cookie(source, target) -> None:
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def _admin_post(admin, **data):
    return admin.post("/admin/users/", data={**data, "csrf_token": token(admin, "/admin/users/")})


# -- finding 1: sessions end -------------------------------------------------------------------------


def test_logout_ends_a_copied_cookie_too(setup):
    app = setup[0]
    editor, thief = app.test_client(), app.test_client()
    login(editor, "ed")
    _copy_cookie(editor, thief)
    assert thief.get("/admin/items/").status_code == 200  # the copy works while the session is alive
    editor.post("/admin/logout", data={"csrf_token": token(editor)})
    response = thief.get("/admin/items/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "change",
    [
        {"action": "password", "password": "another-pass-9"},
        {"action": "role", "role": "reviewer"},
        {"action": "deactivate"},
    ],
    ids=["password-reset", "role-change", "deactivation"],
)
def test_admin_changes_end_every_session_of_the_account(setup, change):
    app, engine, _sent = setup
    phone, laptop, admin = app.test_client(), app.test_client(), app.test_client()
    login(phone, "ed")
    login(laptop, "ed")
    login(admin, "admin")
    before = _user(engine, "ed").session_version
    _admin_post(admin, user_id=_user(engine, "ed").id, **change)
    assert _user(engine, "ed").session_version == before + 1
    for device in (phone, laptop):
        assert device.get("/admin/").status_code == 302
    assert admin.get("/admin/").status_code == 200  # the administrator's own session is untouched


def test_a_session_without_the_current_version_is_refused(setup):
    app, engine, _sent = setup
    client = app.test_client()
    with client.session_transaction() as session:  # an id as the console wrote it before versions
        session["_user_id"] = str(_user(engine, "ed").id)
        session["_fresh"] = True
    assert client.get("/admin/").status_code == 302


# -- finding 2: the limiter --------------------------------------------------------------------------


def _login_from(client, address: str, username: str, password: str = PASSWORD, **headers: str):
    page = client.get("/admin/login", environ_base={"REMOTE_ADDR": address}, headers=headers)
    return client.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


@pytest.fixture()
def proxied(tmp_path, county_kb_path):
    """The real app factory behind one trusted proxy (nginx at 127.0.0.1), accounts as in console_support."""
    from webhook import create_app

    _app, engine, _sent = make_app(tmp_path, county_kb_path)
    url = str(engine.url)
    engine.dispose()
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "proxy-secret", "TRUSTED_PROXIES": 1, "LOAD_DEMO": False}
    )
    return app, url


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(proxied):
    app, url = proxied
    client = app.test_client()
    for _ in range(accounts.MAX_FAILURES):
        response = _login_from(client, "127.0.0.1", "ed", "wrong-pass", **{"X-Forwarded-For": "203.0.113.7"})
        assert response.status_code == 401
    blocked = _login_from(client, "127.0.0.1", "ed", **{"X-Forwarded-For": "203.0.113.7"})
    assert blocked.status_code == 429
    # The clerk at another desk, through the same nginx, logs in: only the guessing address waits.
    other = app.test_client()
    assert _login_from(other, "127.0.0.1", "ed", **{"X-Forwarded-For": "198.51.100.20"}).status_code == 302
    from knowledge.db import make_engine

    engine = make_engine(url)
    with Session(engine) as session:
        addresses = {row.ip for row in session.exec(select(AuditLog).where(AuditLog.username == "ed"))}
    engine.dispose()
    assert addresses == {"203.0.113.7", "198.51.100.20"}  # the audit log names the clients, not nginx


def test_without_trusted_proxies_a_forged_header_is_ignored(tmp_path, county_kb_path):
    app, engine, _sent = make_app(tmp_path, county_kb_path)
    client = app.test_client()
    for fake in range(accounts.MAX_FAILURES):
        headers = {"X-Forwarded-For": f"203.0.113.{fake}"}  # a guesser inventing a new address each time
        assert _login_from(client, "192.0.2.9", "ed", "wrong-pass", **headers).status_code == 401
    assert _login_from(client, "192.0.2.9", "ed", **{"X-Forwarded-For": "203.0.113.99"}).status_code == 429


def test_one_address_guessing_many_accounts_is_stopped(setup):
    app, engine, _sent = setup
    with Session(engine) as session:
        for number in range(accounts.MAX_ADDRESS_FAILURES):
            session.add(LoginAttempt(username=f"guess{number}", ip="192.0.2.66", success=False))
        session.commit()
    client = app.test_client()
    response = _login_from(client, "192.0.2.66", "ed")  # the right password, from the guessing address
    assert response.status_code == 429 and "此网络地址" in response.get_data(as_text=True)
    assert _login_from(app.test_client(), "192.0.2.67", "ed").status_code == 302


def test_one_account_guessed_from_many_addresses_is_locked(setup):
    app, engine, _sent = setup
    with Session(engine) as session:
        for number in range(accounts.MAX_ACCOUNT_FAILURES):
            session.add(LoginAttempt(username="ed", ip=f"10.0.{number // 250}.{number % 250}", success=False))
        session.commit()
    response = _login_from(app.test_client(), "192.0.2.10", "ed")
    assert response.status_code == 429 and "已暂时锁定" in response.get_data(as_text=True)
    assert _login_from(app.test_client(), "192.0.2.10", "rev").status_code == 302


def test_admin_unlocks_a_locked_clerk(setup):
    app, engine, _sent = setup
    clerk = app.test_client()
    for _ in range(accounts.MAX_FAILURES):
        _login_from(clerk, "192.0.2.5", "ed", "wrong-pass")
    assert _login_from(clerk, "192.0.2.5", "ed").status_code == 429
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get("/admin/users/").get_data(as_text=True)
    row = re.search(r'<tr id="user-ed">.*?</tr>', page, re.S)
    assert row and "登录受限" in row.group(0) and "解除登录限制" in row.group(0)
    done = _admin_post(admin, action="unlock", user_id=_user(engine, "ed").id)
    assert done.status_code == 302
    assert "已解除 ed 的登录限制" in admin.get("/admin/users/").get_data(as_text=True)
    assert _login_from(clerk, "192.0.2.5", "ed").status_code == 302
    with Session(engine) as session:
        entry = session.exec(select(AuditLog).where(AuditLog.action == "user_unlock")).one()
    assert (entry.username, entry.target) == ("admin", "ed")


def test_a_password_reset_lifts_the_lock(setup):
    app, engine, _sent = setup
    clerk = app.test_client()
    for _ in range(accounts.MAX_FAILURES):
        _login_from(clerk, "192.0.2.5", "ed", "wrong-pass")
    admin = app.test_client()
    login(admin, "admin")
    _admin_post(admin, action="password", user_id=_user(engine, "ed").id, password="fresh-pass-77")
    assert _login_from(clerk, "192.0.2.5", "ed", "fresh-pass-77").status_code == 302


def test_a_good_login_forgets_earlier_typos_from_that_address(setup):
    app = setup[0]
    client = app.test_client()
    for _ in range(accounts.MAX_FAILURES - 1):
        _login_from(client, "192.0.2.8", "ed", "wrong-pass")
    assert _login_from(client, "192.0.2.8", "ed").status_code == 302
    for _ in range(accounts.MAX_FAILURES - 1):
        assert _login_from(app.test_client(), "192.0.2.8", "ed", "wrong-pass").status_code == 401
    assert _login_from(app.test_client(), "192.0.2.8", "ed").status_code == 302


def test_thirty_simultaneous_logins_on_sqlite_never_fail(setup, monkeypatch):
    # Production argon2 parameters: each check takes tens of milliseconds and 64 MiB, which is what
    # kept SQLite's write lock held while others queued ("database is locked" → 500).
    slow = accounts.PasswordHasher(time_cost=4, memory_cost=8192, parallelism=1)
    monkeypatch.setattr(accounts, "_HASHER", slow)
    app, engine, _sent = setup
    with Session(engine) as session:
        for user in session.exec(select(ConsoleUser)):
            user.password_hash = accounts.hash_password(PASSWORD)
            session.add(user)
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        import requests

        def one(number: int) -> int:
            with requests.Session() as browser:
                page = browser.get(f"{base}/admin/login", timeout=30).text
                name = list(USERS)[number % len(USERS)]
                data = {"username": name, "password": PASSWORD, "csrf_token": csrf_from(page)}
                answer = browser.post(f"{base}/admin/login", data=data, allow_redirects=False, timeout=60)
                return answer.status_code

        with concurrent.futures.ThreadPoolExecutor(max_workers=30) as pool:
            statuses = list(pool.map(one, range(30)))
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert statuses == [302] * 30
    with Session(engine) as session:
        assert len(session.exec(select(AuditLog).where(AuditLog.action == "login")).all()) == 30


@pytest.mark.parametrize(
    "target",
    [
        "/admin/items/\r\nSet-Cookie: x=1",
        "//evil.example/admin",
        "https://evil.example/admin/",
        "/admin\\..\\x",
        "/elsewhere",
        "/admin/items/%0d%0aX: y",
    ],
    ids=["crlf", "scheme-relative", "absolute", "backslash", "outside-console", "encoded-crlf"],
)
def test_next_never_breaks_the_redirect(setup, target):
    client = setup[0].test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post(
        "/admin/login",
        query_string={"next": target},
        data={"username": "ed", "password": PASSWORD, "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\r" not in location and "\n" not in location and "evil" not in location
    assert location.startswith("/admin/")


def test_next_to_a_console_page_is_followed(setup):
    client = setup[0].test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post(
        "/admin/login",
        query_string={"next": "/admin/items/?q=身份证"},
        data={"username": "ed", "password": PASSWORD, "csrf_token": csrf_from(page)},
    )
    assert response.headers["Location"] == "/admin/items/?q=%E8%BA%AB%E4%BB%BD%E8%AF%81"  # 身份证, quoted


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/admin/login", {"username": "ed\x00", "password": "x"}),
        ("/admin/login", {"username": "ed", "password": "pass\x00word"}),
    ],
    ids=["nul-username", "nul-password"],
)
def test_nul_in_a_login_is_a_clear_400(setup, path, data):
    client = setup[0].test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post(path, data={**data, "csrf_token": csrf_from(page)})
    assert response.status_code == 400 and "控制字符" in response.get_data(as_text=True)


def test_nul_in_a_search_is_a_clear_400(setup):
    client = setup[0].test_client()
    login(client, "ed")
    response = client.get("/admin/items/?q=%00")
    assert response.status_code == 400 and "请求无效" in response.get_data(as_text=True)


def test_a_username_with_control_characters_cannot_be_created(setup):
    with Session(setup[1]) as session, pytest.raises(accounts.UserError) as raised:
        accounts.create_user(session=session, username="ed\u0007x", role="editor", password="long-enough-1")
    assert "控制字符" in raised.value.message


def test_a_database_busy_past_the_timeout_is_a_chinese_503(setup, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from knowledge.console import auth

    def busy(*_args, **_kwargs):
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    monkeypatch.setattr(auth, "record_login", busy)
    monkeypatch.setattr(auth.time, "sleep", lambda _seconds: None)
    response = login(setup[0].test_client(), "ed")
    assert response.status_code == 503 and "系统繁忙" in response.get_data(as_text=True)


# -- finding 3: security headers and a policy every page passes ---------------------------------------

_INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|\sstyle\s*=|javascript:|<style", re.I)


def _console_pages(client) -> set[str]:
    """Every console page reachable by links from the dashboard (an administrator sees them all)."""
    seen: set[str] = set()
    queue = ["/admin/"]
    while queue and len(seen) < 80:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.mimetype != "text/html":
            continue
        for link in re.findall(r'href="(/admin/[^"#]*)"', response.get_data(as_text=True)):
            link = link.replace("&amp;", "&")
            if "/static/" not in link and "/export" not in link and "/template" not in link:
                queue.append(link)
    return seen


def test_every_console_page_has_the_headers_and_nothing_inline(setup):
    log_question(setup[1], "残疾证怎么办", reason="low_confidence", candidates=[("SF-GA-003", 0.3)])
    client = setup[0].test_client()
    login(client, "admin")
    pages = _console_pages(client) | {"/admin/login", "/admin/items/SF-GA-003/history", "/admin/nowhere"}
    assert len(pages) >= 10
    for url in sorted(pages):
        response = client.get(url)
        headers = response.headers
        assert headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url
        assert "script-src 'self'" in headers["Content-Security-Policy"], url
        assert headers["Referrer-Policy"] == "same-origin", url
        if response.mimetype == "text/html":
            found = _INLINE.search(response.get_data(as_text=True))
            assert found is None, f"{url}: {found.group(0) if found else ''}"


def test_root_redirects_to_the_console(setup):
    response = setup[0].test_client().get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")


@pytest.mark.parametrize(("method", "path", "status", "title"), [
    ("GET", "/no-such-page", 404, "页面不存在"),
    ("GET", "/admin/no-such-page", 404, "页面不存在"),
    ("DELETE", "/admin/login", 405, "不支持此操作"),
], ids=["404", "404-console", "405"])
def test_error_pages_are_chinese(setup, method, path, status, title):
    response = setup[0].test_client().open(path, method=method)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert title in page and "Not Found" not in page and "Method Not Allowed" not in page


def test_an_overlong_username_is_told_in_chinese(setup):
    client = setup[0].test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    data = {"username": "x" * 65, "password": "y", "csrf_token": csrf_from(page)}
    response = client.post("/admin/login", data=data)
    assert response.status_code == 200 and "用户名不超过64个字符" in response.get_data(as_text=True)
