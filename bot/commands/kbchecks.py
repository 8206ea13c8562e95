"""``guidebot doctor``'s checks of what the bot answers with: the hall record, service hours, published,
stale and demo items, the semantic stage, and (``--online``) the WeChat account itself."""

from collections.abc import Iterator
from typing import Any

from bot.commands.checks import Finding, note, ok, problem

#: Fields of the hall record citizens ask about, with what they ask.
HALL_FIELDS = (
    ("address", "地址", "在哪里"),
    ("hours", "办公时间", "几点上班"),
    ("phone", "咨询电话", "电话多少"),
)


def knowledge(app: Any, *, default_database: bool) -> Iterator[Finding]:
    """The hall record, published items, staleness and demo items (needs a migrated database)."""
    from sqlmodel import Session, col, func, select

    from bot.serving import runtime
    from knowledge import storage
    from knowledge.db import get_engine
    from knowledge.models import ServiceItem, china_today
    from knowledge.queries import is_stale

    engine = runtime.guard_engine(get_engine(app))
    today = china_today()
    with Session(engine) as session:
        hall = storage.get_hall(session=session)
        published = session.exec(select(ServiceItem).where(col(ServiceItem.status) == "published")).all()
        demo = session.exec(
            select(func.count())
            .select_from(ServiceItem)
            .where(col(ServiceItem.status) != "archived", col(ServiceItem.updated_by) == storage.DEMO_AUTHOR)
        ).one()
    yield from _hall(hall)
    yield from _service_hours(app, hall)
    if not published:
        yield problem(
            "服务事项",
            "没有已发布的事项，机器人答不出任何问题",
            "用 `guidebot kb import 本大厅.xlsx` 导入（或在管理后台添加并审核发布）",
        )
    else:
        yield ok("服务事项", f"{len(published)} 个已发布")
    stale_days = int(app.config.get("STALE_DAYS", 180))
    stale = [item.code for item in published if is_stale(item, today=today, stale_days=stale_days)]
    if stale:
        shown = "、".join(stale[:5]) + ("等" if len(stale) > 5 else "")
        yield note(
            "事项核对",
            f"{len(stale)} 个已发布事项超过 {stale_days} 天未核对（{shown}）",
            "请窗口核对后在管理后台更新「更新日期」",
        )
    elif published:
        yield ok("事项核对", f"所有已发布事项都在 {stale_days} 天内核对过")
    if demo and not default_database:
        yield problem(
            "示范事项",
            f"数据库中有 {demo} 个虚构的示范大厅（青溪县）事项，会回答真实群众",
            "用 `guidebot kb import 本大厅的完整文件 --prune` 导入（文件中没有的事项会归档），"
            "或在管理后台归档这些事项",
            blocking=False,
        )
    elif demo:
        yield note("示范事项", f"默认的试用数据库中有 {demo} 个示范事项（虚构的青溪县）")


def _hall(hall: Any) -> Iterator[Finding]:
    if hall is None:
        yield problem(
            "大厅信息",
            "数据库中还没有大厅信息（名称、地址、办公时间、电话）",
            "导入的知识库文件中要有「大厅」表（或 JSON 的 hall），或在管理后台填写",
            blocking=False,
        )
        return
    missing = [
        f"{label}（群众问「{asked}」时答不上）"
        for name, label, asked in HALL_FIELDS
        if not getattr(hall, name, None)
    ]
    if missing:
        yield problem(
            f"大厅信息（{hall.name}）",
            "缺少" + "、".join(missing),
            "在管理后台或导入文件的「大厅」表中补全",
            blocking=False,
        )
    else:
        yield ok(f"大厅信息（{hall.name}）", "名称、地址、办公时间、咨询电话齐全")


def _service_hours(app: Any, hall: Any) -> Iterator[Finding]:
    from bot.conversation.hours import HoursError, parse_hours

    configured = str(app.config.get("SERVICE_HOURS") or "")
    text = configured or (getattr(hall, "hours", None) or "")
    subject = "人工服务时间（GUIDEBOT_SERVICE_HOURS）" if configured else "人工服务时间（大厅办公时间）"
    if not text:
        yield note(
            subject, "没有可用的时间：转人工时只告知咨询电话", "设置 GUIDEBOT_SERVICE_HOURS 或大厅办公时间"
        )
        return
    try:
        parse_hours(text)
    except HoursError:
        yield problem(
            subject,
            f"「{text}」中找不到时间段，转人工时只能告知电话",
            "写成如「周一至周五 9:00-12:00,13:30-17:30」",
            blocking=False,
        )
    else:
        yield ok(subject, text)


def semantic(app: Any) -> Iterator[Finding]:
    from bot.serving.health import semantic_check

    check = semantic_check(app)
    subject = "语义匹配模型"
    detail = "；".join(str(check[key]) for key in ("model", "detail") if check.get(key))
    if check["state"] == "off":
        yield ok(subject, "未启用（按词匹配）")
    elif check["ok"]:
        yield ok(subject, f"已加载{('：' + detail) if detail else ''}")
    else:
        reason = detail or check.get("error", "")
        yield problem(
            subject,
            f"加载失败{('：' + reason) if reason else ''}",
            "检查模型文件和内存；修好前 /readyz 报告未就绪",
        )


def online(app: Any) -> Iterator[Finding]:
    """Fetch a token through ``stable_token`` (normal mode: the current token, nothing invalidated)."""
    import requests

    from bot.wechat.client import WeChatApiError, fetch_stable_token
    from bot.wechat.token import timeouts_from_config

    config = app.config
    subject = "微信接口（获取 access_token）"
    if not config.get("WECHAT_APP_ID") or not config.get("WECHAT_APP_SECRET"):
        yield problem(
            subject,
            "未设置 AppID 或 AppSecret，无法检查",
            "设置 GUIDEBOT_WECHAT_APP_ID 和 GUIDEBOT_WECHAT_APP_SECRET",
        )
        return
    with requests.Session() as session:
        try:
            _token, expires_in = fetch_stable_token(
                session,
                api_base=str(config["WECHAT_API_BASE"]),
                app_id=str(config["WECHAT_APP_ID"]),
                app_secret=str(config["WECHAT_APP_SECRET"]),
                timeouts=timeouts_from_config(config),
            )
        except WeChatApiError as exc:
            yield problem(subject, f"失败（errcode={exc.code}）", exc.staff_hint)
            return
    yield ok(subject, f"成功（有效期还有 {expires_in} 秒；本机出口 IP 在白名单中）")
