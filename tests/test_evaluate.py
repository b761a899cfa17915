"""Quality figures of `cleaner evaluate` on hand-made texts, and gzip'd dataset pages."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import trafilatura
from typer.testing import CliRunner

import cleaner
from cleaner.cli import app
from cleaner.errors import TrainingError
from cleaner.training.datasets import GoldPage, extract_page, iter_pages, page_title, read_dataset
from cleaner.training.evaluate import (
    CLEANER,
    PERFECT,
    RANGED,
    SYSTEMS,
    TRAFILATURA,
    PageScore,
    SystemScore,
    WordJudge,
    evaluate_pages,
    intervals,
    junk_lines_removed,
    markdown_table,
    summarise,
    with_interval,
    word_prf,
)
from cleaner.training.goals import check_goals, goals_table

from .conftest import DATA, needs_data

BODY = [
    "Bridge closes",
    "The council voted on Tuesday to close the old bridge over the river for repairs.",
    "Engineers found cracks in two of its supports last spring, the mayor said at the meeting.",
    "Traffic will go over the new bridge to the north until the work ends next year.",
]
GOLD = "\n\n".join(BODY)
JUNK = "Subscribe to our newsletter for daily updates and special offers from partners."
PAGE = (
    "<html><head><title>Bridge closes | Town News</title></head><body><article>"
    + f"<h1>{BODY[0]}</h1>"
    + "".join(f"<p>{line}</p>" for line in [*BODY[1:], JUNK])
    + "</article></body></html>"
)
#: pages of the fake WCXB-like dataset: id -> page type
PAGE_TYPES = {"0001": "article", "0002": "forum"}
#: figures that are shares, whatever the pages
SHARES = (
    "precision",
    "recall",
    "f1",
    "word_f1",
    "ending_in_junk",
    "body_lines_removed_share",
    "body_chars_removed_share",
)


def test_word_judge_calls_a_line_junk_when_most_words_are_not_in_the_gold() -> None:
    judge = WordJudge("The council voted on Tuesday to close the old bridge.")
    assert not judge.is_junk("THE COUNCIL VOTED")
    assert judge.is_junk("Subscribe to our newsletter today")  # 1 of 5 words in the gold
    assert not judge.is_junk("council newsletter")  # exactly half is not "fewer than half"
    assert not judge.is_junk("— * —") and not judge.is_body("— * —")  # no words: neither
    assert judge.is_body("the old bridge, closed")
    assert judge.junk_lines("The council voted\nShare this story on Facebook\n\nRead more news") == 2


def test_ends_in_junk_looks_at_the_last_three_lines_with_words() -> None:
    judge = WordJudge("one two three four five")
    assert judge.ends_in_junk("one two\nsix seven\nthree\nfour\n\n—")
    assert not judge.ends_in_junk("six seven\none two\nthree\nfour five\n")
    assert not judge.ends_in_junk("")


def test_word_f1_is_a_multiset_overlap_of_lower_cased_words() -> None:
    precision, recall, f1 = word_prf("B b d", "a b B c") or (0.0, 0.0, 0.0)
    assert (precision, recall) == (pytest.approx(2 / 3), 0.5)
    assert f1 == pytest.approx(4 / 7)
    assert word_prf("a b c", "A, b. c!") == (1.0, 1.0, 1.0)
    assert word_prf("", "a b") == (0.0, 0.0, 0.0)
    assert word_prf("a b", " — ") is None  # no words in the gold: not averaged


def test_junk_lines_removed_is_relative_to_trafilatura() -> None:
    assert junk_lines_removed(1, 4) == 0.75
    assert junk_lines_removed(4, 4) == 0.0
    assert junk_lines_removed(0, 0) is None


def test_perfect_filter_keeps_the_body_lines_only() -> None:
    judge = WordJudge(GOLD)
    text = "\n".join([BODY[0], JUNK, BODY[1]])
    assert judge.perfect_filter(text) == f"{BODY[0]}\n{BODY[1]}"
    assert judge.junk_lines(judge.perfect_filter(text)) == 0
    filtered, unfiltered = word_prf(judge.perfect_filter(text), GOLD), word_prf(text, GOLD)
    assert filtered is not None and unfiltered is not None and filtered[0] > unfiltered[0]


def _write_dataset(folder: Path, gzipped: bool = True) -> None:
    (folder / "html").mkdir(parents=True)
    rows = []
    for page_id, kind in PAGE_TYPES.items():
        data = PAGE.encode()
        if gzipped:
            (folder / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(data))
        else:
            (folder / "html" / f"{page_id}.html").write_bytes(data)
        url = f"https://{page_id}.example.com/a"
        rows.append({"id": page_id, "url": url, "text": GOLD, "page_type": kind})
    rows.append({"id": "0003", "url": "https://x.example.com/", "text": GOLD})  # no HTML: skipped
    (folder / "gold.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("Smith &amp; Jones win the city&#8217;s award", "Smith & Jones win the city\u2019s award"),
        ("Binomial coefficient trick &#8212; The Endeavour", "Binomial coefficient trick"),
        ("Bridge  closes\n | Daily Planet", "Bridge closes"),
    ],
)
def test_a_page_title_reads_as_a_reader_sees_it_without_the_site(
    tmp_path: Path, title: str, headline: str
) -> None:
    path = tmp_path / "p.html"
    path.write_text(f"<html><head><title>{title}</title></head><body></body></html>", encoding="utf-8")
    assert page_title(GoldPage("d", "p", path, "gold")) == headline


def test_gzipped_pages_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path / "cache"))
    _write_dataset(tmp_path / "zipped")
    _write_dataset(tmp_path / "plain", gzipped=False)
    zipped, plain = read_dataset(tmp_path / "zipped"), read_dataset(tmp_path / "plain")
    assert [(p.id, p.page_type) for p in zipped] == list(PAGE_TYPES.items())
    page = zipped[0]
    assert page.html_path.name == "0001.html.gz"
    assert page.read_bytes() == PAGE.encode() == plain[0].read_bytes()
    assert page.read_html() == PAGE
    assert page_title(page) == "Bridge closes"
    assert extract_page(page).lines == extract_page(plain[0]).lines
    # the cache key hashes the inflated page: both copies share one entry
    assert len(list((tmp_path / "cache" / "extract").iterdir())) == 1
    # an entry cut short (a full disk, a killed copy) is extracted again, not a JSON error
    (entry,) = (tmp_path / "cache" / "extract").iterdir()
    entry.write_text(entry.read_text(encoding="utf-8")[:40], encoding="utf-8")
    assert extract_page(page).lines == extract_page(plain[0]).lines != []


@pytest.mark.parametrize("checkout", [True, False])
def test_the_extraction_cache_stays_out_of_an_installed_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checkout: bool
) -> None:
    from cleaner.training import datasets

    package_root = tmp_path / ("clone" if checkout else "site-packages")
    package_root.mkdir()
    if checkout:
        (package_root / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    monkeypatch.setattr(datasets, "_PROJECT", package_root)
    monkeypatch.delenv("CLEANER_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user"))
    expected = package_root / ".cache" if checkout else tmp_path / "user" / "cleaner"
    assert datasets.cache_dir() == expected and expected.is_dir()
    assert (package_root / ".cache").exists() == checkout


class _DropLines:
    """A stand-in cleaner: plain trafilatura, minus the lines that start with given words."""

    def __init__(self, *starts: str) -> None:
        self.starts = starts

    def clean_html(self, html: str, url: str | None = None) -> Any:
        lines = (trafilatura.extract(html, url=url, include_comments=False) or "").split("\n")
        removed = [
            SimpleNamespace(line=i, text=line, score=1.0, reason="test")
            for i, line in enumerate(lines)
            if line.startswith(self.starts)
        ]
        kept = [line for line in lines if not line.startswith(self.starts)]
        return SimpleNamespace(text="\n".join(kept), removed=tuple(removed))


def test_evaluate_pages_figures_per_system_and_page_type(tmp_path: Path) -> None:
    _write_dataset(tmp_path / "fake")
    result = evaluate_pages(read_dataset(tmp_path / "fake"), _DropLines("Subscribe", "Traffic"))
    assert result["pages"] == 2 and set(result["page_types"]) == set(PAGE_TYPES.values())
    plain, perfect, ours = result[TRAFILATURA], result[PERFECT], result[CLEANER]
    junk = ("junk_lines_removed", "ending_in_junk", "body_lines_removed_share")
    assert [plain[key] for key in junk] == [0, 1, 0] and plain["junk_lines_per_page"] == 1
    assert [perfect[key] for key in junk] == [1, 0, 0]
    assert perfect["pages_per_s"] is None and perfect["word_f1"] > plain["word_f1"]
    assert [ours[key] for key in junk] == [1, 0, 0.25]
    assert ours["body_chars_removed_share"] == pytest.approx(len(BODY[3]) / sum(map(len, BODY)), abs=1e-4)
    assert result["page_types"]["forum"][CLEANER]["body_lines_removed_share"] == 0.25
    table = markdown_table({"fake": {"split": "all", **result}})
    assert "| fake/forum | all | 1 | perfect filter |" in table
    assert len(table.split("\n")) == 2 + 3 * len(SYSTEMS)


@needs_data("wcxb-dev")
def test_evaluate_wcxb_pages_per_page_type() -> None:
    pages = read_dataset(DATA / "wcxb-dev")
    # the first page of five page types: a small run that still has a breakdown
    firsts: dict[str, Any] = {}
    for page in pages:
        firsts.setdefault(page.page_type, page)
    sample = list(firsts.values())[:5]
    result = evaluate_pages(sample, cleaner.Cleaner())
    assert result["pages"] == 5 and len(result["page_types"]) == 5
    for group in [result, *result["page_types"].values()]:
        for system in SYSTEMS:
            figures = group[system]
            assert all(0.0 <= figures[key] <= 1.0 for key in SHARES), (system, figures)
            assert figures["junk_lines_removed"] is None or figures["junk_lines_removed"] <= 1.0
    assert result[PERFECT]["ending_in_junk"] == 0.0
    # the measure's two ends: trafilatura against itself, and the filter that never errs
    assert result[TRAFILATURA]["junk_lines_removed"] == 0.0
    assert result[PERFECT]["junk_lines_removed"] == 1.0
    assert sum(group["pages"] for group in result["page_types"].values()) == 5


def test_a_broken_gold_record_is_named_by_its_line(tmp_path: Path) -> None:
    _write_dataset(tmp_path / "fake")
    gold = tmp_path / "fake" / "gold.jsonl"
    rows = gold.read_text(encoding="utf-8")
    for broken, message in [
        ('{"id": "0004", "text": "cut sh', "not a JSON record"),
        ('{"text": "x"}', 'needs an "id"'),
        ('{"id": "0004", "text": 5}', "field 'text' is a int, not a str"),
        ('{"id": "0004", "text": "x", "url": 7}', "field 'url' is a int, not a str"),
        ('{"id": "0004", "text": "x", "without": "abc"}', "field 'without' is a str, not a list"),
    ]:
        gold.write_text(rows + broken + "\n", encoding="utf-8")
        with pytest.raises(TrainingError, match=f"gold.jsonl:4: .*{message}"):
            read_dataset(tmp_path / "fake")
        result = CliRunner().invoke(app, ["evaluate", str(tmp_path / "fake")])
        assert result.exit_code == 1 and f"{gold}:4: " in result.stderr and "Traceback" not in result.output


def test_gold_rows_left_out_are_counted_and_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path / "cache"))
    _write_dataset(tmp_path / "fake")
    skipped: Counter[tuple[str, str]] = Counter()
    assert len(read_dataset(tmp_path / "fake", skipped)) == 2
    assert skipped == {("fake", "without a page"): 1}
    result = CliRunner().invoke(app, ["evaluate", str(tmp_path / "fake"), "--split", "all"])
    assert result.exit_code == 0, result.output
    assert "fake: 2 pages evaluated (gold rows left out, both splits: 1 without a page)" in result.stderr


def test_a_split_without_pages_is_an_error_not_an_empty_table(tmp_path: Path) -> None:
    folder = tmp_path / "fake"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "0002.html").write_text(PAGE, encoding="utf-8")
    row = {"id": "0002", "url": "https://0002.example.com/a", "text": GOLD}  # a site of the training side
    (folder / "gold.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(folder), "--split", "test"])
    assert result.exit_code == 1 and f"{folder}: no pages in the test split" in result.stderr
    assert result.stdout == ""


def test_a_dataset_folder_that_is_not_there_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(tmp_path / "nope")])
    assert result.exit_code == 2 and f"{tmp_path / 'nope'}: no such folder" in result.stderr


def test_a_page_left_without_text_is_counted(tmp_path: Path) -> None:
    _write_dataset(tmp_path / "fake")
    # dropping every line that starts with a letter empties both pages
    result = evaluate_pages(read_dataset(tmp_path / "fake"), _DropLines(*"ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    assert result[CLEANER]["pages_without_text"] == 2
    assert result[TRAFILATURA]["pages_without_text"] == 0


def _scored(site: str, junk_before: int, junk_after: int, tp: float) -> PageScore:
    """A page whose cleaner output kept `junk_after` of trafilatura's `junk_before` junk lines."""

    def system(junk: int, tp: float) -> SystemScore:
        return SystemScore((tp, 1 - tp, 0.0), None, junk, junk > 0, junk > 0)

    plain = system(junk_before, 0.5)
    systems = {TRAFILATURA: plain, PERFECT: plain, CLEANER: system(junk_after, tp)}
    # a page that kept its junk lost body characters too (any figure that varies by site will do)
    return PageScore(None, systems, site=site, body_chars=100, body_chars_removed_count=5 * junk_after)


def test_intervals_come_from_resampled_sites_and_hold_the_figure() -> None:
    # ten sites: cleaner removes all junk on half of them, none on the others
    scores = [_scored(f"s{k}", 2, 0 if k % 2 else 2, 0.9 if k % 2 else 0.5) for k in range(10)]
    figures = summarise(scores)[CLEANER]
    spans = figures["intervals"]
    for key in RANGED:
        low, high = spans[key]
        assert low < figures[key] < high, key
    assert spans == intervals(list(reversed(scores)))  # the same pages, the same draws
    # pages of one site are drawn together: the site is the unit, so twelve sites of two
    # pages each, one removing all its junk and one none, give the one ratio in every draw
    pairs = [_scored(f"s{k}", 2, junk, 0.7) for k in range(12) for junk in (0, 2)]
    assert intervals(pairs)["junk_lines_removed"] == [0.5, 0.5]
    alike = intervals([_scored(f"s{k}", 2, 1, 0.7) for k in range(10)])
    assert alike["junk_lines_removed"] == [0.5, 0.5] and alike["ending_in_junk"] == [1.0, 1.0]
    # too few sites to draw from (four), or to say anything about junk (one site had any):
    # no range rather than one that looks certain
    assert set(intervals(scores[:4]).values()) == {None}
    one_with_junk = [_scored(f"s{k}", 2 if k == 0 else 0, 1 if k == 0 else 0, 0.7) for k in range(10)]
    assert intervals(one_with_junk)["junk_lines_removed"] is None
    assert intervals(one_with_junk)["f1"] == [0.8235, 0.8235]  # 2 * 0.7 / (2 * 0.7 + 0.3)
    # no junk to remove anywhere: the figure and its range are undefined
    assert intervals([_scored("a", 0, 0, 0.9)])["junk_lines_removed"] is None
    # a range that cannot move is not printed: the figure alone says it
    assert with_interval({"f1": 0.8235, "intervals": {"f1": [0.8235, 0.8235]}}, "f1", "{:.3f}") == "0.824"
    table = markdown_table({"fake": {"split": "test", **summarise(scores)}})
    ours = next(row for row in table.split("\n") if "| cleaner |" in row)
    low, high = spans["junk_lines_removed"]
    assert f"50% ({low:.0%}".rstrip("%") + f"–{high:.0%})" in ours
    assert "(" not in next(row for row in table.split("\n") if "| trafilatura |" in row)


def _goal_row(junk_removed: float, ending: float, recall: float, word_f1: float) -> dict[str, Any]:
    plain = {"recall": 0.95, "word_f1": 0.90, "f1": 0.94}
    ours = {
        "junk_lines_removed": junk_removed,
        "ending_in_junk": ending,
        "f1": 0.96,
        "recall": recall,
        "word_f1": word_f1,
        "body_chars_removed_share": 0.0005,
        "pages_without_text": 0,
    }
    return {TRAFILATURA: plain, CLEANER: ours}


def test_goals_are_checked_per_set_everywhere_and_for_the_model() -> None:
    wcxb = _goal_row(0.2, 0.1, 0.95, 0.90)
    wcxb["page_types"] = {
        "article": _goal_row(0.65, 0.05, 0.949, 0.897),
        "forum": _goal_row(0.0, 0.0, 0.9, 0.89),
    }
    results = {"fundus-dev": _goal_row(0.8, 0.1, 0.95, 0.9), "wcxb-dev": wcxb}
    results["fundus-dev"][CLEANER]["intervals"] = {"junk_lines_removed": [0.6, 0.9], "f1": None}
    checks = {(c["goal"], c["row"].split(" (")[0]): c for c in check_goals(results)}
    assert checks[("junk lines removed", "fundus-dev")]["met"]
    assert checks[("junk lines removed", "fundus-dev")]["value"] == "80% (60–90%)"
    assert checks[("F1 (shingles)", "fundus-dev")]["value"] == "0.960"
    assert not checks[("pages ending in junk", "fundus-dev")]["met"]  # 10% > 8%
    assert checks[("F1 (shingles)", "wcxb-dev/article")]["met"]  # 0.96 >= 0.958
    assert checks[("recall change", "wcxb-dev/article")]["met"]  # -0.001
    assert not checks[("recall change", "wcxb-dev/forum")]["met"]  # -0.05
    assert not checks[("word F1 change", "wcxb-dev/article")]["met"]  # -0.003
    assert ("word F1 change", "wcxb-dev") not in checks  # per page type only
    assert all(checks[(g, "fundus-dev")]["met"] for g in ("body chars removed", "pages without text"))
    assert ("l3s-gn1", "junk lines removed") not in checks  # a set not evaluated has no row
    model_checks = [c for c in checks.values() if c["goal"].startswith("model")]
    assert len(model_checks) == 2 and all(c["met"] for c in model_checks)
    table = goals_table(list(checks.values()))
    assert table.index("| NO |") < table.index("| yes |")  # goals not met come first
    assert f"Goals met: {sum(c['met'] for c in checks.values())} of {len(checks)}." in table


def test_gold_text_with_nul_characters_is_left_out_as_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path / "cache"))
    _write_dataset(tmp_path / "fake")
    gold = tmp_path / "fake" / "gold.jsonl"
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    rows[0]["text"] = "\xff\xfe\nW\x00r\x00o\x00"  # UTF-16 gold read as Latin-1
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    skipped: Counter[tuple[str, str]] = Counter()
    assert rows[0]["id"] not in {p.id for p in read_dataset(tmp_path / "fake", skipped)}
    assert skipped[("fake", "with broken gold text")] == 1


def test_a_dataset_is_named_by_its_folder_however_the_path_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the split is drawn from the name: "." must not put other pages in the test split
    _write_dataset(tmp_path / "fake")
    monkeypatch.chdir(tmp_path / "fake" / "html")
    for written in (Path(".."), Path("../../fake"), tmp_path / "fake"):
        assert {p.dataset for p in read_dataset(written)} == {"fake"}


def test_two_datasets_of_one_name_are_refused(tmp_path: Path) -> None:
    _write_dataset(tmp_path / "fake")
    _write_dataset(tmp_path / "copy" / "fake")
    for roots in ([tmp_path / "fake", tmp_path / "copy" / "fake"], [tmp_path / "fake", tmp_path / "fake"]):
        with pytest.raises(cleaner.ConfigError, match="a second dataset named 'fake'"):
            list(iter_pages(roots))
    result = CliRunner().invoke(app, ["evaluate", str(tmp_path / "fake"), str(tmp_path / "copy")])
    assert result.exit_code == 2 and "a second dataset named 'fake'" in result.stderr


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        ("no html", "it has no html/ folder"),
        ("no rows", "gold.jsonl holds no record"),
        ("no pages", "none of its 3 gold records has both gold text and a page"),
    ],
)
def test_a_dataset_without_a_page_to_read_says_why(tmp_path: Path, damage: str, why: str) -> None:
    _write_dataset(tmp_path / "fake")
    if damage == "no html":
        for page in (tmp_path / "fake" / "html").iterdir():
            page.unlink()
        (tmp_path / "fake" / "html").rmdir()
    elif damage == "no rows":
        (tmp_path / "fake" / "gold.jsonl").write_text("\n", encoding="utf-8")
    else:
        for page in (tmp_path / "fake" / "html").iterdir():
            page.rename(page.with_name("x" + page.name))
    with pytest.raises(TrainingError, match=f"fake: no page to read: {why}"):
        read_dataset(tmp_path / "fake")
    # in a folder of datasets too: a broken one is not passed over
    result = CliRunner().invoke(app, ["evaluate", str(tmp_path), "--split", "all"])
    assert result.exit_code == 1 and why in result.stderr


def test_a_page_that_cannot_be_read_ends_the_evaluation_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path / "cache"))
    _write_dataset(tmp_path / "fake")
    page = tmp_path / "fake" / "html" / "0002.html.gz"
    page.write_bytes(page.read_bytes()[:30])  # cut short
    result = CliRunner().invoke(app, ["evaluate", str(tmp_path / "fake"), "--split", "all"])
    assert result.exit_code == 1, result.output
    assert f"error: {page}: cannot read the page: " in result.stderr and "Traceback" not in result.output
