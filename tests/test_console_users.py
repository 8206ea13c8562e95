"""Account management in the console (administrators only) and the audit-log page."""

import pytest
from console_support import PASSWORD, login, make_app, token
from sqlmodel import Session, select

from knowledge import accounts
from knowledge.console_tables import ConsoleUser


@pytest.fixture()
def setup(tmp_path, county_kb_path):
    app, engine, _sent = make_app(tmp_path, county_kb_path)
    admin = app.test_client()
    login(admin, "admin")
    return app, engine, admin


def _user(engine, name):
    with Session(engine) as session:
        return session.exec(select(ConsoleUser).where(ConsoleUser.username == name)).one()


def _post(admin, **data):
    return admin.post(
        "/admin/users/", data={**data, "csrf_token": token(admin, "/admin/users/")}, follow_redirects=True
    )


def test_deactivated_user_is_logged_out_and_cannot_log_in(setup):
    app, engine, admin = setup
    editor = app.test_client()
    login(editor, "ed")
    assert editor.get("/admin/").status_code == 200
    _post(admin, action="deactivate", user_id=_user(engine, "ed").id)
    assert editor.get("/admin/").status_code == 302  # the session no longer loads
    assert login(app.test_client(), "ed").status_code == 401


def test_role_change_and_password_reset(setup):
    app, engine, admin = setup
    _post(admin, action="role", user_id=_user(engine, "ed").id, role="reviewer")
    _post(admin, action="password", user_id=_user(engine, "ed").id, password="brand-new-pass")
    user = _user(engine, "ed")
    assert user.role == "reviewer" and accounts.verify_password(user.password_hash, "brand-new-pass")
    assert login(app.test_client(), "ed", PASSWORD).status_code == 401


def test_admin_cannot_demote_themself(setup):
    _app, engine, admin = setup
    page = _post(admin, action="role", user_id=_user(engine, "admin").id, role="editor").get_data(
        as_text=True
    )
    assert "不能修改自己的角色" in page and _user(engine, "admin").role == "admin"


def test_audit_page_lists_logins(setup):
    _app, _engine, admin = setup
    page = admin.get("/admin/users/audit?action=login").get_data(as_text=True)
    assert "<td>admin</td><td>登录</td>" in page  # the action in Chinese, not its code
