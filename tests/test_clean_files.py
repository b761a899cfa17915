"""`cleaner.clean_files`: the CLI's batch as a library call, with the same tree and report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cleaner
from cleaner.cli import app

from .conftest import CASES, SEED, output_tree

PAGE = CASES / "pages" / "01_related_list.html"


def _inputs(root: Path) -> Path:
    src = root / "in"
    (src / "a").mkdir(parents=True)
    (src / "a" / "b.html").write_bytes(PAGE.read_bytes())
    (src / "c.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (src / "bad.dat").write_bytes(b"\x00\x01binary")
    (src / "a" / "logo.PNG").write_bytes(b"\x89PNG\r\n\x1a\n\x00")  # a saved page's image: passed over
    os.mkfifo(src / "pipe.html")  # never opened: refused unread
    return src


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_same_tree_errors_file_and_summary_as_the_cli(tmp_path: Path, fmt: str) -> None:
    src = _inputs(tmp_path)
    report = cleaner.clean_files([src], tmp_path / "lib", format=fmt, errors=tmp_path / "lib-errors.jsonl")
    out = CliRunner().invoke(
        app,
        [
            "clean",
            str(src),
            "-o",
            str(tmp_path / "cli"),
            "-f",
            fmt,
            "-j",
            "1",
            "--errors",
            str(tmp_path / "cli-errors.jsonl"),
        ],
    )
    assert out.exit_code == 1
    assert output_tree(tmp_path / "lib") == output_tree(tmp_path / "cli")
    assert (tmp_path / "lib-errors.jsonl").read_bytes() == (tmp_path / "cli-errors.jsonl").read_bytes()
    assert report.summary() in out.stderr
    assert (report.cleaned, report.skipped, report.failed, report.passed_over) == (2, 0, 2, 1)
    assert "1 file(s) passed over by type" in report.summary()
    assert isinstance(report.failed, int) and isinstance(report.lines_removed, int)


def test_report_counts_removals_and_names_each_failure(tmp_path: Path) -> None:
    src = _inputs(tmp_path)
    report = cleaner.clean_files([str(src), tmp_path / "missing.html"], tmp_path / "out")
    direct = [cleaner.Cleaner().clean(p.read_bytes()) for p in (src / "a" / "b.html", src / "c.txt")]
    assert report.lines_removed == sum(len(r.removed) for r in direct) > 0
    assert report.chars_removed == sum(len(x.text) for r in direct for x in r.removed)
    by_path = {f.path: f for f in report.failures}
    assert by_path[str(src / "bad.dat")].error == "InputError"
    assert "binary" in by_path[str(src / "bad.dat")].message
    assert "not a regular file" in by_path[str(src / "pipe.html")].message
    assert by_path[str(tmp_path / "missing.html")].to_dict() == {
        "path": str(tmp_path / "missing.html"),
        "error": "InputError",
        "message": "no such file or folder",
    }


def test_rerun_skips_up_to_date_outputs_unless_forced(tmp_path: Path) -> None:
    src = _inputs(tmp_path)
    cleaner.clean_files([src], tmp_path / "out")
    again = cleaner.clean_files([src], tmp_path / "out")
    assert (again.cleaned, again.skipped) == (0, 2)
    forced = cleaner.clean_files([src], tmp_path / "out", force=True)
    assert (forced.cleaned, forced.skipped) == (2, 0)


def test_an_input_replaced_by_an_older_file_is_cleaned_again(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("One.\nTwo.", encoding="utf-8")
    first = cleaner.clean_files([src], tmp_path / "out")
    # `cp -p`, `rsync -a`, `tar x`: new content with a modification time older than the output's
    mtime = (src / "a.txt").stat().st_mtime_ns
    (src / "a.txt").write_text("Six.\nTen.", encoding="utf-8")  # the same size, and...
    os.utime(src / "a.txt", ns=(mtime, mtime))  # ...the same modification time: only ctime moved
    again = cleaner.clean_files([src], tmp_path / "out")
    assert (first.cleaned, again.cleaned, again.skipped) == (1, 1, 0)
    assert (tmp_path / "out" / "a.txt.txt").read_text(encoding="utf-8").startswith("Six.")
    assert cleaner.clean_files([src], tmp_path / "out").skipped == 1


def test_a_run_log_from_before_input_stamps_still_skips_outputs_newer_than_inputs(tmp_path: Path) -> None:
    from cleaner.batch.writer import RUN_LOG

    src, out = _inputs(tmp_path), tmp_path / "out"
    cleaner.clean_files([src], out)
    log = out / RUN_LOG
    old = [
        {k: v for k, v in json.loads(line).items() if k != "input"} for line in log.read_text().splitlines()
    ]
    log.write_text("".join(json.dumps(entry) + "\n" for entry in old))
    assert cleaner.clean_files([src], out).skipped == 2
    os.utime(src / "c.txt", ns=(4 * 10**18, 4 * 10**18))  # newer than its output: done again
    assert cleaner.clean_files([src], out).cleaned == 1


def test_rerun_with_other_settings_redoes_every_output(tmp_path: Path) -> None:
    src, out = _inputs(tmp_path), tmp_path / "out"
    first = cleaner.clean_files([src], out)
    assert (first.cleaned, first.redone) == (2, 0)
    strict = cleaner.clean_files([src], out, trailing_threshold=1.0)
    assert (strict.cleaned, strict.skipped, strict.redone) == (2, 0, 2)
    assert "2 output(s) newer than their inputs redone" in strict.summary()
    again = cleaner.clean_files([src], out, trailing_threshold=1.0)
    assert (again.cleaned, again.skipped, again.redone) == (0, 2, 0)
    # JSON outputs have other names: making them leaves the text outputs up to date
    assert cleaner.clean_files([src], out, format="json").cleaned == 2
    assert cleaner.clean_files([src], out, trailing_threshold=1.0).skipped == 2


def test_rerun_after_a_change_of_extraction_redoes_every_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the version is unchanged between releases: a page that gave no text may give some now
    src, out = _inputs(tmp_path), tmp_path / "out"
    assert cleaner.clean_files([src], out).cleaned == 2
    monkeypatch.setattr(cleaner.api, "EXTRACT_VERSION", cleaner.api.EXTRACT_VERSION + 1)
    assert cleaner.clean_files([src], out).redone == 2


def test_an_output_rewritten_by_a_run_into_a_subfolder_is_redone(tmp_path: Path) -> None:
    src, out = _inputs(tmp_path), tmp_path / "out"
    cleaner.clean_files([src], out)
    inner = cleaner.clean_files([src / "a"], out / "a", trailing_threshold=1.0)
    assert inner.redone == 1  # a/b.html.txt, made by the outer run with other settings
    rerun = cleaner.clean_files([src], out)
    assert (rerun.cleaned, rerun.skipped, rerun.redone) == (1, 1, 1)


def test_another_inputs_output_from_an_earlier_run_is_not_replaced_unless_forced(tmp_path: Path) -> None:
    # two sites' folders cleaned one after the other into one folder: within one run the same
    # collision fails by name (test_cli), across runs it must too, whatever the settings
    first, second, out = tmp_path / "site1", tmp_path / "site2", tmp_path / "out"
    for folder, text in ((first, "One.\nTwo."), (second, "Three.\nFour.")):
        folder.mkdir()
        (folder / "a.txt").write_text(text, encoding="utf-8")
    assert cleaner.clean_files([first], out).cleaned == 1
    for settings in ({}, {"trailing_threshold": 1.0}):
        report = cleaner.clean_files([second], out, **settings)
        (failure,) = report.failures
        assert failure.error == "OutputError" and str(first / "a.txt") in failure.message
        assert "--force" in failure.message
    assert (out / "a.txt.txt").read_text(encoding="utf-8").startswith("One.")
    assert cleaner.clean_files([first], out).skipped == 1  # its own input's rerun is unchanged
    forced = cleaner.clean_files([second], out, force=True)
    assert forced.cleaned == 1 and (out / "a.txt.txt").read_text(encoding="utf-8").startswith("Three.")
    assert cleaner.clean_files([second], out).skipped == 1  # now the output of site2/a.txt


def test_the_same_input_by_another_way_or_moved_is_not_another_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    snap1, snap2 = tmp_path / "snap1", tmp_path / "snap2"
    for folder, text in ((snap1, "One.\nTwo."), (snap2, "Three.\nFour.")):
        folder.mkdir()
        (folder / "a.txt").write_text(text, encoding="utf-8")
    latest = tmp_path / "latest"
    latest.symlink_to(snap1)
    assert cleaner.clean_files([latest], out).cleaned == 1
    latest.unlink()
    latest.symlink_to(snap2)  # the link a crawler moves to each new snapshot: the same input
    retargeted = cleaner.clean_files([latest], out)
    assert (retargeted.cleaned, retargeted.failed) == (1, 0)
    assert (out / "a.txt.txt").read_text(encoding="utf-8").startswith("Three.")
    # a folder moved since its run: the logged input is gone, so this is most likely it
    moved = tmp_path / "moved"
    snap2.rename(moved)
    again = cleaner.clean_files([moved], out, trailing_threshold=1.0)
    assert (again.cleaned, again.failed) == (1, 0)


def test_an_output_logged_by_a_run_into_a_subfolder_is_that_runs_inputs(tmp_path: Path) -> None:
    site, other, out = tmp_path / "site", tmp_path / "other", tmp_path / "out"
    for folder in (site, other):
        (folder / "s").mkdir(parents=True)
        (folder / "s" / "a.txt").write_text(f"{folder.name} one.\nTwo.", encoding="utf-8")
    assert cleaner.clean_files([site / "s"], out / "s").cleaned == 1  # logged in out/s/
    report = cleaner.clean_files([other], out)  # out/s/a.txt.txt: site/s/a.txt's, by out/s's log
    assert report.failed == 1 and str(site / "s" / "a.txt") in report.failures[0].message
    assert (out / "s" / "a.txt.txt").read_text(encoding="utf-8").startswith("site one.")


def test_a_file_cleaner_did_not_write_is_not_overwritten_unless_forced(tmp_path: Path) -> None:
    src, out = _inputs(tmp_path), tmp_path / "out"
    (out / "a").mkdir(parents=True)
    theirs = out / "a" / "b.html.txt"
    theirs.write_text("someone's notes", encoding="utf-8")
    report = cleaner.clean_files([src], out)
    assert report.cleaned == 1  # c.txt
    failure = next(f for f in report.failures if f.path == str(src / "a" / "b.html"))
    assert failure.error == "OutputError" and str(theirs) in failure.message and "--force" in failure.message
    assert theirs.read_text(encoding="utf-8") == "someone's notes"
    # an output cleaner wrote and a person then edited is theirs too
    mine = out / "c.txt.txt"
    mine.write_text(mine.read_text(encoding="utf-8") + "my edit\n", encoding="utf-8")
    edited = cleaner.clean_files([src], out, trailing_threshold=1.0)
    assert {f.path for f in edited.failures} >= {str(src / "a" / "b.html"), str(src / "c.txt")}
    assert mine.read_text(encoding="utf-8").endswith("my edit\n")
    forced = cleaner.clean_files([src], out, force=True)
    assert forced.cleaned == 2 and theirs.read_text(encoding="utf-8") != "someone's notes"
    assert not mine.read_text(encoding="utf-8").endswith("my edit\n")


def test_a_file_at_an_outputs_place_that_cannot_be_read_fails_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, out = _inputs(tmp_path), tmp_path / "out"
    (out / "a").mkdir(parents=True)
    theirs = out / "a" / "b.html.txt"
    theirs.write_text("someone's notes", encoding="utf-8")
    read_bytes = Path.read_bytes

    def refused(path: Path) -> bytes:  # root reads anything: a refusal is simulated
        if path == theirs:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refused)
    report = cleaner.clean_files([src], out)
    failure = next(f for f in report.failures if f.path == str(src / "a" / "b.html"))
    assert failure.error == "OutputError" and "cannot read" in failure.message
    assert "Permission denied" in failure.message and str(theirs) in failure.message
    assert theirs.read_text(encoding="utf-8") == "someone's notes"


def test_outputs_a_killed_run_wrote_but_never_logged_are_kept(tmp_path: Path) -> None:
    src, out = _inputs(tmp_path), tmp_path / "out"
    cleaner.clean_files([src], out)
    made = {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")}
    (out / ".cleaner-run").unlink()  # as if the run was killed before it logged them
    again = cleaner.clean_files([src], out)
    assert (again.cleaned, again.failed - 2) == (2, 0)  # bad.dat and the FIFO fail as before
    assert {p: p.stat().st_mtime_ns for p in made} == made  # kept, not rewritten
    assert cleaner.clean_files([src], out).skipped == 2  # and logged now
    # the same files with other settings' content are not this run's to replace
    (out / ".cleaner-run").unlink()
    keep_all = cleaner.clean_files([src], out, trailing_threshold=1.0, text_threshold=1.0)
    assert any("is not an output of cleaner" in f.message for f in keep_all.failures)


def test_an_output_folder_cleaned_as_input_leaves_its_own_files_out(tmp_path: Path) -> None:
    src, out = _inputs(tmp_path), tmp_path / "out"
    cleaner.clean_files([src], out)
    again = cleaner.clean_files([out], tmp_path / "again")
    assert again.cleaned == 2
    assert not [p for p in (tmp_path / "again").rglob("*") if p.name.startswith(".cleaner-run.")]


def test_options_reach_the_cleaner(tmp_path: Path) -> None:
    src = _inputs(tmp_path)
    strict = cleaner.clean_files([src / "c.txt"], tmp_path / "strict", trailing_threshold=1.0)
    default = cleaner.clean_files([src / "c.txt"], tmp_path / "default")
    assert strict.lines_removed < default.lines_removed


def test_an_output_that_cannot_be_written_is_an_output_error(tmp_path: Path) -> None:
    src = _inputs(tmp_path)
    out = tmp_path / "out"
    (out / "b.html.txt").mkdir(parents=True)  # a folder where the output file should go
    (out / "b.html.txt" / "keep").write_text("not to be lost", encoding="utf-8")
    report = cleaner.clean_files([src / "a", src / "c.txt"], out)
    failure = next(f for f in report.failures if f.path.endswith("b.html"))
    assert failure.error == "OutputError" and "cannot write output" in failure.message
    assert report.cleaned == 1
    assert (out / "b.html.txt" / "keep").read_text(encoding="utf-8") == "not to be lost"
    assert not list(out.rglob("*.cleaner-tmp"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"paths": ["-"]}, "stdin"),
        ({"format": "xml"}, "format"),
        ({"trailing_threshold": 2.0}, "trailing_threshold"),
        ({"out_dir": None}, "out_dir is a str or Path, not NoneType"),
        ({"errors": 5}, "errors is a str or Path, not int"),
        ({"url": 5}, "url is a str"),
        ({"force": "no"}, "force must be True or False, got 'no'"),
        ({"progress": 1}, "progress must be True or False"),
        ({"force": None}, "force must be True or False"),
        ({"out_dir": "x" * 300}, r"the output folder x+: not a usable path \(File name too long\)"),
        ({"out_dir": "o\0x"}, r"the output folder o.x: not a usable path \(embedded null byte\)"),
        ({"errors": "x" * 300}, r"the failures file x+ .*: not a usable path"),
    ],
)
def test_bad_arguments_raise_config_error(tmp_path: Path, kwargs: dict, message: str) -> None:
    args = {"paths": [str(SEED)], "out_dir": tmp_path} | kwargs
    with pytest.raises(cleaner.ConfigError, match=message):
        cleaner.clean_files(**args)


def test_numpy_numbers_are_numbers(tmp_path: Path) -> None:
    import numpy as np

    report = cleaner.clean_files([SEED], tmp_path / "out", jobs=np.int64(1), max_size_mb=np.float32(5))
    assert report.cleaned == 1


def test_one_path_given_as_a_string_is_one_input(tmp_path: Path) -> None:
    report = cleaner.clean_files(str(SEED), tmp_path / "out")
    assert report.cleaned == 1 and (tmp_path / "out" / f"{SEED.name}.txt").is_file()


def test_paths_from_a_generator_are_all_cleaned(tmp_path: Path) -> None:
    report = cleaner.clean_files(SEED.parent.glob("*.txt"), tmp_path / "out")
    assert report.cleaned == len(list(SEED.parent.glob("*.txt"))) > 0
    with os.scandir(SEED.parent) as entries:  # path-likes that are not Paths
        report = cleaner.clean_files(list(entries), tmp_path / "out2")
    assert report.cleaned == len(list(SEED.parent.iterdir())) and not report.failures


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "xml"}, "input kind"),
        ({"jobs": -1}, "jobs"),
        ({"jobs": "2"}, "jobs must be a whole number.*not '2'"),
        ({"max_size_mb": 0}, "size limit"),
        ({"max_size_mb": "5"}, "size limit must be a positive number of MB, not '5'"),
        ({"max_size_mb": True}, "size limit"),
        ({"scheduler": "foo"}, "a scheduler is 'local' or an address with a port"),
    ],
)
def test_batch_options_are_checked_once_up_front(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(cleaner.ConfigError, match=message):
        cleaner.clean_files([SEED], tmp_path, **kwargs)
    assert not list(tmp_path.iterdir()), "nothing written"


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        (b"scraped", r"paths are str or Path \(os.fsdecode"),
        ([SEED, 7], r"paths are str or Path, not int \(7\)"),
    ],
)
def test_paths_that_are_not_paths_are_refused(tmp_path: Path, paths: object, message: str) -> None:
    with pytest.raises(cleaner.ConfigError, match=message):
        cleaner.clean_files(paths, tmp_path)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir()), "nothing written"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "crawl.warc.gz",
            r"crawl.warc.gz is a web archive: clean its records with cleaner.warc.clean_archive",
        ),
        ("old.ARC", r"old.ARC is a web archive"),
        ("records.jsonl", r"records.jsonl is named as JSONL records: .*kind='text'"),
    ],
)
def test_an_archive_or_records_named_as_input_is_not_cleaned_as_one_page(
    tmp_path: Path, name: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text('{"html": "<p>a record, not a page</p>"}\n', encoding="utf-8")
    with pytest.raises(cleaner.ConfigError, match=message):
        cleaner.clean_files([SEED, path], tmp_path / "out")
    assert not (tmp_path / "out").exists(), "nothing written"


def test_a_folder_named_like_records_or_an_archive_is_walked(tmp_path: Path) -> None:
    for name in ("pages.jsonl", "site.warc"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.html").write_bytes(PAGE.read_bytes())
    report = cleaner.clean_files([tmp_path / "pages.jsonl", tmp_path / "site.warc"], tmp_path / "out")
    assert report.cleaned == 2 and report.failed == 0
    out = CliRunner().invoke(app, ["clean", str(tmp_path / "site.warc"), "-o", str(tmp_path / "cli")])
    assert out.exit_code == 0 and (tmp_path / "cli" / "site.warc.html.txt").is_file()


def test_records_read_as_text_are_cleaned_as_text(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text('{"html": "a record"}\n', encoding="utf-8")
    report = cleaner.clean_files([path], tmp_path / "out", kind="text")
    assert report.cleaned == 1
    assert (tmp_path / "out" / "records.jsonl.txt").read_text(encoding="utf-8") == '{"html": "a record"}\n'


def test_the_old_option_name_says_what_it_became() -> None:
    with pytest.raises(cleaner.ConfigError, match="threshold is now trailing_threshold"):
        cleaner.Cleaner(threshold=0.5)


def test_outcomes_are_reported_as_they_come_not_at_the_end(tmp_path: Path) -> None:
    from cleaner.batch.run import run_batch

    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        (src / f"{i}.txt").write_text(f"Line {i}.\nAnother line.", encoding="utf-8")
    written_at_each_call = []

    def seen(outcome: object) -> None:
        written_at_each_call.append(len(list((tmp_path / "out").glob("*.txt"))))

    run_batch(cleaner.Cleaner(), [str(src)], tmp_path / "out", on_outcome=seen)
    assert written_at_each_call == [1, 2, 3, 4]


def test_an_interrupted_batch_still_writes_its_failures_so_far(tmp_path: Path) -> None:
    from cleaner.batch.run import run_batch

    src = tmp_path / "in"
    src.mkdir()
    (src / "0-broken.html").write_bytes(b"\x00\x01\x02")
    for i in range(1, 4):
        (src / f"{i}.txt").write_text(f"Line {i}.\nAnother line.", encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    errors.write_text(
        '{"path": "gone.html", "error": "InputError", "message": "an older run"}\n', encoding="utf-8"
    )

    def stop_after_two(outcome: object, seen: list[object] = []) -> None:  # noqa: B006
        seen.append(outcome)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(cleaner.Cleaner(), [str(src)], tmp_path / "out", errors=errors, on_outcome=stop_after_two)
    failures = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [Path(f["path"]).name for f in failures] == ["0-broken.html"]


def test_jobs_0_is_one_worker_per_core_as_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cleaner.batch.run as run

    seen: list[int] = []
    monkeypatch.setattr(run, "default_jobs", lambda: 3)
    monkeypatch.setattr(run, "run_batch", lambda *a, **k: seen.append(k["jobs"]) or run.BatchReport())
    cleaner.clean_files([SEED], tmp_path, jobs=0)
    cleaner.clean_files([SEED], tmp_path, jobs=2)
    assert seen == [3, 2]


def test_settings_given_to_clean_files_keep_their_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cleaner.batch.run as run

    seen: list[float | None] = []
    monkeypatch.setattr(
        run, "run_batch", lambda c, *a, **k: seen.append(c.settings.time_limit) or run.BatchReport()
    )
    cleaner.clean_files([SEED], tmp_path, settings=cleaner.Settings(time_limit=None))
    cleaner.clean_files([SEED], tmp_path, settings=cleaner.Settings(time_limit=None), time_limit=5)
    cleaner.clean_files([SEED], tmp_path)
    assert seen == [None, 5.0, 30.0]


@pytest.mark.parametrize("final_break", [b"\r\n", b""])
def test_a_crlf_text_keeps_its_line_breaks_to_the_last_line(tmp_path: Path, final_break: bytes) -> None:
    src = tmp_path / "in"
    src.mkdir()
    crlf = SEED.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    (src / "seed.txt").write_bytes(crlf)  # its teasers go: the text ends on a kept line's break
    body = b"A first line of the article body here.\r\nAnd its second line, the last one." + final_break
    (src / "body.txt").write_bytes(body)  # nothing goes, the last line kept
    report = cleaner.clean_files([src], tmp_path / "out")
    assert report.lines_removed > 0
    for name, ending in (("seed.txt.txt", b".\r\n"), ("body.txt.txt", b"one.\r\n")):
        written = (tmp_path / "out" / name).read_bytes()
        assert written.endswith(ending) and written.count(b"\n") == written.count(b"\r\n"), name


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_a_json_output_names_the_line_break_its_text_uses(tmp_path: Path, newline: str) -> None:
    text = newline.join(SEED.read_text(encoding="utf-8").splitlines())
    (tmp_path / "seed.txt").write_bytes(text.encode("utf-8"))
    cleaner.clean_files([tmp_path / "seed.txt"], tmp_path / "out", format="json")
    written = json.loads((tmp_path / "out" / "seed.txt.json").read_text(encoding="utf-8"))
    assert written["newline"] == newline
    assert written["text"].count("\n") == written["text"].count(newline) > 0


def test_a_failure_raised_again_keeps_its_class_and_names_its_file(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "in").mkdir()
    packed = gzip.compress((CASES / "pages" / "01_related_list.html").read_bytes())
    (tmp_path / "in" / "cut.html.gz").write_bytes(packed[: len(packed) // 2])  # half a download
    report = cleaner.clean_files([tmp_path / "in"], tmp_path / "out")
    [failure] = report.failures
    assert failure.error == "TruncatedError"
    exc = failure.to_exception()
    assert isinstance(exc, cleaner.TruncatedError) and isinstance(exc, cleaner.InputError)
    assert str(exc).startswith(f"{tmp_path / 'in' / 'cut.html.gz'}: gzip data is truncated")


def test_an_input_path_the_system_cannot_take_is_a_failure_the_others_cleaned(tmp_path: Path) -> None:
    report = cleaner.clean_files([SEED, "x" * 300], tmp_path / "out")
    assert report.cleaned == 1
    assert [f.message for f in report.failures] == ["cannot read: File name too long"]


def test_a_folder_that_cannot_be_listed_is_a_failure_not_silence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _inputs(tmp_path)
    (src / "locked").mkdir()
    (src / "locked" / "x.html").write_bytes(PAGE.read_bytes())
    scandir = os.scandir

    def refusing(path: object = ".") -> object:  # root cannot be refused a folder: pretend
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", refusing)
    report = cleaner.clean_files([src], tmp_path / "out")
    assert f"{src / 'locked'}: cannot list the folder: Permission denied" in [str(f) for f in report.failures]
    assert (tmp_path / "out" / "a" / "b.html.txt").is_file()
    alone = cleaner.clean_files([src / "locked"], tmp_path / "out2")  # a failure, not also "nothing to clean"
    assert [f.message for f in alone.failures] == ["cannot list the folder: Permission denied"]
    assert alone.empty_folders == []


@pytest.mark.parametrize("where", ["-o", "--model", "--errors"])
def test_a_path_the_system_cannot_take_is_a_usage_error_on_the_command_line(
    tmp_path: Path, where: str
) -> None:
    args = {"-o": [str(SEED), str(SEED), "-o", "x" * 300]}.get(where, [str(SEED), where, "x" * 300])
    if where == "--errors":
        args += ["-o", str(tmp_path / "out")]
    result = CliRunner().invoke(app, ["clean", *args])
    assert result.exit_code == 2, result.output
    assert "not a usable path" in result.stderr and "Traceback" not in result.output


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this system")
def test_one_per_core_counts_the_cores_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaner.batch.run import default_jobs

    monkeypatch.setattr(os, "cpu_count", lambda: 64)  # a container's host
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert default_jobs() == 2
