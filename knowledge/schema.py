"""The guidebot-kb/1 interchange format as validated data classes.

This is the one validation path: the JSON/Excel/CSV importers, the console forms and the
storage layer all turn their input into these models, so a rule lives in one place.
The models are plain pydantic (SQLModel's base) with unknown keys forbidden and strict types,
matching ``../shared/kb/guidebot-kb-1.schema.json``.
"""

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

FORMAT = "guidebot-kb/1"

#: What an item code may hold: it names the item in URLs, file names and sheets. The shared format
#: only says "string"; guidebot refuses spaces, slashes and the like, which broke console pages.
CODE_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: Characters no text may hold: C0 controls but tab and line ends, DEL, lone surrogates and the two
#: non-characters. PostgreSQL refuses NUL, spreadsheets refuse the controls, XML refuses them all.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
#: Containers a guidebot-kb/1 document nests at most: document → items → item → situations →
#: situation → materials → material.
MAX_DEPTH = 7


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("不能为空（不能只有空格）")
    return value


def _no_controls(value: Any) -> Any:
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if isinstance(text, str) and CONTROL_CHARACTERS.search(text):
            raise ValueError("含有不允许的控制字符（如 NUL），请删除后再导入")
    return value


def _valid_code(value: str) -> str:
    if not CODE_PATTERN.fullmatch(value):
        if not value.strip():
            raise ValueError("不能为空（不能只有空格）")
        raise ValueError(
            "事项编码只能由英文字母、数字和 . _ - 组成（不超过64个字符，不能有空格、斜杠或汉字）"
        )
    return value


Text = Annotated[str, StringConstraints(min_length=1), AfterValidator(_not_blank)]
Code = Annotated[str, StringConstraints(min_length=1), AfterValidator(_valid_code)]

#: The longest text (in characters) each field may hold, by model and field (for a list of texts:
#: each entry). guidebot-kb/1 names no limits of its own; these bound what a field is for (a name is
#: a line, conditions a page), well above every value in the shared and demo knowledge bases, so a
#: pasted document or a runaway cell is refused with the field's name instead of reaching
#: citizens' replies. One table for every way in: the importers, the console form and storage
#: validate through these models, and the Excel template checks the same lengths as staff type.
MAX_LENGTHS: dict[str, dict[str, int]] = {
    "Item": {
        "code": 64, "name": 200, "aliases": 100, "department": 100, "type": 50, "audience": 50,
        "conditions": 5000, "process": 1000, "address": 500, "hours": 500, "phone": 500, "basis": 2000,
    },
    "Material": {"name": 200, "form": 50, "note": 1000},
    "Situation": {"name": 100, "note": 1000},
    "TimeLimit": {"legal": 200, "promised": 200, "note": 1000},
    "Fee": {"text": 1000, "basis": 1000},
    "Window": {"name": 100, "number": 50, "location": 200},
    "Online": {"url": 2000, "note": 1000},
    "FaqEntry": {"q": 200, "a": 2000},
    "Hall": {"name": 100, "address": 300, "hours": 300, "phone": 100, "complaint_phone": 100, "website": 500},
}

#: The fields a citizen can ask about (evaluation files call them `field`).
ASKABLE_FIELDS: tuple[str, ...] = (
    "materials",
    "time_limit",
    "fee",
    "location",
    "hours",
    "phone",
    "process",
    "online",
    "conditions",
    "basis",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=False)

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        return _no_controls(value)

    def dump(self) -> dict[str, Any]:
        """The interchange JSON shape: keys that are not stated are left out."""
        return self.model_dump(mode="json", exclude_none=True)

    @field_validator("*")
    @classmethod
    def _within_length(cls, value: Any, info: ValidationInfo) -> Any:
        limit = MAX_LENGTHS.get(cls.__name__, {}).get(info.field_name or "")
        if limit is not None:
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and len(text) > limit:
                    raise ValueError(f"不能超过 {limit} 个字（现有 {len(text)} 个字）")
        return value


class Material(_Model):
    name: Text
    form: str | None = None
    copies: int | None = Field(default=None, ge=0)
    note: str | None = None
    required: bool | None = None


class Situation(_Model):
    name: Text
    materials: list[Material]
    note: str | None = None


class TimeLimit(_Model):
    legal: str | None = None
    promised: str | None = None
    note: str | None = None


class Fee(_Model):
    free: bool
    text: str | None = None
    basis: str | None = None


class Window(_Model):
    name: Text
    number: str | None = None
    location: str | None = None


class Online(_Model):
    available: bool
    url: str | None = None
    note: str | None = None


class FaqEntry(_Model):
    q: Text
    a: Text


class Item(_Model):
    """One service item (政务服务事项)."""

    code: Code
    name: Text
    aliases: list[Text] | None = None
    department: Text
    type: str | None = None
    audience: list[str] | None = None
    conditions: str | None = None
    materials: list[Material]
    situations: list[Situation] | None = None
    process: list[str] | None = None
    time_limit: TimeLimit | None = None
    fee: Fee | None = None
    windows: list[Window] | None = None
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    online: Online | None = None
    visits: int | None = Field(default=None, ge=0)
    basis: str | None = None
    faq: list[FaqEntry] | None = None
    updated: str | None = None

    @field_validator("updated")
    @classmethod
    def _valid_date(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError("日期格式应为 YYYY-MM-DD") from exc
        if len(value) != 10 or parsed.isoformat() != value:
            raise ValueError("日期格式应为 YYYY-MM-DD")
        return value


class Hall(_Model):
    name: Text
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    complaint_phone: str | None = None
    website: str | None = None


class KnowledgeBase(_Model):
    """A whole guidebot-kb/1 document: one hall and its items."""

    format: Literal["guidebot-kb/1"]
    hall: Hall
    items: list[Item]

    @model_validator(mode="after")
    def _unique_codes(self) -> "KnowledgeBase":
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            if item.code in seen:
                raise ValueError(f"第{index + 1}个事项: 事项编码 {item.code} 重复")
            seen.add(item.code)
        return self

    def item(self, code: str) -> Item | None:
        """The item with this code, or None."""
        for item in self.items:
            if item.code == code:
                return item
        return None


def load_kb(path: str | Path) -> KnowledgeBase:
    """Read and validate a guidebot-kb/1 JSON file (no database needed).

    Raises pydantic's ValidationError or ValueError on a bad document; the importer in
    ``knowledge.interchange`` turns those into clerk-readable messages.
    """
    with open(path, encoding="utf-8-sig") as handle:
        data = json.load(handle)
    return KnowledgeBase.model_validate(data)
