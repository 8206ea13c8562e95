"""Items: list, search and filter; edit every field; history, diff and restore; preview and ask-box."""

import datetime as dt
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from knowledge import lifecycle, schema, storage
from knowledge.console import auth, writes
from knowledge.console.context import db, hall_today, hooks
from knowledge.console.diffs import diff_snapshots
from knowledge.console.forms import (
    FIELD_LABELS,
    MATERIAL_FORMS,
    ItemFormError,
    item_data_from_form,
    situation_materials_text,
)
from knowledge.errors import KnowledgeError
from knowledge.models import STATUS_LABELS, STATUSES
from knowledge.queries import is_stale

bp: Blueprint = Blueprint("items", __name__, url_prefix="/items")
PAGE_SIZE = 50


def _stale_days() -> int:
    return int(current_app.config["STALE_DAYS"])


@bp.route("/")
@login_required
def index() -> Any:
    search = request.args.get("q", "").strip()
    status = request.args.get("status") or None
    department = request.args.get("department") or ""
    stale_only = bool(request.args.get("stale"))
    full_text = bool(request.args.get("all"))
    rows = storage.list_items(
        session=db(),
        search=search or None,
        status=status if status in STATUSES else None,
        full_text=full_text,
    )
    departments = sorted({row.department for row in storage.list_items(session=db())})
    today = hall_today()
    if department:
        rows = [row for row in rows if row.department == department]
    stale = {row.code for row in rows if is_stale(row, today=today, stale_days=_stale_days())}
    if stale_only:
        rows = [row for row in rows if row.code in stale]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    pages = max(1, (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render_template(
        "console/items.html",
        rows=shown,
        total=len(rows),
        page=page,
        pages=pages,
        search=search,
        status=status,
        department=department,
        stale_only=stale_only,
        full_text=full_text,
        departments=departments,
        stale=stale,
        statuses=STATUS_LABELS,
        stale_days=_stale_days(),
    )


def _form_context(data: dict[str, Any], errors: dict[str, str], row: Any = None) -> dict[str, Any]:
    materials = list(data.get("materials") or []) + [{}] * 3
    windows = list(data.get("windows") or []) + [{}] * 2
    faq = list(data.get("faq") or []) + [{}] * 2
    situations = [
        dict(s, materials_text=situation_materials_text(s.get("materials") or []))
        for s in data.get("situations") or []
    ] + [{"materials_text": ""}]
    return {
        "data": data,
        "errors": errors,
        "row": row,
        "materials": materials,
        "windows": windows,
        "faq": faq,
        "situations": situations,
        "labels": FIELD_LABELS,
        "material_forms": MATERIAL_FORMS,
        "statuses": STATUS_LABELS,
    }


def _effective_date() -> dt.date | None:
    raw = request.form.get("effective_date", "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ItemFormError({"effective_date": "日期格式应为 YYYY-MM-DD"}, {}) from None


#: Shown beside a field whose text held NUL (the console's other forms refuse it with a 400).
NUL_MESSAGE = "含有不允许的控制字符（如 NUL），已删除，请检查后再保存"


def _save(row: Any) -> Any:
    code = row.code if row is not None else None
    form = request.form.to_dict()
    if code is not None:
        form["code"] = code  # the code identifies the item and never changes in the form
    # Text pasted from a PDF may carry NUL: say so beside the field and keep the rest of the form.
    nul = {key: NUL_MESSAGE for key, value in form.items() if "\x00" in value}
    form = {key: value.replace("\x00", "") for key, value in form.items()}
    try:
        try:
            data = item_data_from_form(form)
        except ItemFormError as exc:
            raise ItemFormError({**exc.errors, **nul}, exc.data) from exc
        if nul:
            raise ItemFormError(nul, data)
        effective = _effective_date()
        if row is None and writes.find_item(session=db(), code=data["code"]) is not None:
            raise ItemFormError({"code": f"事项编码 {data['code']} 已存在"}, data)
    except ItemFormError as exc:
        data = exc.data or form
        flash("保存失败：请按红字提示修改后再保存", "error")
        return render_template(
            "console/item_edit.html", **_form_context(exc.data or {}, exc.errors, row), form_data=form
        ), 422
    submit = request.form.get("submit_review") == "1"
    change = writes.save_draft(
        session=db(),
        data=data,
        author=current_user.username,
        summary=request.form.get("summary", "").strip(),
        effective_date=effective,
        submit=submit,
    )
    auth.log(
        "item_submit" if submit else "item_save",
        data["code"],
        {"revision": change.revision, "status": change.status},
    )
    flash(
        "已保存并提交审核"
        if submit
        else ("已保存为草稿" if change.action != "unchanged" else "内容没有变化"),
        "ok",
    )
    return redirect(url_for("console.items.edit", code=data["code"]))


@bp.route("/new", methods=["GET", "POST"])
@auth.requires("edit")
def new() -> Any:
    if request.method == "POST":
        return _save(None)
    start: dict[str, Any] = {"materials": []}
    if request.args.get("name"):
        start["name"] = request.args["name"]
    if request.args.get("alias"):
        start["aliases"] = [request.args["alias"]]
    return render_template("console/item_edit.html", **_form_context(start, {}), form_data={})


def _row_or_404(code: str) -> Any:
    try:
        return storage.get_item(session=db(), code=code)
    except lifecycle.ItemNotFound:
        abort(404)


@bp.route("/<code>", methods=["GET", "POST"])
@login_required
def edit(code: str) -> Any:
    row = _row_or_404(code)
    if request.method == "POST":
        if not current_user.can("edit"):
            abort(403)
        return _save(row)
    return render_template(
        "console/item_edit.html",
        **_form_context(row.data, {}, row),
        form_data={},
        stale=is_stale(row, today=hall_today(), stale_days=_stale_days()),
    )


@bp.route("/<code>/submit", methods=["POST"])
@auth.requires("edit")
def submit(code: str) -> Any:
    _row_or_404(code)
    try:
        writes.submit(session=db(), code=code, author=current_user.username)
    except KnowledgeError as exc:
        flash(str(exc), "error")
    else:
        auth.log("item_submit", code)
        flash("已提交审核", "ok")
    return redirect(url_for("console.items.edit", code=code))


@bp.route("/<code>/archive", methods=["POST"])
@auth.requires("review")
def archive(code: str) -> Any:
    _row_or_404(code)
    try:
        storage.archive(session=db(), code=code, author=current_user.username)
    except KnowledgeError as exc:
        flash(str(exc), "error")
    else:
        auth.log("item_archive", code)
        flash("已归档，机器人不再回答此事项", "ok")
    return redirect(url_for("console.items.edit", code=code))


@bp.route("/<code>/history")
@login_required
def history(code: str) -> Any:
    row = _row_or_404(code)
    revisions = storage.history(session=db(), code=code)
    numbers = [revision.number for revision in revisions]
    b = request.args.get("b", type=int) or (numbers[-1] if numbers else None)
    a = request.args.get("a", type=int) or _last_different(revisions, b)
    diff = None
    if a in numbers and b in numbers:
        old = revisions[numbers.index(a)].snapshot
        new = revisions[numbers.index(b)].snapshot
        diff = diff_snapshots(old, new)
    return render_template(
        "console/item_history.html",
        row=row,
        revisions=list(reversed(revisions)),
        a=a,
        b=b,
        diff=diff,
        statuses=STATUS_LABELS,
    )


def _last_different(revisions: list[Any], number: int | None) -> int | None:
    """The newest revision before ``number`` whose content differs from it (a submit or a publish
    repeats the content of the revision before it), else the one just before it."""
    numbers = [revision.number for revision in revisions]
    if number not in numbers:
        return None
    position = numbers.index(number)
    snapshot = revisions[position].snapshot
    for earlier in reversed(revisions[:position]):
        if earlier.snapshot != snapshot:
            return int(earlier.number)
    return numbers[position - 1] if position > 0 else None


@bp.route("/<code>/restore/<int:number>", methods=["POST"])
@auth.requires("edit")
def restore(code: str, number: int) -> Any:
    _row_or_404(code)
    try:
        change = writes.restore(session=db(), code=code, number=number, author=current_user.username)
    except KnowledgeError as exc:
        flash(str(exc), "error")
        return redirect(url_for("console.items.history", code=code))
    auth.log("item_restore", code, {"from_revision": number, "revision": change.revision})
    flash(f"已将第 {number} 版恢复为新的草稿（第 {change.revision} 版），请提交审核", "ok")
    return redirect(url_for("console.items.edit", code=code))


def _decision_view(decision: Any) -> dict[str, Any]:
    return {
        "action": getattr(decision, "action", ""),
        "item": getattr(decision, "item", None),
        "field": getattr(decision, "field", None),
        "score": float(getattr(decision, "score", 0.0) or 0.0),
        "candidates": list(getattr(decision, "candidates", ()) or ()),
        "reason": getattr(decision, "reason", ""),
    }


@bp.route("/<code>/preview")
@login_required
def preview(code: str) -> Any:
    row = _row_or_404(code)
    item = row.item()
    answers: list[tuple[str | None, str, str]] = [(None, "一次性告知（总览）", hooks().preview(item, None))]
    answers += [
        (name, FIELD_LABELS.get(name, name), hooks().preview(item, name)) for name in schema.ASKABLE_FIELDS
    ]
    question = request.args.get("q", "").strip()
    asked = None
    if question:
        items = writes.would_be_published(session=db(), code=code)
        decision, reply = hooks().answer(question, items)
        asked = {"question": question, "reply": reply, **_decision_view(decision)}
    return render_template(
        "console/item_preview.html", row=row, answers=answers, asked=asked, labels=FIELD_LABELS
    )


def ask_live(question: str) -> dict[str, Any]:
    """How the bot answers ``question`` with the knowledge base it sees now."""
    decision, reply = hooks().answer(question, None)
    return {"question": question, "reply": reply, **_decision_view(decision)}


@bp.route("/ask")
@login_required
def ask() -> Any:
    question = request.args.get("q", "").strip()
    asked = ask_live(question) if question else None
    return render_template("console/ask.html", asked=asked, labels=FIELD_LABELS)
