"""The architecture's limits and the documentation's completeness, checked on the code itself."""

from __future__ import annotations

import ast
import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from cleaner.cli import app
from cleaner.config import Settings

from .conftest import ROOT

PACKAGE = ROOT / "cleaner"
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_stay_small(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, long


def test_batch_and_training_are_packages() -> None:
    assert (PACKAGE / "batch" / "__init__.py").is_file()
    assert (PACKAGE / "training" / "__init__.py").is_file()


def test_cleaning_imports_nothing_from_training() -> None:
    code = (
        "import sys, cleaner; cleaner.clean_html('<p>x</p>'); cleaner.clean_text('a\\nb');"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'joblib')"
        " or m.startswith('cleaner.training')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Settings)])
def test_every_settings_field_is_documented_for_help_and_in_the_readme(name: str) -> None:
    assert re.search(rf"^ +{name}: \S", Settings.__doc__ or "", re.M), f"{name}: not in Settings' Attributes"
    assert f"| `{name}` |" in README, f"{name}: missing from the README's Settings table"


def _options() -> list[tuple[str, str, str]]:
    """(command, option name, help) of every option of every command."""
    group = typer.main.get_command(app)
    out = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        for param in command.params:
            if param.param_type_name == "option":
                longest = max(param.opts, key=len)
                out.append((name, longest, getattr(param, "help", None) or ""))
    return out


@pytest.mark.parametrize(("command", "option", "help_text"), _options())
def test_every_cli_option_has_help_and_is_in_the_readme(command: str, option: str, help_text: str) -> None:
    assert help_text.strip(), f"cleaner {command} {option} has no help"
    assert option in README, f"cleaner {command} {option} is not in the README"
