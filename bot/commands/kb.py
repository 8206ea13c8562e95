"""The ``guidebot db`` and ``guidebot kb`` commands (registered in webhook.py).

Commands that touch the database get the app from ``bot.commands.script_app()`` so they use the same
``GUIDEBOT_DATABASE_URL`` as the server. Only ``guidebot db upgrade`` (and ``guidebot serve`` on a
first run) creates tables; every other command refuses to work on a database that is not migrated.
"""

import contextlib
import functools
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bot.commands import hall_zone, script_app
from bot.commands.options import LabelledChoice
from bot.commands.render import history_lines, show_lines, status_label
from knowledge import db as database
from knowledge import storage
from knowledge.errors import InterchangeError, KnowledgeError
from knowledge.hall_time import today as hall_today
from knowledge.models import STATUS_LABELS

F = TypeVar("F", bound=Callable[..., Any])
UPGRADE_HINT = "请先运行：guidebot db upgrade"
IMPORT_ATTEMPTS = 3


class Failure(click.ClickException):
    """A staff-readable failure: the message goes to stderr as is, and the exit code is 1."""

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def _reports_failures(command: F) -> F:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InterchangeError as exc:
            lines = [str(problem) for problem in exc.problems]
            lines.append(f"共 {len(exc.problems)} 个问题，没有写入任何内容。")
            raise Failure("\n".join(lines)) from exc
        except KnowledgeError as exc:
            raise Failure(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def _default_author() -> str:
    try:
        return f"命令行（{getpass.getuser()}）"
    except (KeyError, OSError):
        return "命令行"


def _engine() -> Engine:
    return database.get_engine(script_app())


def _missing_sqlite_file(engine: Engine) -> str | None:
    url = make_url(str(engine.url))
    path = url.database
    if url.get_backend_name() == "sqlite" and path and path != ":memory:" and not os.path.exists(path):
        return path
    return None


def _migrated_engine() -> Engine:
    """The app's engine, or a Failure telling staff to run ``guidebot db upgrade``."""
    engine = _engine()
    missing = _missing_sqlite_file(engine)
    if missing:
        first_run = "（或 guidebot serve，首次运行时会创建数据库）"
        raise Failure(f"数据库文件不存在：{missing}\n{UPGRADE_HINT}{first_run}")
    current = database.current_revision(engine)
    if current is None:
        raise Failure(f"数据库尚未初始化：{database.display_url(engine)}\n{UPGRADE_HINT}")
    if current != database.head_revision():
        head = database.head_revision()
        raise Failure(f"数据库结构不是最新版本（当前 {current}，最新 {head}）。\n{UPGRADE_HINT}")
    return engine


# --- guidebot db ----------------------------------------------------------------------------


@click.group(help="数据库：创建或升级表结构，查看版本")
def db() -> None:
    """The ``guidebot db`` group."""


@db.command("upgrade")
def db_upgrade() -> None:
    """创建数据库或把表结构升级到最新版本。"""
    engine = _engine()
    before = database.current_revision(engine)
    database.upgrade(engine)
    after = database.current_revision(engine)
    where = database.display_url(engine)
    if before == after:
        click.echo(f"数据库已是最新版本（{after}）：{where}")
    else:
        click.echo(f"数据库已从 {before or '空库'} 升级到 {after}：{where}")


@db.command("current")
def db_current() -> None:
    """显示数据库当前的表结构版本。"""
    engine = _engine()
    where, head = database.display_url(engine), database.head_revision()
    current = None if _missing_sqlite_file(engine) else database.current_revision(engine)
    if current is None:
        click.echo(f"数据库尚未初始化：{where}\n{UPGRADE_HINT}")
    elif current == head:
        click.echo(f"当前版本：{current}（已是最新）：{where}")
    else:
        click.echo(f"当前版本：{current}，最新版本：{head}：{where}\n{UPGRADE_HINT}")


# --- guidebot kb ----------------------------------------------------------------------------


@click.group(help="知识库：导入、导出、查看和恢复服务事项")
def kb() -> None:
    """The ``guidebot kb`` group."""


def _read(path: str) -> Any:
    from knowledge.interchange import read_document

    return read_document(path)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on a terminal; nothing when stderr is piped or redirected."""
    if total < 50 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label="正在导入", file=sys.stderr) as bar:
        yield bar.update


def _import(engine: Engine, document: Any, **options: Any) -> storage.ImportReport:
    """Import in one transaction, retried when SQLite says another program is writing.

    The transaction starts deferred: SQLite's write lock is taken only for the final flush, so the
    webhook's own writes wait at most a moment instead of the whole import. If one of them commits
    in between, SQLite refuses our (now stale) write; the import wrote nothing and simply runs again.
    """
    for attempt in range(1, IMPORT_ATTEMPTS + 1):
        try:
            with Session(engine) as session, _progress(len(document.items)) as step:
                return storage.import_kb(session=session, kb=document, progress=step, **options)
        except OperationalError as exc:
            if not database.is_sqlite(engine) or "locked" not in str(exc):
                raise
            if attempt == IMPORT_ATTEMPTS:
                raise Failure("数据库正忙（其他程序正在写入），没有写入任何内容，请稍后重新导入。") from exc
            click.echo("数据库正忙，正在重试……", err=True)
    raise AssertionError("unreachable")


def _hall_fields(values: tuple[str, ...]) -> list[str]:
    """Hall fields named by their Chinese label (地址) or key (address); Failure for anything else."""
    from knowledge.hall import FIELDS, LABELS

    by_label = {label: name for name, label in LABELS.items()}
    fields = []
    for value in values:
        for part in value.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            name = part if part in FIELDS else by_label.get(part)
            if name is None:
                raise Failure(f"--clear-hall 不认识「{part}」，可用：{'、'.join(LABELS.values())}")
            fields.append(name)
    return fields


def _hall_lines(report: storage.ImportReport) -> list[str]:
    change = report.hall
    if change is None:
        return []
    lines = [f"大厅信息「{c.label}」：{c.old or '（空）'} → {c.new or '（清空）'}" for c in change.changes]
    if change.kept:
        kept = "、".join(f"「{label}」" for label in change.kept_labels)
        hint = f"确实要清空时加 --clear-hall {change.kept_labels[0]}"
        lines.append(f"大厅信息：文件中{kept}为空，保留原来的内容（{hint}）")
    return lines


@kb.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--prune", is_flag=True, help="文件中没有的事项改为「已归档」")
@click.option("--draft", is_flag=True, help="新增和修改的事项存为草稿，大厅信息的修改提交审核，审核后再发布")
@click.option("--dry-run", is_flag=True, help="只检查并报告结果，不写入数据库")
@click.option("--author", default=None, help="记入修订记录的修改人（默认：命令行和当前用户名）")
@click.option("--clear-hall", "clear_hall", multiple=True,
              help="文件中为空的大厅信息默认保留原值；要清空时写出字段，如 --clear-hall 网站")
@_reports_failures
def kb_import(path: str, prune: bool, draft: bool, dry_run: bool, author: str | None,
              clear_hall: tuple[str, ...]) -> None:
    """导入 .json、.xlsx 或 .csv 知识库文件（按事项编码新增或更新，全部成功才写入）。"""
    document = _read(path)
    name = Path(path).name
    report = _import(_migrated_engine(), document, author=author or _default_author(), publish=not draft,
                     prune=prune, dry_run=dry_run, clear_hall=_hall_fields(clear_hall), source=name)
    click.echo(f"{name}：共 {len(document.items)} 个事项。{report.summary()}。")
    for line in _hall_lines(report):
        click.echo(line)
    if report.pruned:
        shown = "、".join(report.pruned[:20]) + ("……" if len(report.pruned) > 20 else "")
        click.echo(f"已归档：{shown}")
    if dry_run:
        click.echo("这是试运行（--dry-run），没有写入数据库。")
    elif draft and (report.created or report.updated):
        click.echo("新增和修改的事项已存为草稿，审核通过后机器人才会使用。")


@kb.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--status", type=LabelledChoice({"published": "已发布", "all": "全部", **STATUS_LABELS}),
              default="published", show_default=True,
              help="已发布（published）：已发布的版本；全部（all）：每个事项的最新版本；或某一状态（草稿、待审核、已归档）")
@_reports_failures
def kb_export(path: str, status: str) -> None:
    """导出知识库为 .json、.xlsx 或 .csv 文件。"""
    from knowledge.interchange import write_document

    engine = _migrated_engine()
    with Session(engine) as session:
        document = storage.export_kb(session=session, status=status)
    write_document(document, path)
    click.echo(f"已导出 {len(document.items)} 个事项到 {path}")


@kb.command("template")
@click.argument("path", type=click.Path(dir_okay=False))
@_reports_failures
def kb_template(path: str) -> None:
    """生成空白的 Excel 导入模板（.xlsx）。"""
    from knowledge.interchange import write_template

    write_template(path)
    click.echo(f"已生成导入模板：{path}（填写后用 guidebot kb import 导入）")


@kb.command("validate")
@click.argument("path", type=click.Path(dir_okay=False))
@_reports_failures
def kb_validate(path: str) -> None:
    """只检查文件格式，不连接数据库。"""
    document = _read(path)
    click.echo(f"{Path(path).name}：格式正确，共 {len(document.items)} 个事项。")


@kb.command("list")
@click.option("--search", default=None, help="按编码、名称或别名查找")
@click.option("--full-text", is_flag=True, help="同时查找材料、流程、常见问题等全部内容中的文字")
@click.option("--status", type=LabelledChoice(STATUS_LABELS), default=None,
              help="只列出这一状态的事项：草稿、待审核、已发布、已归档（也可写英文代码）")
@_reports_failures
def kb_list(search: str | None, full_text: bool, status: str | None) -> None:
    """列出事项：编码、状态、名称、实施部门。"""
    with Session(_migrated_engine()) as session:
        rows = storage.list_items(session=session, search=search, status=status, full_text=full_text)
    for row in rows:
        click.echo(f"{row.code}\t{status_label(row.status)}\t{row.name}\t{row.department}")
    click.echo(f"共 {len(rows)} 个事项" if rows else "没有符合条件的事项")


@kb.command("show")
@click.argument("code")
@_reports_failures
def kb_show(code: str) -> None:
    """显示一个事项的全部内容和状态。"""
    with Session(_migrated_engine()) as session:
        row = storage.get_item(session=session, code=code)
        zone = hall_zone()
        click.echo("\n".join(show_lines(row, hall_today(zone), zone)))


@kb.command("history")
@click.argument("code")
@_reports_failures
def kb_history(code: str) -> None:
    """显示一个事项的修订记录。"""
    with Session(_migrated_engine()) as session:
        revisions = storage.history(session=session, code=code)
    click.echo("\n".join(history_lines(revisions, hall_zone())))


@kb.command("restore")
@click.argument("code")
@click.argument("revision", type=click.IntRange(min=1))
@click.option("--draft", is_flag=True, help="恢复为草稿（审核后再发布），不立即发布")
@click.option("--author", default=None, help="记入修订记录的修改人")
@_reports_failures
def kb_restore(code: str, revision: int, draft: bool, author: str | None) -> None:
    """把事项恢复到某一版的内容（会新增一条修订记录）。"""
    from knowledge.audit import audit

    who = author or _default_author()
    with database.write_session(_migrated_engine()) as session:
        change = storage.restore(session=session, code=code, revision=revision, author=who, publish=not draft)
        audit(session=session, username=who, action="item_restore", target=code,
              detail={"from_revision": revision, "revision": change.revision, "status": change.status})
    click.echo(f"事项 {code} 已恢复到第 {revision} 版的内容，新修订为第 {change.revision} 版，"
               f"状态：{status_label(change.status)}。")
