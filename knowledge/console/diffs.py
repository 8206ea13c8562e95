"""Field-by-field differences between two item snapshots, labelled in Chinese for staff."""

from dataclasses import dataclass
from typing import Any

from knowledge.console.forms import FIELD_LABELS

_PART_LABELS = {
    "name": "名称",
    "form": "形式",
    "copies": "份数",
    "note": "备注",
    "required": "必需",
    "number": "窗口号",
    "location": "位置",
    "legal": "法定时限",
    "promised": "承诺时限",
    "free": "免费",
    "text": "说明",
    "basis": "依据",
    "available": "可网办",
    "url": "网址",
    "q": "问",
    "a": "答",
    "materials": "材料",
}


@dataclass(frozen=True)
class DiffLine:
    path: str
    old: str | None  # None: added
    new: str | None  # None: removed

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"


def _label(key: str, top: bool) -> str:
    return (FIELD_LABELS if top else _PART_LABELS).get(key, key)


def flatten(value: Any, path: str = "", top: bool = True) -> dict[str, str]:
    """``{"申请材料[2].份数": "1", ...}`` for a snapshot."""
    found: dict[str, str] = {}
    if isinstance(value, dict):
        for key, inner in value.items():
            label = _label(key, top)
            found.update(flatten(inner, f"{path}.{label}" if path else label, top=False))
    elif isinstance(value, list):
        for index, inner in enumerate(value, start=1):
            found.update(flatten(inner, f"{path}[{index}]", top=False))
    elif isinstance(value, bool):
        found[path] = "是" if value else "否"
    else:
        found[path] = str(value)
    return found


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> list[DiffLine]:
    """What changed from ``old`` to ``new``, in the order of the newer snapshot."""
    before, after = flatten(old), flatten(new)
    lines = [
        DiffLine(path, before.get(path), value) for path, value in after.items() if before.get(path) != value
    ]
    lines += [DiffLine(path, value, None) for path, value in before.items() if path not in after]
    return lines
