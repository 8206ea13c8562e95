"""Import and export in the console: dry-run report first, row-level problems, drafts sent to review."""

import io
import json

import pytest
from console_support import login, make_app, settled, token
from sqlmodel import Session

from knowledge import storage

CODE = "SF-GA-003"


@pytest.fixture()
def setup(tmp_path, county_kb_path):
    return make_app(tmp_path, county_kb_path)


def _upload(client, name, content):
    response = client.post(
        "/admin/io/upload",
        data={"file": (io.BytesIO(content), name), "csrf_token": token(client)},
        content_type="multipart/form-data",
    )
    return settled(client, response) if response.status_code == 303 else response


def _confirm(client, page, **form):
    confirm = page.split('action="/admin/io/confirm/')[1].split('"')[0]
    response = client.post(f"/admin/io/confirm/{confirm}", data={"csrf_token": token(client), **form})
    return confirm, settled(client, response)


def _kb(county_kb_path, rename=None, bad_copies=False):
    data = json.loads(county_kb_path.read_text(encoding="utf-8"))
    if rename:
        data["items"][2]["name"] = rename
    if bad_copies:
        data["items"][2]["materials"][0]["copies"] = "两份"
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def test_dry_run_then_confirm_sends_changes_to_review(setup, county_kb_path):
    app, engine, _sent = setup
    client = app.test_client()
    login(client, "ed")
    response = _upload(client, "kb.json", _kb(county_kb_path, rename="居民身份证补领（导入）"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "试导入结果" in page and f"修改：{CODE}" in page
    with Session(engine) as session:
        assert storage.get_item(session=session, code=CODE).status == "published"  # nothing written yet
    confirm, done = _confirm(client, page)
    assert done.status_code == 200 and "已导入" in done.get_data(as_text=True)
    with Session(engine) as session:
        row = storage.get_item(session=session, code=CODE)
        assert row.status == "in_review" and row.name == "居民身份证补领（导入）"
    assert client.post(f"/admin/io/confirm/{confirm}", data={"csrf_token": token(client)}).status_code == 404


def test_problems_are_listed_and_nothing_is_written(setup, county_kb_path):
    client = setup[0].test_client()
    login(client, "ed")
    response = _upload(client, "kb.json", _kb(county_kb_path, bad_copies=True))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "未导入任何内容" in page and CODE in page


@pytest.mark.parametrize("name", ["kb.xls", "kb.txt"], ids=["old-excel", "text"])
def test_unsupported_files(setup, name):
    client = setup[0].test_client()
    login(client, "ed")
    response = _upload(client, name, b"x")
    assert response.status_code == 422 and "不支持的文件类型" in response.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["json", "xlsx", "csv"], ids=["json", "xlsx", "csv"])
def test_export_round_trips(setup, fmt):
    client = setup[0].test_client()
    login(client, "ed")
    response = client.get(f"/admin/io/export?format={fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f".{fmt}")
    again = _upload(client, f"export.{fmt}", response.data)
    assert again.status_code == 200 and "新增 0 个，更新 0 个" in again.get_data(as_text=True)


def test_template_download(setup):
    client = setup[0].test_client()
    login(client, "ed")
    response = client.get("/admin/io/template")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_reuploading_what_is_published_opens_no_review(setup, county_kb_path):
    """Issue 15, finding 3: an unchanged re-upload created reviews whose diff said 没有改动."""
    app, engine, _sent = setup
    client = app.test_client()
    login(client, "ed")
    exported = client.get("/admin/io/export?format=xlsx").data
    with Session(engine) as session:  # an editor's pending draft of one item
        item = storage.get_item(session=session, code=CODE).item()
        item.name = "居民身份证补领（草稿）"
        storage.upsert_item(session=session, item=item, author="ed")
    page = _upload(client, "kb.xlsx", exported).get_data(as_text=True)
    assert "新增 0 个，更新 0 个" in page
    _confirm(client, page)
    with Session(engine) as session:
        assert storage.list_items(session=session, status="in_review") == []
        row = storage.get_item(session=session, code=CODE)
        assert (row.status, row.name) == ("draft", "居民身份证补领（草稿）")  # the draft is kept as it was
