"""Import and export in the console: an upload shows a dry-run report first, then imports on confirmation.

Uploaded items are saved as drafts and submitted for review (reviewers publish them), unlike
``guidebot kb import`` which publishes at once. The upload waits in the instance folder under a random
name until it is confirmed.
"""

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from knowledge import storage
from knowledge.console import auth
from knowledge.console.context import db
from knowledge.errors import InterchangeError, KnowledgeError
from knowledge.interchange import SUFFIXES, read_document, write_document, write_template

bp: Blueprint = Blueprint("io", __name__, url_prefix="/io")
MAX_UPLOAD = 20 * 1024 * 1024
_TOKEN_CHARS = set("0123456789abcdef")


def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pending(token: str) -> tuple[Path, str]:
    """The stored upload for ``token`` and its original file name; 404 for anything else."""
    if len(token) != 32 or not set(token) <= _TOKEN_CHARS:
        abort(404)
    for suffix in SUFFIXES:
        path = _upload_dir() / f"{token}{suffix}"
        if path.is_file():
            name_file = path.with_suffix(".name")
            name = name_file.read_text(encoding="utf-8") if name_file.is_file() else path.name
            return path, name
    abort(404)


@bp.route("/")
@auth.requires("import")
def index() -> Any:
    return render_template("console/io.html", report=None, problems=None)


@bp.route("/upload", methods=["POST"])
@auth.requires("import")
def upload() -> Any:
    if (request.content_length or 0) > MAX_UPLOAD:
        flash("文件太大（最大20MB）", "error")
        return redirect(url_for("console.io.index"))
    file = request.files.get("file")
    if file is None or not file.filename:
        flash("请选择要导入的文件", "error")
        return redirect(url_for("console.io.index"))
    name = os.path.basename(file.filename)
    suffix = Path(name).suffix.lower()
    token = secrets.token_hex(16)
    path = _upload_dir() / f"{token}{suffix if suffix in SUFFIXES else '.bin'}"
    file.save(path)
    try:
        kb = read_document(path, name=name)
    except InterchangeError as exc:
        path.unlink(missing_ok=True)
        auth.log("import_rejected", name, {"problems": len(exc.problems)})
        return render_template("console/io.html", report=None, problems=exc.problems, file=name), 422
    path.with_suffix(".name").write_text(name, encoding="utf-8")
    report = storage.import_kb(session=db(), kb=kb, author=current_user.username, publish=False, dry_run=True)
    return render_template(
        "console/io.html", report=report, problems=None, file=name, token=token, items=len(kb.items)
    )


@bp.route("/confirm/<token>", methods=["POST"])
@auth.requires("import")
def confirm(token: str) -> Any:
    path, name = _pending(token)
    try:
        kb = read_document(path, name=name)
        report = storage.import_kb(session=db(), kb=kb, author=current_user.username, publish=False)
        for code in report.created + report.updated:
            if storage.get_item(session=db(), code=code).status == "draft":
                storage.submit_for_review(
                    session=db(), code=code, author=current_user.username, summary=f"从文件 {name} 导入"
                )
    except (InterchangeError, KnowledgeError) as exc:
        flash(f"导入失败：{exc}", "error")
        return redirect(url_for("console.io.index"))
    finally:
        path.unlink(missing_ok=True)
        path.with_suffix(".name").unlink(missing_ok=True)
    auth.log(
        "import",
        name,
        {"created": report.created, "updated": report.updated, "hall_changed": report.hall_changed},
    )
    flash(f"已导入：{report.summary()}。新增和修改的事项已提交审核，审核通过后生效。", "ok")
    return redirect(url_for("console.review.index"))


@bp.route("/export")
@auth.requires("import")
def export() -> Any:
    fmt = request.args.get("format", "xlsx")
    status = request.args.get("status", "published")
    if f".{fmt}" not in SUFFIXES or status not in ("published", "all"):
        abort(400)
    try:
        kb = storage.export_kb(session=db(), status=status)
        handle, temp = tempfile.mkstemp(suffix=f".{fmt}")
        os.close(handle)
        write_document(kb, temp)
    except (InterchangeError, KnowledgeError) as exc:
        flash(f"导出失败：{exc}", "error")
        return redirect(url_for("console.io.index"))
    auth.log("export", fmt, {"status": status, "items": len(kb.items)})
    data = Path(temp).read_bytes()
    os.unlink(temp)
    import io as _io

    return send_file(_io.BytesIO(data), as_attachment=True, download_name=f"guidebot-{status}.{fmt}")


@bp.route("/template")
@auth.requires("import")
def template() -> Any:
    handle, temp = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    write_template(temp)
    data = Path(temp).read_bytes()
    os.unlink(temp)
    import io as _io

    return send_file(_io.BytesIO(data), as_attachment=True, download_name="guidebot-template.xlsx")
