"""The mission's own example: the seed comes out as exactly its first 15 lines, on every path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import cleaner
from cleaner.cli import app

from .conftest import SEED


def test_clean_text_removes_exactly_the_six_teasers(seed_text: str, seed_expected: str) -> None:
    assert cleaner.clean_text(seed_text) == seed_expected


def test_result_names_the_removed_lines(seed_text: str) -> None:
    result = cleaner.Cleaner().clean_text(seed_text)
    assert [r.line for r in result.removed] == list(range(15, 21))
    assert all(r.score >= 0.5 and "trailing run" in r.reason for r in result.removed)


def test_cli_prints_the_article_with_a_final_newline(seed_expected: str) -> None:
    out = CliRunner().invoke(app, ["clean", str(SEED)])
    assert out.exit_code == 0, out.output
    assert out.stdout == seed_expected + "\n"


def test_cli_stdin(seed_text: str, seed_expected: str) -> None:
    out = CliRunner().invoke(app, ["clean", "-"], input=seed_text.encode("utf-8"))
    assert out.exit_code == 0, out.output
    assert out.stdout == seed_expected + "\n"


def test_cli_folder_run(tmp_path: Path, seed_text: str, seed_expected: str) -> None:
    src = tmp_path / "in" / "sub"
    src.mkdir(parents=True)
    (src / SEED.name).write_text(seed_text, encoding="utf-8")
    out = CliRunner().invoke(app, ["clean", str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    written = tmp_path / "out" / "sub" / f"{SEED.name}.txt"
    assert written.read_text(encoding="utf-8") == seed_expected + "\n"


def test_console_script_end_to_end(seed_expected: str) -> None:
    # the installed console script, in a real process: what a user types
    script = Path(sys.executable).with_name("cleaner")
    assert script.is_file(), f"no console script at {script}: is the package installed (make install)?"
    proc = subprocess.run([str(script), "clean", str(SEED)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == seed_expected + "\n"
