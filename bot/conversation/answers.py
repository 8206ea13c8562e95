"""Answer texts citizens read: the 一次性告知 overview, field answers, and the numbered questions.

Every text fits WeChat's passive-reply limit (2047 bytes of UTF-8). An answer that does not fit
is never cut silently: the first reply carries the essentials and ends with "回复 1 查看完整材料清单";
the rest goes into pages the conversation hands out one "1" at a time.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.schema import Hall, Item, Material, Situation

#: WeChat's limit for passive text replies, in bytes of UTF-8.
LIMIT = 2047

FIELD_LABELS: dict[str, str] = {
    "materials": "申请材料",
    "time_limit": "办理时限",
    "fee": "收费标准",
    "location": "办理地点",
    "hours": "办公时间",
    "phone": "咨询电话",
    "process": "办理流程",
    "online": "网上办理",
    "conditions": "受理条件",
    "basis": "设定依据",
}
_HINT_WORDS = {
    "materials": "材料",
    "time_limit": "多久办好",
    "fee": "收费",
    "location": "在哪办",
    "hours": "办公时间",
    "phone": "电话",
    "process": "流程",
    "online": "网上办",
    "conditions": "条件",
}
MORE_MATERIALS = "回复 1 查看完整材料清单"
NEXT_PAGE = "回复 1 查看下一页"
RATING_HINT = "满意请回复“评价 5”（1-5分）"


@dataclass(frozen=True)
class Answer:
    """The first reply and the pages a citizen can ask for with "1"."""

    text: str
    pages: tuple[str, ...] = ()


def size(text: str) -> int:
    """Bytes of UTF-8, the unit of WeChat's limit."""
    return len(text.encode("utf-8"))


def clip(text: str, chars: int) -> str:
    """``text`` shortened to ``chars`` characters with an ellipsis when it was longer."""
    return text if len(text) <= chars else text[: chars - 1] + "…"


def fit(text: str, limit: int = LIMIT) -> str:
    """``text`` within ``limit`` bytes, cut at a character boundary with an ellipsis (last resort)."""
    if size(text) <= limit:
        return text
    return text.encode("utf-8")[: limit - size("…")].decode("utf-8", "ignore") + "…"


# -- pieces -------------------------------------------------------------------------------------


def materials_of(item: Item, situation: Situation | None = None) -> list[Material]:
    """The item's materials, with a situation's own materials added (same names listed once)."""
    materials = list(item.materials)
    if situation is not None:
        names = {material.name for material in materials}
        materials.extend(m for m in situation.materials if m.name not in names)
    return materials


def material_line(number: int, material: Material) -> str:
    return f"{number}. {material_text(material)}"


def material_text(material: Material) -> str:
    """A material as the reply lists it, unnumbered: name（原件，1份，视情况提供）：note."""
    details = [part for part in (material.form, f"{material.copies}份" if material.copies else None) if part]
    if material.required is False:
        details.append("视情况提供")
    line = material.name
    if details:
        line += f"（{'，'.join(details)}）"
    if material.note:
        line += f"：{material.note}"
    return line


def _time_limit(item: Item) -> str | None:
    limit = item.time_limit
    if limit is None or not (limit.promised or limit.legal):
        return None
    parts = []
    if limit.promised:
        parts.append(f"承诺{limit.promised}")
    if limit.legal:
        parts.append(f"法定{limit.legal}")
    text = "，".join(parts)
    return f"{text}（{limit.note}）" if limit.note else text


def _fee(item: Item) -> str | None:
    if item.fee is None:
        return None
    if item.fee.free:
        text = (item.fee.text or "").strip()
        if text and text.strip("。") not in ("不收费", "免费", "免费办理", "不收取费用"):
            return text  # 参保登记不收费；个人缴费每人每年400元: what the record says beyond "free"
        return "不收费（免费办理）"  # both words: citizens ask 要钱吗 and 免费吗
    return item.fee.text or "收费，标准请咨询窗口"


def _location(item: Item, hall: Hall) -> str | None:
    places = []
    for window in item.windows or ():
        place = window.name + (f"{window.number}" if window.number else "")
        places.append(place + (f"（{window.location}）" if window.location else ""))
    address = item.address or hall.address
    if address:
        places.append(address)
    return "，".join(places) or None


def _online(item: Item) -> str | None:
    online = item.online
    if online is None:
        return None
    if not online.available:
        return "暂不支持网上办理" + (f"（{online.note}）" if online.note else "")
    return "；".join(part.rstrip("。") for part in (online.note or "可网上办理", online.url) if part)


def _visits(item: Item) -> str | None:
    if item.visits is None:
        return None
    return "全程网办，不用跑现场" if item.visits == 0 else f"最多跑{item.visits}次"


def field_text(item: Item, field: str, hall: Hall, situation: Situation | None = None) -> str | None:
    """The content of one askable field, or None when the knowledge base does not state it."""
    if field == "materials":
        materials = materials_of(item, situation)
        return "\n".join(material_line(n, m) for n, m in enumerate(materials, 1)) or "无需提交材料"
    if field == "time_limit":
        return _time_limit(item)
    if field == "fee":
        fee = _fee(item)
        if fee and item.fee and item.fee.basis and not item.fee.free:
            fee += f"\n收费依据：{item.fee.basis}"
        return fee
    if field == "location":
        return _location(item, hall)
    if field == "hours":
        return item.hours or hall.hours
    if field == "phone":
        return item.phone or hall.phone
    if field == "process":
        steps = [f"{n}. {step}" for n, step in enumerate(item.process or (), 1)]
        # How many trips the steps take, where the record says (最多跑2次): what 要跑几趟 asks.
        trips = _visits(item)
        return "\n".join([*steps, *([f"到现场：{trips}"] if trips and steps else [])]) or None
    if field == "online":
        return _online(item)
    if field == "conditions":
        # The citizen's case may set its own terms (每人每月最高1000元 of 未办理租赁备案): said beside.
        own = f"{situation.name}：{situation.note}" if situation is not None and situation.note else None
        return "\n".join(part for part in (item.conditions, own) if part) or None
    if field == "basis":
        return item.basis
    raise ValueError(f"unknown field {field!r}")


def _title(item: Item, situation: Situation | None) -> str:
    return f"【{item.name}】" + (f"\n情形：{situation.name}" if situation else "")


def short_title(item: Item, situation: Situation | None = None) -> str:
    """The item's title line (and its situation), as answers start."""
    return _title(item, situation)


def hint(item: Item, asked: str | None) -> str:
    """One line naming what else the citizen can ask about this item."""
    words = [word for field, word in _HINT_WORDS.items() if field != asked]
    return "还可以问：" + "、".join(words) + f"。{RATING_HINT}"


# -- paging -------------------------------------------------------------------------------------


def paginate(lines: Sequence[str], title: str, limit: int = LIMIT) -> tuple[str, ...]:
    """Lines grouped into pages of at most ``limit`` bytes, each titled and pointing to the next."""
    footer_room = size(f"\n（第99/99页）{NEXT_PAGE}")
    budget = limit - size(title) - footer_room - 1
    pages: list[list[str]] = [[]]
    used = 0
    for line in lines:
        line = fit(line, budget)
        if pages[-1] and used + size(line) + 1 > budget:
            pages.append([])
            used = 0
        pages[-1].append(line)
        used += size(line) + 1
    total = len(pages)
    texts = []
    for number, page in enumerate(pages, 1):
        text = title + "\n" + "\n".join(page)
        if total > 1:
            text += f"\n（第{number}/{total}页）" + (NEXT_PAGE if number < total else "")
        texts.append(text)
    return tuple(texts)


# -- answers ------------------------------------------------------------------------------------


def overview(item: Item, hall: Hall, situation: Situation | None = None, *, limit: int = LIMIT) -> Answer:
    """The 一次性告知 checklist; essentials plus material pages when the whole does not fit."""
    materials = materials_of(item, situation)
    material_lines = [material_line(n, m) for n, m in enumerate(materials, 1)] or ["无需提交材料"]
    facts = [
        ("办理时限", _time_limit(item)),
        ("收费", _fee(item)),
        ("办理地点", _location(item, hall)),
        ("办公时间", item.hours or hall.hours),
        ("咨询电话", item.phone or hall.phone),
        ("网上办理", _online(item)),
        ("到现场", _visits(item)),
    ]
    title = _title(item, situation) + "\n一次性告知"
    note = f"提示：{situation.note}" if situation and situation.note else None

    def compose(material_block: list[str], conditions: str | None, fact_chars: int | None, tail: str) -> str:
        parts = [title, f"所需材料（共{len(materials)}项）：", *material_block]
        if note:
            parts.append(clip(note, fact_chars) if fact_chars else note)
        if conditions:
            parts.append(f"受理条件：{conditions}")
        parts += [
            f"{label}：{clip(text, fact_chars) if fact_chars else text}" for label, text in facts if text
        ]
        parts.append(tail)
        return "\n".join(parts)

    full = compose(material_lines, item.conditions, None, hint(item, None))
    if size(full) <= limit:
        return Answer(full)
    pages = paginate(
        material_lines + ([f"受理条件：{item.conditions}"] if item.conditions else []),
        _title(item, situation) + "\n完整材料清单",
        limit,
    )
    conditions = clip(item.conditions, 60) if item.conditions else None
    for fact_chars in (None, 80, 40):
        shown: list[str] = []
        for line in material_lines:
            candidate = compose([*shown, clip(line, 40), "……"], conditions, fact_chars, MORE_MATERIALS)
            if size(candidate) > limit:
                break
            shown.append(clip(line, 40))
        block = shown if len(shown) == len(material_lines) else [*shown, "……"]
        text = compose(block, conditions, fact_chars, MORE_MATERIALS)
        if size(text) <= limit:
            return Answer(text, pages)
    return Answer(fit(text, limit - size("\n" + MORE_MATERIALS)) + "\n" + MORE_MATERIALS, pages)


def field_answer(
    item: Item, field: str, hall: Hall, situation: Situation | None = None, *, limit: int = LIMIT
) -> Answer:
    """One field of one item with a one-line hint of what else to ask; paged when long."""
    label = FIELD_LABELS[field]
    content = field_text(item, field, hall, situation)
    title = _title(item, situation)
    tail = hint(item, field)
    if content is None:
        phone = item.phone or hall.phone
        content = f"暂未登记{label}信息" + (f"，请咨询 {phone}" if phone else "，请咨询窗口")
    text = (
        f"{title}\n{label}：\n{content}\n{tail}"
        if "\n" in content
        else f"{title}\n{label}：{content}\n{tail}"
    )
    if size(text) <= limit:
        return Answer(text)
    pages = paginate(content.split("\n"), f"{title}\n{label}", limit)
    first = pages[0].rsplit("\n（第", 1)[0]
    more = MORE_MATERIALS if field == "materials" else NEXT_PAGE
    return Answer(fit(first, limit - size("\n" + more)) + "\n" + more, pages[1:])


def situation_question(item: Item) -> str:
    """Ask which situation applies, with numbers, before listing materials."""
    situations = item.situations or []
    lines = [f"【{item.name}】分以下几种情形，所需材料不同。请问您属于哪一种？回复数字即可："]
    lines += [f"{n}. {situation.name}" for n, situation in enumerate(situations, 1)]
    lines.append("回复 0 查看通用材料")
    return fit("\n".join(lines))


def clarify_question(names: Sequence[str]) -> str:
    """Ask which item the citizen means: up to five numbered names."""
    lines = ["您想办理的是以下哪一项？回复数字即可："]
    lines += [f"{n}. {name}" for n, name in enumerate(names[:5], 1)]
    lines.append("都不是的话，请换个说法再问，或回复“人工”。")
    return fit("\n".join(lines))


def item_list(title: str, names: Sequence[str]) -> str:
    """A numbered list of items (welcome, 常办事项 menu) the citizen can pick by number."""
    lines = [title, *(f"{n}. {name}" for n, name in enumerate(names, 1))]
    return fit("\n".join(lines))
