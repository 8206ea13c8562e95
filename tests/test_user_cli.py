"""``guidebot user add``: accounts from the command line, password from stdin or a prompt."""

import console_support  # noqa: F401  (cheaper argon2 parameters)
import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

import webhook
from knowledge import accounts
from knowledge.console_tables import AuditLog, ConsoleUser
from knowledge.db import make_engine, upgrade


@pytest.fixture()
def engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("GUIDEBOT_DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    return engine


def _user(engine, name):
    with Session(engine) as session:
        return session.exec(select(ConsoleUser).where(ConsoleUser.username == name)).first()


def test_add_with_password_stdin(engine):
    result = CliRunner().invoke(
        webhook.cli, ["user", "add", "zhang", "--role", "admin", "--password-stdin"], input="s3cret-pass\n"
    )
    assert result.exit_code == 0, result.output
    assert "已创建账号 zhang" in result.output
    user = _user(engine, "zhang")
    assert user.role == "admin" and accounts.verify_password(user.password_hash, "s3cret-pass")
    with Session(engine) as session:
        assert session.exec(select(AuditLog)).one().action == "user_add"


def test_add_prompts_twice(engine):
    result = CliRunner().invoke(
        webhook.cli, ["user", "add", "li", "--role", "editor"], input="s3cret-pass\ns3cret-pass\n"
    )
    assert result.exit_code == 0, result.output
    assert "密码" in result.output and _user(engine, "li").role == "editor"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["user", "add", "wang", "--role", "editor", "--password-stdin"], "short\n", "至少需要8个字符"),
        (["user", "add", "wang", "--role", "boss", "--password-stdin"], "s3cret-pass\n", "boss"),
    ],
    ids=["short-password", "bad-role"],
)
def test_add_refuses(engine, args, stdin, message):
    result = CliRunner().invoke(webhook.cli, args, input=stdin)
    assert result.exit_code != 0 and message in result.output
    assert _user(engine, "wang") is None


def test_duplicate_name(engine):
    runner = CliRunner()
    args = ["user", "add", "zhao", "--role", "reviewer", "--password-stdin"]
    assert runner.invoke(webhook.cli, args, input="s3cret-pass\n").exit_code == 0
    again = runner.invoke(webhook.cli, args, input="s3cret-pass\n")
    assert again.exit_code == 1 and "已存在" in again.output


# -- issue 16: the whole account life cycle on the command line --------------------------------------


def _run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(webhook.cli, list(args), input=stdin, env=env)


@pytest.fixture()
def clerk(engine):
    added = _run("user", "add", "clerk", "--role", "editor", "--password-stdin", stdin="s3cret-pass\n")
    assert added.exit_code == 0
    return engine


def test_add_names_the_role_in_chinese_and_accepts_it_in_chinese(engine):
    result = _run("user", "add", "zhou", "--role", "审核员", "--password-stdin", stdin="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert "（角色：审核员）" in result.output and "reviewer" not in result.output
    assert _user(engine, "zhou").role == "reviewer"


def test_list_shows_roles_states_and_hall_time(clerk):
    import datetime as dt

    with Session(clerk) as session:
        user = session.exec(select(ConsoleUser).where(ConsoleUser.username == "clerk")).one()
        user.last_login_at = dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC)
        session.add(user)
        session.commit()
    output = _run("user", "list").output
    assert "clerk\t编辑\t启用\t2026-01-01 08:30" in output and "上次登录（北京时间）" in output
    urumqi = _run("user", "list", env={"GUIDEBOT_TIMEZONE": "Asia/Urumqi"}).output
    assert "2026-01-01 06:30" in urumqi and "上次登录（Asia/Urumqi）" in urumqi


def test_disable_and_enable(clerk):
    before = _user(clerk, "clerk").session_version
    result = _run("user", "disable", "clerk")
    assert result.exit_code == 0 and "已停用账号 clerk" in result.output
    user = _user(clerk, "clerk")
    assert not user.active and user.session_version == before + 1
    assert "clerk\t编辑\t已停用" in _run("user", "list").output
    assert "已是停用状态" in _run("user", "disable", "clerk").output
    assert _run("user", "enable", "clerk").exit_code == 0 and _user(clerk, "clerk").active


def test_reset_password_ends_sessions_and_lifts_the_lock(clerk):
    from knowledge.console_tables import LoginAttempt

    with Session(clerk) as session:
        for _ in range(accounts.MAX_FAILURES):
            session.add(LoginAttempt(username="clerk", ip="192.0.2.1", success=False))
        session.commit()
    assert "登录受限" in _run("user", "list").output
    result = _run("user", "reset-password", "clerk", "--password-stdin", stdin="brand-new-pass\n")
    assert result.exit_code == 0 and "已重设 clerk 的密码" in result.output
    user = _user(clerk, "clerk")
    assert accounts.verify_password(user.password_hash, "brand-new-pass") and user.session_version == 1
    assert "登录受限" not in _run("user", "list").output


def test_unlock_lets_a_locked_clerk_log_in_again(clerk):
    from knowledge.console_tables import LoginAttempt

    with Session(clerk) as session:
        for _ in range(accounts.MAX_FAILURES):
            session.add(LoginAttempt(username="clerk", ip="192.0.2.1", success=False))
        session.commit()
        with pytest.raises(accounts.UserError):
            accounts.authenticate(session=session, username="clerk", password="s3cret-pass", ip="192.0.2.1")
    result = _run("user", "unlock", "clerk")
    assert result.exit_code == 0 and "已解除 clerk 的登录限制" in result.output
    with Session(clerk) as session:
        assert accounts.authenticate(
            session=session, username="clerk", password="s3cret-pass", ip="192.0.2.1"
        )
        actions = [row.action for row in session.exec(select(AuditLog).where(AuditLog.target == "clerk"))]
    assert actions == ["user_add", "user_unlock"]
    assert "没有登录限制" in _run("user", "unlock", "clerk").output


@pytest.mark.parametrize("verb", ["disable", "enable", "unlock", "reset-password"])
def test_an_unknown_account_is_named(engine, verb):
    result = _run("user", verb, "nobody", stdin="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 1 and "账号 nobody 不存在" in result.output


def test_a_bad_role_is_refused_in_chinese(engine):
    result = _run("user", "add", "wu", "--role", "boss", "--password-stdin", stdin="s3cret-pass\n")
    assert result.exit_code == 2
    assert "错误：--role 的值不正确" in result.output.replace("'", "")
    assert "编辑（editor）" in result.output and "Invalid value" not in result.output
