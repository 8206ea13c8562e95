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
