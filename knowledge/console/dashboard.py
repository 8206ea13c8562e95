"""The dashboard: traffic, action rates, top items and unanswered groups, satisfaction, busiest hours."""

from typing import Any

from flask import Blueprint, current_app, render_template
from flask_login import login_required
from sqlmodel import select

from knowledge.console.context import db, hall_today, hooks
from knowledge.models import ServiceItem
from knowledge.queries import dashboard

bp: Blueprint = Blueprint("dashboard", __name__)

ACTION_LABELS = {"answer": "已回答", "clarify": "追问澄清", "handoff": "转人工", "unanswered": "其中未能回答"}


@bp.route("/")
@login_required
def index() -> Any:
    figures = dashboard(
        session=db(), today=hall_today(), stale_days=int(current_app.config["STALE_DAYS"]), zone=hooks().zone
    )
    names = {code: name for code, name in db().exec(select(ServiceItem.code, ServiceItem.name))}
    charts = {
        "days": [(day[5:], count) for day, count in figures.days],
        # The chart splits the total; the unanswered handoffs are a part of 转人工, shown as a figure only.
        "actions": [(ACTION_LABELS[key], figures.actions[key]) for key in ("answer", "clarify", "handoff")],
        "top_items": [(names.get(code, code), count) for code, count in figures.top_items],
        "groups": [(group.text, group.count) for group in figures.top_groups],
        "satisfaction": [(names.get(code, code), mean) for code, mean, _count in figures.satisfaction],
        "hours": [(f"{hour}时", count) for hour, count in figures.hours],
    }
    return render_template(
        "console/dashboard.html",
        d=figures,
        charts=charts,
        action_labels=ACTION_LABELS,
        stale_days=current_app.config["STALE_DAYS"],
    )
