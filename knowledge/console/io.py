"""Import and export in the console: an upload is checked in the background (a dry run), then imported on
confirmation, also in the background, while the page shows its progress (``knowledge.import_jobs``).

Uploaded items are saved as drafts and submitted for review (reviewers publish them), unlike
``guidebot kb import`` which publishes at once; a changed hall goes to review too, and a hall field the
file leaves empty keeps its value unless the person importing ticks 清空 for it. Uploads are capped at
20 MB (chunked ones too) and deleted after a day.
"""

import io as _io
import os
import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from knowledge import hall, import_jobs, storage
from knowledge.console import auth
from knowledge.console.context import db, engine
from knowledge.errors import InterchangeError, KnowledgeError
from knowledge.interchange import SUFFIXES, write_document, write_template

bp: Blueprint = Blueprint("io", __name__, url_prefix="/io")
MAX_UPLOAD = 20 * 1024 * 1024
#: A whole console request (the upload's form around its file): ``MAX_CONTENT_LENGTH``.
MAX_REQUEST = MAX_UPLOAD + 1024 * 1024
TOO_LARGE = "文件太大（最大20MB），请分成几个文件导入"


def jobs() -> import_jobs.JobStore:
    return import_jobs.JobStore(Path(current_app.instance_path) / "uploads")


def _job_or_404(token: str) -> import_jobs.Job:
    job = jobs().load(token)
    if job is None:
        abort(404)
    return job


@bp.route("/")
@auth.requires("import")
def index() -> Any:
    return render_template("console/io.html", job=None)


def _too_large() -> Any:
    flash(TOO_LARGE, "error")
    return render_template("console/io.html", job=None), 413


@bp.route("/upload", methods=["POST"])
@auth.requires("import")
def upload() -> Any:
    # MAX_CONTENT_LENGTH (console.init_app) cuts the request stream itself, chunked uploads too.
    if (request.content_length or 0) > MAX_REQUEST:
        return _too_large()
    try:
        file = request.files.get("file")
    except RequestEntityTooLarge:
        return _too_large()
    if file is None or not file.filename:
        flash("请选择要导入的文件", "error")
        return redirect(url_for("console.io.index"))
    store = jobs()
    store.clean()
    job = store.create(name=os.path.basename(file.filename), user=current_user.username, ip=auth.client_ip())
    try:
        file.save(store.data_path(job))
    except RequestEntityTooLarge:
        store.discard(job)
        return _too_large()
    if store.data_path(job).stat().st_size > MAX_UPLOAD:
        store.discard(job)
        return _too_large()
    import_jobs.start(import_jobs.check, store, job, engine())
    auth.log("import_upload", job.name, {"job": job.token})
    return redirect(url_for("console.io.job", token=job.token), code=303)


@bp.route("/job/<token>")
@auth.requires("import")
def job(token: str) -> Any:
    found = _job_or_404(token)
    status = 422 if found.state == "rejected" else 200
    return render_template(
        "console/io.html", job=found, hall_labels=hall.LABELS, mine=found.user == current_user.username
    ), status


@bp.route("/confirm/<token>", methods=["POST"])
@auth.requires("import")
def confirm(token: str) -> Any:
    found = _job_or_404(token)
    if found.state != "checked" or found.stalled:
        abort(404)
    if found.user != current_user.username:
        flash("只有上传文件的人可以确认导入（他看过试导入的结果）", "error")
        return redirect(url_for("console.io.job", token=token))
    if not jobs().claim(found):
        abort(404)  # confirmed already (a second click, another tab)
    kept = {entry["field"] for entry in ((found.report or {}).get("hall") or {}).get("kept", [])}
    clear = [name for name in request.form.getlist("clear_hall") if name in kept]
    found.state, found.phase = "queued", "排队等待"
    jobs().save(found)
    import_jobs.start(import_jobs.apply, jobs(), found, engine(), clear_hall=clear)
    return redirect(url_for("console.io.job", token=token), code=303)


@bp.route("/export")
@auth.requires("import")
def export() -> Any:
    fmt = request.args.get("format", "xlsx")
    status = request.args.get("status", "published")
    if f".{fmt}" not in SUFFIXES or status not in ("published", "all"):
        abort(400)
    handle, temp = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    try:
        kb = storage.export_kb(session=db(), status=status)
        write_document(kb, temp)
    except (InterchangeError, KnowledgeError) as exc:
        os.unlink(temp)
        flash(f"导出失败：{exc}", "error")
        return redirect(url_for("console.io.index"))
    auth.log("export", fmt, {"status": status, "items": len(kb.items)})
    data = Path(temp).read_bytes()
    os.unlink(temp)
    return send_file(_io.BytesIO(data), as_attachment=True, download_name=f"guidebot-{status}.{fmt}")


@bp.route("/template")
@auth.requires("import")
def template() -> Any:
    handle, temp = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    write_template(temp)
    data = Path(temp).read_bytes()
    os.unlink(temp)
    return send_file(_io.BytesIO(data), as_attachment=True, download_name="guidebot-template.xlsx")
