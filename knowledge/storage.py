"""The knowledge-base store: keyword-only reads and writes over a ``Session``.

Every write function commits its own transaction (or rolls it back and re-raises), so a caller
never leaves half a change behind; ``import_kb`` puts a whole file in one transaction. What the
bot answers with comes from ``published_items`` / ``published_kb``; ``kb_version`` changes whenever
that may have changed (publish, archive, import, restore, hall or synonym edits).
"""

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, func, select

from knowledge import hall as hall_record
from knowledge import lifecycle, regression_cases, schema
from knowledge.audit import audit_row
from knowledge.errors import KnowledgeError
from knowledge.lifecycle import (  # noqa: F401  (re-exported: the storage API)
    InvalidTransition,
    ItemChange,
    ItemNotFound,
    NotEditable,
    RevisionNotFound,
    StaleRevision,
)
from knowledge.models import STATUSES, ItemRevision, KbMeta, ServiceItem, Synonym, china_today

DEMO_PATH = Path(__file__).resolve().parent / "demo_hall.json"
DEMO_AUTHOR = "示范数据"


class HallNotSet(KnowledgeError):
    """The database has no hall yet (import a knowledge base first)."""

    def __init__(self) -> None:
        super().__init__("尚未设置大厅信息，请先导入知识库")


class InvalidSynonym(KnowledgeError):
    """A synonym needs two different, non-empty words."""

    def __init__(self, word: str, canonical: str) -> None:
        super().__init__(f"同义词「{word}」→「{canonical}」无效：两个词都不能为空，且不能相同")
        self.word, self.canonical = word, canonical


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do), item codes per outcome."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    hall: hall_record.HallChange | None = None
    dry_run: bool = False
    #: Regression questions added from the items' names, aliases and FAQ (``knowledge.regression_cases``).
    cases_added: int = 0

    @property
    def hall_changed(self) -> bool:
        """True when the import changes the hall (published at once, or proposed for review)."""
        return self.hall is not None and self.hall.action != "unchanged"

    def summary(self) -> str:
        """One Chinese line for staff."""
        text = (f"新增 {len(self.created)} 个，更新 {len(self.updated)} 个，"
                f"未变 {len(self.unchanged)} 个，归档 {len(self.pruned)} 个")
        text += f"；新增回归测试问题 {self.cases_added} 个" if self.cases_added else ""
        if self.hall is None or not self.hall_changed:
            return text
        if self.hall.action == "proposed":
            return text + "；大厅信息的修改" + ("将提交审核" if self.dry_run else "已提交审核")
        return text + ("；大厅信息将更新" if self.dry_run else "；大厅信息已更新")

    def audit_detail(self) -> dict[str, object]:
        """What the audit log keeps of this import: item codes, and the hall's old and new values."""
        detail: dict[str, object] = {
            "created": self.created, "updated": self.updated, "pruned": self.pruned,
        }
        if self.hall is not None and self.hall_changed:
            detail["hall"] = {"action": self.hall.action, "revision": self.hall.revision,
                              "changes": [change.as_dict() for change in self.hall.changes]}
        if self.hall is not None and self.hall.kept:
            detail["hall_kept"] = self.hall.kept_labels
        return detail


def _today(today: dt.date | None) -> dt.date:
    return today if today is not None else china_today()


# --- hall and version ------------------------------------------------------------------------


def get_hall(*, session: Session) -> schema.Hall | None:
    """The published hall (what citizens read), or None before the first import."""
    return hall_record.published(session)


def set_hall(*, session: Session, hall: schema.Hall, author: str = "命令行") -> bool:
    """Publish exactly ``hall`` at once (a new revision, audited); True when anything changed.

    For the command line and tests; the console proposes changes through ``knowledge.hall`` instead.
    """
    change = hall_record.propose_hall(session=session, hall=hall, author=author, publish=True,
                                      clear=hall_record.FIELDS)
    return change.action != "unchanged"


def kb_version(*, session: Session) -> int:
    """A number that grows whenever what the bot sees may have changed."""
    meta = session.get(KbMeta, 1, populate_existing=True)
    return 0 if meta is None else meta.version


# --- reads -----------------------------------------------------------------------------------


def is_empty(*, session: Session) -> bool:
    """True when the database holds no service item at all."""
    return session.exec(select(ServiceItem.id).limit(1)).first() is None


def get_item(*, session: Session, code: str) -> ServiceItem:
    """The item's row (newest version, status, live copy), or ItemNotFound."""
    return lifecycle.find_row(session, code)


def list_items(*, session: Session, search: str | None = None, status: str | None = None,
               full_text: bool = False) -> list[ServiceItem]:
    """Items in import order, filtered by status; with ``search``, the items it names, best first.

    ``search`` finds the code, the name and the aliases (any case): an exact code or name first,
    then codes and names that start with it, aliases equal to it, names and codes that contain it,
    aliases that contain it. ``full_text`` adds, after those, items with the text anywhere else
    (materials, process, FAQ…): 身份证 names a few items but appears in most items' materials.
    """
    query = select(ServiceItem).order_by(col(ServiceItem.id))
    if status is not None:
        query = query.where(ServiceItem.status == status)
    needle = (search or "").strip()
    if not needle:
        return list(session.exec(query))
    # Every text of the item is in search_text: SQL narrows, the ranking below decides.
    query = query.where(col(ServiceItem.search_text).icontains(needle, autoescape=True))
    ranked = []
    for position, row in enumerate(session.exec(query)):
        rank = _search_rank(row, needle.casefold())
        if rank is None and full_text:
            rank = _FULL_TEXT_RANK
        if rank is not None:
            ranked.append((rank, position, row))
    return [row for _rank, _position, row in sorted(ranked, key=lambda entry: entry[:2])]


_FULL_TEXT_RANK = 9


def item_names(*, session: Session) -> list[tuple[str, str]]:
    """(code, name) of every item not archived, in import order: a light list for choosing an item."""
    query = (
        select(ServiceItem.code, ServiceItem.name)
        .where(ServiceItem.status != "archived")
        .order_by(col(ServiceItem.id))
    )
    return [(code, name) for code, name in session.exec(query)]


def _search_rank(row: ServiceItem, needle: str) -> int | None:
    """How well ``needle`` (casefolded) names ``row``: 0 best; None when only other text has it."""
    code, name = row.code.casefold(), row.name.casefold()
    aliases = [str(alias).casefold() for alias in (row.data or {}).get("aliases") or []]
    if needle in (code, name):
        return 0
    if code.startswith(needle) or name.startswith(needle):
        return 1
    if needle in aliases:
        return 2
    if needle in name or needle in code:
        return 3
    if any(needle in alias for alias in aliases):
        return 4
    return None


def count_by_status(*, session: Session) -> dict[str, int]:
    """How many items are in each status (every status present, zero included)."""
    rows = session.exec(select(ServiceItem.status, func.count()).group_by(ServiceItem.status))
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: number for status, number in rows})
    return counts


def history(*, session: Session, code: str) -> list[ItemRevision]:
    """The item's revisions, oldest first."""
    lifecycle.find_row(session, code)
    query = select(ItemRevision).where(ItemRevision.item_code == code).order_by(col(ItemRevision.number))
    return list(session.exec(query))


def get_revision(*, session: Session, code: str, number: int) -> ItemRevision:
    """One revision of an item, or RevisionNotFound."""
    lifecycle.find_row(session, code)
    revision = session.exec(select(ItemRevision).where(
        ItemRevision.item_code == code, ItemRevision.number == number)).first()
    if revision is None:
        raise RevisionNotFound(code, number)
    return revision


def published_items(*, session: Session, today: dt.date | None = None) -> list[schema.Item]:
    """What the bot sees on ``today`` (China date by default): published, effective items."""
    day = _today(today)
    query = select(ServiceItem).where(ServiceItem.status != "archived").order_by(col(ServiceItem.id))
    visible = (row.visible_item(day) for row in session.exec(query))
    return [item for item in visible if item is not None]


def published_kb(*, session: Session, today: dt.date | None = None) -> schema.KnowledgeBase:
    """The hall and the items the bot sees, as one knowledge base."""
    hall = get_hall(session=session)
    if hall is None:
        raise HallNotSet()
    items = published_items(session=session, today=today)
    return schema.KnowledgeBase(format="guidebot-kb/1", hall=hall, items=items)


def export_kb(*, session: Session, status: str = "published") -> schema.KnowledgeBase:
    """A guidebot-kb/1 document of the store.

    ``published``: the published version of every item that has one (future dates included);
    ``all``: the newest version of every item; a status name: newest versions in that status.
    """
    hall = get_hall(session=session)
    if hall is None:
        raise HallNotSet()
    rows = list_items(session=session, status=None if status in ("published", "all") else status)
    if status == "published":
        data = [row.published_data() for row in rows]
    else:
        data = [row.data for row in rows]
    items = [schema.Item.model_validate(value) for value in data if value is not None]
    return schema.KnowledgeBase(format="guidebot-kb/1", hall=hall, items=items)


def resolved_questions(*, session: Session) -> dict[str, list[str]]:
    """Citizens' questions staff resolved to an item (the regression table), by item code: the semantic
    stage takes them as extra passages of their item, so a question missed once is understood next time."""
    from knowledge.console_tables import RegressionCase

    found: dict[str, list[str]] = {}
    rows = session.exec(select(RegressionCase).where(col(RegressionCase.item_code).is_not(None)))
    for case in rows:
        if case.item_code:
            found.setdefault(case.item_code, []).append(case.question)
    return found


# --- synonyms --------------------------------------------------------------------------------


def list_synonyms(*, session: Session) -> list[Synonym]:
    """Staff-added synonyms, by word."""
    return list(session.exec(select(Synonym).order_by(col(Synonym.word), col(Synonym.canonical))))


def add_synonym(*, session: Session, word: str, canonical: str) -> Synonym:
    """Add ``word`` → ``canonical`` (returns the existing row when already there)."""
    word, canonical = word.strip(), canonical.strip()
    if not word or not canonical or word == canonical:
        raise InvalidSynonym(word, canonical)
    query = select(Synonym).where(Synonym.word == word, Synonym.canonical == canonical)
    existing = session.exec(query).first()
    if existing is not None:
        return existing
    with lifecycle.transaction(session):
        synonym = Synonym(word=word, canonical=canonical)
        session.add(synonym)
        lifecycle.bump_version(session)
    session.refresh(synonym)
    return synonym


def delete_synonym(*, session: Session, synonym_id: int) -> bool:
    """Remove a synonym; False when there was none with this id."""
    synonym = session.get(Synonym, synonym_id)
    if synonym is None:
        return False
    with lifecycle.transaction(session):
        session.delete(synonym)
        lifecycle.bump_version(session)
    return True


# --- item writes (one transaction each) ------------------------------------------------------


def upsert_item(*, session: Session, item: schema.Item, author: str, summary: str = "",
                publish: bool = False, today: dt.date | None = None) -> ItemChange:
    """Create or change an item; writes a revision only when something changed.

    ``publish=False`` saves a draft (a published item stays visible as it was);
    ``publish=True`` publishes at once.
    """
    with lifecycle.transaction(session):
        row = session.exec(select(ServiceItem).where(ServiceItem.code == item.code)).first()
        change = lifecycle.save_item(session, row, item, author=author, summary=summary,
                                     publish=publish, today=_today(today))
        if change.visible:
            lifecycle.bump_version(session)
    return change


def submit_for_review(*, session: Session, code: str, author: str, summary: str = "") -> ItemChange:
    """Draft → in review."""
    with lifecycle.transaction(session):
        return lifecycle.submit(session, code, author=author, summary=summary)


def approve(*, session: Session, code: str, reviewer: str, comment: str | None = None,
            today: dt.date | None = None, revision: int | None = None) -> ItemChange:
    """In review → published (visible from its effective date, if one is set).

    ``revision``: the version the reviewer saw; StaleRevision when the item changed since.
    """
    with lifecycle.transaction(session):
        change = lifecycle.approve(session, code, reviewer=reviewer, comment=comment, today=_today(today),
                                   revision=revision)
        lifecycle.bump_version(session)
    return change


def return_for_changes(*, session: Session, code: str, reviewer: str, comment: str,
                       revision: int | None = None) -> ItemChange:
    """In review → draft, with the reviewer's comment (StaleRevision when ``revision`` is not the newest)."""
    with lifecycle.transaction(session):
        return lifecycle.return_for_changes(session, code, reviewer=reviewer, comment=comment,
                                            revision=revision)


def archive(*, session: Session, code: str, author: str, summary: str = "") -> ItemChange:
    """Withdraw an item: the bot stops seeing it; its history stays and it can be restored."""
    with lifecycle.transaction(session):
        change = lifecycle.archive(session, lifecycle.find_row(session, code), author=author, summary=summary)
        lifecycle.bump_version(session)
    return change


def set_effective_date(*, session: Session, code: str, effective_date: dt.date | None,
                       author: str) -> ItemChange:
    """Set the date a draft (or an item in review) takes effect once approved."""
    with lifecycle.transaction(session):
        return lifecycle.set_effective_date(session, code, effective_date, author=author)


def restore(*, session: Session, code: str, revision: int, author: str, publish: bool = True,
            today: dt.date | None = None) -> ItemChange:
    """Bring back an earlier snapshot as a new revision; published at once unless ``publish=False``."""
    with lifecycle.transaction(session):
        change = lifecycle.restore(session, code, revision, author=author, publish=publish,
                                   today=_today(today))
        if change.visible:
            lifecycle.bump_version(session)
    return change


# --- whole knowledge bases -------------------------------------------------------------------


def import_kb(*, session: Session, kb: schema.KnowledgeBase, author: str, publish: bool = True,
              prune: bool = False, dry_run: bool = False, progress: Callable[[int], None] | None = None,
              today: dt.date | None = None, clear_hall: Collection[str] = (),
              source: str | None = None, submit_summary: str | None = None) -> ImportReport:
    """Upsert every item of ``kb`` by code in one transaction: all of it is written, or nothing.

    Items missing from ``kb`` are kept, or archived with ``prune``. The hall goes through
    ``knowledge.hall.propose``: published at once with ``publish``, else into review, and a field the
    file leaves empty keeps its value unless named in ``clear_hall``. ``dry_run`` reports what would
    happen and writes nothing. ``progress(1)`` is called after each item. ``source`` (a file name):
    the import is written to the audit log under it, in the same transaction. ``submit_summary``
    (without ``publish``): every new or changed item is submitted for review with it, in the same
    transaction.
    """
    report, day = ImportReport(dry_run=dry_run), _today(today)
    try:
        rows = {row.code: row for row in session.exec(select(ServiceItem))}
        report.hall = hall_record.propose(session, kb.hall, author=author, summary="导入", publish=publish,
                                          clear=clear_hall)
        visible = report.hall.visible
        for item in kb.items:
            change = lifecycle.save_item(session, rows.get(item.code), item, author=author,
                                         summary="", publish=publish, today=day)
            if submit_summary is not None and change.action != "unchanged" and change.status == "draft":
                lifecycle.submit(session, item.code, author=author, summary=submit_summary)
            getattr(report, change.action).append(item.code)
            visible = visible or change.visible
            if progress is not None:
                progress(1)
        if prune:
            visible = _prune(session, rows, {item.code for item in kb.items}, author, report) or visible
        report.cases_added = regression_cases.seed_cases(session=session, items=kb.items)
        if visible:
            lifecycle.bump_version(session)
        if source is not None:
            detail = report.audit_detail()
            session.add(audit_row(username=author, action="import", target=source, detail=detail))
        session.flush()
    except BaseException:
        session.rollback()
        raise
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return report


def _prune(session: Session, rows: dict[str, ServiceItem], keep: set[str], author: str,
           report: ImportReport) -> bool:
    for code, row in rows.items():
        if code not in keep and row.status != "archived":
            lifecycle.archive(session, row, author=author, summary="导入时文件中没有此事项，已归档")
            report.pruned.append(code)
    return bool(report.pruned)


def load_demo_if_empty(*, session: Session, path: Path = DEMO_PATH) -> bool:
    """Load the demo hall (published) into an empty database; True when it did."""
    if not is_empty(session=session):
        return False
    import_kb(session=session, kb=schema.load_kb(path), author=DEMO_AUTHOR, publish=True)
    return True
