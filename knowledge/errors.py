"""Exceptions of the knowledge package, and the clerk-readable problem they carry."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an imported file, located as precisely as the format allows.

    ``row`` is the sheet's real row number (header = row 1) for Excel and CSV, the line for a
    JSON syntax error, and None otherwise. ``column`` is the Chinese column header for sheets
    and the JSON path inside the item (``materials[2].copies``) for JSON documents.
    """

    file: str
    row: int | None
    code: str | None
    column: str | None
    message: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f"「{self.sheet}」表"
        if self.row is not None:
            where += f" 第{self.row}行"
            if self.code:
                where += f"（事项 {self.code}）"
        elif self.code:
            where += f" 事项 {self.code}"
        if self.column:
            where += f"「{self.column}」"
        return f"{where}: {self.message}"


class KnowledgeError(Exception):
    """Base class of every error the knowledge package raises on purpose."""

    exit_code = 1


class InterchangeError(KnowledgeError):
    """A document could not be read or written; ``problems`` lists everything found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(str(problem) for problem in self.problems[:20])
        more = len(self.problems) - 20
        if more > 0:
            shown += f"\n……另有 {more} 个问题"
        super().__init__(f"发现 {len(self.problems)} 个问题:\n{shown}")
