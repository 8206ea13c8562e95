"""``guidebot backup 目录 [--keep-days 7]``: a dated copy of the whole database, older copies deleted.

Everything staff built is in it: items with their revisions, the hall, synonyms, console users, the
audit log, regression questions, masked questions and ratings, consents. What only matters while
serving is left out (conversation states, remembered replies, the customer-service outbox — a restore
must not resend old messages —, the access token, login attempts).

PostgreSQL: ``pg_dump --format=custom`` (restore with ``pg_restore``, see the README), the password
passed in the environment, never on the command line. The raw openids and raw text of the 48 hours
before a dump stay in that dump until it is deleted (at most 48 h + ``--keep-days``): the documented
exception to the 48-hour rule. SQLite: an online copy (SQLite's backup API, safe while serving) in
which raw openids and raw text are then cleared, so the copy keeps nothing past the 48-hour rule.
"""

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import click
from sqlalchemy import Engine

from bot.commands import script_app

#: Tables whose rows matter only while serving (and hold openids): structure backed up, data not.
TRANSIENT = ("conversation_record", "delivered_reply", "outbox_message", "api_token", "login_attempt")
PREFIX = "guidebot-"
SUFFIXES = (".dump", ".sqlite3")


class BackupError(click.ClickException):
    """The backup could not be made; nothing older was deleted."""


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--keep-days", default=7, show_default=True, type=click.IntRange(1, 3650), help="删除早于这么多天的备份"
)
def backup(directory: str, keep_days: int) -> None:
    """备份整个数据库到目录（文件名带日期时间），并删除早于 --keep-days 天的旧备份。"""
    from knowledge.db import display_url, get_engine, schema_status

    engine = get_engine(script_app())
    status = schema_status(engine)  # never creates a missing SQLite file
    if not status.ok:
        raise BackupError(f"{status.problem()}。数据库：{display_url(engine)}")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if engine.dialect.name == "postgresql":
        target = folder / f"{PREFIX}{stamp}.dump"
        _pg_dump(engine, target)
    elif engine.dialect.name == "sqlite":
        target = folder / f"{PREFIX}{stamp}.sqlite3"
        _sqlite_copy(engine, target)
    else:  # pragma: no cover - guidebot supports these two
        raise BackupError(f"不支持备份 {engine.dialect.name} 数据库")
    size = target.stat().st_size
    click.echo(f"已备份到 {target}（{size / 1024 / 1024:.1f} MB）")
    removed = prune(folder, keep_days=keep_days, keep=target)
    if removed:
        click.echo(f"已删除 {len(removed)} 个超过 {keep_days} 天的旧备份")


def _pg_dump(engine: Engine, target: Path) -> None:
    executable = shutil.which("pg_dump")
    if executable is None:
        raise BackupError(
            "找不到 pg_dump：请安装与数据库版本相同的 PostgreSQL 客户端（如 postgresql-client）"
        )
    url = engine.url
    partial = target.with_suffix(".partial")
    command = [executable, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
    command += [f"--exclude-table-data={table}" for table in TRANSIENT]
    command += ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
    command += ["--username", url.username or "postgres", "--dbname", url.database or "guidebot"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # not on the command line, where ps would show it
    old_umask = os.umask(0o077)
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=6 * 3600)
    finally:
        os.umask(old_umask)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump 失败（退出码 {done.returncode}）：{done.stderr.strip()[-500:]}")
    os.replace(partial, target)


def _sqlite_copy(engine: Engine, target: Path) -> None:
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(str(engine.url.database))
    old_umask = os.umask(0o077)
    try:
        copy = sqlite3.connect(str(partial))
        try:
            source.backup(copy)  # consistent while workers write (WAL)
            for table in TRANSIENT:
                copy.execute(f"DELETE FROM {table}")  # noqa: S608 (table names are constants)
            copy.execute("UPDATE question_log SET openid = NULL, raw_text = NULL")
            copy.commit()
            copy.execute("PRAGMA journal_mode=DELETE")
            copy.execute("VACUUM")  # the cleared values must not linger in free pages
        finally:
            copy.close()
    finally:
        os.umask(old_umask)
        source.close()
    os.replace(partial, target)


def prune(folder: Path, *, keep_days: int, keep: Path, now: float | None = None) -> list[Path]:
    """Delete this command's backups in ``folder`` older than ``keep_days`` (never ``keep``)."""
    cutoff = (time.time() if now is None else now) - keep_days * 86400
    removed = []
    for path in folder.iterdir():
        if path == keep or not path.name.startswith(PREFIX) or path.suffix not in SUFFIXES:
            continue
        if path.stat().st_mtime < cutoff:
            path.unlink()
            removed.append(path)
    return removed
