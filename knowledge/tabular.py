"""Columns shared by the Excel and CSV layouts, and conversion between cells and item dicts.

Cells are converted leniently (``"3"`` → 3, ``是`` → True, an Excel date → ``YYYY-MM-DD``); a value
that cannot be converted is passed on unchanged so that ``knowledge.schema`` rejects it and the
importer reports it with the column's Chinese header. Every cell read records an ``Origin`` under
the pydantic location it feeds, which is how a schema error finds its sheet, row and column.
"""

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from openpyxl.utils import get_column_letter

from knowledge.errors import InterchangeError, Problem

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Origin:
    """Where a value came from: sheet (None for CSV), row, column header, and a prefix for the
    message when the value is one entry of a multi-entry cell (``第3项份数``)."""

    sheet: str | None
    row: int | None
    column: str | None
    detail: str = ""


Origins = dict[Loc, Origin]


class Kind(StrEnum):
    TEXT = "text"
    LINES = "lines"  # a list of strings, one entry per line of the cell
    INT = "int"
    BOOL = "bool"  # 是 / 否
    NOT_BOOL = "not_bool"  # 是 / 否 stored inverted (是否收费 ↔ fee.free)
    DATE = "date"


@dataclass(frozen=True)
class Column:
    header: str
    path: tuple[str, ...]
    kind: Kind
    help: str
    required: bool = False
    width: int = 16


def _c(header: str, path: str, kind: Kind, help: str, required: bool = False, width: int = 16) -> Column:
    return Column(header, tuple(path.split(".")), kind, help, required, width)


T, L, N, B = Kind.TEXT, Kind.LINES, Kind.INT, Kind.BOOL

ITEM_COLUMNS: tuple[Column, ...] = (
    _c("事项编码", "code", T, "必填。事项的唯一编码，如 SF-GA-001；导入时按编码更新已有事项。", True, 16),
    _c("事项名称", "name", T, "必填。对外公布的事项全称。", True, 28),
    _c("别名", "aliases", L, "群众的口语说法，一行一个（单元格内按 Alt+Enter 换行）。", width=24),
    _c("实施部门", "department", T, "必填。负责办理的部门全称。", True, 20),
    _c("事项类型", "type", T, "如 行政许可、公共服务、行政确认、行政给付。", width=12),
    _c("服务对象", "audience", L, "如 自然人、企业法人，一行一个。", width=12),
    _c("受理条件", "conditions", T, "谁可以办、需满足什么条件。", width=36),
    _c("办理流程", "process", L, "办理步骤，一行一步。", width=36),
    _c("法定时限", "time_limit.legal", T, "法律规定的办结时限，如 20个工作日。", width=14),
    _c("承诺时限", "time_limit.promised", T, "本大厅承诺的办结时限，如 即办、5个工作日。", width=14),
    _c("时限说明", "time_limit.note", T, "关于时限的补充说明。", width=20),
    _c("是否收费", "fee.free", Kind.NOT_BOOL, "填「是」或「否」；不收费填「否」。留空表示未说明。", width=10),
    _c("收费标准", "fee.text", T, "收费金额和标准，如 工本费每证20元。", width=24),
    _c("收费依据", "fee.basis", T, "收费的文件依据。", width=24),
    _c("可网上办理", "online.available", B, "填「是」或「否」。留空表示未说明。", width=10),
    _c("网办地址", "online.url", T, "网上办理的网址。", width=28),
    _c("网办说明", "online.note", T, "网上办理的补充说明，如 可网上预约。", width=24),
    _c("办理地点", "address", T, "只在与大厅地址不同时填写。", width=24),
    _c("办公时间", "hours", T, "只在与大厅办公时间不同时填写。", width=20),
    _c("咨询电话", "phone", T, "本事项的咨询电话；与大厅相同可留空。", width=16),
    _c("到现场次数", "visits", N, "整数；0 表示全程网办。", width=10),
    _c("设定依据", "basis", T, "设定事项的法律法规。", width=28),
    _c("更新日期", "updated", Kind.DATE, "最近一次核对的日期，格式 YYYY-MM-DD，如 2026-03-02。", width=12),
)
MATERIAL_COLUMNS: tuple[Column, ...] = (
    _c("材料名称", "name", T, "必填。材料的名称。", True, 30),
    _c("形式", "form", T, "原件 / 复印件 / 原件及复印件 / 电子。", width=14),
    _c("份数", "copies", N, "整数，如 1。", width=8),
    _c("备注", "note", T, "对材料的说明。", width=30),
    _c("是否必需", "required", B, "填「是」或「否」；「否」表示视情况提供。留空按必需处理。", width=10),
)
SITUATION_COLUMNS: tuple[Column, ...] = (
    _c("情形名称", "name", T, "必填。材料有所不同的办理情形，如 未满16周岁。", True, 24),
    _c("说明", "note", T, "对该情形的说明。", width=40),
)
WINDOW_COLUMNS: tuple[Column, ...] = (
    _c("窗口名称", "name", T, "必填。如 公安户政窗口。", True, 20),
    _c("窗口号", "number", T, "如 1-6号。", width=12),
    _c("位置", "location", T, "如 一楼A区。", width=16),
)
FAQ_COLUMNS: tuple[Column, ...] = (
    _c("问题", "q", T, "必填。群众常问的问题。", True, 36),
    _c("回答", "a", T, "必填。给群众的回答。", True, 60),
)
HALL_COLUMNS: tuple[Column, ...] = (
    _c("名称", "name", T, "必填。政务服务中心的名称。", True, 24),
    _c("地址", "address", T, "大厅地址。", width=28),
    _c("办公时间", "hours", T, "如 周一至周五 9:00-12:00，13:30-17:30。", width=36),
    _c("咨询电话", "phone", T, "大厅咨询电话。", width=16),
    _c("投诉电话", "complaint_phone", T, "投诉电话。", width=16),
    _c("网站", "website", T, "政务服务网网址。", width=28),
)

#: Chinese labels of guidebot-kb/1 keys, for messages that name a field without a column.
FIELD_LABELS: dict[str, str] = {
    "code": "事项编码",
    "name": "名称",
    "aliases": "别名",
    "department": "实施部门",
    "type": "事项类型",
    "audience": "服务对象",
    "conditions": "受理条件",
    "materials": "申请材料",
    "situations": "办理情形",
    "process": "办理流程",
    "time_limit": "办理时限",
    "fee": "收费",
    "windows": "办理窗口",
    "address": "办理地点",
    "hours": "办公时间",
    "phone": "咨询电话",
    "online": "网上办理",
    "visits": "到现场次数",
    "basis": "设定依据",
    "faq": "常见问题",
    "updated": "更新日期",
    "form": "形式",
    "copies": "份数",
    "note": "说明",
    "required": "是否必需",
    "legal": "法定时限",
    "promised": "承诺时限",
    "free": "是否收费",
    "text": "收费标准",
    "number": "窗口号",
    "location": "位置",
    "available": "可网上办理",
    "url": "网办地址",
    "q": "问题",
    "a": "回答",
    "hall": "大厅",
    "items": "事项",
    "format": "格式标识",
    "complaint_phone": "投诉电话",
    "website": "网站",
}

#: Rows one sheet (or a CSV file) may hold, header included: far more than a whole province's
#: catalogue needs (广东 2021: 2,262 items, 3,434 materials), far less than what stalls a worker.
MAX_ROWS = 50_000
#: Columns read from a sheet: every layout has fewer than 40; a cell far to the right is not data.
MAX_COLUMNS = 64
#: Characters one cell may hold (Excel's own limit).
CELL_LIMIT = 32767

MISSING_COLUMN = "缺少这一必需的列"
MISSING_SHEET = "缺少这张工作表"
_TRUE, _FALSE = {"是", "true", "y", "yes"}, {"否", "false", "n", "no"}


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> object:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return value  # dates, times, booleans: the schema says 必须是文字


def parse_cell(value: object, kind: Kind) -> object | None:
    """The value a cell stands for, None when empty; unconvertible values come back unchanged."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if is_blank(value):
        return None
    if kind is Kind.LINES:
        text = _text(value)
        return [line.strip() for line in text.split("\n") if line.strip()] if isinstance(text, str) else text
    if kind is Kind.INT:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            digits = unicodedata.normalize("NFKC", value)
            return int(digits) if digits.isascii() and digits.isdigit() else value
        return value
    if kind in (Kind.BOOL, Kind.NOT_BOOL):
        flag = value
        if isinstance(value, str):
            word = value.lower()
            flag = True if word in _TRUE else False if word in _FALSE else value
        if isinstance(flag, bool) and kind is Kind.NOT_BOOL:
            return not flag
        return flag
    if kind is Kind.DATE:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
    return _text(value)


def format_cell(value: Any, kind: Kind) -> str | int | None:
    """The cell for a dumped JSON value (the inverse of ``parse_cell``)."""
    if value is None:
        return None
    if kind is Kind.LINES:
        return "\n".join(value)
    if kind is Kind.BOOL:
        return "是" if value else "否"
    if kind is Kind.NOT_BOOL:
        return "否" if value else "是"
    return value  # type: ignore[no-any-return]


def get_path(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def record_from_cells(
    columns: Sequence[Column], cells: dict[str, object], loc: Loc, origin: Origin, origins: Origins
) -> dict[str, Any]:
    """One record (item, material, window...) built from the cells of one row, origins noted."""
    record: dict[str, Any] = {}
    origins[loc] = origin
    for column in columns:
        detail = f"{origin.detail}{column.header}" if origin.detail else ""
        origins[(*loc, *column.path)] = Origin(
            origin.sheet, origin.row, origin.column or column.header, detail
        )
        if column.header not in cells:
            continue
        value = parse_cell(cells[column.header], column.kind)
        if value is None:
            continue
        target = record
        for key in column.path[:-1]:
            target = target.setdefault(key, {})
        target[column.path[-1]] = value
    return record


def cells_from_record(columns: Sequence[Column], record: dict[str, Any]) -> list[str | int | None]:
    return [format_cell(get_path(record, column.path), column.kind) for column in columns]


def read_table(
    rows: Iterable[tuple[int, Sequence[object]]],
    columns: Sequence[Column],
    *,
    file: str,
    sheet: str | None,
    problems: list[Problem],
) -> list[tuple[int, dict[str, object]]]:
    """Check the header row against ``columns`` and return the non-blank rows as header → cell."""
    known = {column.header for column in columns}
    iterator = iter(rows)
    header_row = next(iterator, None)
    if header_row is None or all(is_blank(cell) for cell in header_row[1]):
        problems.append(Problem(file, 1, None, None, "缺少表头行（第1行应为列名）", sheet))
        return []
    headers: list[str | None] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(header_row[1][:MAX_COLUMNS], start=1):
        name = None if is_blank(cell) else str(cell).strip()
        headers.append(name)
        if name is None:
            continue
        letter = get_column_letter(position)
        if name not in known:
            message = f"不认识的列名（第{letter}列），请使用模板中的列名"
            problems.append(Problem(file, 1, None, name, message, sheet))
        elif name in seen:
            message = f"列名重复（第{get_column_letter(seen[name])}列和第{letter}列）"
            problems.append(Problem(file, 1, None, name, message, sheet))
        seen.setdefault(name, position)
    for column in columns:
        if column.required and column.header not in seen:
            problems.append(Problem(file, 1, None, column.header, MISSING_COLUMN, sheet))
    result: list[tuple[int, dict[str, object]]] = []
    headless: set[int] = set()
    for number, values in iterator:
        if number > MAX_ROWS:
            where = f"「{sheet}」表" if sheet else "文件"
            message = f"{where}超过 {MAX_ROWS} 行的上限，请分成几个文件导入"
            raise InterchangeError([*problems, Problem(file, number, None, None, message, sheet)])
        if all(is_blank(cell) for cell in values):
            continue
        cells: dict[str, object] = {}
        for position, cell in enumerate(values[:MAX_COLUMNS]):
            name = headers[position] if position < len(headers) else None
            if isinstance(cell, str) and len(cell) > CELL_LIMIT:
                message = f"单元格超过 {CELL_LIMIT} 个字符的上限"
                column_name = name or get_column_letter(position + 1)
                problems.append(Problem(file, number, None, column_name, message, sheet))
            if name is None:
                if not is_blank(cell) and position not in headless:
                    headless.add(position)
                    column_name = f"第{get_column_letter(position + 1)}列"
                    message = "这一列没有列名，内容无法识别"
                    problems.append(Problem(file, number, None, column_name, message, sheet))
            if name in known and name not in cells:
                cells[name] = cell
        result.append((number, cells))
    return result


_LIST_FIELDS = ("aliases", "audience", "process")
_PACKED_FIELDS = ("materials", "situations", "windows", "faq")


def unwritable(kb: Any, file: str, *, packed: bool) -> list[Problem]:
    """Values a sheet cannot hold without changing them on the way back (``packed`` = CSV rules)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    problems: list[Problem] = []
    for item in kb.items:
        data = item.dump()
        for key in _LIST_FIELDS:
            for position, entry in enumerate(data.get(key, []), start=1):
                if "\n" in entry or "\r" in entry:
                    message = f"第{position}项含有换行，表格中一行只能写一项"
                    problems.append(Problem(file, None, item.code, FIELD_LABELS[key], message))
        if packed:
            for key in _PACKED_FIELDS:
                for path, text in _strings(data.get(key, []), key):
                    if any(mark in text for mark in ("\n", "\r", "｜", "|")):
                        message = "含有换行或「｜」，无法写入 CSV 的单元格（可导出为 .xlsx 或 .json）"
                        problems.append(Problem(file, None, item.code, path, message))
        for path, text in _strings(data, ""):
            if ILLEGAL_CHARACTERS_RE.search(text):
                problems.append(Problem(file, None, item.code, path, "含有表格不允许的控制字符"))
            elif len(text) > CELL_LIMIT:
                problems.append(Problem(file, None, item.code, path, f"超过单元格上限 {CELL_LIMIT} 个字符"))
    return problems


def _strings(value: Any, path: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for position, child in enumerate(value):
            yield from _strings(child, f"{path}[{position}]")
