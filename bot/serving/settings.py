"""Reading ``GUIDEBOT_*`` environment variables by each setting's type, never by guessing.

Flask's ``from_prefixed_env`` parses every value as JSON where it can: a digits-only token
(``GUIDEBOT_WECHAT_TOKEN=20240101``) became the number 20240101 and broke every signature check. Here
a setting's default says what it is: text settings (and those without a default) keep the exact
text, numbers must be numbers, switches take true/false, and JSON is read only for settings whose
default is a JSON object or list. A value that does not fit is refused with the variable's name,
never with the value (it may be a secret).
"""

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

PREFIX = "GUIDEBOT_"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingLike(Protocol):
    """What this module needs of ``webhook.Setting`` (read-only: settings are frozen dataclasses)."""

    @property
    def name(self) -> str: ...

    @property
    def default(self) -> Any: ...

    @property
    def choices(self) -> tuple[str, ...]: ...


class SettingError(ValueError):
    """A ``GUIDEBOT_*`` variable whose value is not of its setting's kind (the value is not repeated)."""

    def __init__(self, name: str, expected: str) -> None:
        super().__init__(f"环境变量 {PREFIX}{name} 应为{expected}，当前的值无法识别")
        self.name, self.expected = name, expected


class SettingsError(ValueError):
    """One or more ``GUIDEBOT_*`` variables could not be read; ``errors`` lists each."""

    def __init__(self, errors: list[SettingError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


def kind_of(setting: SettingLike) -> str:
    """text, bool, int, float or json: how ``setting``'s variable is read."""
    default = setting.default
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    if isinstance(default, (dict, list)):
        return "json"
    return "text"


_EXPECTED = {
    "bool": "true 或 false",
    "int": "整数",
    "float": "数字",
    "json": "JSON 对象",
}


def parse_value(setting: SettingLike, raw: str) -> Any:
    """``raw`` read as ``setting``'s kind; raises :class:`SettingError`."""
    kind = kind_of(setting)
    if kind == "text" and not setting.choices:
        return raw
    text = raw.strip()
    if kind == "text":
        choice = text.lower()
        if choice in _TRUE and "true" in setting.choices:
            choice = "true"
        elif choice in _FALSE and "false" in setting.choices:
            choice = "false"
        if choice not in setting.choices:
            raise SettingError(setting.name, "、".join(setting.choices[:-1]) + " 或 " + setting.choices[-1])
        return choice
    try:
        if kind == "bool":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValueError(text)
        if kind == "int":
            return int(text)
        if kind == "float":
            value = float(text)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError(text)
            return value
        value = json.loads(text)
        if not isinstance(value, type(setting.default)):
            raise ValueError(text)
        return value
    except ValueError as exc:
        raise SettingError(setting.name, _EXPECTED[kind]) from exc


def from_environment(
    settings: Iterable[SettingLike], environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The declared settings set in ``environ`` (default: ``os.environ``), each read as its kind.

    Raises :class:`SettingsError` naming every variable that does not fit. Variables with the
    prefix that no setting declares are left out (``unknown_variables`` lists them for doctor).
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    errors: list[SettingError] = []
    for setting in settings:
        raw = environ.get(PREFIX + setting.name)
        if raw is None:
            continue
        try:
            values[setting.name] = parse_value(setting, raw)
        except SettingError as exc:
            errors.append(exc)
    if errors:
        raise SettingsError(errors)
    return values


#: ``GUIDEBOT_*`` variables the tests, benchmarks and CI use for themselves (not settings of the app).
TOOL_VARIABLES = frozenset({"CI_VENV", "TEST_POSTGRES", "SCREENSHOTS", "BENCH_QUERY", "BENCH_QUESTIONS"})


def unknown_variables(settings: Iterable[SettingLike], environ: Mapping[str, str] | None = None) -> list[str]:
    """``GUIDEBOT_*`` variables no setting declares (a typo, or a setting of another version)."""
    environ = os.environ if environ is None else environ
    known = {setting.name for setting in settings} | TOOL_VARIABLES
    return sorted(name for name in environ if name.startswith(PREFIX) and name[len(PREFIX) :] not in known)
