"""Item writes: save, review, publish, archive, restore; each change writes one revision.

An item's newest version lives in ``ServiceItem.data`` with its ``status``. Editing a published
item moves the published version to ``live_data`` first, so the bot keeps answering with it until
the edit is approved and its effective date has come. Functions here flush but do not commit:
``knowledge.storage`` wraps them in one transaction each.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, col, select, update

from knowledge import schema
from knowledge.errors import KnowledgeError
from knowledge.models import STATUS_LABELS, ItemRevision, KbMeta, ServiceItem, utcnow


@contextmanager
def transaction(session: Session) -> Iterator[None]:
    """Commit what the block did, or roll all of it back (the store's writes are one transaction each)."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


Action = Literal["created", "updated", "unchanged"]


class ItemNotFound(KnowledgeError):
    """No service item has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"找不到事项编码为 {code} 的事项")
        self.code = code


class RevisionNotFound(KnowledgeError):
    """The item exists but has no revision with this number."""

    def __init__(self, code: str, number: int) -> None:
        super().__init__(f"事项 {code} 没有第 {number} 版修订记录")
        self.code, self.number = code, number


class InvalidTransition(KnowledgeError):
    """The item's current status does not allow this step (e.g. approving a draft not submitted)."""

    def __init__(self, code: str, from_status: str, to_status: str) -> None:
        was, to = STATUS_LABELS.get(from_status, from_status), STATUS_LABELS.get(to_status, to_status)
        super().__init__(f"事项 {code} 当前为「{was}」，不能改为「{to}」")
        self.code, self.from_status, self.to_status = code, from_status, to_status


class NotEditable(KnowledgeError):
    """Only a draft or an item in review can be given an effective date."""

    def __init__(self, code: str, status: str) -> None:
        label = STATUS_LABELS.get(status, status)
        super().__init__(f"事项 {code} 当前为「{label}」，只有草稿或待审核的事项可以设置生效日期")
        self.code, self.status = code, status


class StaleRevision(KnowledgeError):
    """The reviewer acted on a version that is no longer the newest (someone changed it meanwhile)."""

    def __init__(self, code: str, seen: int, current: int) -> None:
        super().__init__(
            f"事项 {code} 在您打开审核页面后又有新的修改（您看到的是第 {seen} 版，现在是第 {current} 版），"
            "请重新查看改动后再审核"
        )
        self.code, self.seen, self.current = code, seen, current


@dataclass(frozen=True)
class ItemChange:
    """What one write did to one item."""

    code: str
    action: Action
    revision: int
    status: str
    visible: bool  # whether what the bot sees may have changed


def is_effective(row: ServiceItem, today: dt.date) -> bool:
    """True when the row's newest version is published and its effective date has come."""
    return row.status == "published" and (row.effective_date is None or row.effective_date <= today)


def bump_version(session: Session) -> None:
    """Tell every matcher index that what the bot sees has changed (one atomic UPDATE)."""
    statement = update(KbMeta).where(col(KbMeta.id) == 1).values(version=col(KbMeta.version) + 1,
                                                                  changed_at=utcnow())
    result: Any = session.exec(statement)  # type: ignore[call-overload]
    if result.rowcount == 0:
        session.add(KbMeta(id=1, version=1))
        session.flush()


def find_row(session: Session, code: str, *, lock: bool = False) -> ServiceItem:
    """The item's row, or ItemNotFound; ``lock`` holds it until the transaction ends (PostgreSQL)."""
    query = select(ServiceItem).where(ServiceItem.code == code)
    if lock:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise ItemNotFound(code)
    return row


def check_revision(row: ServiceItem, revision: int | None) -> None:
    """Refuse (StaleRevision) a review step taken on another version than the newest."""
    if revision is not None and row.revision != revision:
        raise StaleRevision(row.code, revision, row.revision)


def _record(session: Session, row: ServiceItem, *, author: str, summary: str,
            comment: str | None = None) -> None:
    row.revision += 1
    row.updated_at = utcnow()
    row.updated_by = author
    session.add(row)
    session.add(ItemRevision(
        item_code=row.code, number=row.revision, author=author, created_at=row.updated_at,
        summary=summary, snapshot=row.data, status=row.status, effective_date=row.effective_date,
        comment=comment,
    ))


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner)


def search_text(data: dict[str, Any]) -> str:
    """Every text value of an item's data, for the console's list search."""
    return "\n".join(_texts(data))


def _set_data(row: ServiceItem, item: schema.Item) -> None:
    row.data = item.dump()
    row.search_text = search_text(row.data)
    row.name, row.department, row.type = item.name, item.department, item.type
    row.updated = dt.date.fromisoformat(item.updated) if item.updated else None


def _to_draft(row: ServiceItem, today: dt.date) -> None:
    """Make the newest version a draft, keeping what the bot sees."""
    if is_effective(row, today):
        row.live_data = row.data
    elif row.status == "archived":
        row.live_data = None
    row.status = "draft"


def _publish_now(row: ServiceItem) -> None:
    row.status, row.effective_date, row.live_data = "published", None, None


def save_item(session: Session, row: ServiceItem | None, item: schema.Item, *, author: str,
              summary: str, publish: bool, today: dt.date) -> ItemChange:
    """Create or change one item (no commit); ``row`` is its current row or None."""
    if row is None:
        row = ServiceItem(code=item.code, name=item.name, department=item.department,
                          status="published" if publish else "draft", data={})
        _set_data(row, item)
        _record(session, row, author=author, summary=summary or "新建事项")
        return ItemChange(item.code, "created", row.revision, row.status, publish)
    dumped = item.dump()
    same = row.data == dumped
    if same and (row.status == "published" or not publish):
        return ItemChange(row.code, "unchanged", row.revision, row.status, False)
    if not publish and row.status != "archived" and row.published_data() == dumped:
        # The file repeats what citizens already read (an export uploaded again): it proposes no
        # change, so it neither opens a review that says 没有改动 nor discards a pending draft.
        return ItemChange(row.code, "unchanged", row.revision, row.status, False)
    if publish:
        _publish_now(row)
    else:
        _to_draft(row, today)
    _set_data(row, item)
    default = ("发布" if same else "修改并发布") if publish else "修改（草稿）"
    _record(session, row, author=author, summary=summary or default)
    return ItemChange(row.code, "updated", row.revision, row.status, publish)


def _require(row: ServiceItem, allowed: tuple[str, ...], to_status: str) -> None:
    if row.status not in allowed:
        raise InvalidTransition(row.code, row.status, to_status)


def submit(session: Session, code: str, *, author: str, summary: str) -> ItemChange:
    """draft → in_review."""
    row = find_row(session, code)
    _require(row, ("draft",), "in_review")
    row.status = "in_review"
    _record(session, row, author=author, summary=summary or "提交审核")
    return ItemChange(code, "updated", row.revision, row.status, False)


def approve(session: Session, code: str, *, reviewer: str, comment: str | None,
            today: dt.date, revision: int | None = None) -> ItemChange:
    """in_review → published; a future effective date keeps the old version live until then.

    ``revision``: the version the reviewer saw; a newer one refuses with StaleRevision.
    """
    row = find_row(session, code, lock=True)
    check_revision(row, revision)
    _require(row, ("in_review",), "published")
    row.status = "published"
    if row.effective_date is None or row.effective_date <= today:
        row.live_data = None
    when = f"，{row.effective_date.isoformat()} 起生效" if row.effective_date else ""
    _record(session, row, author=reviewer, summary=f"审核通过并发布{when}", comment=comment)
    return ItemChange(code, "updated", row.revision, row.status, True)


def return_for_changes(session: Session, code: str, *, reviewer: str, comment: str,
                       revision: int | None = None) -> ItemChange:
    """in_review → draft, with the reviewer's comment (on ``revision``, when given)."""
    row = find_row(session, code, lock=True)
    check_revision(row, revision)
    _require(row, ("in_review",), "draft")
    row.status = "draft"
    _record(session, row, author=reviewer, summary="退回修改", comment=comment)
    return ItemChange(code, "updated", row.revision, row.status, False)


def archive(session: Session, row: ServiceItem, *, author: str, summary: str) -> ItemChange:
    """Any status but archived → archived; the bot stops seeing the item."""
    _require(row, ("draft", "in_review", "published"), "archived")
    row.status, row.live_data = "archived", None
    _record(session, row, author=author, summary=summary or "归档")
    return ItemChange(row.code, "updated", row.revision, row.status, True)


def set_effective_date(session: Session, code: str, effective_date: dt.date | None, *,
                       author: str) -> ItemChange:
    """Set when a draft or an item in review takes effect once approved."""
    row = find_row(session, code)
    if row.status not in ("draft", "in_review"):
        raise NotEditable(code, row.status)
    row.effective_date = effective_date
    shown = effective_date.isoformat() if effective_date else "审核通过即生效"
    _record(session, row, author=author, summary=f"生效日期：{shown}")
    return ItemChange(code, "updated", row.revision, row.status, False)


def restore(session: Session, code: str, number: int, *, author: str, publish: bool,
            today: dt.date) -> ItemChange:
    """Bring back revision ``number``'s snapshot as a new revision (published unless ``publish`` is off)."""
    row = find_row(session, code)
    revision = session.exec(select(ItemRevision).where(
        ItemRevision.item_code == code, ItemRevision.number == number)).first()
    if revision is None:
        raise RevisionNotFound(code, number)
    if publish:
        _publish_now(row)
    else:
        _to_draft(row, today)
    _set_data(row, schema.Item.model_validate(revision.snapshot))
    suffix = "并发布" if publish else "（草稿）"
    _record(session, row, author=author, summary=f"恢复到第 {number} 版{suffix}")
    return ItemChange(code, "updated", row.revision, row.status, publish)
