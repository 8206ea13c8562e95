"""Read and write knowledge bases as guidebot-kb/1 JSON, Excel workbooks (.xlsx) and CSV files.

Every format is turned into a guidebot-kb/1 dict first and validated by ``knowledge.schema`` (the one
validation path); pydantic's errors are then translated into Chinese problems that name the file,
the sheet and row (or the item code and JSON path) and the column. All problems in a file are
collected before ``InterchangeError`` is raised, so a clerk can fix everything in one go.
The sheet layouts are documented in ``knowledge.xlsx_format`` and ``knowledge.csv_format``.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from knowledge.csv_format import read_csv, write_csv
from knowledge.errors import InterchangeError, Problem
from knowledge.schema import FORMAT, MAX_DEPTH, KnowledgeBase
from knowledge.tabular import FIELD_LABELS, MISSING_COLUMN, MISSING_SHEET, Loc, Origins, unwritable
from knowledge.xlsx_format import SHEETS, read_xlsx, write_xlsx

SUFFIXES = (".json", ".xlsx", ".csv")
#: Items one file may hold: several times a whole province's catalogue (广东 2021: 2,262 items).
MAX_ITEMS = 10_000
Locate = Callable[[Loc, str], Problem]

_JSON_REASONS = {
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "键名必须用英文双引号括起来（或有多余的逗号）",
    "Expecting value": "缺少值（或有多余的逗号）",
    "Extra data": "文档结束后还有多余的内容",
    "Unterminated string starting at": "字符串缺少结尾的引号",
    "Invalid control character at": "字符串中有不允许的控制字符（如直接换行）",
    "Invalid \\escape": "无效的转义符（反斜杠）",
}


def read_document(path: str | Path, *, name: str | None = None) -> KnowledgeBase:
    """Read and validate a .json, .xlsx or .csv knowledge base.

    ``name`` is the file name shown in problems (e.g. the uploaded name of a temporary file).
    Raises ``InterchangeError`` listing every problem found.
    """
    path = Path(path)
    file = name or path.name
    suffix = Path(file).suffix.lower() if name else path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = "请在 Excel 中另存为 .xlsx 格式" if suffix == ".xls" else "只能导入 .json、.xlsx 或 .csv 文件"
        message = f"不支持的文件类型「{suffix or '无扩展名'}」，{hint}"
        raise InterchangeError([Problem(file, None, None, None, message)])
    if not path.is_file():
        raise InterchangeError([Problem(file, None, None, None, "找不到这个文件")])
    raw = path.read_bytes()
    if not raw.removeprefix(b"\xef\xbb\xbf").strip():
        raise InterchangeError([Problem(file, None, None, None, "文件是空的")])
    problems: list[Problem] = []
    if suffix == ".json":
        document = _read_json(raw, file, problems)
        if document is None:
            raise InterchangeError(problems)
        duplicates = _duplicates(file, document)
        problems.extend(duplicates)
        repeated = {problem.code for problem in duplicates}
        return _validate(
            document,
            problems,
            lambda loc, message: _json_problem(file, document, repeated, loc, message),
            sheet=False,
        )
    reader = read_xlsx if suffix == ".xlsx" else read_csv
    data, origins = reader(path, file, problems)
    return _validate(
        data, problems, lambda loc, message: _sheet_problem(file, data, origins, loc, message), sheet=True
    )


def write_document(kb: KnowledgeBase, path: str | Path) -> Path:
    """Write ``kb`` in the format given by the extension; returns the path written.

    Raises ``InterchangeError`` when a value cannot be represented in a sheet (e.g. a line break inside
    one alias, or a ｜ inside a CSV material), rather than writing a file that would read back different.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        message = f"不支持的文件类型「{suffix or '无扩展名'}」，只能导出 .json、.xlsx 或 .csv 文件"
        raise InterchangeError([Problem(path.name, None, None, None, message)])
    if suffix == ".json":
        text = json.dumps(kb.dump(), ensure_ascii=False, indent=2)
        path.write_text(text + "\n", encoding="utf-8")
        return path
    problems = unwritable(kb, path.name, packed=suffix == ".csv")
    if problems:
        raise InterchangeError(problems)
    (write_xlsx if suffix == ".xlsx" else write_csv)(kb, path)
    return path


def write_template(path: str | Path) -> Path:
    """Write an empty workbook with every sheet, header notes and a 说明 sheet for staff to fill in."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InterchangeError([Problem(path.name, None, None, None, "模板只能保存为 .xlsx 文件")])
    write_xlsx(None, path)
    return path


def _read_json(raw: bytes, file: str, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(file, None, None, None, "文件不是 UTF-8 编码，请用 UTF-8 保存"))
        return None
    try:
        data = json.loads(text, object_pairs_hook=_pairs_hook(file, problems))
    except json.JSONDecodeError as exc:
        reason = next((zh for en, zh in _JSON_REASONS.items() if exc.msg.startswith(en)), exc.msg)
        problems.append(Problem(file, exc.lineno, None, None, f"JSON 格式错误（第{exc.colno}列）: {reason}"))
        return None
    except RecursionError:
        problems.append(Problem(file, None, None, None, _TOO_DEEP))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(file, None, None, None, "文件内容必须是一个 JSON 对象（{…}）"))
        return None
    deep = _too_deep(data)
    if deep is not None:
        problems.append(Problem(file, None, None, _json_path(deep) or None, _TOO_DEEP))
        return None
    items = data.get("items")
    if isinstance(items, list) and len(items) > MAX_ITEMS:
        problems.append(Problem(file, None, None, "items", _too_many(len(items))))
        return None
    return data


_TOO_DEEP = f"嵌套层数超过格式允许的 {MAX_DEPTH} 层（{{…}} 或 […] 套得太深），这不是 guidebot-kb/1 文件"


def _too_many(count: int) -> str:
    return f"共 {count} 个事项，超过一个文件最多 {MAX_ITEMS} 个的上限，请分成几个文件导入"


def _too_deep(data: Any) -> Loc | None:
    """The location of the first container nested deeper than the format allows, or None (no recursion)."""
    stack: list[tuple[Any, Loc]] = [(data, ())]
    while stack:
        value, loc = stack.pop()
        if len(loc) >= MAX_DEPTH:
            return loc
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        stack.extend((inner, (*loc, key)) for key, inner in pairs if isinstance(inner, (dict, list)))
    return None


def _duplicates(file: str, data: dict[str, Any]) -> list[Problem]:
    """Every repeated item code, with both positions (the schema would only report the first)."""
    problems: list[Problem] = []
    items = data.get("items")
    first: dict[str, int] = {}
    for index, item in enumerate(items if isinstance(items, list) else []):
        code = item.get("code") if isinstance(item, dict) else None
        if isinstance(code, str):
            if code in first:
                message = f"事项编码重复（第{first[code] + 1}个和第{index + 1}个事项）"
                problems.append(Problem(file, None, code, "code", message))
            first.setdefault(code, index)
    return problems


def _pairs_hook(file: str, problems: list[Problem]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                problems.append(Problem(file, None, None, key, "同一对象中这个键出现了两次"))
            result[key] = value
        return result

    return hook


def _validate(data: dict[str, Any], problems: list[Problem], locate: Locate, *, sheet: bool) -> KnowledgeBase:
    absent = {(p.sheet, p.column) for p in problems if p.message in (MISSING_COLUMN, MISSING_SHEET)}
    try:
        kb = KnowledgeBase.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if not error["loc"] and problems:
                continue  # the schema's duplicate-code check; already reported with its row
            problem = locate(tuple(error["loc"]), _rule(error, sheet=sheet))
            if error["type"] == "missing" and absent & {
                (problem.sheet, problem.column),
                (problem.sheet, None),
            }:
                continue  # said once for the whole column rather than once a row
            problems.append(problem)
    if problems:
        if sheet:
            order = {name: position for position, name in enumerate(SHEETS)}
            problems.sort(key=lambda p: (order.get(p.sheet or "", -1), p.row or 0))
        raise InterchangeError(problems)
    return kb


def _rule(error: ErrorDetails, *, sheet: bool) -> str:
    """The Chinese wording of one pydantic error (without its location)."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "missing":
        return "必须填写" if sheet else "缺少必填字段"
    if kind == "extra_forbidden":
        return "不认识的字段（格式中没有这个键）"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "必须是整数"
    if kind in ("bool_type", "bool_parsing"):
        return "只能填「是」或「否」" if sheet else "必须是 true 或 false"
    if kind == "string_type":
        return "必须是文字（请把单元格格式设为「文本」）" if sheet else "必须是文字（带引号的字符串）"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "list_type":
        return "必须是列表（[…]）"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "必须是对象（{…}）"
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}"
    if kind == "literal_error":
        return f"必须是「{FORMAT}」"
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"].removeprefix("Value error, "))
    return f"不符合格式要求（{error['msg']}）"


def _json_path(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _item_code(data: dict[str, Any], loc: Loc) -> str | None:
    if len(loc) < 2 or loc[0] != "items" or not isinstance(loc[1], int):
        return None
    items = data.get("items")
    item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
    code = item.get("code") if isinstance(item, dict) else None
    return code if isinstance(code, str) and code.strip() else None


def _json_problem(
    file: str, data: dict[str, Any], repeated: set[str | None], loc: Loc, message: str
) -> Problem:
    code = _item_code(data, loc)
    if code in repeated:
        code = None  # a repeated code would not say which item is meant: give the position instead
    path = loc[2:] if code else loc
    return Problem(file, None, code, _json_path(path) or None, message)


def _sheet_problem(file: str, data: dict[str, Any], origins: Origins, loc: Loc, message: str) -> Problem:
    code = _item_code(data, loc)
    origin = origins.get(loc)
    if origin is not None:
        return Problem(file, origin.row, code, origin.column, origin.detail + message, origin.sheet)
    for length in range(len(loc) - 1, 0, -1):  # the nearest recorded record, e.g. the row of an item
        parent = origins.get(loc[:length])
        if parent is not None:
            label = next((FIELD_LABELS.get(p, p) for p in reversed(loc) if isinstance(p, str)), None)
            column = parent.column or label
            detail = parent.detail + (label or "") if parent.column else parent.detail
            return Problem(file, parent.row, code, column, detail + message, parent.sheet)
    return Problem(file, None, code, _json_path(loc) or None, message)
