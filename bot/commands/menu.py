"""``guidebot menu push FILE``: check a custom-menu file (JSON or YAML) and send it to WeChat.

The file holds WeChat's own menu structure (``button`` → up to 3 buttons, each with up to 5
``sub_button``), or just the list of buttons. Every problem is reported at once, in Chinese, before
anything is sent. CLICK keys follow the webhook's convention: ``ITEM:<事项编码>`` answers that item,
``HUMAN`` hands off to people (人工), ``COMMON`` lists the common items.
"""

import json
import re
from pathlib import Path
from typing import Any

import click
import yaml

from bot.commands import script_app
from bot.wechat.client import WeChatApiError

MAX_BUTTONS, MAX_SUB_BUTTONS = 3, 5
TOP_NAME_BYTES, SUB_NAME_BYTES = 16, 60
KEY_BYTES, URL_BYTES = 128, 1024
CLICK_KEY = re.compile(r"^(HUMAN|COMMON|ITEM:\S+)$")

#: Keys each button type must have, and the keys it may have.
REQUIRED: dict[str, tuple[str, ...]] = {
    "click": ("key",),
    "view": ("url",),
    "miniprogram": ("url", "appid", "pagepath"),
}
ALLOWED = {"type", "name", "key", "url", "appid", "pagepath", "sub_button"}


class MenuFileError(click.ClickException):
    """The menu file cannot be read or breaks WeChat's rules; ``problems`` lists every one."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        super().__init__("菜单文件有误：\n" + "\n".join(f"  - {problem}" for problem in problems))
        self.problems = problems


def load_menu(path: Path) -> dict[str, Any]:
    """The menu in ``path`` as WeChat's ``{"button": [...]}``, checked; raises ``MenuFileError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MenuFileError([f"无法读取文件 {path}：{exc}"]) from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise MenuFileError([f"文件不是有效的 {kind}：{exc}"]) from exc
    menu = {"button": data} if isinstance(data, list) else data
    problems = validate_menu(menu)
    if problems:
        raise MenuFileError(problems)
    return menu


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def validate_menu(menu: Any) -> list[str]:
    """Every way ``menu`` breaks WeChat's rules or the webhook's key convention; empty when fine."""
    if not isinstance(menu, dict) or not isinstance(menu.get("button"), list):
        return ["菜单文件应包含 button 列表（一级菜单）"]
    extra = set(menu) - {"button"}
    problems = [f"不认识的字段：{', '.join(sorted(extra))}"] if extra else []
    buttons = menu["button"]
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        problems.append(f"一级菜单应为 1 至 {MAX_BUTTONS} 个，现有 {len(buttons)} 个")
    for number, button in enumerate(buttons, start=1):
        problems.extend(_check_top(button, f"第 {number} 个一级菜单"))
    return problems


def _check_top(button: Any, where: str) -> list[str]:
    if not isinstance(button, dict):
        return [f"{where}：应为包含 name 等字段的对象"]
    problems = _check_name(button, where, TOP_NAME_BYTES)
    subs = button.get("sub_button")
    if subs is None:
        return problems + _check_action(button, where)
    if not isinstance(subs, list) or not 1 <= len(subs) <= MAX_SUB_BUTTONS:
        count = len(subs) if isinstance(subs, list) else 0
        problems.append(f"{where}：子菜单应为 1 至 {MAX_SUB_BUTTONS} 个，现有 {count} 个")
        subs = subs if isinstance(subs, list) else []
    stray = sorted(set(button) - {"name", "sub_button"})
    if stray:
        problems.append(f"{where}：有子菜单时不能再设置 {', '.join(stray)}")
    for number, sub in enumerate(subs, start=1):
        sub_where = f"{where}的第 {number} 个子菜单"
        if not isinstance(sub, dict):
            problems.append(f"{sub_where}：应为包含 name 等字段的对象")
            continue
        problems.extend(_check_name(sub, sub_where, SUB_NAME_BYTES))
        if "sub_button" in sub:
            problems.append(f"{sub_where}：子菜单下不能再有子菜单")
        problems.extend(_check_action(sub, sub_where))
    return problems


def _check_name(button: dict[str, Any], where: str, limit: int) -> list[str]:
    name = button.get("name")
    if not isinstance(name, str) or not name.strip():
        return [f"{where}：缺少名称 name"]
    if _bytes(name) > limit:
        size = _bytes(name)
        return [f"{where}「{name}」：名称最多 {limit} 字节（约 {limit // 3} 个汉字），现为 {size} 字节"]
    return []


def _check_action(button: dict[str, Any], where: str) -> list[str]:
    label = f"{where}「{button.get('name', '')}」"
    kind = button.get("type")
    if kind not in REQUIRED:
        return [f"{label}：type 应为 click、view 或 miniprogram，现为 {kind!r}"]
    problems = [f"{label}：不认识的字段 {field}" for field in sorted(set(button) - ALLOWED)]
    for field in REQUIRED[kind]:
        value = button.get(field)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{label}：{kind} 类型必须填写 {field}")
    key, url = button.get("key"), button.get("url")
    if kind == "click" and isinstance(key, str) and key.strip():
        if _bytes(key) > KEY_BYTES:
            problems.append(f"{label}：key 最多 {KEY_BYTES} 字节")
        if not CLICK_KEY.match(key):
            problems.append(
                f"{label}：key「{key}」无法识别，应为 ITEM:事项编码、HUMAN（转人工）或 COMMON（常办事项）"
            )
    if kind in ("view", "miniprogram") and isinstance(url, str) and url.strip():
        if _bytes(url) > URL_BYTES:
            problems.append(f"{label}：url 最多 {URL_BYTES} 字节")
        if not url.startswith(("http://", "https://")):
            problems.append(f"{label}：url 应以 http:// 或 https:// 开头")
    return problems


@click.group(help="公众号自定义菜单")
def menu() -> None:
    """``guidebot menu``."""


@menu.command("push", help="检查菜单文件（JSON 或 YAML）并通过微信接口创建公众号自定义菜单")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="只检查文件并显示将提交的菜单，不调用微信接口")
def push(file: Path, dry_run: bool) -> None:
    """Check FILE, then ``menu/create``."""
    data = load_menu(file)
    count = len(data["button"]) + sum(len(b.get("sub_button", [])) for b in data["button"])
    if dry_run:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        click.echo(f"菜单文件检查通过（{count} 个菜单项），未提交（--dry-run）。")
        return
    config = script_app().config
    if not config.get("WECHAT_APP_ID") or not config.get("WECHAT_APP_SECRET"):
        raise click.ClickException(
            "未配置 GUIDEBOT_WECHAT_APP_ID 或 GUIDEBOT_WECHAT_APP_SECRET，无法调用微信接口"
        )
    from bot.wechat.token import client_from_config

    try:
        client_from_config(config).create_menu(data)
    except WeChatApiError as exc:
        raise click.ClickException(f"创建菜单失败：{exc}") from exc
    click.echo(f"自定义菜单已创建（{count} 个菜单项）。微信客户端可能需要几分钟或重新关注后才显示新菜单。")
