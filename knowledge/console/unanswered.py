"""The unanswered-question queue: grouped questions and what staff do with them."""

import json
import re
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from knowledge import lifecycle, storage
from knowledge.console import auth, regression, replies, writes
from knowledge.console.context import db, hooks
from knowledge.errors import KnowledgeError
from knowledge.models import QUESTION_STATES
from knowledge.queries import STATE_LABELS, questions_by_ids, review_queue, set_question_state

bp: Blueprint = Blueprint("unanswered", __name__, url_prefix="/unanswered")

_MASK = re.compile(r"〔[^〕]*〕")


def phrasing(text: str) -> str:
    """A masked question as an alias: without the personal-data tokens, trimmed of punctuation."""
    return _MASK.sub("", text).strip(" ，。？！?!,.、")


def _template_fields() -> dict[str, str]:
    """SUBSCRIBE_TEMPLATE_FIELDS as a dict (a JSON string from the environment is parsed)."""
    value = current_app.config.get("SUBSCRIBE_TEMPLATE_FIELDS")
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else None
    return dict(value) if value else dict(replies.DEFAULT_FIELDS)


@bp.route("/")
@auth.requires("queue")
def index() -> Any:
    state = request.args.get("state", "open")
    groups = review_queue(
        session=db(), state=None if state == "all" else state if state in QUESTION_STATES else "open"
    )
    names = {}
    for group in groups:
        for code, _score in group.candidates:
            if code not in names:
                row = writes.find_item(session=db(), code=code)
                names[code] = row.name if row is not None else code
    # Any item, not only the bot's three guesses: when all three are wrong, the right one is an alias away.
    items = storage.item_names(session=db()) if groups else []
    return render_template(
        "console/unanswered.html", groups=groups, state=state, states=STATE_LABELS, names=names, items=items
    )


def _ids() -> list[int]:
    ids = [int(value) for value in request.form.getlist("ids") if value.isdigit()]
    if not ids:
        abort(400)
    return ids


@bp.route("/action", methods=["POST"])
@auth.requires("queue")
def action() -> Any:
    ids = _ids()
    questions = questions_by_ids(session=db(), ids=ids)
    if not questions:
        abort(404)
    text = phrasing(questions[0].text)
    kind = request.form.get("action", "")
    back = redirect(url_for("console.unanswered.index", state=request.args.get("state", "open")))
    if kind == "alias":
        code = request.form.get("code", "")
        if not current_user.can("edit"):
            abort(403)
        try:
            change = writes.add_alias(session=db(), code=code, alias=text, author=current_user.username)
        except (lifecycle.ItemNotFound, KnowledgeError) as exc:
            flash(str(exc), "error")
            return back
        set_question_state(session=db(), ids=ids, state="alias_added")
        auth.log("alias_add", code, {"alias": text, "questions": ids, "revision": change.revision})
        flash(f"已把「{text}」加为 {code} 的别名并提交审核；审核发布后机器人即可回答", "ok")
    elif kind == "new_item":
        if not current_user.can("edit"):
            abort(403)
        set_question_state(session=db(), ids=ids, state="item_created")
        auth.log("item_from_question", "", {"question": text, "questions": ids})
        return redirect(url_for("console.items.new", name=text, alias=text))
    elif kind == "regression":
        if not current_user.can("regression"):
            abort(403)
        try:
            case = regression.add_case(
                session=db(),
                question=text,
                item_code=request.form.get("code") or None,
                field=None,
                created_by=current_user.username,
            )
        except regression.CaseError as exc:
            flash(exc.message, "error")
            return back
        auth.log("regression_add", str(case.id), {"question": text, "item": case.item_code})
        flash("已加入回归测试", "ok")
    elif kind == "ignore":
        set_question_state(session=db(), ids=ids, state="ignored")
        auth.log("question_ignore", "", {"questions": ids})
        flash("已忽略", "ok")
    elif kind == "reopen":
        set_question_state(session=db(), ids=ids, state="open")
        auth.log("question_reopen", "", {"questions": ids})
        flash("已重新打开", "ok")
    elif kind == "reply":
        if not current_user.can("reply"):
            abort(403)
        message = request.form.get("message", "").strip()
        if not message:
            flash("回复内容不能为空", "error")
            return back
        outcomes = replies.reply(
            session=db(),
            questions=questions,
            text=message,
            send=hooks().send,
            username=current_user.username,
            ip=auth.client_ip(),
            notify=hooks().notify,
            template_id=str(current_app.config.get("SUBSCRIBE_TEMPLATE_ID") or ""),
            fields=_template_fields(),
        )
        delivered = sum(outcome.delivered for outcome in outcomes)
        if delivered:
            set_question_state(session=db(), ids=ids, state="answered")
            flash(f"已回复 {delivered} 位群众", "ok")
        noticed = [outcome for outcome in outcomes if outcome.delivered and outcome.channel == "subscribe"]
        if noticed:
            note = "，通知里的回复内容已截短，请尽量简短" if any(o.shortened for o in noticed) else ""
            flash(
                f"其中 {len(noticed)} 位已超过48小时客服消息窗口，已改用订阅通知发送"
                f"（用掉了群众的一次同意）{note}",
                "ok",
            )
        for reason in sorted({outcome.reason for outcome in outcomes if not outcome.delivered}):
            flash(f"无法送达：{reason}", "error")
    else:
        abort(400)
    return back
