"""``guidebot menu push``: the menu file's rules (Chinese messages) and the call to the fake WeChat."""

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from fake_wechat import FakeWeChat

from bot.commands.menu import MenuFileError, load_menu, validate_menu
from webhook import cli

FIXTURE = Path(__file__).parent / "fixtures" / "menu.yaml"
MENU_CREATE = "/cgi-bin/menu/create"


def _menu() -> dict[str, Any]:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def _click(name: str = "人工", key: str = "HUMAN") -> dict[str, Any]:
    return {"type": "click", "name": name, "key": key}


def test_example_menu_is_valid() -> None:
    menu = _menu()
    assert validate_menu(menu) == []
    assert len(menu["button"]) == 3
    keys = [sub.get("key") for sub in menu["button"][0]["sub_button"]]
    assert keys == ["ITEM:SF-GA-003", "ITEM:SF-GA-006", "ITEM:SF-RS-001", "ITEM:SF-YB-002", "COMMON"]


def _broken(change: str) -> Any:
    menu = _menu()
    if change == "four-top":
        menu["button"].append(_click())
    elif change == "no-top":
        menu["button"] = []
    elif change == "six-sub":
        menu["button"][0]["sub_button"].append(_click())
    elif change == "top-name-18-bytes":
        menu["button"][1]["name"] = "人工服务热线"  # 6 汉字 = 18 bytes
    elif change == "sub-name-61-bytes":
        menu["button"][0]["sub_button"][0]["name"] = "a" * 61
    elif change == "click-without-key":
        del menu["button"][1]["key"]
    elif change == "unknown-type":
        menu["button"][1]["type"] = "scancode_push"
    elif change == "miniprogram-without-appid":
        del menu["button"][2]["sub_button"][1]["appid"]
    elif change == "unknown-click-key":
        menu["button"][1]["key"] = "PHONE"
    elif change == "empty-item-code":
        menu["button"][1]["key"] = "ITEM:"
    elif change == "url-without-scheme":
        menu["button"][2]["sub_button"][0]["url"] = "www.gdzwfw.gov.cn"
    elif change == "type-beside-sub-buttons":
        menu["button"][0]["type"] = "click"
    elif change == "sub-under-sub":
        menu["button"][0]["sub_button"][0]["sub_button"] = [_click()]
    elif change == "missing-name":
        del menu["button"][1]["name"]
    elif change == "typo-field":
        menu["button"][1]["keys"] = "HUMAN"
    elif change == "no-button-list":
        menu = {"buttons": menu["button"]}
    return menu


RULES = [
    ("four-top", "一级菜单应为 1 至 3 个，现有 4 个"),
    ("no-top", "一级菜单应为 1 至 3 个，现有 0 个"),
    ("six-sub", "第 1 个一级菜单：子菜单应为 1 至 5 个，现有 6 个"),
    ("top-name-18-bytes", "第 2 个一级菜单「人工服务热线」：名称最多 16 字节（约 5 个汉字），现为 18 字节"),
    ("sub-name-61-bytes", "第 1 个一级菜单的第 1 个子菜单「" + "a" * 61 + "」：名称最多 60 字节"),
    ("click-without-key", "第 2 个一级菜单「人工服务」：click 类型必须填写 key"),
    ("unknown-type", "type 应为 click、view 或 miniprogram，现为 'scancode_push'"),
    (
        "miniprogram-without-appid",
        "第 3 个一级菜单的第 2 个子菜单「小程序办事」：miniprogram 类型必须填写 appid",
    ),
    ("unknown-click-key", "key「PHONE」无法识别"),
    ("empty-item-code", "key「ITEM:」无法识别"),
    ("url-without-scheme", "url 应以 http:// 或 https:// 开头"),
    ("type-beside-sub-buttons", "第 1 个一级菜单：有子菜单时不能再设置 type"),
    ("sub-under-sub", "子菜单下不能再有子菜单"),
    ("missing-name", "第 2 个一级菜单：缺少名称 name"),
    ("typo-field", "不认识的字段 keys"),
    ("no-button-list", "菜单文件应包含 button 列表"),
]


@pytest.mark.parametrize(("change", "message"), RULES, ids=[change for change, _ in RULES])
def test_rule_violations_are_reported_in_chinese(change: str, message: str) -> None:
    problems = validate_menu(_broken(change))
    assert any(message in problem for problem in problems), problems


def test_byte_limits_are_inclusive() -> None:
    menu = {"button": [_click("a" * 16), {"name": "五个汉字啊", "sub_button": [_click("汉" * 20)]}]}
    assert validate_menu(menu) == []  # 16 ASCII bytes, 15 bytes, 60 bytes


def test_every_problem_is_reported_at_once() -> None:
    menu = {"button": [{"name": "人工服务热线", "type": "click"}, {"type": "view", "name": "网办"}]}
    assert len(validate_menu(menu)) == 3


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"], ids=["json", "yaml", "yml"])
def test_load_menu_reads_json_and_yaml(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"menu{suffix}"
    yaml_text = FIXTURE.read_text(encoding="utf-8")
    text = json.dumps(_menu(), ensure_ascii=False) if suffix == ".json" else yaml_text
    path.write_text(text, encoding="utf-8")
    assert load_menu(path) == _menu()


def test_load_menu_accepts_a_bare_button_list(tmp_path: Path) -> None:
    path = tmp_path / "menu.yaml"
    path.write_text(yaml.safe_dump(_menu()["button"], allow_unicode=True), encoding="utf-8")
    assert load_menu(path) == _menu()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("menu.json", "{not json", "文件不是有效的 JSON"),
        ("menu.yaml", "button: [unclosed", "文件不是有效的 YAML"),
    ],
    ids=["bad-json", "bad-yaml"],
)
def test_load_menu_reports_unreadable_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MenuFileError) as caught:
        load_menu(path)
    assert message in caught.value.problems[0]


@pytest.fixture()
def wechat() -> Iterator[FakeWeChat]:
    with FakeWeChat() as fake:
        yield fake


def _run(wechat: FakeWeChat, *args: str, app_id: str | None = None) -> Any:
    env = {
        "GUIDEBOT_WECHAT_API_BASE": wechat.url,
        "GUIDEBOT_WECHAT_APP_ID": wechat.app_id if app_id is None else app_id,
        "GUIDEBOT_WECHAT_APP_SECRET": wechat.app_secret,
        "GUIDEBOT_WECHAT_READ_TIMEOUT": "2",
        "GUIDEBOT_REDIS_URL": None,
    }
    return CliRunner(env=env).invoke(cli, ["menu", "push", *args], catch_exceptions=False)


def test_push_creates_the_menu(wechat: FakeWeChat) -> None:
    result = _run(wechat, str(FIXTURE))
    assert result.exit_code == 0, result.output
    assert "自定义菜单已创建（10 个菜单项）" in result.output
    [call] = wechat.calls_to(MENU_CREATE)
    assert call.body == _menu()
    assert call.params == {"access_token": "TOKEN-1"}


def test_dry_run_checks_without_calling_wechat(wechat: FakeWeChat) -> None:
    result = _run(wechat, "--dry-run", str(FIXTURE))
    assert result.exit_code == 0
    assert "菜单文件检查通过" in result.output
    assert json.loads(result.output[: result.output.rindex("}") + 1]) == _menu()
    assert wechat.calls == []


def test_invalid_file_is_refused_before_any_call(wechat: FakeWeChat, tmp_path: Path) -> None:
    path = tmp_path / "menu.yaml"
    path.write_text(yaml.safe_dump(_broken("four-top"), allow_unicode=True), encoding="utf-8")
    result = _run(wechat, str(path))
    assert result.exit_code == 2
    assert "菜单文件有误" in result.output and "现有 4 个" in result.output
    assert wechat.calls == []


def test_wechat_refusal_is_shown_in_chinese(wechat: FakeWeChat) -> None:
    wechat.always(MENU_CREATE, {"errcode": 48001, "errmsg": "api unauthorized"})
    result = _run(wechat, str(FIXTURE))
    assert result.exit_code == 1
    assert "创建菜单失败" in result.output and "48001" in result.output
    assert "没有该接口的权限" in result.output


def test_missing_credentials_are_explained(wechat: FakeWeChat) -> None:
    result = _run(wechat, str(FIXTURE), app_id="")
    assert result.exit_code == 1
    assert "未配置 GUIDEBOT_WECHAT_APP_ID" in result.output
    assert wechat.calls == []


def test_fixture_is_not_modified_by_validation() -> None:
    menu = _menu()
    before = copy.deepcopy(menu)
    validate_menu(menu)
    assert menu == before
