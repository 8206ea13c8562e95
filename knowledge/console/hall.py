"""The hall record in the console: what citizens read, the change waiting for review, history and restore.

Editors propose changes (into review); a second person approves the revision the page showed, as for
items. Every step is audited by ``knowledge.hall`` itself, with the old and new values.
"""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from pydantic import ValidationError

from knowledge import hall, schema
from knowledge.console import auth
from knowledge.console.context import db
from knowledge.errors import KnowledgeError

bp: Blueprint = Blueprint("hall", __name__, url_prefix="/hall")


def _page(
    *, form: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> Any:
    session = db()
    published = hall.published(session)
    pending = hall.proposal(session)
    changes: tuple[hall.FieldChange, ...] = ()
    if pending is not None:
        changes = hall.differences(published, schema.Hall.model_validate(pending.snapshot))
    start = pending.snapshot if pending is not None else (published.dump() if published else {})
    revisions = hall.history(session)
    return render_template(
        "console/hall.html",
        published=published,
        pending=pending,
        changes=changes,
        form=form if form is not None else {name: start.get(name) or "" for name in hall.FIELDS},
        errors=errors or {},
        fields=hall.FIELDS,
        labels=hall.LABELS,
        statuses=hall.STATUS_LABELS,
        revisions=list(reversed(revisions)),
        authors=hall.authors_under_review(session),
        current=revisions[-1].number if revisions else 0,
    ), status


@bp.route("/")
@login_required
def index() -> Any:
    return _page()


@bp.route("/propose", methods=["POST"])
@auth.requires("edit")
def propose() -> Any:
    form = {name: request.form.get(name, "").strip() for name in hall.FIELDS}
    summary = request.form.get("summary", "").strip()
    try:
        proposed = schema.Hall.model_validate({name: value or None for name, value in form.items()})
    except ValidationError as exc:
        errors = {
            str(error["loc"][0]): str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()
        }
        if "name" in errors and not form["name"]:
            errors["name"] = "必须填写"
        flash("保存失败：请按红字提示修改", "error")
        return _page(form={**form, "summary": summary}, errors=errors, status=422)
    # The form shows every field: one the editor emptied is emptied on purpose.
    cleared = [name for name, value in form.items() if not value]
    change = hall.propose_hall(
        session=db(),
        hall=proposed,
        author=current_user.username,
        summary=summary,
        clear=cleared,
        ip=auth.client_ip(),
    )
    if change.action == "unchanged":
        flash("内容没有变化（或与待审核的修改相同）", "ok")
    else:
        flash("已提交审核：审核通过后群众才会看到新的大厅信息", "ok")
    return redirect(url_for("console.hall.index"))


def _review(decide: Callable[[int], object], *, refused: int, done: str) -> Any:
    """Approve or return the revision the reviewer's form showed: ``decide(revision)``; a refusal is shown on
    the page with its status (stale 409, own change 403, else ``refused``)."""
    seen = request.form.get("revision", type=int)
    if seen is None:
        flash("审核表单缺少版本号，请刷新页面后重新审核", "error")
        return _page(status=400)
    try:
        decide(seen)
    except hall.StaleHallRevision as exc:
        flash(str(exc), "error")
        return _page(status=409)
    except hall.OwnHallChange as exc:
        flash(str(exc), "error")
        return _page(status=403)
    except KnowledgeError as exc:
        flash(str(exc), "error")
        return _page(status=refused)
    flash(done, "ok")
    return redirect(url_for("console.hall.index"))


@bp.route("/approve", methods=["POST"])
@auth.requires("review")
def approve() -> Any:
    return _review(
        lambda seen: hall.approve_hall(
            session=db(),
            reviewer=current_user.username,
            revision=seen,
            comment=request.form.get("comment", "").strip() or None,
            ip=auth.client_ip(),
        ),
        refused=409,
        done="审核通过，新的大厅信息已发布",
    )


@bp.route("/return", methods=["POST"])
@auth.requires("review")
def return_() -> Any:
    return _review(
        lambda seen: hall.return_hall(
            session=db(),
            reviewer=current_user.username,
            revision=seen,
            comment=request.form.get("comment", ""),
            ip=auth.client_ip(),
        ),
        refused=422,
        done="已退回修改",
    )


@bp.route("/restore/<int:number>", methods=["POST"])
@auth.requires("edit")
def restore(number: int) -> Any:
    try:
        change = hall.restore_hall(
            session=db(), number=number, author=current_user.username, ip=auth.client_ip()
        )
    except KnowledgeError as exc:
        flash(str(exc), "error")
        return _page(status=404)
    if change.action == "unchanged":
        flash(f"第 {number} 版与群众现在看到的大厅信息相同，无需恢复", "ok")
    else:
        flash(f"已将第 {number} 版提交审核（第 {change.revision} 版），审核通过后生效", "ok")
    return redirect(url_for("console.hall.index"))
