"""Console accounts and safety: login, argon2id, rate limiting, CSRF, cookie flags, 403 page, audit log."""

import pytest
from console_support import PASSWORD, PRODUCTION_HASHER, login, make_app, token
from sqlmodel import Session, select

from knowledge import accounts
from knowledge.console_tables import AuditLog, ConsoleUser


@pytest.fixture()
def setup(tmp_path, county_kb_path):
    return make_app(tmp_path, county_kb_path)


@pytest.fixture()
def client(setup):
    return setup[0].test_client()


def test_password_is_argon2id_and_verifies(setup):
    _app, engine, _sent = setup
    with Session(engine) as session:
        user = session.exec(select(ConsoleUser).where(ConsoleUser.username == "ed")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.verify_password(user.password_hash, PASSWORD)
    assert not accounts.verify_password(user.password_hash, "wrong")
    assert not accounts.verify_password("not-a-hash", PASSWORD)


def test_login_redirects_to_dashboard_and_audits(setup, client):
    response = login(client, "ed")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    page = client.get("/admin/").get_data(as_text=True)
    assert "概览" in page and "ed（编辑）" in page
    with Session(setup[1]) as session:
        actions = [row.action for row in session.exec(select(AuditLog))]
    assert "login" in actions


def test_production_hasher_is_argon2id_rfc9106_low_memory():
    assert PRODUCTION_HASHER.hash("x").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_wrong_password_is_refused(client):
    response = login(client, "ed", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # still anonymous


def test_rate_limit_after_five_failures(client):
    for _ in range(accounts.MAX_FAILURES):
        assert login(client, "ed", "wrong-password").status_code == 401
    blocked = login(client, "ed")  # even the right password waits out the window
    assert blocked.status_code == 429
    assert "15分钟" in blocked.get_data(as_text=True)
    assert login(client, "rev").status_code == 302  # other usernames are not affected


@pytest.mark.parametrize(
    "url",
    ["/admin/", "/admin/items/", "/admin/unanswered/", "/admin/users/"],
    ids=["dashboard", "items", "queue", "users"],
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_post_without_csrf_token_is_refused(client):
    login(client, "admin")
    response = client.post(
        "/admin/users/",
        data={"action": "add", "username": "x1", "role": "editor", "password": "long-enough-1"},
    )
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/admin/login", data={"username": "ed", "password": PASSWORD})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("ed", "/admin/users/", 403),
        ("rev", "/admin/users/", 403),
        ("admin", "/admin/users/", 200),
        ("ed", "/admin/users/audit", 403),
        ("admin", "/admin/users/audit", 200),
    ],
    ids=["editor-users", "reviewer-users", "admin-users", "editor-audit", "admin-audit"],
)
def test_role_permissions(client, user, url, status):
    login(client, user)
    response = client.get(url)
    assert response.status_code == status
    if status == 403:
        assert "没有权限" in response.get_data(as_text=True)


def test_session_cookie_flags(tmp_path, county_kb_path):
    app, _engine, _sent = make_app(tmp_path, county_kb_path, SECURE_COOKIES=True)
    client = app.test_client()
    response = login(client, "ed")
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_admin_adds_user_and_it_is_audited(setup, client):
    login(client, "admin")
    response = client.post(
        "/admin/users/",
        data={
            "action": "add",
            "username": "newbie",
            "role": "editor",
            "password": "long-enough-1",
            "csrf_token": token(client),
        },
    )
    assert response.status_code == 302
    with Session(setup[1]) as session:
        assert (
            session.exec(select(ConsoleUser).where(ConsoleUser.username == "newbie")).one().role == "editor"
        )
        assert session.exec(select(AuditLog).where(AuditLog.action == "user_add")).one().target == "newbie"


@pytest.mark.parametrize(
    ("username", "role", "password", "message"),
    [
        ("a b", "editor", "long-enough", "空格"),
        ("x", "boss", "long-enough", "角色"),
        ("x", "editor", "short", "至少"),
        ("ed", "editor", "long-enough", "已存在"),
    ],
    ids=["space", "role", "short-password", "taken"],
)
def test_create_user_rejects(setup, username, role, password, message):
    with Session(setup[1]) as session, pytest.raises(accounts.UserError) as raised:
        accounts.create_user(session=session, username=username, role=role, password=password)
    assert message in raised.value.message


def test_logout(client):
    login(client, "ed")
    response = client.post("/admin/logout", data={"csrf_token": token(client)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_login_page_explains_how_to_create_the_first_admin(setup, client):
    with Session(setup[1]) as session:
        for user in session.exec(select(ConsoleUser)):
            session.delete(user)
        session.commit()
    assert "guidebot user add" in client.get("/admin/login").get_data(as_text=True)
