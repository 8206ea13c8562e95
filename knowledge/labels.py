"""Chinese names for the codes staff see: handoff reasons, bot actions, audit-log actions and details.

The database keeps stable English codes (``low_confidence``, ``item_submit``); every page and command
that shows one to staff goes through these tables, so the console and the CLI use the same words.
"""

import json
from typing import Any

from knowledge.models import STATUS_LABELS

#: Why the bot handed a question to people (``QuestionLog.reason``).
REASON_LABELS: dict[str, str] = {
    "out_of_scope": "超出范围",
    "low_confidence": "把握不大",
    "complaint": "投诉",
    "human": "要求人工",
    "empty": "空消息",
    "ambiguous": "有多个可能",
    "confident": "有把握",
    "picked": "群众选择",
    "told": "群众说明了情形",
    "named": "群众说出了事项名称",
    "likely": "未选编号，按最可能的事项解答",
    "follow_up": "追问",
    "error": "系统出错未能回答",
}

#: What the bot did with a question (``QuestionLog.action``, a decision's ``action``).
BOT_ACTION_LABELS: dict[str, str] = {
    "answer": "回答",
    "clarify": "追问澄清",
    "handoff": "转人工",
}

ROLE_LABELS: dict[str, str] = {"editor": "编辑", "reviewer": "审核员", "admin": "管理员"}

#: Every action written to the audit log, in the order the filter lists them.
AUDIT_ACTIONS: dict[str, str] = {
    "login": "登录",
    "login_failed": "登录失败",
    "login_blocked": "登录被限制",
    "logout": "退出登录",
    "user_add": "新建账号",
    "user_role": "修改角色",
    "user_deactivate": "停用账号",
    "user_activate": "启用账号",
    "user_password": "重设密码",
    "user_unlock": "解除登录限制",
    "item_save": "保存草稿",
    "item_submit": "提交审核",
    "item_archive": "归档事项",
    "item_restore": "恢复旧版",
    "publish": "审核通过并发布",
    "return": "退回修改",
    "alias_add": "加为别名",
    "item_from_question": "由未答问题新建事项",
    "question_ignore": "忽略问题",
    "question_reopen": "重新打开问题",
    "reply": "客服消息回复",
    "reply_subscribe": "订阅通知回复",
    "regression_add": "添加回归测试",
    "regression_delete": "删除回归测试",
    "import": "导入",
    "import_rejected": "导入被拒绝",
    "export": "导出",
    "import_upload": "上传导入文件",
    "hall_submit": "提交大厅信息审核",
    "hall_publish": "发布大厅信息",
    "hall_return": "退回大厅信息修改",
}

#: Keys of an audit entry's detail, in Chinese.
_DETAIL_KEYS: dict[str, str] = {
    "role": "角色",
    "revision": "修订",
    "from_revision": "从第几版恢复",
    "status": "状态",
    "alias": "别名",
    "questions": "问题",
    "question": "问题",
    "item": "事项",
    "comment": "意见",
    "problems": "问题数",
    "created": "新增",
    "updated": "修改",
    "hall_changed": "大厅信息",
    "confirmed_failures": "确认后答错的测试问题",
    "items": "事项数",
    "unlocked_failures": "清除的失败次数",
    "changes": "改动",
    "approved": "通过的版本",
    "returned": "退回的版本",
    "job": "导入任务",
}


def reason_label(code: str | None) -> str:
    return REASON_LABELS.get(code or "", code or "—")


def bot_action_label(code: str | None) -> str:
    return BOT_ACTION_LABELS.get(code or "", code or "—")


def role_label(code: str | None) -> str:
    return ROLE_LABELS.get(code or "", code or "—")


def audit_action_label(code: str) -> str:
    return AUDIT_ACTIONS.get(code, code)


def _value(key: str, value: Any) -> str:
    if key == "role":
        return role_label(str(value))
    if key == "status":
        return STATUS_LABELS.get(str(value), str(value))
    if key in ("revision", "from_revision"):
        return f"第 {value} 版"
    if key == "hall_changed":
        return "已修改" if value else "未修改"
    if key == "questions" and isinstance(value, list):
        return f"{len(value)} 条"
    if key == "item" and value is None:
        return "不应回答"
    if isinstance(value, list):
        if not value:
            return "无"
        shown = "、".join(str(entry) for entry in value[:10])
        return shown + (f" 等 {len(value)} 项" if len(value) > 10 else "")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def describe_detail(detail: str) -> str:
    """An audit entry's detail for people: a JSON object becomes 「键：值；…」 in Chinese, text stays."""
    if not detail or not detail.lstrip().startswith("{"):
        return detail
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return detail
    return "；".join(f"{_DETAIL_KEYS.get(key, key)}：{_value(key, value)}" for key, value in data.items())
