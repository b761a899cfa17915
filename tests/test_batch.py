"""Batch runs survive being killed: a rerun finishes the job and matches an uninterrupted run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import CASES, SEED, output_tree


@pytest.mark.slow
def test_sigkill_mid_batch_then_rerun_gives_the_uninterrupted_tree(tmp_path: Path) -> None:
    src = tmp_path / "in"
    pages = sorted((CASES / "pages").glob("*.html"))
    for i in range(25):
        folder = src / f"batch{i:02d}"
        folder.mkdir(parents=True)
        for page in pages:
            (folder / page.name).write_bytes(page.read_bytes())
        (folder / "seed.txt").write_bytes(SEED.read_bytes())
    clean = [sys.executable, "-m", "cleaner", "clean", str(src), "-j", "1", "-q", "-o"]
    subprocess.run([*clean, str(tmp_path / "whole")], check=True, capture_output=True)

    out = tmp_path / "killed"
    proc = subprocess.Popen([*clean, str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.rglob("*.txt"))) < 40:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = len(list(out.rglob("*.txt")))
    assert 0 < written < 25 * 17, "the kill must land mid-batch"

    rerun = subprocess.run([*clean, str(out)], capture_output=True, text=True, check=True)
    assert rerun.returncode == 0
    assert output_tree(out) == output_tree(tmp_path / "whole")
