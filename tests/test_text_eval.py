"""Plain-text shapes of appended teasers: builders, scoring with stand-in cleaners, the CLI table."""

from __future__ import annotations

import json
import random
from itertools import count
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

import cleaner
from cleaner.cli import app
from cleaner.training.datasets import GoldPage, is_held_out, iter_pages
from cleaner.training.synthetic import RUN_HEADERS
from cleaner.training.text_eval import (
    BLANK,
    BODY,
    CLEAN,
    CLEAN_DOUBLE,
    HEADERS,
    ROWS,
    SEED,
    SHAPES,
    TEASER,
    Teaser,
    TextCase,
    build_case,
    held_out_articles,
    kept_lines,
    pick_teasers,
    score_cases,
    text_shapes_report,
    text_shapes_table,
)

from .conftest import DATA, needs_data

BODY_LINES = [
    "Bridge closes for repairs",
    "The council voted on Tuesday to close the old bridge over the river for repairs.",
    "Engineers found cracks in two of its supports last spring, the mayor said.",
]
TEASERS = [
    Teaser(
        "a.example", "en", "Storm cuts power to thousands.", "Crews worked through the night to restore it."
    ),
    Teaser(
        "b.example", "en", "Local team wins the cup", "The final went to penalties after a goalless draw."
    ),
    Teaser("c.example", "de", "Neue Schule eröffnet", ""),
]
#: figures of a report row that are shares between 0 and 1 (None where nothing to share)
SHARES = ("teaser_lines_removed", "body_chars_lost", "exact")


def _case(name: str, seed: int = 1, teasers: list[Teaser] = TEASERS) -> TextCase:
    return build_case(name, BODY_LINES, teasers, random.Random(seed))


def test_run_headers_differ_from_those_seen_in_training() -> None:
    assert not {h.casefold() for h in HEADERS} & {h.casefold() for h in RUN_HEADERS}


@pytest.mark.parametrize("name", ROWS)
def test_every_shape_keeps_the_body_and_labels_each_line(name: str) -> None:
    case = _case(name)
    assert case == _case(name), "the same seed builds the same document"
    assert len(case.lines) == len(case.labels)
    assert [line for line, label in zip(case.lines, case.labels, strict=True) if label == BODY] == BODY_LINES
    assert all(
        (label == BLANK) == (not line.strip()) for line, label in zip(case.lines, case.labels, strict=True)
    )
    assert TEASER not in case.labels[: case.body_end] and BODY not in case.labels[case.body_end :]
    assert case.text.startswith(case.body_text)
    appended = case.labels.count(TEASER)
    assert appended == 0 if name in (CLEAN, CLEAN_DOUBLE) else appended >= len(TEASERS)
    spacing = "\n\n" if name in ("double-spaced", CLEAN_DOUBLE) else "\n"
    assert case.body_text == spacing.join(BODY_LINES)


def test_line_endings_and_marks_of_some_shapes() -> None:
    def run(name: str) -> list[str]:
        case = _case(name)
        return [line for line, label in zip(case.lines, case.labels, strict=True) if label == TEASER]

    assert run("headline") == [
        "Storm cuts power to thousands",
        "Local team wins the cup",
        "Neue Schule eröffnet",
    ]
    assert all(line.endswith(" (more)") for line in run("headline (more)"))
    assert all(line.endswith(" […]") and not line.endswith(". […]") for line in run("headline […]"))
    numbered = run("numbered")
    assert [line[0] for line in numbered] == ["1", "2", "3"] and numbered[0].endswith("thousands")
    header = run("header + headlines")
    assert header[0] in HEADERS and len(header) == len(TEASERS) + 1
    # a lead becomes a second line; a teaser without one stays a headline alone
    pairs = run("headline / lead pairs")
    assert len(pairs) == 5 and pairs[0] == "Storm cuts power to thousands" and pairs[1].endswith("…")
    assert TEASERS[0].lead.startswith(pairs[1].removesuffix("…"))
    for line, teaser in zip(run("lead cut mid-word"), TEASERS, strict=True):
        source = teaser.lead or teaser.headline
        stop = len(line)
        assert source.startswith(line) and (stop == len(source) or source[stop - 1 : stop + 1].isalnum())
    gap = _case("blank line before")
    assert gap.lines[gap.body_end] == "" and gap.labels[gap.body_end + 1] == TEASER


def test_seeds_change_the_documents_and_run_rows_fix_their_length() -> None:
    assert {_case("run of 3", seed).text for seed in range(5)} != {_case("run of 3").text}
    assert SHAPES["run of 10"].run == (10, 10) and SHAPES["run of 1"].run == (1, 1)


def _page(site: str, lang: str = "en") -> GoldPage:
    return GoldPage(
        dataset="d", id=site, html_path=Path("/nowhere"), gold="x", url=f"https://{site}/", lang=lang
    )


def test_teasers_come_from_other_sites_in_the_page_language_when_there_are_enough() -> None:
    pool = [Teaser(f"s{k}.example", "de" if k < 3 else "en", f"Headline {k}", "") for k in range(8)]
    picked = pick_teasers(_page("s0.example", "de"), pool, 2, random.Random(0))
    assert sorted(t.site for t in picked) == ["s1.example", "s2.example"]
    # three German teasers wanted, two of other sites: other languages fill in
    picked = pick_teasers(_page("s0.example", "de"), pool, 3, random.Random(0))
    assert len(picked) == 3 and all(t.site != "s0.example" for t in picked)
    assert len(pick_teasers(_page("s0.example"), pool, 20, random.Random(0))) == 7


def test_kept_lines_follow_a_line_diff_and_a_changed_line_counts_as_removed() -> None:
    assert kept_lines(["a", "b", "", "c"], "a\nc") == {0, 3}
    assert kept_lines(["a", "b"], "a\nB") == {0}


class _Drop:
    """A stand-in cleaner: drops the lines given; returns a CleanResult-like object or a str."""

    def __init__(self, *lines: str, as_str: bool = False) -> None:
        self.lines, self.as_str = set(lines), as_str

    def clean_text(self, text: str) -> Any:
        out = "\n".join(line for line in text.split("\n") if line not in self.lines).rstrip("\n")
        return out if self.as_str else SimpleNamespace(text=out, removed=())


TEASED = TextCase("headline", ["Body one.", "Body two two.", "", "Teaser A", "Teaser B"], [0, 0, -1, 1, 1], 2)
CLEAN_CASE = TextCase(CLEAN, ["Body one.", "Body two two."], [0, 0], 2)


@pytest.mark.parametrize("as_str", [False, True])
def test_scoring_counts_teaser_lines_body_chars_and_unchanged_bodies(as_str: bool) -> None:
    report = score_cases([TEASED, CLEAN_CASE], _Drop("Teaser A", "Body two two.", as_str=as_str))
    row, clean = report["shapes"]["headline"], report["shapes"][CLEAN]
    assert row == {
        "documents": 1,
        "teaser_lines": 2,
        "teaser_lines_removed": 0.5,
        "body_chars": 22,
        "body_chars_lost": round(13 / 22, 6),
        "exact": 0.0,
    }
    assert clean["teaser_lines_removed"] is None and clean["body_chars_lost"] == round(13 / 22, 6)
    overall = report["overall"]
    assert overall["documents"] == 2 and overall["teaser_lines_removed"] == 0.5
    assert overall["body_chars_lost"] == round(26 / 44, 6) and overall["clean_unchanged"] == 0.0
    assert overall["worst_shape"] == "headline" and not any(report["goals"]["met"].values())


def test_a_perfect_cleaner_meets_every_goal_and_the_table_says_so() -> None:
    report = score_cases([TEASED, CLEAN_CASE], _Drop("Teaser A", "Teaser B"))
    assert report["shapes"]["headline"]["exact"] == 1.0 and report["overall"]["clean_unchanged"] == 1.0
    assert all(report["goals"]["met"].values())
    table = text_shapes_table({"seed": 0, "pages": 1, **report})
    assert "| headline | 1 | 2 | 100.0% | 0.000% | 100.0% |" in table
    assert "| clean | 1 | 0 | – | 0.000% | 100.0% |" in table
    assert "NOT met" not in table and table.count("met") == 3


def _check_report(report: dict[str, Any], pages: int) -> None:
    # pages with a one-line body are left out
    assert 0 < report["pages"] <= pages and list(report["shapes"]) == list(ROWS)
    for name, row in report["shapes"].items():
        assert row["documents"] == report["pages"], name
        assert all(row[key] is None or 0.0 <= row[key] <= 1.0 for key in SHARES), (name, row)
        assert (row["teaser_lines"] == 0) == (name in (CLEAN, CLEAN_DOUBLE))
    assert set(report["overall"]) >= {
        "teaser_lines_removed",
        "body_chars_lost",
        "clean_unchanged",
        "worst_shape",
    }
    assert set(report["goals"]["met"]) == {"teaser_lines_removed", "body_chars_lost", "clean_unchanged"}


@needs_data()
@pytest.mark.parametrize("system", ["nothing removed", "model"])
def test_report_on_five_held_out_pages(system: str) -> None:
    pages = held_out_articles(iter_pages([DATA]), limit=1)[:5]
    tool: Any = cleaner.Cleaner() if system == "model" else _Drop()
    report = text_shapes_report(pages, tool)
    _check_report(report, len(pages))
    overall = report["overall"]
    if system == "nothing removed":
        assert overall["teaser_lines_removed"] == 0.0 and overall["clean_unchanged"] == 1.0
    else:
        # floors far below `make eval`'s figures (86 % of teasers, 96 % of clean bodies unchanged)
        assert overall["teaser_lines_removed"] >= 0.5
        assert overall["clean_unchanged"] >= 0.7


class _Standin(_Drop):
    """What `cleaner evaluate` needs of a Cleaner, with nothing removed."""

    def __init__(self, model: Any = None, **options: Any) -> None:
        super().__init__()

    def clean_html(self, html: str, url: str | None = None) -> Any:
        return SimpleNamespace(text="Body.", removed=())


def test_evaluate_command_adds_the_text_shapes_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(cleaner.api, "Cleaner", _Standin)
    folder = tmp_path / "fake"
    (folder / "html").mkdir(parents=True)
    hosts = (f"site{k}.example.com" for k in count())
    held = [h for h in (next(hosts) for _ in range(200)) if is_held_out("fake", h)][:3]
    rows = []
    for k, host in enumerate(held):
        (folder / "html" / f"{k}.html").write_text(
            f"<html><head><title>Headline number {k} here</title></head>"
        )
        rows.append({"id": str(k), "url": f"https://{host}/a", "text": "\n".join(BODY_LINES), "lang": "en"})
    (folder / "gold.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["evaluate", str(folder), "--text-shapes"])
    assert out.exit_code == 0, out.output
    assert "| text shape |" in out.stdout and "| run of 10 | 3 |" in out.stdout
    data = json.loads(runner.invoke(app, ["evaluate", str(folder), "--text-shapes", "--json"]).stdout)
    _check_report(data["text_shapes"], len(held))
    assert "text_shapes" not in json.loads(runner.invoke(app, ["evaluate", str(folder), "--json"]).stdout)
    assert data["text_shapes"]["seed"] == SEED
