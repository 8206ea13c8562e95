"""Console forms: the login form and the item form, which validates through ``knowledge.schema.Item``.

The item form has repeating rows (materials, windows, FAQ, situations), so it is read from the raw form
data rather than declared with WTForms fields; CSRF is still checked for every console POST.
Errors are keyed like the inputs (``materials-2-copies``) so the template shows each beside its field.
"""

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from pydantic import ValidationError
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from knowledge.schema import Item
from knowledge.tabular import FIELD_LABELS as TABULAR_LABELS

#: Item fields as the console names them: the importer's labels (one vocabulary for staff), with the
#: console's wording where it shows more context, plus the askable ``location`` field.
FIELD_LABELS: dict[str, str] = {key: TABULAR_LABELS[key] for key in Item.model_fields} | {
    "name": "事项名称",
    "updated": "核对日期",
    "location": "窗口与地点",
}
SCALARS = (
    "code",
    "name",
    "department",
    "type",
    "conditions",
    "address",
    "hours",
    "phone",
    "basis",
    "updated",
)
LISTS = ("aliases", "audience", "process")
MATERIAL_FORMS = ("", "原件", "复印件", "原件及复印件", "电子")


class LoginForm(FlaskForm):
    username = StringField(
        "用户名", validators=[DataRequired("请输入用户名"), Length(max=64, message="用户名不超过64个字符")]
    )
    password = PasswordField(
        "密码", validators=[DataRequired("请输入密码"), Length(max=256, message="密码不超过256个字符")]
    )


class ItemFormError(ValueError):
    """The item form did not validate; ``errors`` maps input names to Chinese messages."""

    def __init__(self, errors: dict[str, str], data: dict[str, Any]) -> None:
        super().__init__("; ".join(f"{key}: {msg}" for key, msg in errors.items()))
        self.errors, self.data = errors, data


def _text(form: Mapping[str, str], key: str) -> str:
    return (form.get(key) or "").strip()


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace("\r", "").split("\n") if line.strip()]


def _int(form: Mapping[str, str], key: str, errors: dict[str, str]) -> int | None:
    raw = _text(form, key)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        errors[key] = "必须是整数"
        return None


def _rows(form: Mapping[str, str], prefix: str) -> list[int]:
    """Row numbers present in the form for ``prefix`` (``materials-3-name`` → 3), in order."""
    found: set[int] = set()
    for key in form:
        parts = key.split("-")
        if len(parts) >= 3 and parts[0] == prefix and parts[1].isdigit():
            found.add(int(parts[1]))
    return sorted(found)


def _material(form: Mapping[str, str], key: str, errors: dict[str, str]) -> dict[str, Any] | None:
    name = _text(form, f"{key}-name")
    if not name:
        return None
    row: dict[str, Any] = {"name": name}
    for part in ("form", "note"):
        if _text(form, f"{key}-{part}"):
            row[part] = _text(form, f"{key}-{part}")
    copies = _int(form, f"{key}-copies", errors)
    if copies is not None:
        row["copies"] = copies
    if _text(form, f"{key}-optional"):
        row["required"] = False
    return row


def parse_situation_materials(text: str, key: str, errors: dict[str, str]) -> list[dict[str, Any]]:
    """``名称 | 形式 | 份数 | 备注 | 视情况`` one material a line (the last three parts optional)."""
    rows = []
    for number, line in enumerate(_lines(text), start=1):
        parts = [part.strip() for part in line.replace("｜", "|").split("|")]
        row: dict[str, Any] = {"name": parts[0]}
        if len(parts) > 1 and parts[1]:
            row["form"] = parts[1]
        if len(parts) > 2 and parts[2]:
            if parts[2].isdigit():
                row["copies"] = int(parts[2])
            else:
                errors[key] = f"第{number}行: 份数必须是整数"
        if len(parts) > 3 and parts[3]:
            row["note"] = parts[3]
        if len(parts) > 4 and parts[4] in ("视情况", "否", "false", "0"):
            row["required"] = False
        rows.append(row)
    return rows


def situation_materials_text(materials: list[dict[str, Any]]) -> str:
    """The inverse of ``parse_situation_materials``, for filling the form."""
    lines = []
    for row in materials:
        parts = [
            row["name"],
            row.get("form") or "",
            "" if row.get("copies") is None else str(row["copies"]),
            row.get("note") or "",
            "视情况" if row.get("required") is False else "",
        ]
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def item_data_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """Turn posted item-form data into guidebot-kb/1 item data and validate it through ``Item``.

    Returns the item's interchange dict; raises ``ItemFormError`` with per-input Chinese messages.
    """
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    for key in SCALARS:
        if _text(form, key):
            data[key] = _text(form, key)
    for key in LISTS:
        if _lines(form.get(key) or ""):
            data[key] = _lines(form.get(key) or "")
    visits = _int(form, "visits", errors)
    if visits is not None:
        data["visits"] = visits
    data["materials"] = [
        row
        for n in _rows(form, "materials")
        if (row := _material(form, f"materials-{n}", errors)) is not None
    ]
    situations = []
    for n in _rows(form, "situations"):
        name = _text(form, f"situations-{n}-name")
        if not name:
            continue
        situation: dict[str, Any] = {
            "name": name,
            "materials": parse_situation_materials(
                form.get(f"situations-{n}-materials") or "", f"situations-{n}-materials", errors
            ),
        }
        if _text(form, f"situations-{n}-note"):
            situation["note"] = _text(form, f"situations-{n}-note")
        situations.append(situation)
    if situations:
        data["situations"] = situations
    windows = []
    for n in _rows(form, "windows"):
        if _text(form, f"windows-{n}-name"):
            window = {"name": _text(form, f"windows-{n}-name")}
            for part in ("number", "location"):
                if _text(form, f"windows-{n}-{part}"):
                    window[part] = _text(form, f"windows-{n}-{part}")
            windows.append(window)
    if windows:
        data["windows"] = windows
    faq = [
        {"q": _text(form, f"faq-{n}-q"), "a": _text(form, f"faq-{n}-a")}
        for n in _rows(form, "faq")
        if _text(form, f"faq-{n}-q") or _text(form, f"faq-{n}-a")
    ]
    if faq:
        data["faq"] = faq
    time_limit = {
        part: _text(form, f"time_limit-{part}")
        for part in ("legal", "promised", "note")
        if _text(form, f"time_limit-{part}")
    }
    if time_limit:
        data["time_limit"] = time_limit
    if _text(form, "fee-state"):
        fee: dict[str, Any] = {"free": _text(form, "fee-state") == "free"}
        for part in ("text", "basis"):
            if _text(form, f"fee-{part}"):
                fee[part] = _text(form, f"fee-{part}")
        data["fee"] = fee
    if _text(form, "online-state"):
        online: dict[str, Any] = {"available": _text(form, "online-state") == "yes"}
        for part in ("url", "note"):
            if _text(form, f"online-{part}"):
                online[part] = _text(form, f"online-{part}")
        data["online"] = online
    try:
        Item.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            errors.setdefault(_input_name(error["loc"], data), _message(error))
    if errors:
        raise ItemFormError(errors, data)
    return data


def _input_name(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Map a pydantic error location to the form input it belongs to."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "situations" and len(parts) >= 3 and parts[2] == "materials":
        return f"situations-{parts[1]}-materials"
    if parts and parts[0] in ("materials", "windows", "faq") and len(parts) >= 2:
        # Rows were compacted (empty rows dropped): point at the row by its position in the data.
        return "-".join(parts[:3])
    if parts and parts[0] in ("aliases", "audience", "process"):
        return parts[0]
    return "-".join(parts[:2]) if parts else "form"


_MESSAGES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "int_type": "必须是整数",
    "int_parsing": "必须是整数",
    "greater_than_equal": "不能小于0",
    "bool_type": "必须选择是或否",
    "string_type": "必须是文字",
    "list_type": "格式不正确",
    "extra_forbidden": "不认识的字段",
}


#: How the repeating sections name one row and its parts, for error messages.
_SECTIONS: dict[str, tuple[str, str, dict[str, str]]] = {
    "materials": ("申请材料", "行", {"name": "材料名称", "note": "备注", "optional": "视情况提供"}),
    "situations": ("办理情形", "个", {"name": "情形名称", "materials": "该情形的材料"}),
    "windows": ("办理窗口", "行", {"name": "窗口名称"}),
    "faq": ("常见问题", "条", {}),
}
_PARTS = {"time_limit": "办理时限", "fee": "收费", "online": "网上办理"}
_EXTRA = {"effective_date": "生效日期", "summary": "修改说明", "form": "表单", "fee-state": "是否收费",
          "online-state": "可网上办理"}


def input_label(key: str) -> str:
    """The Chinese name of a form input for messages: ``materials-1-copies`` → 申请材料第2行「份数」."""
    if key in _EXTRA:
        return _EXTRA[key]
    if key in FIELD_LABELS:
        return FIELD_LABELS[key]
    parts = key.split("-")
    if parts[0] in _SECTIONS and len(parts) >= 2 and parts[1].isdigit():
        section, unit, names = _SECTIONS[parts[0]]
        where = f"{section}第{int(parts[1]) + 1}{unit}"
        if len(parts) >= 3:
            where += f"「{names.get(parts[2], TABULAR_LABELS.get(parts[2], parts[2]))}」"
        return where
    if parts[0] in _PARTS and len(parts) == 2:
        return f"{_PARTS[parts[0]]}「{TABULAR_LABELS.get(parts[1], parts[1])}」"
    return TABULAR_LABELS.get(parts[0], key)


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return _MESSAGES.get(error["type"], "内容不正确")
