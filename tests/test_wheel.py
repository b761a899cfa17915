"""The wheel built from a fresh clone carries a working model (slow: builds and installs)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, SEED


@pytest.mark.slow
def test_wheel_from_fresh_clone_cleans_the_seed(tmp_path: Path, seed_expected: str) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout")
    # what a fresh clone of this working tree holds: tracked and new files, nothing ignored
    clone = tmp_path / "clone"
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(clone)],
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("news_cleaner-*.whl"))
    _check_integrations_are_extras(wheel)
    with zipfile.ZipFile(wheel) as zf:  # type checkers read the package's own hints (PEP 561)
        assert "cleaner/py.typed" in zf.namelist()
    venv = tmp_path / "venv"
    # the test environment's packages stand in for PyPI; the wheel itself brings the model
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True)
    # scikit-learn and joblib are the `train` extra: cleaning must work where they cannot be imported
    blocker = tmp_path / "no_training_extra"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(_BLOCK_TRAINING_EXTRA, encoding="utf-8")
    env = {"PYTHONPATH": f"{blocker}:{site}", "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env, check=False)

    cli = str(venv / "bin" / "cleaner")
    cleaned = run(cli, "clean", str(SEED))
    assert cleaned.returncode == 0, cleaned.stderr
    assert cleaned.stdout == seed_expected + "\n"
    where = run(str(py), "-c", "import cleaner.model as m; print(m.default_model_dir())").stdout
    assert str(venv) in where, "the model must come from inside the installed package"
    # the review page's CSS and JS are package data: the installed package has them
    assert run(cli, "clean", str(SEED), "-f", "json", "-o", "jout").returncode == 0
    reviewed = run(cli, "review", "jout", "-o", "r.html")
    assert reviewed.returncode == 0, reviewed.stderr
    assert "Download corrections" in (tmp_path / "r.html").read_text(encoding="utf-8")
    helped = run(cli, "train", "--help")
    assert helped.returncode == 0 and "--seeds" in helped.stdout, helped.stderr
    refused = run(cli, "train")
    assert refused.returncode == 1
    assert "pip install 'news-cleaner[train]'" in refused.stderr, refused.stderr


_BLOCK_TRAINING_EXTRA = """
import sys


class _Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("sklearn", "joblib"):
            raise ImportError(f"{name} is blocked: not installed without the train extra")
        return None


sys.meta_path.insert(0, _Blocked())
"""


def _check_integrations_are_extras(wheel: Path) -> None:
    """The core install pulls none of scikit-learn, joblib, Scrapy, warcio and Dask; each has its extra."""
    import zipfile

    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        requires = [
            line.split(":", 1)[1].strip()
            for line in zf.read(name).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
    core = [r for r in requires if "extra ==" not in r]
    for package in ("scikit-learn", "joblib", "scrapy", "warcio", "dask", "distributed", "datatrove"):
        assert not any(r.lower().startswith(package) for r in core), core
    for extra, package in (
        ("train", "scikit-learn"),
        ("train", "joblib"),
        ("scrapy", "scrapy"),
        ("warc", "warcio"),
        ("dask", "distributed"),
        ("datatrove", "datatrove"),
    ):
        assert any(r.lower().startswith(package) and f"extra == '{extra}'" in r for r in requires), requires
