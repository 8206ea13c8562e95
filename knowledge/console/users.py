"""Accounts (administrators only): list, add, change role, deactivate, reset password, unlock; audit log."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from knowledge import accounts
from knowledge.console import auth
from knowledge.console.context import db
from knowledge.console_tables import ROLES, AuditLog, ConsoleUser
from knowledge.labels import AUDIT_ACTIONS

bp: Blueprint = Blueprint("users", __name__, url_prefix="/users")


def _change(action: str) -> str:
    """Apply one change to an existing account; returns the message to flash."""
    user_id = request.form.get("user_id", type=int)
    target = db().get(ConsoleUser, user_id) if user_id else None
    if target is None:
        raise accounts.UserError("账号不存在")
    if target.username == current_user.username and action in ("role", "deactivate"):
        raise accounts.UserError("不能修改自己的角色或停用自己的账号")
    name = target.username
    if action == "role":
        role = request.form.get("role", "")
        if accounts.set_role(session=db(), user=target, role=role):
            auth.log("user_role", name, {"role": role})
            return f"已把 {name} 的角色改为{accounts.ROLE_NAMES[role]}，其已登录的会话全部失效"
        return "角色没有变化"
    if action in ("deactivate", "activate"):
        if accounts.set_active(session=db(), user=target, active=action == "activate"):
            auth.log(f"user_{action}", name)
        return f"已启用 {name}" if action == "activate" else f"已停用 {name}，其已登录的会话全部失效"
    if action == "password":
        accounts.set_password(session=db(), user=target, password=request.form.get("password", ""))
        auth.log("user_password", name)
        return f"已重设 {name} 的密码，其已登录的会话全部失效，登录限制已解除"
    if action == "unlock":
        forgotten = accounts.unlock(session=db(), user=target)
        auth.log("user_unlock", name, {"unlocked_failures": forgotten})
        return f"已解除 {name} 的登录限制"
    raise accounts.UserError("不认识的操作")


@bp.route("/", methods=["GET", "POST"])
@auth.requires("users")
def index() -> Any:
    if request.method == "POST":
        action = request.form.get("action", "")
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
                flash(_change(action), "ok")
        except accounts.UserError as exc:
            flash(exc.message, "error")
        if action == "password" and request.form.get("user_id", type=int) == current_user.id:
            return redirect(url_for("console.auth.login"))  # their own session ended with the reset
        return redirect(url_for("console.users.index"))
    users = list(db().exec(select(ConsoleUser).order_by(col(ConsoleUser.username))))
    return render_template(
        "console/users.html",
        users=users,
        roles=ROLES,
        role_names=accounts.ROLE_NAMES,
        locks=accounts.lock_states(session=db()),
        window=int(accounts.FAILURE_WINDOW.total_seconds() // 60),
    )


@bp.route("/audit")
@auth.requires("users")
def audit() -> Any:
    action = request.args.get("action", "")
    query = select(AuditLog).order_by(col(AuditLog.id).desc()).limit(500)
    if action:
        query = query.where(AuditLog.action == action)
    rows = list(db().exec(query))
    return render_template("console/audit.html", rows=rows, action=action, actions=AUDIT_ACTIONS)
