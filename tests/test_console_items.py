"""Console items: list and filters, the edit form through schema.Item, drafts, history, restore, preview."""

import pytest
from console_support import login, make_app, token
from sqlmodel import Session, select

from knowledge import storage
from knowledge.console.forms import ItemFormError, item_data_from_form
from knowledge.console_tables import AuditLog

CODE = "SF-GA-003"


@pytest.fixture()
def setup(tmp_path, county_kb_path):
    return make_app(tmp_path, county_kb_path, STALE_DAYS=180)


@pytest.fixture()
def client(setup):
    return setup[0].test_client()


def _form(engine, code=CODE, **changes):
    """The posted form of an item as the edit page fills it, with ``changes`` applied."""
    with Session(engine) as session:
        data = storage.get_item(session=session, code=code).data
    form = {"name": data["name"], "department": data["department"], "summary": "测试修改"}
    for index, material in enumerate(data["materials"]):
        form[f"materials-{index}-name"] = material["name"]
        form[f"materials-{index}-form"] = material.get("form", "")
        form[f"materials-{index}-copies"] = str(material.get("copies", ""))
    form["aliases"] = "\n".join(data.get("aliases", []))
    if data.get("updated"):
        form["updated"] = data["updated"]
    form.update(changes)
    return form


def test_list_search_and_filters(client):
    login(client, "ed")
    page = client.get("/admin/items/?q=消磁").get_data(as_text=True)
    assert "居民身份证补领" in page and "出生登记" not in page
    page = client.get("/admin/items/?department=示范县公安局").get_data(as_text=True)
    assert "居民身份证补领" in page
    page = client.get("/admin/items/?status=draft").get_data(as_text=True)
    assert "没有符合条件的事项" in page


def test_stale_filter_flags_old_items(tmp_path, county_kb_path):
    app, _engine, _sent = make_app(tmp_path, county_kb_path, STALE_DAYS=1)
    client = app.test_client()
    login(client, "ed")
    page = client.get("/admin/items/?stale=1").get_data(as_text=True)
    assert "待核对" in page and "居民身份证补领" in page


def test_edit_materials_saves_a_draft_and_keeps_the_live_version(setup, client):
    _app, engine, _sent = setup
    login(client, "ed")
    form = _form(
        engine,
        **{
            "materials-1-name": "社区出具的丢失证明",
            "materials-1-form": "原件",
            "materials-1-copies": "1",
            "csrf_token": token(client),
        },
    )
    response = client.post(f"/admin/items/{CODE}", data=form)
    assert response.status_code == 302
    with Session(engine) as session:
        row = storage.get_item(session=session, code=CODE)
        assert row.status == "draft"
        assert [m["name"] for m in row.data["materials"]][-1] == "社区出具的丢失证明"
        assert row.live_data is not None and "社区出具的丢失证明" not in str(
            row.live_data
        )  # the bot still sees the old one
        assert session.exec(select(AuditLog).where(AuditLog.action == "item_save")).one().target == CODE


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"materials-0-copies": "两份"}, "materials-0-copies", "必须是整数"),
        ({"name": ""}, "name", "必填"),
        ({"updated": "2026-13-01"}, "updated", "YYYY-MM-DD"),
        ({"visits": "-1"}, "visits", "不能小于0"),
    ],
    ids=["copies-not-int", "name-missing", "bad-date", "negative-visits"],
)
def test_validation_message_beside_the_field(setup, client, changes, field, message):
    login(client, "ed")
    response = client.post(f"/admin/items/{CODE}", data=_form(setup[1], csrf_token=token(client), **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'data-error-for="{field}">{message}' in page or (
        f'data-error-for="{field}"' in page and message in page
    )


def test_form_round_trips_every_field():
    form = {
        "code": "X-1",
        "name": "测试事项",
        "department": "测试局",
        "aliases": "别名一\n别名二",
        "materials-0-name": "身份证",
        "materials-0-form": "原件",
        "materials-0-copies": "1",
        "materials-1-name": "照片",
        "materials-1-optional": "1",
        "materials-2-name": "",
        "situations-0-name": "未满16周岁",
        "situations-0-materials": "户口簿 | 原件 | 1 | 监护人陪同",
        "windows-0-name": "公安窗口",
        "windows-0-number": "5",
        "faq-0-q": "要多久",
        "faq-0-a": "即办",
        "fee-state": "free",
        "online-state": "yes",
        "online-url": "https://x.example",
        "process": "受理\n办结",
        "time_limit-promised": "即办",
        "visits": "1",
        "updated": "2026-01-01",
    }
    data = item_data_from_form(form)
    assert data["materials"] == [
        {"name": "身份证", "form": "原件", "copies": 1},
        {"name": "照片", "required": False},
    ]
    assert data["situations"][0]["materials"] == [
        {"name": "户口簿", "form": "原件", "copies": 1, "note": "监护人陪同"}
    ]
    assert data["fee"] == {"free": True} and data["online"]["available"] is True
    assert data["windows"] == [{"name": "公安窗口", "number": "5"}] and data["visits"] == 1
    with pytest.raises(ItemFormError) as raised:
        item_data_from_form({**form, "situations-0-materials": "户口簿 | 原件 | 一"})
    assert "situations-0-materials" in raised.value.errors


def test_new_item_and_duplicate_code(setup, client):
    login(client, "ed")
    form = {
        "code": "NEW-1",
        "name": "新事项",
        "department": "测试局",
        "materials-0-name": "申请表",
        "csrf_token": token(client),
    }
    assert client.post("/admin/items/new", data=form).status_code == 302
    duplicate = client.post("/admin/items/new", data={**form, "code": CODE})
    assert duplicate.status_code == 422 and "已存在" in duplicate.get_data(as_text=True)
    with Session(setup[1]) as session:
        assert storage.get_item(session=session, code="NEW-1").status == "draft"


def test_history_diff_and_restore(setup, client):
    _app, engine, _sent = setup
    login(client, "ed")
    client.post(
        f"/admin/items/{CODE}", data=_form(engine, name="居民身份证补领（新名称）", csrf_token=token(client))
    )
    page = client.get(f"/admin/items/{CODE}/history?a=1&b=2").get_data(as_text=True)
    assert "<del>居民身份证补领（丢失、损坏）</del>" in page and "<ins>居民身份证补领（新名称）</ins>" in page
    response = client.post(f"/admin/items/{CODE}/restore/1", data={"csrf_token": token(client)})
    assert response.status_code == 302
    with Session(engine) as session:
        row = storage.get_item(session=session, code=CODE)
        assert row.status == "draft" and row.name == "居民身份证补领（丢失、损坏）" and row.revision == 3


def test_preview_and_ask_box(client):
    login(client, "ed")
    page = client.get(f"/admin/items/{CODE}/preview?q=身份证丢了怎么办").get_data(as_text=True)
    assert "居民身份证补领（丢失、损坏）|总览" in page and "|materials" in page
    assert "动作：<strong>回答</strong>" in page and f"事项：<strong>{CODE}</strong>" in page
    live = client.get("/admin/items/ask?q=今天天气").get_data(as_text=True)
    assert "转人工" in live


def test_editor_cannot_archive(client):
    login(client, "ed")
    assert client.post(f"/admin/items/{CODE}/archive", data={"csrf_token": token(client)}).status_code == 403


def test_reviewer_archives(setup, client):
    login(client, "rev")
    assert client.post(f"/admin/items/{CODE}/archive", data={"csrf_token": token(client)}).status_code == 302
    with Session(setup[1]) as session:
        assert storage.get_item(session=session, code=CODE).status == "archived"


def test_search_finds_items_by_code_name_and_alias_first(client):
    # 身份证 is in most items' materials; staff searching for it mean the items about ID cards.
    import re

    def codes(url: str) -> list[str]:
        page = client.get(url).get_data(as_text=True)
        return re.findall(r'<tr>\s*<td class="small">([^<]+)</td>', page)

    login(client, "ed")
    named = codes("/admin/items/?q=身份证")
    assert 1 <= len(named) <= 6 and "SF-GA-003" in named
    everywhere = codes("/admin/items/?q=身份证&all=1")
    assert len(everywhere) > 20 and everywhere[: len(named)] == named  # the named items first
    assert codes("/admin/items/?q=sf-ga-003") == ["SF-GA-003"]


def test_a_name_longer_than_the_limit_is_refused_beside_the_field(setup, client):
    _app, engine, _sent = setup
    login(client, "ed")
    form = _form(engine, name="长" * 201, csrf_token=token(client))
    response = client.post(f"/admin/items/{CODE}", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<div class="error" data-error-for="name">不能超过 200 个字（现有 201 个字）</div>' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "SF/GA/9", "事项编码只能由英文字母、数字和 . _ - 组成"),
        ("code", "   ", "必填"),
        ("name", "新\x00事项", "控制字符"),
    ],
    ids=["slash-code", "blank-code", "nul"],
)
def test_the_form_refuses_what_the_importer_refuses(setup, client, field, value, message):
    """Issue 15, finding 10: codes with / went 404 in the console and NUL gave a 500 on PostgreSQL."""
    login(client, "ed")
    form = {"code": "NEW-2", "name": "新事项", "department": "测试局", "materials-0-name": "申请表"}
    response = client.post("/admin/items/new", data={**form, field: value, "csrf_token": token(client)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert "测试局" in page and "\x00" not in page  # the clerk's other text is kept, the NUL is not
    assert client.get("/admin/items/NEW-2").status_code == 404  # nothing saved


def test_csv_export_of_citizen_text_is_formula_safe(setup, client):
    """Issue 15, finding 5: an item made from a citizen's text (新建事项) exported as a live formula."""
    import csv
    import io

    login(client, "ed")
    form = {
        "code": "NEW-3",
        "name": '=HYPERLINK("http://x","领奖")',
        "department": "测试局",
        "materials-0-name": "@SUM(1)",
        "csrf_token": token(client),
    }
    assert client.post("/admin/items/new", data=form).status_code == 302
    exported = client.get("/admin/io/export?format=csv&status=all").data.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert '\'=HYPERLINK("http://x","领奖")' in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
