"""Console writes: each wraps ``knowledge.lifecycle`` steps in one transaction and bumps the KB version
when what the bot sees may have changed (so every worker's matcher index rebuilds)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from knowledge import lifecycle, schema, storage
from knowledge.lifecycle import ItemChange
from knowledge.models import ItemRevision, ServiceItem, china_today


class ReviewError(ValueError):
    """A review step is not allowed for this user; ``message`` is Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _write(session: Session, step: Callable[[Session], ItemChange]) -> ItemChange:
    # The request's own session: a second connection would hold SQLite's snapshot against this one.
    try:
        change = step(session)
        if change.visible:
            lifecycle.bump_version(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return change


def find_item(*, session: Session, code: str) -> ServiceItem | None:
    return session.exec(select(ServiceItem).where(ServiceItem.code == code)).first()


def save_draft(
    *,
    session: Session,
    data: dict[str, Any],
    author: str,
    summary: str = "",
    effective_date: dt.date | None = None,
    submit: bool = False,
) -> ItemChange:
    """Save an edited or new item as a draft (optionally submitted for review at once)."""
    item = schema.Item.model_validate(data)

    def step(session: Session) -> ItemChange:
        row = find_item(session=session, code=item.code)
        change = lifecycle.save_item(
            session, row, item, author=author, summary=summary, publish=False, today=china_today()
        )
        session.flush()
        current = lifecycle.find_row(session, item.code)
        if current.effective_date != effective_date and current.status in ("draft", "in_review"):
            change = lifecycle.set_effective_date(session, item.code, effective_date, author=author)
        if submit and current.status == "draft":
            change = lifecycle.submit(session, item.code, author=author, summary="提交审核")
        return change

    return _write(session, step)


def submit(*, session: Session, code: str, author: str) -> ItemChange:
    return _write(session, lambda s: lifecycle.submit(s, code, author=author, summary="提交审核"))


def change_authors(*, session: Session, code: str) -> set[str]:
    """Who wrote the versions since the item was last published: they may not approve it."""
    revisions = session.exec(
        select(ItemRevision).where(ItemRevision.item_code == code).order_by(col(ItemRevision.number).desc())
    )
    authors: set[str] = set()
    for revision in revisions:
        if revision.status in ("published", "archived"):
            break
        authors.add(revision.author)
    return authors


def approve(
    *, session: Session, code: str, reviewer: str, comment: str | None, revision: int
) -> ItemChange:
    """Publish revision ``revision`` of an item in review; the reviewer must not be one of its authors.

    StaleRevision when the item has a newer revision than the one the reviewer saw.
    """
    if reviewer in change_authors(session=session, code=code):
        raise ReviewError("不能审核自己提交的修改，请由其他审核员审核")
    return _write(
        session,
        lambda s: lifecycle.approve(
            s, code, reviewer=reviewer, comment=comment or None, today=china_today(), revision=revision
        ),
    )


def return_for_changes(
    *, session: Session, code: str, reviewer: str, comment: str, revision: int
) -> ItemChange:
    """Send revision ``revision`` back to its authors with ``comment``."""
    if not comment.strip():
        raise ReviewError("退回时请填写修改意见")
    if reviewer in change_authors(session=session, code=code):
        raise ReviewError("不能审核自己提交的修改，请由其他审核员审核")
    return _write(
        session,
        lambda s: lifecycle.return_for_changes(
            s, code, reviewer=reviewer, comment=comment, revision=revision
        ),
    )


def revisions_under_review(*, session: Session, code: str) -> list[ItemRevision]:
    """The revisions since the item was last published, oldest first: what the reviewer is asked to accept."""
    revisions = session.exec(
        select(ItemRevision).where(ItemRevision.item_code == code).order_by(col(ItemRevision.number).desc())
    )
    found: list[ItemRevision] = []
    for revision in revisions:
        if revision.status in ("published", "archived"):
            break
        found.append(revision)
    return list(reversed(found))


def restore(*, session: Session, code: str, number: int, author: str) -> ItemChange:
    """Bring back an earlier revision as a new draft (it goes through review again)."""
    return _write(
        session,
        lambda s: lifecycle.restore(s, code, number, author=author, publish=False, today=china_today()),
    )


def add_alias(*, session: Session, code: str, alias: str, author: str) -> ItemChange:
    """Add a phrasing as an alias of the item's newest version and submit it for review."""
    alias = alias.strip()
    row = find_item(session=session, code=code)
    if row is None:
        raise lifecycle.ItemNotFound(code)
    data = dict(row.data)
    aliases = list(data.get("aliases") or [])
    if alias and alias not in aliases and alias != data.get("name"):
        aliases.append(alias)
    data["aliases"] = aliases
    return save_draft(
        session=session,
        data=data,
        author=author,
        summary=f"添加别名「{alias}」",
        submit=True,
        effective_date=None,
    )


def would_be_published(*, session: Session, code: str) -> list[schema.Item]:
    """What the bot would see once ``code``'s newest version is published."""
    row = find_item(session=session, code=code)
    items = [item for item in storage.published_items(session=session) if item.code != code]
    if row is not None:
        items.append(row.item())
    return items
