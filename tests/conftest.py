"""Shared fixtures: paths of the project's own test cases and of the optional dev data."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.batch.writer import RUN_LOG
from cleaner.training.datasets import default_data_dir

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
SEED = ROOT / "seeds" / "000_bf343f9721e655f4.txt"
DATA = default_data_dir()


def output_tree(root: Path) -> dict[str, bytes]:
    """The outputs under `root` by relative path (the run record holds the run's time: left out)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != RUN_LOG
    }


def read_cases(name: str) -> list[str]:
    """Lines of a cases file, without comments and blank lines."""
    lines = (CASES / name).read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_expected(seed_text: str) -> str:
    return "\n".join(seed_text.split("\n")[:15])


@pytest.fixture(scope="session")
def host_article() -> str:
    return (CASES / "host_article.txt").read_text(encoding="utf-8").rstrip("\n")


def needs_data(name: str | None = None) -> pytest.MarkDecorator:
    """Skip a test when ../shared/data (or one dataset of it) is not there."""
    path = DATA / name if name else DATA
    return pytest.mark.skipif(not path.is_dir(), reason=f"dev data not found at {path}")
