import json
import os

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from knowledge import db, storage
from webhook import cli


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


@pytest.fixture
def run(database_url):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, [str(arg) for arg in args], env={"GUIDEBOT_DATABASE_URL": database_url},
                             catch_exceptions=False)

    return invoke


@pytest.fixture
def migrated(run):
    assert run("db", "upgrade").exit_code == 0
    return run


@pytest.fixture
def county(migrated, county_kb_path):
    assert migrated("kb", "import", county_kb_path, "--author", "测试员").exit_code == 0
    return migrated


def write_kb(path, items, hall=None):
    document = {"format": "guidebot-kb/1", "hall": hall or {"name": "测试大厅"}, "items": items}
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def item(code, **changes):
    return {"code": code, "name": f"事项{code}", "department": "县民政局", "materials": []} | changes


@pytest.mark.parametrize("args", [
    ("kb", "list"), ("kb", "show", "X"), ("kb", "history", "X"), ("kb", "restore", "X", "1"),
    ("kb", "export", "out.json"),
], ids=["list", "show", "history", "restore", "export"])
def test_commands_refuse_a_database_that_does_not_exist(run, database_url, args):
    result = run(*args)
    assert result.exit_code == 1
    assert "guidebot db upgrade" in result.stderr and "不存在" in result.stderr
    assert not os.path.exists(database_url.removeprefix("sqlite:///"))  # and did not create it


def test_import_refuses_an_unmigrated_database(run, database_url, county_kb_path):
    engine = db.make_engine(database_url)
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")  # creates the empty file
    result = run("kb", "import", county_kb_path)
    assert result.exit_code == 1 and "尚未初始化" in result.stderr and "guidebot db upgrade" in result.stderr


def test_db_upgrade_and_current(run):
    assert "尚未初始化" in run("db", "current").output
    first = run("db", "upgrade")
    assert first.exit_code == 0 and "升级到" in first.output
    assert "已是最新版本" in run("db", "upgrade").output
    assert "已是最新" in run("db", "current").output


def test_import_reports_counts_and_reimport_is_unchanged(county, county_kb_path):
    again = county("kb", "import", county_kb_path)
    assert again.exit_code == 0
    assert "共 77 个事项" in again.output and "未变 77 个" in again.output and "新增 0 个" in again.output
    assert again.stderr == ""  # no progress bar when not on a terminal


def test_import_draft_dry_run_and_prune(migrated, tmp_path, database_url):
    path = write_kb(tmp_path / "kb.json", [item("A"), item("B")])
    assert "试运行" in migrated("kb", "import", path, "--dry-run").output
    assert "没有符合条件" in migrated("kb", "list").output
    drafted = migrated("kb", "import", path, "--draft")
    assert "草稿" in drafted.output
    assert migrated("kb", "list", "--status", "draft").output.count("草稿") == 2
    write_kb(path, [item("A")])
    pruned = migrated("kb", "import", path, "--prune")
    assert "归档 1 个" in pruned.output and "已归档：B" in pruned.output
    with Session(db.make_engine(database_url)) as session:
        assert [i.code for i in storage.published_items(session=session)] == ["A"]


def test_bad_file_fails_with_problems_and_writes_nothing(migrated, tmp_path):
    bad = item("B", materials=[{"name": "户口簿", "copies": "一"}])
    path = write_kb(tmp_path / "bad.json", [item("A"), bad])
    result = migrated("kb", "import", path)
    assert result.exit_code == 1
    assert "bad.json" in result.stderr and "B" in result.stderr and "copies" in result.stderr
    assert "没有写入任何内容" in result.stderr
    assert "没有符合条件" in migrated("kb", "list").output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"format": "guidebot-kb/1", "items": ' + "[" * 50_000 + "]" * 50_000 + "}", "嵌套层数超过"),
        (json.dumps({"format": "guidebot-kb/1", "hall": {"name": "大厅"},
                     "items": [item("SF/1"), item(" "), item("C", name="名\x00称")]}), "控制字符"),
    ],
    ids=["nested", "codes-and-nul"],
)
def test_hostile_files_fail_in_chinese_without_a_traceback(migrated, tmp_path, text, expected):
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    result = migrated("kb", "import", path)
    assert result.exit_code == 1 and expected in result.stderr and "Traceback" not in result.stderr
    assert "没有写入任何内容" in result.stderr


def test_validate_needs_no_database(run, county_kb_path, database_url, tmp_path):
    result = run("kb", "validate", county_kb_path)
    assert result.exit_code == 0 and "格式正确，共 77 个事项" in result.output
    bad = run("kb", "validate", write_kb(tmp_path / "bad.json", [item("A"), item("A")]))
    assert bad.exit_code == 1 and "重复" in bad.stderr


@pytest.mark.parametrize("suffix", [".json", ".xlsx", ".csv"], ids=["json", "xlsx", "csv"])
def test_export_then_validate(county, tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    exported = county("kb", "export", path)
    assert exported.exit_code == 0 and "已导出 77 个事项" in exported.output
    assert "共 77 个事项" in county("kb", "validate", path).output
    assert "未变 77 个" in county("kb", "import", path).output


def test_json_export_equals_the_input(county, county_kb_path, tmp_path):
    path = tmp_path / "out.json"
    county("kb", "export", path)
    original = json.loads(county_kb_path.read_text(encoding="utf-8"))
    assert json.loads(path.read_text(encoding="utf-8")) == original


def test_template(run, tmp_path):
    result = run("kb", "template", tmp_path / "t.xlsx")
    assert result.exit_code == 0 and (tmp_path / "t.xlsx").stat().st_size > 0


@pytest.mark.parametrize(("args", "expected"), [
    (("--search", "身份证"), "SF-GA-001"),
    (("--search", "没有这种事项"), "没有符合条件的事项"),
    (("--status", "published"), "共 77 个事项"),
    (("--status", "已发布"), "共 77 个事项"),
    (("--status", "草稿"), "没有符合条件的事项"),
], ids=["search", "nothing", "status", "status-in-chinese", "draft-in-chinese"])
def test_list(county, args, expected):
    result = county("kb", "list", *args)
    assert result.exit_code == 0 and expected in result.output


def test_search_names_items_and_full_text_finds_the_rest(county):
    named = county("kb", "list", "--search", "身份证").output
    everywhere = county("kb", "list", "--search", "身份证", "--full-text").output
    count = int(named.rsplit("共 ", 1)[1].split(" ")[0])
    assert count <= 6  # the items whose code, name or alias says 身份证, not every item that asks for one
    assert all("身份证" in line.split("\t")[2] or "SF-GA" in line for line in named.splitlines()[:-1])
    assert int(everywhere.rsplit("共 ", 1)[1].split(" ")[0]) > 20
    assert everywhere.splitlines()[:count] == named.splitlines()[:count]  # named items first


def test_export_status_in_chinese(county, tmp_path):
    result = county("kb", "export", tmp_path / "all.json", "--status", "全部")
    assert result.exit_code == 0 and "已导出 77 个事项" in result.output


def test_a_bad_status_is_refused_in_chinese(county):
    result = county("kb", "list", "--status", "作废")
    assert result.exit_code == 2
    assert "用法：guidebot kb list" in result.stderr and "错误：" in result.stderr
    assert "「作废」不是可选的值" in result.stderr and "草稿（draft）" in result.stderr
    assert "Invalid value" not in result.stderr and "Usage:" not in result.stderr


def test_history_in_the_halls_time_zone(county, database_url):
    import datetime as dt
    import re

    def moment(output: str) -> dt.datetime:
        found = re.search(r"第 1 版　(\d{4}-\d{2}-\d{2} \d{2}:\d{2})", output)
        assert found, output
        return dt.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M")

    beijing = county("kb", "history", "SF-GA-001").output
    env = {"GUIDEBOT_DATABASE_URL": database_url, "GUIDEBOT_TIMEZONE": "Asia/Urumqi"}
    urumqi = CliRunner().invoke(cli, ["kb", "history", "SF-GA-001"], env=env).output
    assert moment(beijing) - moment(urumqi) == dt.timedelta(hours=2)  # one moment, each hall's clock


def test_a_bad_time_zone_stops_the_command_in_chinese(county, database_url):
    result = CliRunner().invoke(
        cli, ["kb", "history", "SF-GA-001"],
        env={"GUIDEBOT_DATABASE_URL": database_url, "GUIDEBOT_TIMEZONE": "Mars/Base"},
    )
    assert result.exit_code == 1 and "GUIDEBOT_TIMEZONE" in result.output and "Traceback" not in result.output


def test_show_is_readable_chinese(county):
    output = county("kb", "show", "SF-GA-001").output
    for expected in ("居民身份证首次申领（SF-GA-001）", "状态：已发布", "申请材料：", "办理流程：", "测试员"):
        assert expected in output


def test_show_unknown_code(county):
    result = county("kb", "show", "NOPE")
    assert result.exit_code == 1 and "找不到事项编码为 NOPE 的事项" in result.stderr


def test_history_and_restore(county, tmp_path, county_kb_path):
    document = json.loads(county_kb_path.read_text(encoding="utf-8"))
    document["items"][0]["name"] = "改过的名称"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert "更新 1 个" in county("kb", "import", changed).output
    assert "第 2 版" in county("kb", "history", "SF-GA-001").output
    restored = county("kb", "restore", "SF-GA-001", "1", "--author", "管理员")
    assert restored.exit_code == 0 and "第 3 版" in restored.output and "已发布" in restored.output
    assert "居民身份证首次申领（SF-GA-001）" in county("kb", "show", "SF-GA-001").output
    history = county("kb", "history", "SF-GA-001").output
    assert "管理员" in history and "恢复到第 1 版" in history


def test_restore_as_draft_keeps_the_published_version(county, tmp_path, county_kb_path):
    document = json.loads(county_kb_path.read_text(encoding="utf-8"))
    document["items"][0]["name"] = "改过的名称"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    county("kb", "import", changed)
    result = county("kb", "restore", "SF-GA-001", "1", "--draft")
    assert "草稿" in result.output
    assert "仍使用已发布的版本「改过的名称」" in county("kb", "show", "SF-GA-001").output


def test_restore_unknown_revision(county):
    result = county("kb", "restore", "SF-GA-001", "9")
    assert result.exit_code == 1 and "没有第 9 版" in result.stderr


def test_import_retries_when_sqlite_is_busy(migrated, tmp_path, monkeypatch):
    real, calls = storage.import_kb, []

    def busy_once(**kwargs):
        calls.append(kwargs["kb"])
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(**kwargs)

    monkeypatch.setattr(storage, "import_kb", busy_once)
    result = migrated("kb", "import", write_kb(tmp_path / "kb.json", [item("A")]))
    assert result.exit_code == 0 and "新增 1 个" in result.output and "重试" in result.stderr
    assert len(calls) == 2


def test_import_gives_up_after_repeated_busy_errors(migrated, tmp_path, monkeypatch):
    def always_busy(**kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(storage, "import_kb", always_busy)
    result = migrated("kb", "import", write_kb(tmp_path / "kb.json", [item("A")]))
    assert result.exit_code == 1 and "数据库正忙" in result.stderr and "没有写入任何内容" in result.stderr


def test_import_survives_a_concurrent_writer(migrated, tmp_path, monkeypatch, database_url):
    """Another program commits while the import is building its changes: the import runs again."""
    real, calls = storage.import_kb, []
    other = db.make_engine(database_url)

    def with_a_writer_meanwhile(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            def write_meanwhile(_step):
                with Session(other) as session:
                    storage.add_synonym(session=session, word=f"词{len(calls)}", canonical="标准词")
            kwargs["progress"] = write_meanwhile
        return real(**kwargs)

    monkeypatch.setattr(storage, "import_kb", with_a_writer_meanwhile)
    result = migrated("kb", "import", write_kb(tmp_path / "kb.json", [item("A")]))
    assert result.exit_code == 0 and "新增 1 个" in result.output
    assert len(calls) == 2 and "重试" in result.stderr
    with Session(other) as session:
        assert [row.code for row in storage.list_items(session=session)] == ["A"]
        assert len(storage.list_synonyms(session=session)) == 1


def test_a_name_only_hall_keeps_the_rest_and_clearing_is_explicit(county, tmp_path, database_url):
    """Issue 15, finding 1: filling only 名称 used to blank the hall's address, hours, phones and website."""
    from knowledge.console_tables import AuditLog

    with Session(db.make_engine(database_url)) as session:
        before = storage.get_hall(session=session)
    path = write_kb(tmp_path / "hall.json", [], hall={"name": before.name})
    result = county("kb", "import", path)
    assert result.exit_code == 0 and "保留原来的内容" in result.output and "--clear-hall" in result.output
    with Session(db.make_engine(database_url)) as session:
        assert storage.get_hall(session=session) == before
    result = county("kb", "import", path, "--clear-hall", "网站")
    assert result.exit_code == 0 and f"大厅信息「网站」：{before.website} → （清空）" in result.output
    with Session(db.make_engine(database_url)) as session:
        assert storage.get_hall(session=session) == before.model_copy(update={"website": None})
        audited = session.exec(select(AuditLog).where(AuditLog.action == "import")).all()
    assert [row.target for row in audited] == ["county-hall.json", "hall.json", "hall.json"]
    assert json.loads(audited[-1].detail)["hall"]["changes"][0]["old"] == before.website
    assert county("kb", "import", path, "--clear-hall", "传真").exit_code == 1


def test_draft_import_sends_the_hall_to_review(county, tmp_path, database_url):
    with Session(db.make_engine(database_url)) as session:
        before = storage.get_hall(session=session)
    path = write_kb(tmp_path / "hall.json", [], hall=before.model_dump(exclude_none=True) | {"phone": "1"})
    result = county("kb", "import", path, "--draft")
    assert result.exit_code == 0 and "大厅信息的修改已提交审核" in result.output
    with Session(db.make_engine(database_url)) as session:
        assert storage.get_hall(session=session) == before
