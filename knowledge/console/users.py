"""Accounts (administrators only): list, add, change role, deactivate, reset password; the audit log."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from knowledge import accounts
from knowledge.console import auth
from knowledge.console.context import db
from knowledge.console_tables import ROLES, AuditLog, ConsoleUser

bp: Blueprint = Blueprint("users", __name__, url_prefix="/users")


@bp.route("/", methods=["GET", "POST"])
@auth.requires("users")
def index() -> Any:
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "add":
                user = accounts.create_user(
                    session=db(),
                    username=request.form.get("username", ""),
                    role=request.form.get("role", ""),
                    password=request.form.get("password", ""),
                )
                auth.log("user_add", user.username, {"role": user.role})
                flash(f"已创建账号 {user.username}", "ok")
            else:
                user_id = request.form.get("user_id", type=int)
                target = db().get(ConsoleUser, user_id) if user_id else None
                if target is None:
                    raise accounts.UserError("账号不存在")
                if target.username == current_user.username and action in ("role", "deactivate"):
                    raise accounts.UserError("不能修改自己的角色或停用自己的账号")
                if action == "role":
                    role = request.form.get("role", "")
                    if role not in ROLES:
                        raise accounts.UserError("角色不正确")
                    target.role = role
                    db().add(target)
                    db().commit()
                    auth.log("user_role", target.username, {"role": role})
                elif action in ("deactivate", "activate"):
                    target.active = action == "activate"
                    db().add(target)
                    db().commit()
                    auth.log(f"user_{action}", target.username)
                elif action == "password":
                    password = request.form.get("password", "")
                    accounts.set_password(session=db(), user=target, password=password)
                    auth.log("user_password", target.username)
                flash("已保存", "ok")
        except accounts.UserError as exc:
            flash(exc.message, "error")
        return redirect(url_for("console.users.index"))
    users = list(db().exec(select(ConsoleUser).order_by(col(ConsoleUser.username))))
    return render_template("console/users.html", users=users, roles=ROLES, role_names=accounts.ROLE_NAMES)


@bp.route("/audit")
@auth.requires("users")
def audit() -> Any:
    action = request.args.get("action", "")
    query = select(AuditLog).order_by(col(AuditLog.id).desc()).limit(500)
    if action:
        query = query.where(AuditLog.action == action)
    return render_template("console/audit.html", rows=list(db().exec(query)), action=action)
