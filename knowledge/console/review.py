"""Review: items waiting for approval, approve (through the regression gate) or return; regression table."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from knowledge import hall, lifecycle, storage
from knowledge.console import auth, regression, writes
from knowledge.console.context import db, hooks
from knowledge.console.diffs import diff_snapshots
from knowledge.console.forms import FIELD_LABELS
from knowledge.errors import KnowledgeError
from knowledge.models import STATUS_LABELS
from knowledge.schema import ASKABLE_FIELDS

bp: Blueprint = Blueprint("review", __name__, url_prefix="/review")


@bp.route("/")
@login_required
def index() -> Any:
    rows = storage.list_items(session=db(), status="in_review")
    authors = {row.code: sorted(writes.change_authors(session=db(), code=row.code)) for row in rows}
    pending = hall.proposal(db())
    hall_pending = pending if pending is not None and pending.status == "in_review" else None
    return render_template("console/review.html", rows=rows, authors=authors, hall_pending=hall_pending)


def _baseline(row: Any) -> dict[str, Any]:
    """The version being replaced: the published one, else the last published revision, else nothing."""
    if row.live_data is not None:
        return dict(row.live_data)
    for revision in reversed(storage.history(session=db(), code=row.code)):
        if revision.status == "published" and revision.number < row.revision:
            return dict(revision.snapshot)
    return {}


def _show(code: str, *, broken: list[Any] | None = None, status: int = 200) -> Any:
    try:
        row = storage.get_item(session=db(), code=code)
    except lifecycle.ItemNotFound:
        abort(404)
    authors = sorted(writes.change_authors(session=db(), code=code))
    if broken is None and row.status == "in_review":
        _results, broken = regression.gate(
            session=db(),
            answer=hooks().answer,
            would_be=lambda: writes.would_be_published(session=db(), code=code),
            code=code,
        )
    return render_template(
        "console/review_show.html",
        row=row,
        authors=authors,
        diff=diff_snapshots(_baseline(row), row.data),
        broken=broken or [],
        statuses=STATUS_LABELS,
        changes=writes.revisions_under_review(session=db(), code=code),
    ), status


def _seen_revision() -> int:
    """The revision the reviewer's form showed (every approve and return form carries it)."""
    revision = request.form.get("revision", type=int)
    if revision is None:
        raise writes.ReviewError("审核表单缺少版本号，请刷新审核页面后重新审核")
    return revision


def _stale(code: str, exc: lifecycle.StaleRevision) -> Any:
    flash(str(exc), "error")
    return _show(code, status=409)


@bp.route("/<code>")
@login_required
def show(code: str) -> Any:
    return _show(code)


@bp.route("/<code>/approve", methods=["POST"])
@auth.requires("review")
def approve(code: str) -> Any:
    if current_user.username in writes.change_authors(session=db(), code=code):
        flash("不能审核自己提交的修改，请由其他审核员审核", "error")
        return _show(code, status=403)
    try:
        seen = _seen_revision()
        # Checked before the regression gate too: the gate would otherwise test the newer version.
        lifecycle.check_revision(storage.get_item(session=db(), code=code), seen)
    except writes.ReviewError as exc:
        flash(exc.message, "error")
        return _show(code, status=400)
    except lifecycle.StaleRevision as exc:
        return _stale(code, exc)
    except lifecycle.ItemNotFound:
        abort(404)
    results, broken = regression.gate(
        session=db(),
        answer=hooks().answer,
        would_be=lambda: writes.would_be_published(session=db(), code=code),
        code=code,
    )
    if broken and request.form.get("confirm_broken") != "1":
        flash(
            f"发布后有 {len(broken)} 个原来能答对的测试问题会答错，请核对；确认无误后勾选确认再发布", "error"
        )
        return _show(code, broken=broken, status=409)
    try:
        change = writes.approve(
            session=db(),
            code=code,
            reviewer=current_user.username,
            comment=request.form.get("comment", "").strip() or None,
            revision=seen,
        )
    except writes.ReviewError as exc:
        flash(exc.message, "error")
        return _show(code, status=403)
    except lifecycle.StaleRevision as exc:
        return _stale(code, exc)
    except KnowledgeError as exc:
        flash(str(exc), "error")
        return redirect(url_for("console.review.show", code=code))
    regression.record(session=db(), results=results)
    auth.log(
        "publish",
        code,
        {"revision": change.revision, "confirmed_failures": [r.case.question for r in broken]},
    )
    row = storage.get_item(session=db(), code=code)
    when = f"，将于 {row.effective_date} 生效" if row.effective_date else "，已生效"
    flash(f"审核通过并发布{when}", "ok")
    return redirect(url_for("console.review.index"))


@bp.route("/<code>/return", methods=["POST"])
@auth.requires("review")
def return_(code: str) -> Any:
    try:
        writes.return_for_changes(
            session=db(),
            code=code,
            reviewer=current_user.username,
            comment=request.form.get("comment", ""),
            revision=_seen_revision(),
        )
    except writes.ReviewError as exc:
        flash(exc.message, "error")
        return redirect(url_for("console.review.show", code=code))
    except lifecycle.StaleRevision as exc:
        return _stale(code, exc)
    except KnowledgeError as exc:
        flash(str(exc), "error")
        return redirect(url_for("console.review.show", code=code))
    auth.log("return", code, {"comment": request.form.get("comment", "")})
    flash("已退回修改", "ok")
    return redirect(url_for("console.review.index"))


@bp.route("/regression", methods=["GET", "POST"])
@login_required
def regression_table() -> Any:
    results = None
    if request.method == "POST":
        if not current_user.can("regression"):
            abort(403)
        action = request.form.get("action")
        if action == "add":
            try:
                case = regression.add_case(
                    session=db(),
                    question=request.form.get("question", ""),
                    item_code=request.form.get("item_code", "").strip() or None,
                    field=request.form.get("field", "").strip() or None,
                    created_by=current_user.username,
                )
            except regression.CaseError as exc:
                flash(exc.message, "error")
            else:
                auth.log("regression_add", str(case.id), {"question": case.question, "item": case.item_code})
                flash("已添加测试问题", "ok")
        elif action == "delete":
            case_id = request.form.get("case_id", type=int) or 0
            if regression.delete_case(session=db(), case_id=case_id):
                auth.log("regression_delete", str(case_id))
                flash("已删除", "ok")
        elif action == "run":
            results = regression.run_cases(regression.list_cases(session=db()), hooks().answer, None)
            regression.record(session=db(), results=results)
            flash(f"已运行：{sum(r.passed for r in results)} / {len(results)} 通过", "ok")
        return redirect(url_for("console.review.regression_table"))
    cases = regression.list_cases(session=db())
    return render_template("console/regression.html", cases=cases, fields=ASKABLE_FIELDS, labels=FIELD_LABELS)
