"""``make run`` installs what running needs; ``make test`` adds the test tools."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_TOOLS = ("pytest", "playwright", "schemathesis", "ruff", "import-linter", "hypothesis")


def extras() -> dict[str, list[str]]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]


def closure(extra: str) -> list[str]:
    """Every requirement an extra brings, following ``jobdesk[...]`` references."""
    found = []
    for requirement in extras()[extra]:
        inner = re.fullmatch(r"jobdesk\[(\w+)\]", requirement)
        found += closure(inner[1]) if inner else [requirement]
    return found


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def recipe(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text()
    return re.search(rf"^{re.escape(target)}:.*?(?=^\S|\Z)", makefile, re.MULTILINE | re.DOTALL)[0]


def test_make_run_installs_the_example_extra_without_any_test_tool():
    assert recipe("run").startswith("run: install\n")
    assert "-e '.[example]'" in recipe("$(VENV)/.installed")
    assert not names(closure("example")) & set(TEST_TOOLS)


def test_make_test_and_lint_add_the_test_tools():
    assert set(TEST_TOOLS) <= names(closure("dev"))
    assert "-e '.[dev]'" in recipe("$(VENV)/.installed-dev")
    for target in ("test", "test-fast", "lint"):
        assert "install-dev" in recipe(target).splitlines()[0], target
