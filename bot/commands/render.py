"""Plain-text Chinese renderings of items and revisions for the ``guidebot kb`` commands."""

import datetime as dt
from collections.abc import Iterator

from knowledge import schema
from knowledge.hall_time import format_time, hall_zone
from knowledge.models import STATUS_LABELS, ItemRevision, ServiceItem

_DEFAULT_ZONE = hall_zone()


def when(moment: dt.datetime, zone: dt.tzinfo = _DEFAULT_ZONE) -> str:
    """A timestamp in the hall's time zone (``GUIDEBOT_TIMEZONE``), to the minute."""
    return format_time(moment, zone)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _material(number: int, material: schema.Material) -> str:
    copies = f"{material.copies}份" if material.copies is not None else None
    details = [part for part in (material.form, copies) if part]
    line = f"  {number}. {material.name}" + (f"（{'，'.join(details)}）" if details else "")
    if material.required is False:
        line += "［视情况提供］"
    return line + (f"——{material.note}" if material.note else "")


def _materials(materials: list[schema.Material]) -> Iterator[str]:
    if not materials:
        yield "  无需提交材料"
    for number, material in enumerate(materials, 1):
        yield _material(number, material)


def _time_limit(limit: schema.TimeLimit) -> str:
    parts = [f"法定 {limit.legal}" if limit.legal else "", f"承诺 {limit.promised}" if limit.promised else ""]
    text = "；".join(part for part in parts if part)
    return text + (f"（{limit.note}）" if limit.note else "")


def _fee(fee: schema.Fee) -> str:
    text = "不收费" if fee.free else (fee.text or "收费")
    if fee.free and fee.text:
        text += f"（{fee.text}）"
    return text + (f"；依据：{fee.basis}" if fee.basis else "")


def _window(window: schema.Window) -> str:
    details = "，".join(part for part in (window.number, window.location) if part)
    return window.name + (f"（{details}）" if details else "")


def _online(online: schema.Online) -> str:
    text = "可以网上办理" if online.available else "不能网上办理"
    return text + "".join(f"；{part}" for part in (online.url, online.note) if part)


def item_lines(item: schema.Item) -> Iterator[str]:
    """The item's content, one labelled line or block per stated field."""
    simple = [("实施部门", item.department), ("事项类型", item.type),
              ("服务对象", "、".join(item.audience or [])), ("别名", "、".join(item.aliases or [])),
              ("受理条件", item.conditions)]
    yield from (f"{label}：{value}" for label, value in simple if value)
    yield "申请材料："
    yield from _materials(item.materials)
    for situation in item.situations or []:
        yield f"办理情形「{situation.name}」" + (f"（{situation.note}）" if situation.note else "") + "："
        yield from _materials(situation.materials)
    if item.process:
        yield "办理流程："
        yield from (f"  {number}. {step}" for number, step in enumerate(item.process, 1))
    tail = [("办理时限", _time_limit(item.time_limit) if item.time_limit else None),
            ("收费", _fee(item.fee) if item.fee else None),
            ("办理窗口", "；".join(_window(w) for w in item.windows or [])),
            ("办理地点", item.address), ("办公时间", item.hours), ("咨询电话", item.phone),
            ("网上办理", _online(item.online) if item.online else None),
            ("到现场次数", f"{item.visits} 次" if item.visits is not None else None),
            ("设定依据", item.basis)]
    yield from (f"{label}：{value}" for label, value in tail if value)
    for entry in item.faq or []:
        yield f"问：{entry.q}"
        yield f"答：{entry.a}"
    if item.updated:
        yield f"核对日期：{item.updated}"


def show_lines(row: ServiceItem, today: dt.date, zone: dt.tzinfo = _DEFAULT_ZONE) -> Iterator[str]:
    """An item as staff read it: its state, then its newest version's content."""
    item = row.item()
    yield f"{item.name}（{item.code}）"
    yield (f"状态：{status_label(row.status)}　修订：第 {row.revision} 版　"
           f"最后修改：{when(row.updated_at, zone)} {row.updated_by}")
    if row.effective_date:
        yield f"生效日期：{row.effective_date.isoformat()}"
    seen = row.visible_item(today)
    if seen is None:
        yield "机器人目前不会用这个事项回答。"
    elif seen != item:
        yield f"机器人目前仍使用已发布的版本「{seen.name}」；以下是尚未生效的新版本。"
    yield ""
    yield from item_lines(item)


def history_lines(revisions: list[ItemRevision], zone: dt.tzinfo = _DEFAULT_ZONE) -> Iterator[str]:
    """One line per revision (oldest first), with the reviewer's comment when there is one."""
    for revision in revisions:
        line = (f"第 {revision.number} 版　{when(revision.created_at, zone)}　{revision.author}　"
                f"{status_label(revision.status)}　{revision.summary}")
        if revision.effective_date:
            line += f"（生效日期 {revision.effective_date.isoformat()}）"
        yield line
        if revision.comment:
            yield f"    审核意见：{revision.comment}"
