"""Batch runs survive being killed: a rerun finishes the job and matches an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cleaner.batch.writer import TMP_SUFFIX

from .conftest import CASES, SEED, output_tree

#: folders in the batch, each with every case page and the seed
FOLDERS = 25
PAGES = sorted((CASES / "pages").glob("*.html"))
#: the outputs of a whole batch (the slow page comes on top)
OUTPUTS = FOLDERS * (len(PAGES) + 1)


def _batch(tmp_path: Path, jobs: int, slow_first: bool = False) -> list[str]:
    """25 folders of the test pages and the seed (and, first of all, a page that takes a
    worker seconds); the command cleaning them, -o to add."""
    src = tmp_path / "in"
    for i in range(FOLDERS):
        folder = src / f"batch{i:02d}"
        folder.mkdir(parents=True)
        for page in PAGES:
            (folder / page.name).write_bytes(page.read_bytes())
        (folder / "seed.txt").write_bytes(SEED.read_bytes())
    if slow_first:
        paragraphs = "".join(
            f"<p>Paragraph {k} of a long page with words that go on.</p>" for k in range(20_000)
        )
        (src / "batch00" / "000_slow.html").write_text(
            f"<html><body>{paragraphs}</body></html>", encoding="utf-8"
        )
    clean = [sys.executable, "-m", "cleaner", "clean", str(src), "-j", str(jobs), "-q", "-o"]
    subprocess.run([*clean, str(tmp_path / "whole")], check=True, capture_output=True)
    return clean


def _wait_for_outputs(out: Path, count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.rglob("*.txt"))) < count:
        time.sleep(0.02)


@pytest.mark.slow
def test_sigkill_mid_batch_then_rerun_gives_the_uninterrupted_tree(tmp_path: Path) -> None:
    clean = _batch(tmp_path, jobs=1)
    out = tmp_path / "killed"
    proc = subprocess.Popen([*clean, str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_outputs(out, 40)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = len(list(out.rglob("*.txt")))
    assert 0 < written < OUTPUTS, "the kill must land mid-batch"

    rerun = subprocess.run([*clean, str(out)], capture_output=True, text=True, check=True)
    assert rerun.returncode == 0
    assert output_tree(out) == output_tree(tmp_path / "whole")


@pytest.mark.slow
def test_sigterm_stops_a_batch_as_ctrl_c_does_with_the_shells_exit_code(tmp_path: Path) -> None:
    clean = _batch(tmp_path, jobs=2, slow_first=True)
    out = tmp_path / "terminated"
    # `kill PID` or a service manager: SIGTERM to the main process alone
    proc = subprocess.Popen([*clean, str(out)], stderr=subprocess.PIPE, text=True)
    _wait_for_outputs(out, 40)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert len(list(out.rglob("*.txt"))) < OUTPUTS + 1, "the signal must land mid-batch"
    assert proc.returncode == 128 + signal.SIGTERM
    assert "terminated: outputs written so far are kept" in stderr and "Traceback" not in stderr
    assert not list(out.rglob(f"*{TMP_SUFFIX}"))  # temporary files removed
    subprocess.run([*clean, str(out)], capture_output=True, text=True, check=True)
    assert output_tree(out) == output_tree(tmp_path / "whole")


@pytest.mark.slow
def test_ctrl_c_stops_a_parallel_batch_quietly_and_a_rerun_finishes_it(tmp_path: Path) -> None:
    # the slow first page is still being cleaned while the other worker writes on: the
    # interrupt lands mid-batch, and every output finished behind it is logged already
    clean = _batch(tmp_path, jobs=2, slow_first=True)
    out = tmp_path / "interrupted"
    # a terminal's Ctrl-C: SIGINT to the whole process group, workers included; the command
    # gets SIGINT's default disposition, as from a terminal (a background job's is "ignore")
    proc = subprocess.Popen(
        [*clean, str(out)],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    _wait_for_outputs(out, 40)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    written = len(list(out.rglob("*.txt")))
    assert written < OUTPUTS + 1, "the interrupt must land mid-batch"
    log = out / ".cleaner-run"
    logged = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
    assert written - 2 <= logged <= written  # all but what the two workers were writing then
    assert proc.returncode == 130
    assert "interrupted: outputs written so far are kept" in stderr and "Traceback" not in stderr
    # outputs written but not yet logged when it stopped are kept, not refused as foreign
    subprocess.run([*clean, str(out)], capture_output=True, text=True, check=True)
    assert output_tree(out) == output_tree(tmp_path / "whole")


def test_on_a_terminal_a_progress_bar_shows_and_errors_print_above_it(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"a{i}.txt").write_bytes(SEED.read_bytes())
    (src / "bin.html").write_bytes(b"\x00\x01\x02")
    primary, secondary = os.openpty()  # stderr a terminal, as a person's shell gives it
    env = {**os.environ, "COLUMNS": "400", "TERM": "xterm"}
    clean = [sys.executable, "-m", "cleaner", "clean", str(src), "-o", str(tmp_path / "out"), "-j", "1"]
    with subprocess.Popen(clean, stderr=secondary, stdout=subprocess.DEVNULL, env=env) as child:
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
    os.close(primary)
    assert child.returncode == 1
    text = shown.decode("utf-8", "replace")
    assert "cleaning" in text and "4/4" in text  # the bar, counting files
    lines = text.replace("\r\n", "\n").split("\n")
    (error,) = [line for line in lines if "error: " in line]
    # the bar's line was cleared before the error was printed: the error does not follow its text
    assert error.split("\r")[-1].removeprefix("\x1b[2K").startswith("error: ")
    assert f"error: {src / 'bin.html'}: looks like a binary file" in error


def test_with_stderr_closed_messages_do_not_go_into_the_data(tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text('{"html": "<p>One sentence here.</p>"}\n{"html": 5}\n', encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "cleaner", "clean", "--jsonl", str(records)],
        stdout=subprocess.PIPE,
        preexec_fn=lambda: os.close(2),  # `2>&-`: Python's sys.stderr is None
        check=False,
    )
    assert run.returncode == 1  # the second record failed, as with stderr open
    lines = run.stdout.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("{")  # the one record; no "error:", no summary


def test_an_interrupt_in_the_batchs_own_loop_stops_the_workers_before_it_propagates(tmp_path: Path) -> None:
    import multiprocessing

    import cleaner
    from cleaner.batch.run import run_batch

    src = tmp_path / "in"
    src.mkdir()
    for i in range(6):
        (src / f"{i}.txt").write_bytes(SEED.read_bytes())

    def stop(outcome: object) -> None:
        raise KeyboardInterrupt  # lands in run_batch's loop, outside the pool's generators

    try:
        run_batch(cleaner.Cleaner(), [str(src)], tmp_path / "out", jobs=2, on_outcome=stop)
    except KeyboardInterrupt:  # where the CLI removes temporary files: its traceback holds the frames
        alive = [p for p in multiprocessing.active_children() if p.name == "cleaner-worker"]
    else:
        pytest.fail("the interrupt did not propagate")
    assert not alive
