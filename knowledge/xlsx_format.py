"""The Excel workbook layout staff fill in and the importer reads.

Sheets (header = row 1, one record a row; blank rows are skipped):

- 事项: one row per item with the scalar fields; 别名 / 服务对象 / 办理流程 hold one entry per line of
  the cell; time limit, fee and online handling are spread over 法定时限 … 网办说明.
- 材料: 事项编码, 情形 (empty = the item's general materials, otherwise the situation's name),
  材料名称, 形式, 份数, 备注, 是否必需. Row order is material order.
- 情形: 事项编码, 情形名称, 说明 — situations whose materials differ (listed in 材料 by name).
- 窗口: 事项编码, 窗口名称, 窗口号, 位置.
- 常见问题: 事项编码, 问题, 回答.
- 大厅: one row: 名称, 地址, 办公时间, 咨询电话, 投诉电话, 网站.
- 说明: instructions for staff; ignored on import.

Empty cells mean "not stated"; cell text is trimmed. Every header carries a comment explaining it.
是/否 columns offer a drop-down of 是 and 否 (anything else is refused as it is typed), 形式 suggests
the four forms, integer columns take whole numbers only, and text columns refuse text longer than
``knowledge.schema.MAX_LENGTHS`` allows. The blank template has one example row in each sheet with
an 事项编码 column; rows whose 事项编码 is 「示例」 are skipped on import, so staff may keep them.
"""

import contextlib
import logging
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from knowledge.errors import InterchangeError, Problem
from knowledge.schema import MAX_LENGTHS, KnowledgeBase
from knowledge.tabular import (
    FAQ_COLUMNS,
    HALL_COLUMNS,
    ITEM_COLUMNS,
    MATERIAL_COLUMNS,
    MAX_COLUMNS,
    MISSING_SHEET,
    SITUATION_COLUMNS,
    WINDOW_COLUMNS,
    Column,
    Kind,
    Origin,
    Origins,
    cells_from_record,
    parse_cell,
    read_table,
    record_from_cells,
)

log = logging.getLogger(__name__)

CODE = Column("事项编码", ("code",), Kind.TEXT, "必填。所属事项的编码，须与「事项」表中的一致。", True, 16)
SITUATION_REF = Column(
    "情形",
    ("situation",),
    Kind.TEXT,
    "留空表示通用材料；填写情形名称表示该情形需要的材料（情形须在「情形」表中登记）。",
    width=20,
)
ITEMS, MATERIALS, SITUATIONS, WINDOWS = "事项", "材料", "情形", "窗口"
FAQ, HALL, GUIDE = "常见问题", "大厅", "说明"
#: Sheet name → its columns, in workbook order.
SHEETS: dict[str, tuple[Column, ...]] = {
    ITEMS: ITEM_COLUMNS,
    MATERIALS: (CODE, SITUATION_REF, *MATERIAL_COLUMNS),
    SITUATIONS: (CODE, *SITUATION_COLUMNS),
    WINDOWS: (CODE, *WINDOW_COLUMNS),
    FAQ: (CODE, *FAQ_COLUMNS),
    HALL: HALL_COLUMNS,
}
GUIDE_LINES = (
    "填写说明",
    "1. 每张表第1行是列名，请勿修改；把鼠标停在列名上可以看到该列的说明。",
    "2. 「事项」表每行一个事项；「事项编码」「事项名称」「实施部门」必填，编码不能重复。",
    "3. 别名、服务对象、办理流程：一个单元格内一行写一项（按 Alt+Enter 换行）。",
    "4. 「材料」「情形」「窗口」「常见问题」表每行一条，用「事项编码」对应到事项；行的先后顺序就是显示顺序。",
    "5. 「材料」表的「情形」列留空表示通用材料；填写情形名称表示该情形需要的材料，情形须先在「情形」表登记。",
    "6. 是/否 类的列只能填「是」或「否」；份数、到现场次数填整数；更新日期格式为 2026-03-02。",
    "7. 「大厅」表只填第2行一行。留空的单元格表示「未说明」。",
    "8. 导入时会一次列出所有问题（表名、行号、列名），改正后重新导入即可；有任何问题时不会导入任何内容。",
    "9. 空白模板各表的第2行（事项编码为「示例」，灰色斜体）是填写示例，导入时自动跳过，可以保留也可以删除。",
    "10. 是/否 类的列可从下拉列表选择；文字太长、份数不是整数时，Excel 会在输入时提示。",
)
#: Rows whose 事项编码 is this are examples: the blank template has one in each sheet; imports skip them.
EXAMPLE_CODE = "示例"
EXAMPLE_ITEM: dict[str, Any] = {
    "code": EXAMPLE_CODE,
    "name": "居民身份证补领（示例，导入时跳过）",
    "aliases": ["身份证丢了", "补办身份证"],
    "department": "县公安局",
    "type": "行政确认",
    "audience": ["自然人"],
    "conditions": "本县户籍居民身份证丢失或损坏的。",
    "materials": [{"name": "居民户口簿", "form": "原件", "copies": 1, "required": True}],
    "situations": [
        {
            "name": "未满16周岁",
            "note": "由监护人陪同办理",
            "materials": [{"name": "监护人居民身份证", "form": "原件", "copies": 1}],
        }
    ],
    "process": ["取号", "窗口受理并采集照片", "缴费", "领证"],
    "time_limit": {"legal": "60个工作日", "promised": "20个工作日"},
    "fee": {"free": False, "text": "工本费每证20元", "basis": "价格主管部门核定的收费标准"},
    "windows": [{"name": "公安户政窗口", "number": "1-6号", "location": "一楼A区"}],
    "online": {"available": True, "url": "https://zwfw.example.gov.cn", "note": "可网上预约"},
    "visits": 1,
    "faq": [{"q": "身份证丢了能加急吗？", "a": "可以申请加急，承诺时限为7个工作日。"}],
    "updated": "2026-03-02",
}
#: Which model's lengths each sheet's columns follow (an item column path of two parts: its part's model).
_MODELS = {ITEMS: "Item", MATERIALS: "Material", SITUATIONS: "Situation", WINDOWS: "Window", FAQ: "FaqEntry",
           HALL: "Hall"}
_PARTS = {"time_limit": "TimeLimit", "fee": "Fee", "online": "Online"}
MATERIAL_FORM_LIST = "原件,复印件,原件及复印件,电子"


def is_example(cells: dict[str, object]) -> bool:
    """A filled-in example row (事项编码 「示例」), which the importer skips."""
    return parse_cell(cells.get(CODE.header), Kind.TEXT) == EXAMPLE_CODE


#: Bytes the parts of one workbook may unpack to (a zip bomb unpacks to gigabytes).
MAX_UNPACKED = 200 * 1024 * 1024
_UNREADABLE = "无法打开这个 Excel 文件，文件可能已损坏或不是 .xlsx 格式"
_DECLARATIONS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


def _screen(path: Path, file: str) -> None:
    """Refuse a workbook whose XML declares a DOCTYPE or entities, or that unpacks to too much.

    A genuine .xlsx never has either; openpyxl would expand the entities (a "billion laughs" file
    grows without bound) or fail with an XML error. Checked before openpyxl reads anything.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > MAX_UNPACKED:
                message = f"文件解压后超过 {MAX_UNPACKED // 1024 // 1024}MB，不是正常的导入文件"
                raise InterchangeError([Problem(file, None, None, None, message)])
            for member in members:
                if member.filename.endswith((".xml", ".rels", ".vml")) and _declares(archive, member):
                    message = "文件中含有 DOCTYPE 或实体声明（正常的 Excel 文件没有），已拒绝导入"
                    raise InterchangeError([Problem(file, None, None, None, message)])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise InterchangeError([Problem(file, None, None, None, _UNREADABLE)]) from exc


def _declares(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(1 << 16):
            window = tail + chunk
            if any(marker in window for marker in _DECLARATIONS):
                return True
            tail = window[-32:]
    return False


def read_xlsx(path: Path, file: str, problems: list[Problem]) -> tuple[dict[str, Any], Origins]:
    """The workbook as a guidebot-kb/1 dict plus the origin of every value; problems appended."""
    _screen(path, file)
    try:
        tables = _read_tables(path, file, problems)
    except InterchangeError:
        raise
    except Exception as exc:
        # openpyxl raises what its XML parser and converters raise (ParseError, ValueError, TypeError…)
        # on a damaged part: the file is bad input, never a server error.
        log.warning("cannot read workbook %s: %s: %s", file, type(exc).__name__, exc)
        raise InterchangeError([Problem(file, None, None, None, _UNREADABLE)]) from exc
    return _assemble(tables, file, problems)


Tables = dict[str, list[tuple[int, dict[str, object]]]]


def _read_tables(path: Path, file: str, problems: list[Problem]) -> Tables:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise InterchangeError([Problem(file, None, None, None, _UNREADABLE)]) from exc
    try:
        tables: dict[str, list[tuple[int, dict[str, object]]]] = {}
        for name in workbook.sheetnames:
            if name == GUIDE:
                continue
            if name not in SHEETS:
                message = f"不认识的工作表「{name}」，可用的工作表: {'、'.join(SHEETS)}"
                problems.append(Problem(file, None, None, None, message))
                continue
            sheet = workbook[name]
            sheet.reset_dimensions()  # some writers store a wrong used range; read every row there is
            # closing: a sheet refused half-way (too many rows) must not leave its part open.
            with contextlib.closing(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)) as cells:
                rows: Iterable[tuple[int, Sequence[object]]] = enumerate(cells, start=1)
                read = read_table(rows, SHEETS[name], file=file, sheet=name, problems=problems)
                tables[name] = [(row, values) for row, values in read if not is_example(values)]
    finally:
        workbook.close()
    return tables


def _assemble(tables: Tables, file: str, problems: list[Problem]) -> tuple[dict[str, Any], Origins]:
    for required in (ITEMS, HALL):
        if required not in tables:
            problems.append(Problem(file, None, None, None, MISSING_SHEET, required))
    origins: Origins = {}
    hall = _hall(tables.get(HALL, []), file, problems, origins)
    data: dict[str, Any] = {"format": "guidebot-kb/1", "hall": hall}
    items = _Items(file, problems, origins)
    for row, cells in tables.get(ITEMS, []):
        items.add_item(row, cells)
    for row, cells in tables.get(SITUATIONS, []):
        items.add_situation(row, cells)
    children = ((MATERIALS, "materials", MATERIAL_COLUMNS), (WINDOWS, "windows", WINDOW_COLUMNS))
    for sheet, key, columns in (*children, (FAQ, "faq", FAQ_COLUMNS)):
        for row, cells in tables.get(sheet, []):
            items.add_child(sheet, key, columns, row, cells)
    data["items"] = items.items
    return data, origins


def _hall(
    rows: list[tuple[int, dict[str, object]]], file: str, problems: list[Problem], origins: Origins
) -> dict[str, Any]:
    if not rows:
        origins[("hall", "name")] = Origin(HALL, 2, "名称")
        return {}
    for row, _cells in rows[1:]:
        problems.append(Problem(file, row, None, None, "「大厅」表只能填写一行（第2行）", HALL))
    row, cells = rows[0]
    return record_from_cells(HALL_COLUMNS, cells, ("hall",), Origin(HALL, row, None), origins)


class _Items:
    """Collects items and attaches the rows of the child sheets to them by code."""

    def __init__(self, file: str, problems: list[Problem], origins: Origins) -> None:
        self.file, self.problems, self.origins = file, problems, origins
        self.items: list[dict[str, Any]] = []
        self._index: dict[str, tuple[int, int]] = {}  # code → (item index, row)
        self._situations: dict[tuple[int, str], int] = {}  # (item index, name) → situation index

    def add_item(self, row: int, cells: dict[str, object]) -> None:
        index = len(self.items)
        origin = Origin(ITEMS, row, None)
        item = record_from_cells(ITEM_COLUMNS, cells, ("items", index), origin, self.origins)
        item["materials"] = []
        code = item.get("code")
        if isinstance(code, str):
            if code in self._index:
                message = f"事项编码重复（与第{self._index[code][1]}行相同）"
                self.problems.append(Problem(self.file, row, code, "事项编码", message, ITEMS))
            else:
                self._index[code] = (index, row)
        self.items.append(item)

    def _owner(self, sheet: str, row: int, cells: dict[str, object]) -> int | None:
        code = parse_cell(cells.get(CODE.header), Kind.TEXT)
        if code is None:
            self.problems.append(Problem(self.file, row, None, CODE.header, "必须填写", sheet))
            return None
        if not isinstance(code, str) or code not in self._index:
            message = "「事项」表中没有这个事项编码"
            self.problems.append(Problem(self.file, row, str(code), CODE.header, message, sheet))
            return None
        return self._index[code][0]

    def add_situation(self, row: int, cells: dict[str, object]) -> None:
        index = self._owner(SITUATIONS, row, cells)
        if index is None:
            return
        situations = self.items[index].setdefault("situations", [])
        loc = ("items", index, "situations", len(situations))
        record = record_from_cells(SITUATION_COLUMNS, cells, loc, Origin(SITUATIONS, row, None), self.origins)
        record["materials"] = []
        name = record.get("name")
        if isinstance(name, str):
            if (index, name) in self._situations:
                code = self.items[index]["code"]
                message = "同一事项的情形名称重复"
                self.problems.append(Problem(self.file, row, code, "情形名称", message, SITUATIONS))
                return
            self._situations[(index, name)] = len(situations)
        situations.append(record)

    def add_child(
        self, sheet: str, key: str, columns: Sequence[Column], row: int, cells: dict[str, object]
    ) -> None:
        index = self._owner(sheet, row, cells)
        if index is None:
            return
        item = self.items[index]
        prefix: tuple[str | int, ...] = ("items", index)
        situation = parse_cell(cells.get(SITUATION_REF.header), Kind.TEXT) if sheet == MATERIALS else None
        if situation is None:
            target = item.setdefault(key, [])
        elif isinstance(situation, str) and (index, situation) in self._situations:
            position = self._situations[(index, situation)]
            target = item["situations"][position]["materials"]
            prefix = (*prefix, "situations", position)
        else:
            message = f"情形「{situation}」没有在「情形」表中登记"
            self.problems.append(Problem(self.file, row, item["code"], SITUATION_REF.header, message, sheet))
            return
        loc = (*prefix, key, len(target))
        target.append(record_from_cells(columns, cells, loc, Origin(sheet, row, None), self.origins))


def write_xlsx(kb: KnowledgeBase | None, path: Path) -> None:
    """Write ``kb`` in the workbook layout; ``None`` writes the empty template."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    rows: dict[str, list[list[Any]]] = {name: [] for name in SHEETS}
    if kb is not None:
        rows[HALL].append(cells_from_record(HALL_COLUMNS, kb.hall.dump()))
        for item in kb.items:
            _item_rows(item.dump(), rows)
    else:
        _item_rows(EXAMPLE_ITEM, rows)
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        _write_sheet(sheet, columns, rows[name])
        _add_checks(sheet, name, columns)
        if kb is None and name != HALL:
            for cell in sheet[2]:
                cell.font = _EXAMPLE_FONT
    guide = workbook.create_sheet(GUIDE)
    guide.column_dimensions["A"].width = 110
    for line in GUIDE_LINES:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    workbook.save(path)


def _item_rows(item: dict[str, Any], rows: dict[str, list[list[Any]]]) -> None:
    code = item["code"]
    rows[ITEMS].append(cells_from_record(ITEM_COLUMNS, item))
    for material in item["materials"]:
        rows[MATERIALS].append([code, None, *cells_from_record(MATERIAL_COLUMNS, material)])
    for situation in item.get("situations", []):
        rows[SITUATIONS].append([code, *cells_from_record(SITUATION_COLUMNS, situation)])
        for material in situation["materials"]:
            rows[MATERIALS].append([code, situation["name"], *cells_from_record(MATERIAL_COLUMNS, material)])
    for window in item.get("windows", []):
        rows[WINDOWS].append([code, *cells_from_record(WINDOW_COLUMNS, window)])
    for entry in item.get("faq", []):
        rows[FAQ].append([code, *cells_from_record(FAQ_COLUMNS, entry)])


_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="808080")


def _check(kind: str, **options: Any) -> DataValidation:
    options.setdefault("errorTitle", "填写有误")
    return DataValidation(type=kind, allow_blank=True, showErrorMessage=True, **options)


def _add_checks(sheet: Worksheet, name: str, columns: Sequence[Column]) -> None:
    """Drop-downs for 是/否 and 形式, whole numbers for integer columns, length limits for text."""
    for cell, column in zip(sheet[1], columns, strict=True):
        cells = f"{cell.column_letter}2:{cell.column_letter}1048576"
        if column.kind in (Kind.BOOL, Kind.NOT_BOOL):
            check = _check("list", formula1='"是,否"', error="只能填「是」或「否」（可从下拉列表选），或留空")
        elif column.header == "形式":
            check = _check("list", formula1=f'"{MATERIAL_FORM_LIST}"', errorStyle="warning",
                           error="一般填 原件、复印件、原件及复印件 或 电子；确定要填其他内容吗？")
        elif column.kind is Kind.INT:
            check = _check("whole", operator="greaterThanOrEqual", formula1="0", error="请填写0或正整数")
        elif column.kind is Kind.TEXT and (limit := _limit(name, column)) is not None:
            check = _check("textLength", operator="lessThanOrEqual", formula1=str(limit),
                           error=f"不能超过 {limit} 个字")
        else:
            continue
        check.add(cells)
        sheet.add_data_validation(check)


def _limit(sheet: str, column: Column) -> int | None:
    """The longest text ``column`` of ``sheet`` may hold (``knowledge.schema.MAX_LENGTHS``)."""
    if column is CODE:
        return MAX_LENGTHS["Item"]["code"]
    if column is SITUATION_REF:
        return MAX_LENGTHS["Situation"]["name"]
    model = _PARTS.get(column.path[0], "") if len(column.path) == 2 else _MODELS.get(sheet, "")
    return MAX_LENGTHS.get(model, {}).get(column.path[-1])
_WRAP = Alignment(wrap_text=True, vertical="top")


def _write_sheet(sheet: Worksheet, columns: Sequence[Column], rows: list[list[Any]]) -> None:
    sheet.append([column.header for column in columns])
    for cell, column in zip(sheet[1], columns, strict=True):
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = _HEADER_FILL
        comment = Comment(column.help, "guidebot")
        comment.width, comment.height = 240, 90
        cell.comment = comment
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width
        if column.kind in (Kind.TEXT, Kind.DATE, Kind.LINES):
            sheet.column_dimensions[letter].number_format = "@"  # keep codes like 001 and dates as text
    sheet.freeze_panes = "A2"
    for number, values in enumerate(rows, start=2):
        for position, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=number, column=position, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never let "=..." become a formula
                if "\n" in value:
                    cell.alignment = _WRAP
