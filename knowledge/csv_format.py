"""The CSV layout: one table, one row per item.

A CSV file holds a single table, so everything that the workbook keeps on separate sheets is packed
into cells of the item's row. The columns are, in order:

- the 事项 sheet's columns (事项编码 … 更新日期), with the same meaning;
- packed columns, one entry per line of the cell, the parts of an entry separated by a full-width
  bar ``｜`` (an ASCII ``|`` is accepted too); trailing empty parts may be left out:

  ====== ==============================================================
  申请材料 ``材料名称｜形式｜份数｜备注｜是否必需``  (the item's general materials)
  办理情形 ``情形名称｜说明``
  情形材料 ``情形名称｜材料名称｜形式｜份数｜备注｜是否必需``  (the situation must be listed in 办理情形)
  办理窗口 ``窗口名称｜窗口号｜位置``
  常见问题 ``问题｜回答``
  ====== ==============================================================

- the hall: 大厅名称, 大厅地址, 大厅办公时间, 大厅咨询电话, 大厅投诉电话, 大厅网站 — filled on the first
  item row; later rows leave them empty (or repeat the same values).

Files are read as UTF-8 with or without a BOM and with CRLF or LF line ends (as Excel writes
"CSV UTF-8"); they are written as UTF-8 with a BOM and CRLF so that Excel opens them correctly.

Formula-safe cells: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula, and item names can come from citizens' text (新建事项 from the
unanswered queue). Such a cell is written with a leading apostrophe (``'=HYPERLINK(…)``), as is a
cell that already starts with one, and the reader takes exactly one apostrophe off such a cell, so
an export reads back unchanged.
Example 申请材料 cell: ``居民户口簿｜原件｜1`` newline ``证件照片｜｜｜窗口现场免费采集｜否``.
"""

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from knowledge.errors import InterchangeError, Problem
from knowledge.schema import KnowledgeBase
from knowledge.tabular import (
    FAQ_COLUMNS,
    HALL_COLUMNS,
    ITEM_COLUMNS,
    MATERIAL_COLUMNS,
    SITUATION_COLUMNS,
    WINDOW_COLUMNS,
    Column,
    Kind,
    Origin,
    Origins,
    cells_from_record,
    is_blank,
    read_table,
    record_from_cells,
)

SEPARATOR = "｜"
_SPLIT = re.compile(r"[｜|]")
#: First characters that make a spreadsheet treat a CSV cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs: an apostrophe before a trigger or an apostrophe."""
    return "'" + text if text.startswith((*FORMULA_TRIGGERS, "'")) else text


def formula_unsafe(text: str) -> str:
    """The text a :func:`formula_safe` cell stands for."""
    return text[1:] if text.startswith("'") and text[1:].startswith((*FORMULA_TRIGGERS, "'")) else text


@dataclass(frozen=True)
class Packed:
    """A cell holding a list of records, one a line, parts separated by ｜."""

    header: str
    key: str
    parts: tuple[Column, ...]

    @property
    def pattern(self) -> str:
        return SEPARATOR.join(part.header for part in self.parts)


_SITUATION = Column("情形名称", ("situation",), Kind.TEXT, "", True)
MATERIALS = Packed("申请材料", "materials", MATERIAL_COLUMNS)
SITUATIONS = Packed("办理情形", "situations", SITUATION_COLUMNS)
SITUATION_MATERIALS = Packed("情形材料", "materials", (_SITUATION, *MATERIAL_COLUMNS))
WINDOWS = Packed("办理窗口", "windows", WINDOW_COLUMNS)
FAQ = Packed("常见问题", "faq", FAQ_COLUMNS)
PACKED = (MATERIALS, SITUATIONS, SITUATION_MATERIALS, WINDOWS, FAQ)
CSV_HALL_COLUMNS = tuple(replace(column, header="大厅" + column.header) for column in HALL_COLUMNS)
_PACKED_COLUMNS = tuple(Column(p.header, (), Kind.TEXT, f"一行一项: {p.pattern}") for p in PACKED)
CSV_COLUMNS: tuple[Column, ...] = (*ITEM_COLUMNS, *_PACKED_COLUMNS, *CSV_HALL_COLUMNS)


def read_csv(path: Path, file: str, problems: list[Problem]) -> tuple[dict[str, Any], Origins]:
    """The CSV file as a guidebot-kb/1 dict plus the origin of every value; problems appended."""
    reader = None
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            rows = read_table(_unescaped(reader), CSV_COLUMNS, file=file, sheet=None, problems=problems)
    except UnicodeDecodeError as exc:
        hint = "文件不是 UTF-8 编码，请在 Excel 中「另存为」并选择「CSV UTF-8（逗号分隔）」"
        raise InterchangeError([Problem(file, None, None, None, hint)]) from exc
    except csv.Error as exc:
        line = reader.line_num if reader is not None else None
        raise InterchangeError([Problem(file, line or None, None, None, _csv_error(exc))]) from exc
    origins: Origins = {("hall", "name"): Origin(None, 2, "大厅名称")}
    hall = _hall(rows, file, problems, origins)
    items: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for row, cells in rows:
        if all(is_blank(cells.get(column.header)) for column in (*ITEM_COLUMNS, *_PACKED_COLUMNS)):
            continue  # a row that only carries the hall
        index = len(items)
        item = record_from_cells(ITEM_COLUMNS, cells, ("items", index), Origin(None, row, None), origins)
        code = item.get("code")
        if isinstance(code, str):
            if code in first_row:
                message = f"事项编码重复（与第{first_row[code]}行相同）"
                problems.append(Problem(file, row, code, "事项编码", message))
            first_row.setdefault(code, row)
        _unpack_item(item, index, row, cells, file, problems, origins)
        items.append(item)
    return {"format": "guidebot-kb/1", "hall": hall, "items": items}, origins


def _unescaped(reader: Any) -> Any:
    """(row number, cells) of the file, formula escapes taken off, read one row at a time."""
    for number, row in enumerate(reader, start=1):
        yield number, [formula_unsafe(cell) for cell in row]


def _csv_error(exc: csv.Error) -> str:
    text = str(exc)
    if "NUL" in text:
        return "文件中有空字符（NUL），这不是 CSV 文本文件；请在 Excel 中另存为「CSV UTF-8（逗号分隔）」"
    if "field larger than field limit" in text:
        return "有单元格内容过长（超过 131072 个字符），请检查引号是否成对"
    return "CSV 格式错误：引号不成对或有多余的引号，请在 Excel 中重新另存为「CSV UTF-8（逗号分隔）」"


def _hall(
    rows: list[tuple[int, dict[str, object]]], file: str, problems: list[Problem], origins: Origins
) -> dict[str, Any]:
    hall: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for row, cells in rows:
        record = record_from_cells(CSV_HALL_COLUMNS, cells, ("hall",), Origin(None, row, None), {})
        for key, value in record.items():
            if key not in hall:
                hall[key], seen[key] = value, row
                column = next(c.header for c in CSV_HALL_COLUMNS if c.path == (key,))
                origins[("hall", key)] = Origin(None, row, column)
            elif hall[key] != value:
                column = next(c.header for c in CSV_HALL_COLUMNS if c.path == (key,))
                message = f"大厅信息与第{seen[key]}行不同；大厅信息只需在第一行填写"
                problems.append(Problem(file, row, None, column, message))
    return hall


def _entries(
    packed: Packed, cell: object, row: int, code: Any, file: str, problems: list[Problem]
) -> list[tuple[int, dict[str, object]]]:
    """The entries of a packed cell as (1-based position, part header → text)."""
    if is_blank(cell):
        return []
    lines = [line.strip() for line in str(cell).replace("\r\n", "\n").split("\n") if line.strip()]
    entries = []
    for position, line in enumerate(lines, start=1):
        parts = _SPLIT.split(line)
        if len(parts) > len(packed.parts):
            message = f"第{position}项分隔符「{SEPARATOR}」太多，格式应为 {packed.pattern}"
            problems.append(Problem(file, row, _code(code), packed.header, message))
            continue
        entries.append((position, dict(zip((part.header for part in packed.parts), parts, strict=False))))
    return entries


def _unpack_item(
    item: dict[str, Any],
    index: int,
    row: int,
    cells: dict[str, object],
    file: str,
    problems: list[Problem],
    origins: Origins,
) -> None:
    code = item.get("code")

    def records(packed: Packed, prefix: tuple[str | int, ...]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for position, parts in _entries(packed, cells.get(packed.header), row, code, file, problems):
            origin = Origin(None, row, packed.header, f"第{position}项")
            found.append(record_from_cells(packed.parts, parts, (*prefix, len(found)), origin, origins))
        return found

    item["materials"] = records(MATERIALS, ("items", index, "materials"))
    for simple in (SITUATIONS, WINDOWS, FAQ):
        if not is_blank(cells.get(simple.header)):
            item[simple.key] = records(simple, ("items", index, simple.key))
    by_name: dict[str, dict[str, Any]] = {}
    for position, situation in enumerate(item.get("situations", []), start=1):
        situation["materials"] = []
        name = situation.get("name", "")
        if name in by_name:
            message = f"第{position}项的情形名称「{name}」重复"
            problems.append(Problem(file, row, _code(code), SITUATIONS.header, message))
        by_name.setdefault(name, situation)
    entries = _entries(SITUATION_MATERIALS, cells.get(SITUATION_MATERIALS.header), row, code, file, problems)
    for position, parts in entries:
        name = str(parts.pop(_SITUATION.header, "")).strip()
        situation = by_name.get(name)
        if situation is None:
            message = f"第{position}项的情形「{name}」没有写在「{SITUATIONS.header}」列中"
            problems.append(Problem(file, row, _code(code), SITUATION_MATERIALS.header, message))
            continue
        s_index = item["situations"].index(situation)
        loc = ("items", index, "situations", s_index, "materials", len(situation["materials"]))
        origin = Origin(None, row, SITUATION_MATERIALS.header, f"第{position}项")
        situation["materials"].append(record_from_cells(MATERIAL_COLUMNS, parts, loc, origin, origins))


def write_csv(kb: KnowledgeBase, path: Path) -> None:
    """Write ``kb`` in the CSV layout (UTF-8 with BOM, CRLF)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.header for column in CSV_COLUMNS])
        hall = cells_from_record(CSV_HALL_COLUMNS, kb.hall.dump())
        for number, item in enumerate(kb.items):
            data = item.dump()
            packed = [_pack(packed, data) for packed in PACKED]
            hall_cells = hall if number == 0 else [None] * len(hall)
            values = (*cells_from_record(ITEM_COLUMNS, data), *packed, *hall_cells)
            writer.writerow(_csv_cell(value) for value in values)
        if not kb.items:
            writer.writerow(_csv_cell(v) for v in ([None] * (len(ITEM_COLUMNS) + len(PACKED)) + hall))


def _pack(packed: Packed, item: dict[str, Any]) -> str | None:
    if packed is SITUATION_MATERIALS:
        lines = [
            SEPARATOR.join(_parts((situation["name"], *cells_from_record(MATERIAL_COLUMNS, material))))
            for situation in item.get("situations", [])
            for material in situation["materials"]
        ]
    else:
        lines = [
            SEPARATOR.join(_parts(cells_from_record(packed.parts, record)))
            for record in item.get(packed.key, [])
        ]
    return "\n".join(lines) or None


def _parts(values: Sequence[object]) -> list[str]:
    parts = ["" if value is None else str(value) for value in values]
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _csv_cell(value: object) -> str:
    return "" if value is None else formula_safe(str(value))


def _code(code: object) -> str | None:
    return code if isinstance(code, str) else None
