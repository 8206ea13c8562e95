"""The hall record: what citizens read about the hall changes only through review, and nothing is lost.

The bot reads the published values on the ``hall`` row (``storage.get_hall``). A change is a
proposal: a new ``HallRevision`` in review, published when a second person approves the very revision
they saw (a newer one refuses, as for items). ``guidebot kb import`` publishes at once, as it does
items; every other change waits for review. An import never blanks a field the hall has filled
unless asked to for that field (``clear``): a sheet whose 大厅 row has only 名称 keeps the address,
hours, phones and website, and the report says so field by field. Every change writes an audit-log
row with the old and new values of each field, in the same transaction. Revisions can be restored
(into review).

Functions here flush but do not commit; the keyword-only ``*_hall`` functions at the end commit one
transaction each, like ``knowledge.storage``.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, col, select

from knowledge import schema
from knowledge.audit import audit_row
from knowledge.errors import KnowledgeError
from knowledge.lifecycle import bump_version, transaction
from knowledge.models import Hall, HallRevision, utcnow

FIELDS: tuple[str, ...] = tuple(schema.Hall.model_fields)
LABELS: dict[str, str] = {
    "name": "名称",
    "address": "地址",
    "hours": "办公时间",
    "phone": "咨询电话",
    "complaint_phone": "投诉电话",
    "website": "网站",
}
STATUS_LABELS = {"published": "已发布", "in_review": "待审核", "draft": "已退回"}
AUDIT_TARGET = "大厅信息"
Action = Literal["created", "proposed", "published", "returned", "unchanged"]


class HallNotInReview(KnowledgeError):
    """Approve or return was asked for while no change of the hall waits for review."""

    def __init__(self) -> None:
        super().__init__("大厅信息目前没有待审核的修改")


class StaleHallRevision(KnowledgeError):
    """The reviewer acted on another revision of the hall than the newest."""

    def __init__(self, seen: int, current: int) -> None:
        super().__init__(
            f"大厅信息在您打开页面后又有新的修改（您看到的是第 {seen} 版，现在是第 {current} 版），"
            "请重新查看改动后再审核"
        )
        self.seen, self.current = seen, current


class OwnHallChange(KnowledgeError):
    """A reviewer tried to approve or return a change they wrote themselves."""

    def __init__(self) -> None:
        super().__init__("不能审核自己提交的修改，请由其他审核员审核")


class HallRevisionNotFound(KnowledgeError):
    """No hall revision has this number."""

    def __init__(self, number: int) -> None:
        super().__init__(f"大厅信息没有第 {number} 版修订记录")
        self.number = number


@dataclass(frozen=True)
class FieldChange:
    """One field of the hall, before and after (None: not stated)."""

    field: str
    old: str | None
    new: str | None

    @property
    def label(self) -> str:
        return LABELS.get(self.field, self.field)

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.label, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class HallChange:
    """What one write did to the hall."""

    action: Action
    revision: int
    status: str
    changes: tuple[FieldChange, ...] = ()  # against the published hall
    kept: tuple[str, ...] = ()  # fields the input left empty that the hall keeps
    visible: bool = False  # whether what citizens read changed

    @property
    def kept_labels(self) -> list[str]:
        return [LABELS[name] for name in self.kept]


# --- reads -------------------------------------------------------------------------------------


def _row(session: Session, *, lock: bool = False) -> Hall | None:
    query = select(Hall).where(Hall.id == 1)
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def values(row: Hall) -> schema.Hall:
    """The published hall on ``row``."""
    return schema.Hall.model_validate({name: getattr(row, name) for name in FIELDS})


def published(session: Session) -> schema.Hall | None:
    """The hall citizens read, or None before the first import."""
    row = _row(session)
    return None if row is None else values(row)


def proposal(session: Session) -> HallRevision | None:
    """The change waiting for review (or returned to its authors), or None."""
    row = _row(session)
    if row is None or row.status == "published":
        return None
    return session.exec(select(HallRevision).where(HallRevision.number == row.revision)).first()


def history(session: Session) -> list[HallRevision]:
    """Every revision of the hall, oldest first."""
    return list(session.exec(select(HallRevision).order_by(col(HallRevision.number))))


def authors_under_review(session: Session) -> set[str]:
    """Who proposed the changes since the hall was last published: they may not review them.

    A reviewer who returned an earlier proposal wrote no content and may review the next one.
    """
    authors: set[str] = set()
    for revision in reversed(history(session)):
        if revision.status == "published":
            break
        if revision.status == "in_review":
            authors.add(revision.author)
    return authors


def differences(old: schema.Hall | None, new: schema.Hall) -> tuple[FieldChange, ...]:
    """The fields that differ from ``old`` to ``new``, in the format's order."""
    before = old.model_dump() if old is not None else dict.fromkeys(FIELDS)
    after = new.model_dump()
    return tuple(
        FieldChange(name, before[name], after[name]) for name in FIELDS if before[name] != after[name]
    )


def merge(
    current: schema.Hall | None, incoming: schema.Hall, clear: Collection[str] = ()
) -> tuple[schema.Hall, tuple[str, ...]]:
    """``incoming`` with every field it leaves empty taken from ``current``, except those in ``clear``.

    Returns the merged hall and the fields kept that way (a file that states only the name must not
    blank the address, hours, phones and website citizens read).
    """
    if current is None:
        return incoming, ()
    merged = incoming.model_dump()
    kept = []
    for name in FIELDS:
        if merged[name] is None and getattr(current, name) is not None and name not in clear:
            merged[name] = getattr(current, name)
            kept.append(name)
    return schema.Hall.model_validate(merged), tuple(kept)


# --- writes (flush only) -----------------------------------------------------------------------


def _record(session: Session, row: Hall, snapshot: schema.Hall, *, author: str, status: str, summary: str,
            action: str, detail: dict[str, object], ip: str, comment: str | None = None) -> int:
    """A new revision of the hall and its audit row (``action``, ``detail`` plus the revision number)."""
    row.revision += 1
    row.status, row.updated_at, row.updated_by = status, utcnow(), author
    session.add(row)
    session.add(HallRevision(number=row.revision, author=author, created_at=row.updated_at, summary=summary,
                             snapshot=snapshot.dump(), status=status, comment=comment))
    detail = {"revision": row.revision, **detail}
    session.add(audit_row(username=author, action=action, target=AUDIT_TARGET, detail=detail, ip=ip))
    return row.revision


def _publish(row: Hall, hall: schema.Hall) -> None:
    for name, value in hall.model_dump().items():
        setattr(row, name, value)


def _listed(changes: tuple[FieldChange, ...]) -> list[dict[str, str | None]]:
    return [change.as_dict() for change in changes]


def propose(session: Session, hall: schema.Hall, *, author: str, summary: str = "", publish: bool = False,
            clear: Collection[str] = (), ip: str = "") -> HallChange:
    """Propose ``hall`` (published at once with ``publish``, else into review).

    Fields ``hall`` leaves empty keep their published value unless named in ``clear``. A proposal
    equal to the published hall, or to the change already in review, writes nothing.
    """
    row = _row(session, lock=True)
    if row is None:
        # The first hall of an empty database: nothing citizens read yet, and the bot needs a hall.
        row = Hall(id=1, name=hall.name)
        _publish(row, hall)
        changes = differences(None, hall)
        _record(session, row, hall, author=author, status="published", summary=summary or "新建",
                action="hall_publish", detail={"changes": _listed(changes)}, ip=ip)
        return HallChange("created", row.revision, row.status, changes, (), True)
    current = values(row)
    merged, kept = merge(current, hall, clear)
    changes = differences(current, merged)
    if not changes:
        return HallChange("unchanged", row.revision, row.status, (), kept, False)
    pending = proposal(session)
    repeated = pending is not None and pending.status == "in_review" and pending.snapshot == merged.dump()
    if repeated and not publish:
        return HallChange("unchanged", row.revision, row.status, changes, kept, False)
    detail: dict[str, object] = {"changes": _listed(changes)}
    if kept:
        detail["kept"] = [LABELS[name] for name in kept]
    if publish:
        _publish(row, merged)
        _record(session, row, merged, author=author, status="published", summary=summary or "修改并发布",
                action="hall_publish", detail=detail, ip=ip)
        return HallChange("published", row.revision, row.status, changes, kept, True)
    _record(session, row, merged, author=author, status="in_review", summary=summary or "修改（待审核）",
            action="hall_submit", detail=detail, ip=ip)
    return HallChange("proposed", row.revision, row.status, changes, kept, False)


def _reviewable(session: Session, reviewer: str, revision: int) -> tuple[Hall, HallRevision]:
    row = _row(session, lock=True)
    if row is None or row.status != "in_review":
        raise HallNotInReview()
    if reviewer in authors_under_review(session):
        raise OwnHallChange()
    if row.revision != revision:
        raise StaleHallRevision(revision, row.revision)
    pending = proposal(session)
    assert pending is not None
    return row, pending


def approve(session: Session, *, reviewer: str, revision: int, comment: str | None = None,
            ip: str = "") -> HallChange:
    """Publish the change in review, which must be ``revision`` (the one the reviewer saw)."""
    row, pending = _reviewable(session, reviewer, revision)
    new = schema.Hall.model_validate(pending.snapshot)
    changes = differences(values(row), new)
    _publish(row, new)
    _record(session, row, new, author=reviewer, status="published", summary="审核通过并发布", comment=comment,
            action="hall_publish", detail={"approved": revision, "changes": _listed(changes)}, ip=ip)
    return HallChange("published", row.revision, row.status, changes, (), True)


def return_for_changes(session: Session, *, reviewer: str, revision: int, comment: str,
                       ip: str = "") -> HallChange:
    """Send the change in review (``revision``) back to its authors with ``comment``."""
    if not comment.strip():
        raise KnowledgeError("退回时请填写修改意见")
    row, pending = _reviewable(session, reviewer, revision)
    snapshot = schema.Hall.model_validate(pending.snapshot)
    _record(session, row, snapshot, author=reviewer, status="draft", summary="退回修改", comment=comment,
            action="hall_return", detail={"returned": revision, "comment": comment}, ip=ip)
    return HallChange("returned", row.revision, row.status, differences(values(row), snapshot))


def restore(session: Session, *, number: int, author: str, ip: str = "") -> HallChange:
    """Propose revision ``number``'s hall again, exactly as it was (into review)."""
    old = session.exec(select(HallRevision).where(HallRevision.number == number)).first()
    if old is None:
        raise HallRevisionNotFound(number)
    hall = schema.Hall.model_validate(old.snapshot)
    return propose(session, hall, author=author, summary=f"恢复到第 {number} 版", clear=FIELDS, ip=ip)


# --- one transaction each ----------------------------------------------------------------------


def _bump_if_visible(session: Session, change: HallChange) -> HallChange:
    if change.visible:
        bump_version(session)
    return change


def propose_hall(*, session: Session, hall: schema.Hall, author: str, summary: str = "",
                 publish: bool = False, clear: Collection[str] = (), ip: str = "") -> HallChange:
    """:func:`propose` in its own transaction."""
    with transaction(session):
        change = propose(session, hall, author=author, summary=summary, publish=publish, clear=clear, ip=ip)
        return _bump_if_visible(session, change)


def approve_hall(*, session: Session, reviewer: str, revision: int, comment: str | None = None,
                 ip: str = "") -> HallChange:
    """:func:`approve` in its own transaction."""
    with transaction(session):
        change = approve(session, reviewer=reviewer, revision=revision, comment=comment, ip=ip)
        return _bump_if_visible(session, change)


def return_hall(*, session: Session, reviewer: str, revision: int, comment: str, ip: str = "") -> HallChange:
    """:func:`return_for_changes` in its own transaction."""
    with transaction(session):
        return return_for_changes(session, reviewer=reviewer, revision=revision, comment=comment, ip=ip)


def restore_hall(*, session: Session, number: int, author: str, ip: str = "") -> HallChange:
    """:func:`restore` in its own transaction."""
    with transaction(session):
        return restore(session, number=number, author=author, ip=ip)
