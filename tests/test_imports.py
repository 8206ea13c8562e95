"""The house's import rules: the import-linter contracts in pyproject.toml, and no import circle."""

import os
from pathlib import Path

import grimp
import pytest
from importlinter import configuration
from importlinter.application.use_cases import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    configuration.configure()  # what the lint-imports command does first
    kept = lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True)
    assert kept, capsys.readouterr().out


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), plus modules importing themselves."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(module: str) -> None:
        nonlocal counter
        index[module] = low[module] = counter
        counter += 1
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1 or module in graph.find_modules_directly_imported_by(module):
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    os.chdir(ROOT)
    return grimp.build_graph("bot", "knowledge", cache_dir=None)


def test_no_import_circle_between_modules(graph):
    # webhook.py cannot be part of a circle: the "webhook-on-top" contract forbids importing it.
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_circle():
    fake = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        fake.add_module(module)
    fake.add_import(importer="a.x", imported="a.y")
    fake.add_import(importer="a.y", imported="a.x")
    fake.add_import(importer="a.z", imported="a.x")
    assert _cycles(fake) == [["a.x", "a.y"]]
