"""The dashboard: traffic, action rates, top items and unanswered groups, satisfaction, busiest hours."""

from typing import Any

from flask import Blueprint, current_app, render_template
from flask_login import login_required
from sqlmodel import select

from knowledge.console.context import db
from knowledge.models import ServiceItem, china_today
from knowledge.queries import dashboard

bp: Blueprint = Blueprint("dashboard", __name__)

ACTION_LABELS = {"answer": "已回答", "clarify": "追问澄清", "handoff": "转人工", "unanswered": "未能回答"}


@bp.route("/")
@login_required
def index() -> Any:
    figures = dashboard(session=db(), today=china_today(), stale_days=int(current_app.config["STALE_DAYS"]))
    names = {code: name for code, name in db().exec(select(ServiceItem.code, ServiceItem.name))}
    charts = {
        "days": [(day[5:], count) for day, count in figures.days],
        "actions": [(ACTION_LABELS[key], count) for key, count in figures.actions.items()],
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
