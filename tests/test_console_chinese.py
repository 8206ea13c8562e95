"""The console in plain Chinese (issue 16, finding 4): reasons, audit actions and details, roles, form
inputs, and every time in the hall's time zone (``GUIDEBOT_TIMEZONE``, Asia/Shanghai by default)."""

import datetime as dt
import re

import pytest
from console_support import log_question, login, make_app, token
from sqlmodel import Session

from knowledge.console_tables import AuditLog
from knowledge.hall_time import TimezoneError

CODE = "SF-GA-003"
#: 00:30 UTC on New Year's Day: 08:30 in Beijing, 06:30 in Urumqi.
MOMENT = dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC)


@pytest.fixture()
def setup(tmp_path, county_kb_path):
    return make_app(tmp_path, county_kb_path)


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("out_of_scope", "超出范围"),
        ("low_confidence", "把握不大"),
        ("complaint", "投诉"),
        ("human", "要求人工"),
    ],
    ids=["out-of-scope", "low-confidence", "complaint", "human"],
)
def test_queue_names_reasons_in_chinese(setup, reason, label):
    app, engine, _sent = setup
    log_question(engine, "这个问题机器人答不上来", reason=reason)
    client = app.test_client()
    login(client, "ed")
    page = client.get("/admin/unanswered/").get_data(as_text=True)
    assert label in page and reason not in page


def test_audit_log_reads_in_chinese(setup):
    app, engine, _sent = setup
    admin = app.test_client()
    login(admin, "admin")
    admin.post(
        "/admin/users/",
        data={"action": "add", "username": "newclerk", "role": "editor", "password": "long-enough-1",
              "csrf_token": token(admin, "/admin/users/")},
    )
    with Session(engine) as session:
        session.add(AuditLog(username="ed", action="item_save", target=CODE,
                             detail='{"revision": 3, "status": "draft"}'))
        session.commit()
    page = admin.get("/admin/users/audit").get_data(as_text=True)
    assert "<td>新建账号</td>" in page and "角色：编辑" in page
    assert "<td>保存草稿</td>" in page and "修订：第 3 版；状态：草稿" in page
    assert "<td>登录</td>" in page
    for code in ("item_save", "user_add", '"role"', "{"):
        assert f">{code}" not in page and f"{code}<" not in page
    assert '<option value="item_submit" >提交审核</option>' in page  # the filter, by Chinese name


def test_form_errors_name_the_field_in_chinese(setup):
    app, engine, _sent = setup
    client = app.test_client()
    login(client, "ed")
    with Session(engine) as session:
        from knowledge import storage

        data = storage.get_item(session=session, code=CODE).data
    form = {"name": data["name"], "department": data["department"], "csrf_token": token(client)}
    form |= {"materials-0-name": "居民户口簿", "materials-1-name": "照片", "materials-1-copies": "两份"}
    page = client.post(f"/admin/items/{CODE}", data=form).get_data(as_text=True)
    summary = re.search(r'<div class="flash error">有 .*?</div>', page, re.S)
    assert summary is not None
    assert "申请材料第2行「份数」：必须是整数" in summary.group(0)
    assert "materials-1-copies" not in summary.group(0)


@pytest.mark.parametrize(
    ("zone", "shown", "label"),
    [(None, "01-01 08:30", "北京时间"), ("Asia/Urumqi", "01-01 06:30", "Asia/Urumqi")],
    ids=["default-beijing", "urumqi"],
)
def test_times_are_in_the_halls_zone(tmp_path, county_kb_path, zone, shown, label):
    config = {"TIMEZONE": zone} if zone else {}
    app, engine, _sent = make_app(tmp_path, county_kb_path, **config)
    log_question(engine, "残疾证怎么办", at=MOMENT)
    client = app.test_client()
    login(client, "admin")
    queue = client.get("/admin/unanswered/").get_data(as_text=True)
    assert f"最近 {shown}（{label}）" in queue and "UTC" not in queue
    with Session(engine) as session:
        session.add(AuditLog(username="ed", action="login", at=MOMENT))
        session.commit()
    audit = client.get("/admin/users/audit").get_data(as_text=True)
    assert f"2026-{shown}:00" in audit and f"时间（{label}）" in audit
    assert "UTC" not in client.get("/admin/users/").get_data(as_text=True)


def test_a_bad_time_zone_is_refused_in_chinese(tmp_path, county_kb_path):
    with pytest.raises(TimezoneError) as raised:
        make_app(tmp_path, county_kb_path, TIMEZONE="Asia/Beijing")  # not an IANA name
    assert "GUIDEBOT_TIMEZONE" in raised.value.message and "Asia/Shanghai" in raised.value.message


def test_dashboard_counts_low_confidence_handoffs_under_handoff(setup):
    app, engine, _sent = setup
    log_question(engine, "低把握的问题", reason="low_confidence", action="handoff")
    log_question(engine, "要人工", reason="human", action="handoff")
    log_question(engine, "身份证丢了", reason="confident", action="answer")
    client = app.test_client()
    login(client, "ed")
    page = client.get("/admin/").get_data(as_text=True)
    cards = dict(re.findall(r'<div class="muted">([^<]+)</div>\s*<div class="stat">([^<]+)</div>', page))
    assert cards["转人工"] == "67%"  # both handoffs, the low-confidence one included
    assert cards["其中未能回答"] == "33%"
    assert "转人工：2" in page  # the chart's bar
