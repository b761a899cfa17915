"""JSONL streams: records in, records out, in order, other fields kept; .gz and stdin/stdout."""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cleaner
from cleaner.cli import app

from .conftest import CASES, SEED

runner = CliRunner()
PAGE = CASES / "pages" / "12_ellipsis_teasers.html"


def _records() -> list[dict]:
    return [
        {"id": "../../x", "url": "https://example.com/a", "html": PAGE.read_text(encoding="utf-8"), "n": 1},
        {"id": "b", "html": "<html><body></body></html>", "n": 2},
        {"id": "c", "html": SEED.read_text(encoding="utf-8"), "n": 3},
    ]


def test_jsonl_file_to_gz_keeps_order_and_fields(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    out = runner.invoke(app, ["clean", "--jsonl", str(src), "-o", str(tmp_path / "out.jsonl.gz")])
    assert out.exit_code == 0, out.output
    with gzip.open(tmp_path / "out.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert [r["id"] for r in rows] == ["../../x", "b", "c"] and [r["n"] for r in rows] == [1, 2, 3]
    assert rows[0]["clean_text"] == cleaner.clean_html(
        PAGE.read_text(encoding="utf-8"), url="https://example.com/a"
    )
    assert rows[0]["removed"] and rows[1]["clean_text"] == ""
    assert not (tmp_path / "x").exists(), "ids are data, never paths"
    header = (tmp_path / "out.jsonl.gz").read_bytes()[:64]
    assert header[3] & gzip.FNAME and header[10:].split(b"\0")[0] == b"out.jsonl", "the output's name"


@pytest.mark.parametrize("pack", [lambda b: b, gzip.compress], ids=["plain", "gzip"])
def test_jsonl_text_field_from_stdin_to_stdout(pack: Callable[[bytes], bytes]) -> None:
    record = {"id": 1, "text": SEED.read_text(encoding="utf-8")}
    stdin = pack((json.dumps(record) + "\n").encode("utf-8"))
    out = runner.invoke(app, ["clean", "--jsonl", "-", "--field", "text"], input=stdin)
    assert out.exit_code == 0, out.stderr
    row = json.loads(out.stdout)
    assert row["clean_text"] == "\n".join(SEED.read_text(encoding="utf-8").split("\n")[:15])
    assert len(row["removed"]) == 6


def test_a_record_with_a_lone_surrogate_is_written_back_as_it_came(tmp_path: Path) -> None:
    # a broken escape, common in scraped JSON: it reads back as the same (lone) character
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"id": 1, "text": "A \\ud83d line.\\nAnother."}\n{"id": 2, "text": "Fine."}\n', encoding="utf-8"
    )
    out = runner.invoke(
        app, ["clean", "--jsonl", str(src), "--field", "text", "-o", str(tmp_path / "o.jsonl")]
    )
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [1, 2]
    assert rows[0]["text"] == "A \ud83d line.\nAnother."


def test_the_output_replaces_an_earlier_output_only(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "One.\\nTwo."}\n', encoding="utf-8")
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"mine": "keep me"}\n', encoding="utf-8")
    out = runner.invoke(app, ["clean", "--jsonl", str(src), "--field", "text", "-o", str(notes)])
    assert out.exit_code == 2
    assert f"output {notes} exists and is not an earlier output of cleaner" in out.stderr
    assert notes.read_text(encoding="utf-8") == '{"mine": "keep me"}\n'
    dest = tmp_path / "o.jsonl.gz"
    for _ in range(2):  # the second run replaces the first's output (gzip'd: read inflated)
        args = ["clean", "--jsonl", str(src), "--field", "text", "-o", str(dest)]
        assert runner.invoke(app, args).exit_code == 0


def test_a_line_that_is_not_utf8_fails_alone_and_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b'\xef\xbb\xbf{"text": "One.\\nTwo."}\n{"text": "Caf\xe9.", "id": 2}\n{"text": "Three."}\n'
    )
    out = runner.invoke(app, ["clean", "--jsonl", str(src), "--field", "text"])
    assert out.exit_code == 1
    assert f"{src}:2: not UTF-8 text, as JSON Lines must be" in out.stderr
    # never passed on with replacement characters: the other fields are promised as they came
    assert [json.loads(line)["text"] for line in out.stdout.splitlines()] == ["One.\nTwo.", "Three."]


def test_a_rerun_replaces_an_output_whose_first_record_is_long(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    page = "<html><body>" + "<p>A paragraph of the article that goes on and on.</p>" * 3000 + "</body></html>"
    src.write_text(json.dumps({"html": page}) + "\n", encoding="utf-8")
    args = ["clean", "--jsonl", str(src), "-o", str(tmp_path / "o.jsonl")]
    for _ in range(2):
        out = runner.invoke(app, args)
        assert out.exit_code == 0, out.output
    assert (tmp_path / "o.jsonl").stat().st_size > 100_000


@pytest.mark.parametrize("kind", ["blank first line", "truncated gzip", "symlink", "fifo"])
def test_other_files_at_the_output_or_failures_place_are_kept(tmp_path: Path, kind: str) -> None:
    import os

    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "One.\\nTwo."}\n', encoding="utf-8")
    target = tmp_path / "target.jsonl"
    if kind == "blank first line":
        target.write_text("\nmy notes\n", encoding="utf-8")
    elif kind == "truncated gzip":
        target = tmp_path / "target.jsonl.gz"
        target.write_bytes(gzip.compress(b'{"mine": "keep"}\n' * 1000)[:12])
    elif kind == "symlink":
        (tmp_path / "elsewhere.jsonl").write_text("", encoding="utf-8")
        target.symlink_to(tmp_path / "elsewhere.jsonl")
    else:
        os.mkfifo(target)  # never opened: a reader here would block
    for option in ("-o", "--errors"):
        extra = ["-o", str(tmp_path / "o.jsonl")] if option == "--errors" else []
        out = runner.invoke(
            app, ["clean", "--jsonl", str(src), "--field", "text", option, str(target), *extra]
        )
        assert out.exit_code == 2, (option, out.output)
        assert "exists and" in out.stderr
    assert target.is_symlink() == (kind == "symlink")


def test_broken_lines_are_reported_and_the_rest_cleaned(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as fh:
        fh.write(
            '{"html": "<p>One.</p>"}\n{broken\n[1, 2]\n{"other": 1, "body": "x"}\n{"html": "<p>Two.</p>"}\n'
        )
    out = runner.invoke(app, ["clean", "--jsonl", str(src), "-o", str(tmp_path / "o.jsonl")])
    assert out.exit_code == 1
    assert (
        f"{src}:2: not a JSON object: Expecting property name enclosed in double quotes at character 2\n"
        in out.stderr
    )
    assert (
        f"{src}:4: no string field 'html' (--field names the one to clean; its string fields: 'body')"
        in out.stderr
    )
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["html"] for r in rows] == ["<p>One.</p>", "<p>Two.</p>"]


def test_worker_processes_give_the_same_stream_as_one_process(tmp_path: Path) -> None:
    pages = sorted((CASES / "pages").glob("*.html"))
    records = [{"id": p.name, "html": cleaner.decoding.decode(p.read_bytes())} for p in pages] * 3
    records.insert(5, {"id": "no-html"})
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    outs = {}
    for jobs in ("1", "2"):
        result = runner.invoke(
            app, ["clean", "--jsonl", str(src), "-j", jobs, "-o", str(tmp_path / f"{jobs}.jsonl")]
        )
        assert result.exit_code == 1 and f"{src}:6: no string field 'html'" in result.stderr
        outs[jobs] = (tmp_path / f"{jobs}.jsonl").read_bytes()
    assert outs["1"] == outs["2"]
    assert [json.loads(line)["id"] for line in outs["2"].splitlines()] == [
        r["id"] for r in records if "html" in r
    ]


def test_a_corrupt_gzip_input_is_named_and_no_output_appears(tmp_path: Path) -> None:
    whole = gzip.compress(b'{"html": "<p>A line.</p>"}\n' * 50)
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(whole[:12] + b"garbage" * 20)
    result = runner.invoke(app, ["clean", str(bad), "--jsonl", "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1
    assert f"error: {bad}: cannot read" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_a_missing_input_is_reported_and_the_others_cleaned(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text('{"html": "<p>A first line of text.</p><p>And a second one.</p>"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(good), str(tmp_path / "gone.jsonl"), "--jsonl", "-o", str(out)])
    assert result.exit_code == 1
    assert f"error: {tmp_path / 'gone.jsonl'}: no such file or folder" in result.stderr
    assert "1 record(s) cleaned" in result.stderr and "1 input(s) not found" in result.stderr
    assert [json.loads(line)["clean_text"] for line in out.read_text(encoding="utf-8").splitlines()] == [
        "A first line of text.\nAnd a second one."
    ]


def test_no_output_file_when_no_input_is_there(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(tmp_path / "gone.jsonl"), "--jsonl", "-o", str(out)])
    assert result.exit_code == 1 and "no output written; 1 input(s) not found" in result.stderr
    assert not out.exists()  # as when no web archive can be read


def test_an_output_file_that_cannot_be_made_is_named_not_its_temporary_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    records = tmp_path / "in.jsonl"
    records.write_text('{"text": "A line."}\n')
    out = runner.invoke(
        app, ["clean", "--jsonl", str(records), "--field", "text", "-o", str(blocker / "o.jsonl")]
    )
    assert out.exit_code == 1
    assert (
        out.stderr.startswith(f"error: cannot write {blocker / 'o.jsonl'}: ") and out.stderr.count("\n") == 1
    )


def test_a_reader_that_stops_early_ends_a_jsonl_run_quietly(tmp_path: Path) -> None:
    import subprocess
    import sys

    records = tmp_path / "in.jsonl"
    records.write_text('{"text": "A line.\\nAnother line."}\n' * 20_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cleaner", "clean", "--jsonl", str(records), "--field", "text"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10)
    proc.stdout.close()  # as `| head -c 10` does
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Broken pipe" not in stderr and "Traceback" not in stderr


class _FullDisk(io.StringIO):
    """A file on a full disk: what is written may fail at once or only when it is flushed."""

    def __init__(self, fail_on: str) -> None:
        super().__init__()
        self.fail_on = fail_on

    def write(self, text: str) -> int:
        if self.fail_on == "write":
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(text)

    def close(self) -> None:
        if self.fail_on == "close":
            raise OSError(errno.ENOSPC, "No space left on device")
        super().close()


@pytest.mark.parametrize("fail_on", ["write", "close"])
def test_a_full_disk_names_the_output_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_on: str
) -> None:
    from cleaner.batch import records

    @contextlib.contextmanager
    def full(dest: Path, **kwargs: object) -> Iterator[_FullDisk]:
        with _FullDisk(fail_on) as out:
            yield out

    monkeypatch.setattr(records, "atomic_output", full)
    dest = tmp_path / "clean.jsonl"
    expected = pytest.raises(cleaner.OutputError, match=f"cannot write {dest}: No space left on device")
    with expected, records.jsonl_output(dest) as write:
        write({"clean_text": "x"})
    # the caller's own errors inside the block are not taken for the output's
    monkeypatch.setattr(records, "atomic_output", lambda dest, **kwargs: _FullDisk("never"))
    with pytest.raises(FileNotFoundError), records.jsonl_output(dest):
        raise FileNotFoundError("an input that vanished")


def test_records_that_held_a_clean_text_say_so_in_the_summary(tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    once = runner.invoke(app, ["clean", "--jsonl", str(src), "-o", str(first)])
    assert once.exit_code == 0 and "held a clean_text" not in once.stderr
    again = runner.invoke(app, ["clean", "--jsonl", str(first), "-o", str(tmp_path / "second.jsonl")])
    assert again.exit_code == 0, again.stderr
    assert "3 record(s) held a clean_text already, replaced" in again.stderr


def test_a_page_piped_in_as_records_fails_once_not_once_per_line() -> None:
    out = runner.invoke(app, ["clean", "--jsonl", "-"], input=PAGE.read_bytes())
    assert out.exit_code == 1
    assert out.stderr.count("error:") == 1
    assert "<stdin> does not look like JSONL records: it does not open with a JSON object" in out.stderr
    assert out.stdout == ""


def test_a_record_over_the_size_limit_fails_alone(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    big = {"id": "big", "html": "<p>" + "word " * 300_000 + "</p>"}  # 1.5 MB
    src.write_text(json.dumps(big) + "\n" + json.dumps({"id": "small", "html": "<p>One.</p>"}) + "\n")
    out = runner.invoke(
        app, ["clean", "--jsonl", str(src), "--max-size", "1", "-o", str(tmp_path / "o.jsonl")]
    )
    assert out.exit_code == 1
    assert (
        f"{src}:1: field 'html': 1,500,007 bytes, over the 1,048,576-byte limit (raise the limit"
        in out.stderr
    )
    rows = (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(r)["id"] for r in rows] == ["small"]
