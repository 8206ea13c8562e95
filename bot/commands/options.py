"""Option types for staff: choices given as codes or as the Chinese words the console shows."""

from collections.abc import Mapping
from typing import Any

import click


class LabelledChoice(click.ParamType):
    """One of ``labels``' codes, typed as the code (``draft``) or its Chinese label (``草稿``).

    The value handed to the command is always the code; a wrong value is refused in Chinese with
    every accepted word listed.
    """

    name = "choice"

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.labels = dict(labels)
        self._codes = {label: code for code, label in self.labels.items()}

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.labels.values()) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if text in self.labels:
            return text
        if text in self._codes:
            return self._codes[text]
        if text.lower() in self.labels:
            return text.lower()
        accepted = "、".join(f"{label}（{code}）" for code, label in self.labels.items())
        self.fail(f"「{value}」不是可选的值，可选：{accepted}", param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(code) for code in self.labels if code.startswith(incomplete)]
