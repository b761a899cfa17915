"""The command line: a thin shell over the library, composable in pipes."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cleaner
from cleaner.cli import app

from .conftest import CASES, SEED, output_tree

runner = CliRunner()
PAGE = CASES / "pages" / "01_related_list.html"


def _commands() -> list[str]:
    return [c.name or c.callback.__name__ for c in app.registered_commands if c.callback]


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example(command: str) -> None:
    out = runner.invoke(app, [command, "--help"])
    assert out.exit_code == 0
    assert "Example" in out.stdout
    assert runner.invoke(app, [command, "-h"]).stdout == out.stdout


@pytest.mark.parametrize("command", _commands())
def test_help_examples_stay_whole_in_a_narrow_terminal(command: str) -> None:
    (info,) = [
        c for c in app.registered_commands if c.callback and (c.name or c.callback.__name__) == command
    ]
    source = f"{info.help or info.callback.__doc__}\n{info.epilog or ''}"
    examples = [line.strip() for line in source.splitlines() if line.strip().startswith("cleaner ")]
    out = runner.invoke(app, [command, "--help"], terminal_width=60)
    shown = {line.strip() for line in out.stdout.splitlines()}
    assert examples and all(example in shown for example in examples)  # pasted, each runs as written


def test_the_command_list_shows_each_summary_whole() -> None:
    out = runner.invoke(app, ["--help"], terminal_width=100)
    listed = out.stdout.split("Commands:")[1].splitlines()
    summaries = [line.split(None, 1) for line in listed if line.strip()]
    assert {name for name, _ in summaries} == set(_commands())
    assert all(not summary.endswith("...") for _, summary in summaries)  # click cuts a long first line


def test_version_names_the_shipped_models_thresholds() -> None:
    from cleaner.model import default_model_dir, read_card

    out = runner.invoke(app, ["--version"])
    assert out.exit_code == 0 and cleaner.__version__ in out.stdout
    rule = read_card(default_model_dir())["decision_rule"]
    assert f"junk probability {rule['trailing_threshold']} in the trailing run, " in out.stdout
    # what it says of --threshold is what resolving a set trailing threshold does
    assert (
        "`--threshold X` puts both trailing runs at X and raises any other threshold below X to X"
        in out.stdout
    )
    x = 0.7
    set_rule = cleaner.Cleaner(trailing_threshold=x).rule_
    assert set_rule.trailing_threshold == set_rule.text_threshold == x
    for name, trained in rule.items():
        if name.endswith("_threshold") and name not in ("trailing_threshold", "text_threshold"):
            assert getattr(set_rule, name) == max(x, trained), name


def test_version_is_printed_when_the_model_is_not_there(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import cleaner.model

    monkeypatch.setattr(cleaner.model, "default_model_dir", lambda: tmp_path)
    out = runner.invoke(app, ["--version"])
    assert out.exit_code == 0 and cleaner.__version__ in out.stdout
    assert "model: unavailable" in out.stdout and "model card not found" in out.stdout


def test_html_file_to_stdout() -> None:
    out = runner.invoke(app, ["clean", str(PAGE)])
    assert out.exit_code == 0
    assert out.stdout == cleaner.clean_html(PAGE.read_bytes()) + "\n"


def test_json_output_has_text_metadata_and_removed_lines() -> None:
    out = runner.invoke(app, ["clean", str(PAGE), "--format", "json"])
    assert out.exit_code == 0
    record = json.loads(out.stdout)
    assert record["text"] == cleaner.clean_html(PAGE.read_bytes())
    assert record["metadata"]["title"]
    assert record["removed"] and {"line", "text", "score", "reason"} <= set(record["removed"][0])
    # the library reads the output back as the result the CLI wrote
    direct = cleaner.Cleaner().clean_html(PAGE.read_bytes(), with_metadata=True)
    assert cleaner.CleanResult.from_dict(record) == direct


def test_json_metadata_has_the_same_keys_for_pages_and_plain_text() -> None:
    page = json.loads(runner.invoke(app, ["clean", str(PAGE), "--format", "json"]).stdout)
    text = runner.invoke(app, ["clean", str(SEED), "--format", "json", "--url", "https://example.com/a"])
    record = json.loads(text.stdout)
    assert set(record["metadata"]) == set(page["metadata"])
    assert record["metadata"]["url"] == "https://example.com/a" and record["metadata"]["title"] is None
    assert record["metadata"]["hostname"] == "example.com"


def test_explain_goes_to_stderr() -> None:
    out = runner.invoke(app, ["clean", str(SEED), "--explain"])
    assert out.exit_code == 0
    assert "trailing run" in out.stderr and "trailing run" not in out.stdout
    assert len([line for line in out.stderr.splitlines() if "\t" in line]) == 6


def test_explain_says_when_outputs_up_to_date_were_not_cleaned(tmp_path: Path) -> None:
    args = ["clean", str(SEED), "-o", str(tmp_path / "out"), "--explain"]
    assert "\t" in runner.invoke(app, args).stderr and "--force" not in runner.invoke(app, args[:-1]).stderr
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "\t" not in again.stderr
    assert "--explain shows nothing of the 1 up-to-date output(s); --force cleans them again" in again.stderr
    assert "\t" in runner.invoke(app, [*args, "--force"]).stderr


def test_folder_mirrors_tree_and_reports(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    (src / "a" / "b.html").write_bytes(PAGE.read_bytes())
    (src / "c.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    out = runner.invoke(app, ["clean", str(src), "-o", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "out" / "a" / "b.html.txt").is_file()
    assert (tmp_path / "out" / "c.txt.txt").is_file()
    assert "2 file(s) cleaned, 0 skipped (up to date), 0 failed" in out.stderr
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_json_folder_uses_json_suffix(tmp_path: Path) -> None:
    out = runner.invoke(app, ["clean", str(PAGE), "-o", str(tmp_path), "-f", "json"])
    assert out.exit_code == 0
    assert json.loads((tmp_path / f"{PAGE.name}.json").read_text(encoding="utf-8"))["path"] == str(PAGE)


def test_failures_are_named_and_the_rest_processed(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text("A line.\nAnother line.", encoding="utf-8")
    (src / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (src / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    os.mkfifo(src / "pipe.html")  # never opened: the CLI must refuse it unread
    out = runner.invoke(app, ["clean", str(src), str(tmp_path / "missing.html"), "-o", str(tmp_path / "out")])
    assert out.exit_code == 1
    assert "image.html: looks like a binary file" in out.stderr
    assert "image.png" not in out.stderr and "1 file(s) passed over by type" in out.stderr
    assert "pipe.html: not a regular file" in out.stderr
    assert "missing.html: no such file" in out.stderr
    assert (tmp_path / "out" / "good.txt.txt").read_text(encoding="utf-8") == "A line.\nAnother line.\n"


@pytest.mark.parametrize("output", [[], ["-o", "out"]])
def test_a_folder_with_nothing_to_clean_says_so(tmp_path: Path, output: list[str]) -> None:
    (tmp_path / "site" / "img").mkdir(parents=True)
    (tmp_path / "site" / "img" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    args = ["clean", str(tmp_path / "empty"), str(tmp_path / "site"), *output]
    out = runner.invoke(app, [a if a != "out" else str(tmp_path / "out") for a in args])
    assert out.exit_code == 0 and out.stdout == ""
    assert f"nothing to clean in {tmp_path / 'empty'}, {tmp_path / 'site'}" in out.stderr
    assert "1 file(s) passed over by type" in out.stderr


def test_web_archives_in_a_folder_are_named_in_the_summary(tmp_path: Path) -> None:
    (tmp_path / "crawls").mkdir()
    for name in ("a.warc.gz", "b.ARC", "c.warc"):
        (tmp_path / "crawls" / name).write_bytes(b"")
    out = runner.invoke(app, ["clean", str(tmp_path / "crawls"), "-o", str(tmp_path / "out")])
    assert (
        "3 file(s) passed over by type (images, styles, scripts, data), 3 of them web archive(s)"
        in out.stderr
    )
    assert "name archives as inputs" in out.stderr


def test_content_that_contradicts_the_extension_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_bytes((CASES / "pages" / "01_related_list.html").read_bytes())
    (tmp_path / "plain.html").write_text("Just some text.\nMore text here.\n", encoding="utf-8")
    (tmp_path / "fine.txt").write_text("Just some text.\nMore text here.\n", encoding="utf-8")
    (tmp_path / "empty.html").write_bytes(b"")
    out = runner.invoke(app, ["clean", str(tmp_path), "-o", str(tmp_path / "out")])
    assert out.exit_code == 0
    assert f"warning: {tmp_path / 'empty.html'}: gave no text (the file is empty)" in out.stderr
    assert f"warning: {tmp_path / 'page.txt'}: looks like an HTML page but is named as text" in out.stderr
    assert f"warning: {tmp_path / 'plain.html'}: gave no text and does not look like HTML" in out.stderr
    assert "fine.txt" not in out.stderr
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "page.txt").read_bytes())
    bom = runner.invoke(app, ["clean", str(tmp_path / "bom.txt")])
    assert "looks like an HTML page but is named as text" in bom.stderr  # a byte-order mark hides nothing
    quiet = runner.invoke(app, ["clean", str(tmp_path), "-o", str(tmp_path / "out"), "--force", "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    forced = runner.invoke(app, ["clean", str(tmp_path / "page.txt"), "--input-type", "html"])
    assert forced.exit_code == 0 and "warning" not in forced.stderr and "<" not in forced.stdout
    page = (tmp_path / "page.txt").read_text(encoding="utf-8")
    (tmp_path / "wide.txt").write_bytes(page.encode("utf-16-le"))
    wide = runner.invoke(app, ["clean", str(tmp_path / "wide.txt"), "--encoding", "utf-16-le"])
    assert "looks like an HTML page but is named as text" in wide.stderr  # read in the charset given


def test_stdin_into_a_folder_can_be_rerun(tmp_path: Path) -> None:
    for _ in range(2):
        out = runner.invoke(
            app, ["clean", "-", "-o", str(tmp_path / "out")], input=SEED.read_text(encoding="utf-8")
        )
        assert out.exit_code == 0, out.stderr
    assert (tmp_path / "out" / "stdin.txt").stat().st_size > 0


def test_an_output_folder_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    out = runner.invoke(app, ["clean", str(SEED), "-o", str(tmp_path / "a-file" / "out")])
    assert out.exit_code == 1
    assert out.exception is None or isinstance(out.exception, SystemExit)
    # one error, before any work
    assert (
        out.stderr
        == f"error: cannot create the output folder {tmp_path / 'a-file' / 'out'}: Not a directory\n"
    )


def test_never_overwrites_an_input(tmp_path: Path) -> None:
    from cleaner.batch.files import run_job
    from cleaner.batch.plan import Job
    from cleaner.batch.writer import real_path

    (tmp_path / "x.txt").write_text("One.\nTwo.", encoding="utf-8")
    (tmp_path / "x.txt.txt").write_text("I am an input too.", encoding="utf-8")
    out = runner.invoke(
        app, ["clean", str(tmp_path / "x.txt"), str(tmp_path / "x.txt.txt"), "-o", str(tmp_path)]
    )
    assert out.exit_code == 2
    assert f"the output folder {tmp_path} holds the input {tmp_path / 'x.txt'}" in out.stderr
    # the guard behind that check, for paths that reach an input another way (links)
    job = Job(tmp_path / "x.txt", tmp_path / "x.txt.txt", "x.txt")
    inputs = {real_path(tmp_path / "x.txt"), real_path(tmp_path / "x.txt.txt")}
    outcome = run_job(cleaner.Cleaner(), job, fmt="text", kind="auto", url=None, inputs=inputs)
    assert outcome.failure is not None and "would overwrite an input" in outcome.failure.message
    assert (tmp_path / "x.txt.txt").read_text(encoding="utf-8") == "I am an input too."


def test_output_folder_inside_input_folder_is_not_cleaned_again(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One.\nTwo.", encoding="utf-8")
    for _ in range(2):
        out = runner.invoke(app, ["clean", str(tmp_path), "-o", str(tmp_path / "out")])
        assert out.exit_code == 0, out.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".cleaner-run", "a.txt.txt"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["clean"], "Missing argument 'PATH'"),
        (
            ["clean", str(SEED), str(SEED)],
            "Usage error: 2 inputs (a folder or several files) need an output folder",
        ),
        (["clean", str(SEED), "--format", "xml"], "Usage error: format must be text or json, not 'xml'"),
        (
            ["clean", str(SEED), "--threshold", "2"],
            "Usage error: --threshold must be a number between 0 and 1, got 2.0",
        ),
        (
            ["clean", str(SEED), "--time-limit", "inf"],
            "Usage error: --time-limit must be a number of seconds",
        ),
        (
            ["clean", str(SEED), "--time-limit", "nan"],
            "--time-limit must be a number of seconds >= 0 (0: no limit), got nan",
        ),
        (["clean", "-", "-"], "Usage error: stdin (-) can be given only once"),
        (
            ["clean", str(SEED), "--max-size", "inf"],
            "the size limit must be a positive number of MB, not inf",
        ),
        (
            ["clean", str(SEED), "--max-size", "nan"],
            "the size limit must be a positive number of MB, not nan",
        ),
        (["clean", str(SEED), "--max-size", "0"], "the size limit must be a positive number of MB, not 0.0"),
        (["nonsense"], "No such command 'nonsense'"),
        (["clean", str(SEED), "--field", "text"], "Usage error: --field is for --jsonl runs"),
        (
            ["clean", "crawl.warc.gz", "--field", "text", "-o", "o.jsonl"],
            "Usage error: --field is for --jsonl",
        ),
        (["clean", "--jsonl", "-", "-o", "fresh-dir/"], "Usage error: -o fresh-dir/ names a folder"),
        (["clean", "--jsonl", "-", "-o", str(CASES)], f"Usage error: -o {CASES} names a folder"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    out = runner.invoke(app, args)
    assert out.exit_code == 2
    assert message in out.stderr


def test_threshold_changes_what_goes(seed_text: str) -> None:
    lines = seed_text.rstrip("\n").split("\n")
    default = runner.invoke(app, ["clean", str(SEED)])
    strict = runner.invoke(app, ["clean", str(SEED), "--threshold", "1.0"])
    assert default.exit_code == strict.exit_code == 0
    # the seed's six trailing teasers go by default; at 1.0 no line is sure enough to go
    assert default.stdout.rstrip("\n").split("\n") == lines[:-6]
    assert strict.stdout.rstrip("\n").split("\n") == lines


def test_input_type_text_keeps_a_page_as_text(tmp_path: Path) -> None:
    page = tmp_path / "notes.html"
    page.write_text(
        "<p>The council met on Tuesday.</p>\n<p>It voted to keep the library open.</p>\n", encoding="utf-8"
    )
    as_page = runner.invoke(app, ["clean", str(page)])
    as_text = runner.invoke(app, ["clean", str(page), "--input-type", "text"])
    assert as_page.stdout == "The council met on Tuesday.\nIt voted to keep the library open.\n"
    assert as_text.stdout == page.read_text(encoding="utf-8")


def test_fast_reaches_trafilatura(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    calls: list[bool] = []
    extract = trafilatura.bare_extraction

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(bool(kwargs["fast"]))
        return extract(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    for args in (["clean", str(PAGE)], ["clean", str(PAGE), "--fast"]):
        assert runner.invoke(app, args).exit_code == 0
    assert calls == [False, True]


def test_time_limit_zero_is_no_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    clean = cleaner.Cleaner._clean

    def slow(self: cleaner.Cleaner, *args: object, **kwargs: object) -> object:
        time.sleep(0.6)
        return clean(self, *args, **kwargs)

    monkeypatch.setattr(cleaner.Cleaner, "_clean", slow)
    limited = runner.invoke(app, ["clean", str(SEED), "--time-limit", "0.2"])
    assert limited.exit_code == 1 and "0.2" in limited.stderr
    assert runner.invoke(app, ["clean", str(SEED), "--time-limit", "0"]).exit_code == 0


def test_bad_model_is_a_clear_error(tmp_path: Path) -> None:
    out = runner.invoke(app, ["clean", str(SEED), "--model", str(tmp_path)])
    assert out.exit_code == 2
    assert f"Usage error: --model {tmp_path}: " in out.stderr
    assert f"{tmp_path / 'cleaner-model.json'}: no model file there; check the model path" in out.stderr


def test_train_writes_model_and_card(tmp_path: Path) -> None:
    out = runner.invoke(app, ["train", "--seeds", str(SEED.parent), "--out", str(tmp_path), "--no-cv"])
    assert out.exit_code == 0, out.output
    assert cleaner.Cleaner(model=tmp_path).clean_text(SEED.read_text(encoding="utf-8")).removed


def test_training_without_the_train_extra_says_what_to_install_and_makes_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cleaner.errors import TrainingError
    from cleaner.training.corpus import read_seeds
    from cleaner.training.train import train

    docs = read_seeds(SEED.parent)
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if not installed: importing it fails
    with pytest.raises(TrainingError, match=r"pip install 'news-cleaner\[train\]'"):
        train(docs, tmp_path / "model")
    assert not (tmp_path / "model").exists()


def _seeds(folder: Path, *names: str) -> Path:
    folder.mkdir()
    for name in names:
        for suffix in (".txt", ".junk"):
            (folder / f"{name}{suffix}").write_bytes((SEED.parent / f"{name}{suffix}").read_bytes())
    return folder


def test_train_refuses_bad_inputs_before_any_work(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path / "seeds", SEED.stem, "001_harbour_bridge")
    a_file = tmp_path / "model.json"
    a_file.write_text("mine", encoding="utf-8")
    for args, message in [
        (["--seeds", str(tmp_path / "nope")], f"--seeds {tmp_path / 'nope'}: no such folder"),
        (["--seeds", str(a_file)], f"--seeds {a_file}: not a folder"),
        (["--seeds", str(seeds), "--out", str(a_file)], f"--out {a_file}: a file, not a folder"),
        (
            ["--seeds", str(seeds), "--out", str(a_file / "sub" / "m")],
            f"--out {a_file / 'sub' / 'm'}: {a_file} is a file, not a folder",
        ),
        (["--seeds", str(seeds), "--corrections", str(seeds)], f"--corrections {seeds}: not a file"),
        (
            ["--seeds", str(seeds), "--data", str(tmp_path / "nope")],
            f"--data {tmp_path / 'nope'}: no such folder",
        ),
    ]:
        out = runner.invoke(app, ["train", *args, "--no-cv"])
        assert out.exit_code == 2 and f"Usage error: {message}" in out.stderr, out.output
    assert a_file.read_text(encoding="utf-8") == "mine"
    out = runner.invoke(
        app, ["train", "--seeds", str(seeds), "--exclude", "001_harbor_bridge", "--out", str(tmp_path)]
    )
    assert out.exit_code == 2 and "no seed document named 001_harbor_bridge to leave out" in out.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    out = runner.invoke(app, ["train", "--seeds", str(empty), "--out", str(tmp_path)])
    assert out.exit_code == 2 and f"Usage error: {empty}: no training documents" in out.stderr
    out = runner.invoke(app, ["evaluate", str(empty)])
    assert out.exit_code == 2 and f"Usage error: {empty}: no dataset found" in out.stderr
    out = runner.invoke(app, ["train", "--seeds", str(seeds), "--exclude", SEED.stem, "--out", str(tmp_path)])
    assert out.exit_code == 1 and "training needs two documents or more" in out.stderr
    assert not (tmp_path / "cleaner-model.json").exists()


def test_train_names_files_it_cannot_read(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path / "seeds", SEED.stem, "001_harbour_bridge")
    latin1 = "Caf\u00e9 au lait\n".encode("latin-1")
    (seeds / "001_harbour_bridge.junk").write_bytes(latin1)
    out = runner.invoke(app, ["train", "--seeds", str(seeds), "--out", str(tmp_path / "m")])
    assert (
        out.exit_code == 1 and f"{seeds / '001_harbour_bridge.junk'}: cannot read it as UTF-8" in out.stderr
    )
    (seeds / "001_harbour_bridge.junk").write_bytes((SEED.parent / "001_harbour_bridge.junk").read_bytes())
    corrections = tmp_path / "c.jsonl"
    corrections.write_bytes(latin1)
    out = runner.invoke(app, ["train", "--seeds", str(seeds), "--corrections", str(corrections)])
    assert out.exit_code == 1 and f"{corrections}: cannot read corrections: 'utf-8' codec" in out.stderr
    assert "Traceback" not in out.output


def test_train_writes_models_in_the_current_folder_replacing_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = _seeds(tmp_path / "seeds", SEED.stem, "001_harbour_bridge")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "cleaner-model.json").write_text("an old model", encoding="utf-8")
    out = runner.invoke(app, ["train", "--seeds", str(seeds), "--no-cv"])
    assert out.exit_code == 0, out.output
    assert "model written to models (seeds: 2 docs)" in out.stderr
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [
        "cleaner-lexical.npy",
        "cleaner-model.card.json",
        "cleaner-model.json",
    ]
    assert cleaner.Cleaner(model=tmp_path / "models").model_.digest  # loads: the card's checksums hold
    assert "note: trained without gold pages (--data)" in out.stderr
    again = runner.invoke(app, ["train", "--seeds", str(seeds), "--no-cv"])
    assert "note: it replaced the model that was there, trained on seeds" in again.stderr


def test_rerun_skips_up_to_date_outputs_and_force_redoes_them(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("One.\nTwo.", encoding="utf-8")
    (src / "b.txt").write_text("Three.\nFour.", encoding="utf-8")
    args = ["clean", str(src), "-o", str(tmp_path / "out")]
    assert "2 file(s) cleaned, 0 skipped" in runner.invoke(app, args).stderr
    os.utime(src / "b.txt", (1e10, 1e10))  # b changed after its output was written
    assert "1 file(s) cleaned, 1 skipped" in runner.invoke(app, args).stderr
    assert "2 file(s) cleaned, 0 skipped" in runner.invoke(app, [*args, "--force"]).stderr


def test_errors_file_lists_failures_as_jsonl(tmp_path: Path) -> None:
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01binary")
    (tmp_path / "ok.txt").write_text("Fine.\nAlso fine.", encoding="utf-8")
    report = tmp_path / "errors.jsonl"
    out = runner.invoke(
        app,
        [
            "clean",
            str(tmp_path / "bin.dat"),
            str(tmp_path / "ok.txt"),
            "-o",
            str(tmp_path / "o"),
            "--errors",
            str(report),
        ],
    )
    assert out.exit_code == 1
    records = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert [(r["path"], r["error"]) for r in records] == [(str(tmp_path / "bin.dat"), "InputError")]
    assert (
        records[0]["message"]
        == "looks like a binary file (NUL or control bytes, or a PDF, image or archive), not HTML or text"
    )


@pytest.mark.parametrize(
    ("target", "extra", "message"),
    [
        ("in/a.html", [], "is also an input or an output of this run"),
        ("out/a.html.txt", [], "is also an input or an output of this run"),
        ("out/.cleaner-run", [], "is also an input or an output of this run"),
        ("notes.txt", [], "exists and holds something else"),
        ("in", [], "is a folder"),
        ("-", [], "name a file; stdout carries the data"),
        ("r.jsonl", ["--jsonl"], "is also an input or an output of this run"),
        ("o.jsonl", ["--jsonl"], "is also an input or an output of this run"),
    ],
)
def test_the_failures_file_never_replaces_other_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, extra: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("in").mkdir()
    Path("in/a.html").write_bytes(PAGE.read_bytes())
    Path("notes.txt").write_text("keep me", encoding="utf-8")
    Path("r.jsonl").write_text(
        json.dumps({"html": PAGE.read_text(encoding="utf-8")}) + "\n", encoding="utf-8"
    )
    inputs = ["r.jsonl"] if extra else ["in"]
    output = "o.jsonl" if extra else "out"
    assert runner.invoke(app, ["clean", *inputs, *extra, "-o", output]).exit_code == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    out = runner.invoke(app, ["clean", *inputs, *extra, "-o", output, "--errors", target])
    assert out.exit_code == 2, out.output
    assert message in out.stderr and "--errors" in out.stderr
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_the_failures_file_through_an_output_folder_yet_to_be_made_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("keep me", encoding="utf-8")
    # "new/../notes.txt" names nothing until the run makes new/, then notes.txt
    out = runner.invoke(app, ["clean", str(PAGE), "-o", "new", "--errors", "new/../notes.txt"])
    assert out.exit_code == 2, out.output
    assert "exists and holds something else" in out.stderr
    assert Path("notes.txt").read_text(encoding="utf-8") == "keep me"


def test_the_failures_file_of_an_earlier_run_is_rewritten(tmp_path: Path) -> None:
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01binary")
    report = tmp_path / "errors.jsonl"
    args = ["clean", str(tmp_path / "bin.dat"), "-o", str(tmp_path / "o"), "--errors", str(report)]
    assert runner.invoke(app, args).exit_code == 1
    (tmp_path / "bin.dat").write_text("Now text.\nAnd more.", encoding="utf-8")
    assert runner.invoke(app, args).exit_code == 0
    assert report.read_text(encoding="utf-8") == ""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_bug_on_one_input_fails_only_that_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, jobs: str
) -> None:
    clean = cleaner.Cleaner._clean

    def buggy(self: cleaner.Cleaner, document: object, **options: object) -> object:
        if "BUG" in str(document):
            raise TypeError("boom")
        return clean(self, document, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(cleaner.Cleaner, "_clean", buggy)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("A BUG here.\nAnd more.", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("Fine.\nAlso fine.", encoding="utf-8")
    out = runner.invoke(app, ["clean", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-j", jobs])
    assert out.exit_code == 1
    assert f"{tmp_path / 'in' / 'a.txt'}: unexpected TypeError: boom (a bug in cleaner" in out.stderr
    assert (tmp_path / "out" / "b.txt.txt").read_text(encoding="utf-8") == "Fine.\nAlso fine.\n"
    if jobs == "1":  # a worker process logs to its own stderr, out of pytest's reach
        assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [TypeError]


def test_a_file_name_that_is_not_utf8_is_cleaned_and_named(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    odd = src / os.fsdecode(b"caf\xe9.html")
    odd.write_bytes(PAGE.read_bytes())
    (src / os.fsdecode(b"bad\xff.html")).write_bytes(b"\x00binary")
    args = [
        "clean",
        str(src),
        "-o",
        str(tmp_path / "out"),
        "-f",
        "json",
        "--errors",
        str(tmp_path / "e.jsonl"),
    ]
    out = runner.invoke(app, args)
    assert out.exit_code == 1, out.output  # the binary one fails, by name
    written = json.loads((tmp_path / "out" / f"{odd.name}.json").read_text(encoding="utf-8"))
    assert written["path"] == str(odd) and written["text"]
    (failure,) = [
        json.loads(line) for line in (tmp_path / "e.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert os.fsencode(failure["path"]).endswith(b"bad\xff.html")
    review = runner.invoke(app, ["review", str(tmp_path / "out"), "-o", str(tmp_path / "r.html")])
    assert review.exit_code == 0, review.output
    assert "caf\\udce9.html" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_the_same_input_given_twice_is_cleaned_once(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("One.\nTwo.", encoding="utf-8")
    again = tmp_path / "a" / ".." / "a" / "x.txt"
    out = runner.invoke(app, ["clean", str(tmp_path / "a" / "x.txt"), str(again), "-o", str(tmp_path / "o")])
    assert out.exit_code == 0, out.output
    assert "1 file(s) cleaned" in out.stderr
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.txt").write_text("Three.\nFour.", encoding="utf-8")
    out = runner.invoke(
        app,
        ["clean", str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt"), "-o", str(tmp_path / "p")],
    )
    assert out.exit_code == 1
    assert "clean them into separate output folders" in out.stderr


STDIN_CLOSED = "stdin is closed: pipe the input in, or name a file"
STDOUT_CLOSED = "stdout is closed (redirect it to a file, or give -o)"


@pytest.mark.parametrize(
    ("fd", "args", "message"),
    [
        (0, ["clean", "-"], STDIN_CLOSED),
        (0, ["clean", "--jsonl", "-"], STDIN_CLOSED),
        (1, ["clean", "{seed}"], STDOUT_CLOSED),
        (1, ["clean", "--jsonl", "{records}"], STDOUT_CLOSED),
        (1, ["--version"], STDOUT_CLOSED),
        (1, ["clean", "--help"], STDOUT_CLOSED),
    ],
)
def test_a_closed_standard_stream_is_named(tmp_path: Path, fd: int, args: list[str], message: str) -> None:
    import subprocess

    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"html": "<p>One.</p>"}) + "\n", encoding="utf-8")
    # `cleaner clean - <&-` or `cleaner ... >&-`: the process starts without that descriptor
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", *(a.format(seed=SEED, records=records) for a in args)],
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.close(fd),
        check=False,
    )
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_stdout_is_one_error_line() -> None:
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "cleaner", "clean", str(SEED)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: cannot write to stdout: No space left on device"


def test_encoding_names_the_charset_of_inputs_that_do_not_say_theirs(tmp_path: Path) -> None:
    text = "Привет мир"
    (tmp_path / "ru.txt").write_bytes(text.encode("cp1251"))  # too short for a guess to get right
    assert runner.invoke(app, ["clean", str(tmp_path / "ru.txt")]).stdout != f"{text}\n"
    out = runner.invoke(app, ["clean", str(tmp_path / "ru.txt"), "--encoding", "windows-1251"])
    assert out.exit_code == 0 and out.stdout == f"{text}\n"
    assert cleaner.clean_text(text.encode("cp1251"), encoding="windows-1251") == text
    batch = ["clean", str(tmp_path / "ru.txt"), "-o", str(tmp_path / "out")]
    assert runner.invoke(app, batch).exit_code == 0
    # another setting: the output is redone
    assert runner.invoke(app, [*batch, "--encoding", "windows-1251"]).exit_code == 0
    assert (tmp_path / "out" / "ru.txt.txt").read_text(encoding="utf-8") == f"{text}\n"
    for bad in (["--encoding", "cp865"], ["--encoding", "koi8-r", "--jsonl"]):
        out = runner.invoke(app, ["clean", str(tmp_path / "ru.txt"), *bad])
        assert out.exit_code == 2 and "--encoding" in out.stderr


def test_output_folder_inside_input_folder_must_not_hold_pages_of_its_own(tmp_path: Path) -> None:
    # the walk passes over the output folder: pages already in it would go uncleaned unsaid
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("One.\nTwo.", encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text("Three.\nFour.", encoding="utf-8")
    out = runner.invoke(app, ["clean", str(tmp_path), "-o", str(tmp_path / "sub")])
    assert out.exit_code == 2
    assert f"already holds pages no cleaner run wrote ({tmp_path / 'sub' / 'b.txt'})" in out.stderr
    assert sorted(output_tree(tmp_path / "sub")) == ["b.txt"]
    # a new folder there is fine, and so is a rerun into it
    for _ in range(2):
        assert runner.invoke(app, ["clean", str(tmp_path), "-o", str(tmp_path / "out")]).exit_code == 0
    assert sorted(output_tree(tmp_path / "out")) == ["a.txt.txt", "sub/b.txt.txt"]
    # a run killed before it logged an output (its first page slow, others written) left
    # its run log: the rerun finds an output folder, not pages of the input's own
    from cleaner.batch.writer import RUN_LOG, RunLog

    (tmp_path / "killed").mkdir()
    RunLog(tmp_path / "killed", {})
    assert (tmp_path / "killed" / RUN_LOG).is_file()
    (tmp_path / "killed" / "sub").mkdir()
    (tmp_path / "killed" / "sub" / "b.txt.txt").write_text("Three.\nFour.\n", encoding="utf-8")
    rerun = runner.invoke(app, ["clean", str(tmp_path), "-o", str(tmp_path / "killed")])
    assert rerun.exit_code == 0, rerun.output
    # nor is a folder the walk never reaches (inside an earlier run's output folder)
    assert runner.invoke(app, ["clean", str(tmp_path), "-o", str(tmp_path / "out" / "sub")]).exit_code == 0


def test_output_folders_of_earlier_runs_are_not_cleaned_again(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One.\nTwo.", encoding="utf-8")
    assert runner.invoke(app, ["clean", str(tmp_path), "-o", str(tmp_path / "out")]).exit_code == 0
    out = runner.invoke(app, ["clean", str(tmp_path), "-o", str(tmp_path / "out2")])
    assert out.exit_code == 0, out.output
    assert f"passed over output folder(s) of earlier runs: {tmp_path / 'out'}" in out.stderr
    assert sorted(output_tree(tmp_path / "out2")) == ["a.txt.txt"]


def test_size_limit_refuses_large_inputs_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"x" * 2_000_000 + b"</p>")
    out = runner.invoke(app, ["clean", str(big), "--max-size", "1"])
    assert out.exit_code == 1
    assert "over the 1,048,576-byte limit" in out.stderr


@pytest.mark.parametrize("start", [b"WARC/1.1\r\nWARC-Type: warcinfo\r\n", b"filedesc://crawl.arc 0.0.0.0 "])
def test_a_web_archive_piped_in_fails_saying_to_name_its_file(start: bytes) -> None:
    import gzip

    for data in (start, gzip.compress(start)):  # as a page it would give no text, with exit 0
        out = runner.invoke(app, ["clean", "-"], input=data)
        assert out.exit_code == 1 and out.stdout == ""
        assert "<stdin>: a web archive: name its file (cleaner clean crawl.warc.gz)" in out.stderr


def test_size_limit_holds_for_stdin_plain_and_gzipd() -> None:
    import gzip

    page = b"<html><body>" + b"<p>Words of a paragraph that goes on.</p>" * 40_000 + b"</body></html>"
    out = runner.invoke(app, ["clean", "-", "--max-size", "1"], input=page)
    assert out.exit_code == 1
    assert "<stdin>: more than 1,048,576 bytes, over the limit (raise the limit: --max-size MB" in out.stderr
    out = runner.invoke(app, ["clean", "-", "--max-size", "1"], input=gzip.compress(page))
    assert out.exit_code == 1
    assert "<stdin>: gzip data inflates past 1,048,576 bytes" in out.stderr
    assert runner.invoke(app, ["clean", "-", "--max-size", "2"], input=gzip.compress(page)).exit_code == 0


def test_a_100_mb_page_is_refused_unread_and_a_gzip_bomb_uninflated(tmp_path: Path) -> None:
    import gzip

    page = b"<html><body>" + b"<p>Words of a paragraph that goes on.</p>" * 2_600_000 + b"</body></html>"
    assert len(page) > 100_000_000
    (tmp_path / "huge.html").write_bytes(page)
    (tmp_path / "huge.html.gz").write_bytes(gzip.compress(page, compresslevel=1))
    assert (tmp_path / "huge.html.gz").stat().st_size < 20 * 1024 * 1024
    (tmp_path / "small.html").write_bytes((CASES / "pages" / "01_related_list.html").read_bytes())
    out = runner.invoke(app, ["clean", str(tmp_path), "-o", str(tmp_path / "out"), "-j", "1"])
    assert out.exit_code == 1
    assert f"huge.html: {len(page):,} bytes, over the 20,971,520-byte limit" in out.stderr
    assert (
        "huge.html.gz: gzip data inflates past 20,971,520 bytes (raise the limit: --max-size MB; max_size_mb= in clean_files, max_bytes= in clean_bag)"
        in out.stderr
    )
    assert (tmp_path / "out" / "small.html.txt").stat().st_size > 0


def test_parallel_run_gives_the_same_tree_as_in_process(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    pages = sorted((CASES / "pages").glob("*.html"))
    for page in pages:
        (src / "sub" / page.name).write_bytes(page.read_bytes())
    (src / "seed.txt").write_bytes(SEED.read_bytes())
    (src / "broken.html").write_bytes(b"\x00\x01\x02")
    one = runner.invoke(app, ["clean", str(src), "-o", str(tmp_path / "one"), "-j", "1"])
    two = runner.invoke(app, ["clean", str(src), "-o", str(tmp_path / "two"), "-j", "2"])
    assert one.exit_code == two.exit_code == 1  # the binary file fails in both
    assert output_tree(tmp_path / "one") == output_tree(tmp_path / "two")
    assert len(output_tree(tmp_path / "one")) == len(pages) + 1  # every input but the binary one
    assert "broken.html: looks like a binary file" in two.stderr


def test_leftover_temporary_files_are_removed(tmp_path: Path) -> None:
    (tmp_path / "out" / "sub").mkdir(parents=True)
    leftover = tmp_path / "out" / "sub" / ".a.txt.txt.x1y2.cleaner-tmp"
    leftover.write_text("partial", encoding="utf-8")
    (tmp_path / "a.txt").write_text("One.\nTwo.", encoding="utf-8")
    out = runner.invoke(app, ["clean", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out")])
    assert out.exit_code == 0
    assert not leftover.exists()
    assert "removed 1 temporary file(s)" in out.stderr


def test_an_interrupted_stream_run_leaves_no_temporary_file_after_the_next(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text('{"id": 1, "html": "<p>One line.</p><p>Two.</p>"}\n', encoding="utf-8")
    leftover = tmp_path / ".out.jsonl.x1y2z3w4.cleaner-tmp"  # what a killed run's atomic_output left
    others = [  # other outputs': not this run's to remove
        tmp_path / ".other.jsonl.x1y2z3w4.cleaner-tmp",
        tmp_path / ".out.jsonl.gz.x1y2z3w4.cleaner-tmp",
    ]
    for tmp in (leftover, *others):
        tmp.write_text("partial", encoding="utf-8")
    out = runner.invoke(
        app, ["clean", "--jsonl", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.jsonl")]
    )
    assert out.exit_code == 0, out.stderr
    assert not leftover.exists() and all(other.exists() for other in others)
    assert "removed 1 temporary file(s) left by an interrupted run" in out.stderr


def test_a_run_log_cut_inside_a_line_keeps_the_next_entry_whole(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One.\nTwo.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Three.\nFour.", encoding="utf-8")
    (tmp_path / "out").mkdir()
    log = tmp_path / "out" / ".cleaner-run"
    log.write_text('{"output": "zz.txt.txt", "signa', encoding="utf-8")  # a full disk cut it there
    first = runner.invoke(
        app, ["clean", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o", str(tmp_path / "out")]
    )
    assert first.exit_code == 0, first.stderr
    entries = [json.loads(line)["output"] for line in log.read_text(encoding="utf-8").splitlines()[1:]]
    assert sorted(entries) == ["a.txt.txt", "b.txt.txt"]  # as the workers finished them
    again = runner.invoke(
        app, ["clean", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o", str(tmp_path / "out")]
    )
    assert "0 file(s) cleaned, 2 skipped" in again.stderr


def test_name_collisions_fail_by_name_instead_of_overwriting(tmp_path: Path) -> None:
    for folder, text in (("a", "From folder a.\nSecond line."), ("b", "From folder b.\nSecond line.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text(text, encoding="utf-8")
    out = runner.invoke(app, ["clean", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(tmp_path / "out")])
    assert out.exit_code == 1
    assert "is already the output of" in out.stderr and str(tmp_path / "b" / "same.txt") in out.stderr
    assert (tmp_path / "out" / "same.txt.txt").read_text(encoding="utf-8").startswith("From folder a.")


def test_symlink_loop_and_vanished_file_are_per_file_errors(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text("One.\nTwo.", encoding="utf-8")
    (tmp_path / "in" / "loop.html").symlink_to(tmp_path / "in" / "loop.html")
    (tmp_path / "in" / "dir-loop").symlink_to(tmp_path / "in", target_is_directory=True)
    out = runner.invoke(app, ["clean", str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert out.exit_code == 1
    assert "loop.html: cannot stat" in out.stderr
    assert (tmp_path / "out" / "good.txt.txt").is_file()


def test_file_vanishing_mid_batch(tmp_path: Path) -> None:
    from cleaner.batch.files import run_job
    from cleaner.batch.plan import Job

    gone = tmp_path / "gone.txt"
    outcome = run_job(
        cleaner.Cleaner(),
        Job(gone, tmp_path / "out" / "gone.txt.txt", str(gone)),
        fmt="text",
        kind="auto",
        url=None,
        inputs=set(),
    )
    assert outcome.failure is not None and outcome.failure.message == "no such file (or it vanished)"
    (tmp_path / "link.txt").symlink_to(gone)
    linked = run_job(
        cleaner.Cleaner(),
        Job(tmp_path / "link.txt", None, "link.txt"),
        fmt="text",
        kind="auto",
        url=None,
        inputs=set(),
    )
    assert linked.failure is not None and linked.failure.message == "a broken symlink"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{src}", "-o", "{src}"], "is the input folder"),
        (["{src}", "-o", "{tmp}"], "holds the input folder"),
        (["{src}/a.txt", "-o", "{tmp}/out.jsonl"], "looks like a file name: -o names the output folder"),
        (["{src}/a.txt", "-o", "-"], "-o - (stdout) is for --jsonl"),
        (["{src}/a.txt", "-o", "{src}/a.txt"], "is a file: name a folder (-o OUTDIR"),
        (["{src}"], "2 inputs (a folder or several files) need an output folder: add -o OUTDIR"),
        (["{src}", "-o", "{tmp}/out", "-j", "-1"], "Invalid value for '--jobs'"),
        (["{src}", "-o", "{tmp}/out", "--url", "https://example.com/a"], "cannot be given for 2 inputs"),
        (["{tmp}/r.jsonl"], "is named as JSONL records: clean them with `cleaner clean --jsonl`"),
        (
            ["{tmp}/r.jsonl", "--jsonl", "--explain", "--force"],
            "not for --jsonl or web-archive runs: --explain (removed lines are in the records; web archives: "
            "with --format json); --force (the output is one file, written whole each run)",
        ),
        (["{tmp}/bin.jsonl", "--jsonl"], "looks like a binary file, not JSONL records"),
        (["{src}/a.txt", "--jsonl"], "a.txt does not look like JSONL records: it does not open with a JSON"),
        (
            ["{src}", "-o", "{tmp}/out", "-f", "xml"],
            "format must be text or json, not 'xml' (--format; format= in Python)",
        ),
    ],
)
def test_options_that_would_surprise_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("One.\nTwo.", encoding="utf-8")
    (src / "b.txt").write_text("Three.\nFour.", encoding="utf-8")
    (tmp_path / "r.jsonl").write_text('{"html": "<p>x</p>"}\n', encoding="utf-8")
    (tmp_path / "bin.jsonl").write_bytes(b"\x7fELF\x00\x00" * 100)
    before = sorted(tmp_path.rglob("*"))
    result = runner.invoke(app, ["clean", *(a.format(src=src, tmp=tmp_path) for a in args)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert sorted(tmp_path.rglob("*")) == before  # nothing written, not even a folder


def test_a_newline_in_a_file_name_does_not_split_explain_or_error_lines(tmp_path: Path) -> None:
    seed = tmp_path / "two\nlines.txt"
    seed.write_bytes(SEED.read_bytes())
    broken = tmp_path / "bad\tname.html.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    out = runner.invoke(app, ["clean", str(seed), str(broken), "-o", str(tmp_path / "out"), "--explain"])
    assert out.exit_code == 1
    explained = [line for line in out.stderr.splitlines() if "\t" in line]
    assert explained and all(line.startswith(f"{tmp_path}/two\\nlines.txt:") for line in explained)
    assert f"error: {tmp_path}/bad\\tname.html.gz: " in out.stderr


def test_hidden_files_and_symlinked_folders_are_passed_over_and_named(tmp_path: Path) -> None:
    scrape = tmp_path / "scrape"
    (scrape / ".git" / "objects").mkdir(parents=True)
    (scrape / ".git" / "config").write_text("[core]\n")
    (scrape / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (scrape / ".draft.html").write_bytes((CASES / "pages" / "01_related_list.html").read_bytes())
    (scrape / "a.html").write_bytes((CASES / "pages" / "01_related_list.html").read_bytes())
    (scrape / "script-only.html").write_text("<html><body><script>var x = 1;</script></body></html>")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.html").write_bytes((CASES / "pages" / "01_related_list.html").read_bytes())
    (scrape / "linked").symlink_to(elsewhere, target_is_directory=True)
    out = runner.invoke(app, ["clean", str(scrape), "-o", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    assert sorted(output_tree(tmp_path / "out")) == ["a.html.txt", "script-only.html.txt"]
    assert "2 file(s) cleaned" in out.stderr and "1 gave no text" in out.stderr
    assert "3 hidden file(s) or folder(s) passed over" in out.stderr
    assert f"symlinked folder(s) not followed: {scrape / 'linked'}" in out.stderr
    # a rerun into a hidden output folder inside the input: that folder is not counted as hidden
    inside = runner.invoke(app, ["clean", str(scrape), "-o", str(scrape / ".clean")])
    again = runner.invoke(app, ["clean", str(scrape), "-o", str(scrape / ".clean")])
    assert (
        "3 hidden file(s) or folder(s)" in inside.stderr and "3 hidden file(s) or folder(s)" in again.stderr
    )
    # a hidden file named on its own is cleaned
    assert runner.invoke(app, ["clean", str(scrape / ".draft.html")]).stdout.strip()


def test_one_line_escapes_everything_that_would_break_a_line() -> None:
    from cleaner.batch.report import one_line

    for text in ("a\nb", "a\rb", "a\x85b", "a\u2028b", "a\u2029b", "a\x0bb", "a\x1cb"):
        assert len(one_line(text).splitlines()) == 1, repr(text)
    assert one_line("Café — naïve") == "Café — naïve"


def test_an_error_raised_while_handling_ctrl_c_stops_the_run_as_ctrl_c_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import cleaner.cli

    def fit_interrupted() -> None:  # as scikit-learn's compiled fit can raise, once in a while
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ValueError("'T{=d:sum_gradients:}' is not a valid PEP 3118 buffer format string") from None

    monkeypatch.setattr(cleaner.cli, "app", fit_interrupted)
    with pytest.raises(SystemExit) as stop:
        cleaner.cli.main()
    assert stop.value.code == 130 and capsys.readouterr().err.strip() == "interrupted"

    def broken() -> None:
        raise ValueError("a real bug")

    monkeypatch.setattr(cleaner.cli, "app", broken)
    with pytest.raises(ValueError, match="a real bug"):
        cleaner.cli.main()
