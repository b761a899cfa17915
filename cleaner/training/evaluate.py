"""Scoring against gold text: the shingle metric of the article-extraction benchmark, WCXB's
word-bag F1, line alignment (shared with weak labelling), a word test of junk lines, and
dataset runs of cleaner beside plain trafilatura and the perfect line filter over it.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import CleanerError, TrainingError
from ..wording import CJK, WORD
from .datasets import GoldPage
from .ranges import ratio_range, site_draws

SHINGLE = 4
#: n of the word n-grams that align a line with the gold text
ALIGN_N = 3
#: a line at least this much covered by the gold is body; this little, junk
BODY_COVER = 0.5
#: how many last lines the "trailing junk" and "pages ending in junk" figures look at
TAIL_LINES = 3
#: by the word test, a line with words is junk when less than this share of them are gold words
WORD_BODY_SHARE = 0.5
#: digits the figures are rounded to in results
DIGITS = 4
#: cleaner's figures that get a range (ranges.py): how far another draw of the row's sites could move them
RANGED = ("junk_lines_removed", "ending_in_junk", "f1", "body_chars_removed_share")

TRAFILATURA = "trafilatura"
#: trafilatura's output without the lines the word test calls junk: the ceiling of any line filter
PERFECT = "perfect_filter"
CLEANER = "cleaner"
SYSTEMS = (TRAFILATURA, PERFECT, CLEANER)

_CJK = re.compile(f"({CJK.pattern})")


def tokens(text: str) -> list[str]:
    """Lower-cased words; each CJK character counts as a word (those scripts have no spaces)."""
    return WORD.findall(_CJK.sub(r" \1 ", text.lower()))


def shingles(toks: Sequence[str], n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Word n-grams with counts; a text shorter than n is one shingle."""
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def shingle_counts(pred: str, gold: str) -> tuple[float, float, float]:
    """One page's true positive, false positive and false negative shingles, normalised to sum 1.

    As in the article-extraction benchmark: normalising per page keeps long pages from
    outweighing short ones; precision, recall and F1 then come from the means over pages.
    """
    p, g = shingles(tokens(pred)), shingles(tokens(gold))
    tp = sum((p & g).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    """Precision, recall and F1 from (mean) shingle counts."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class Aligner:
    """How much of each line the gold text covers (word trigrams; short lines as a phrase)."""

    gold: str
    grams_: set[tuple[str, ...]] = field(init=False)
    joined_: str = field(init=False)

    def __post_init__(self) -> None:
        toks = tokens(self.gold)
        self.grams_ = set(shingles(toks, ALIGN_N))
        self.joined_ = f" {' '.join(toks)} "

    def cover(self, line: str) -> float:
        """Share of the line's word trigrams found in the gold (1.0/0.0 for short lines)."""
        toks = tokens(line)
        if not toks:
            return 1.0
        if len(toks) < ALIGN_N:
            return float(f" {' '.join(toks)} " in self.joined_)
        grams = [tuple(toks[i : i + ALIGN_N]) for i in range(len(toks) - ALIGN_N + 1)]
        return sum(g in self.grams_ for g in grams) / len(grams)


def casefold_words(text: str) -> list[str]:
    """The text's casefolded `\\w+` words (no CJK splitting: the word test's own tokens)."""
    return WORD.findall(text.casefold())


@dataclass
class WordJudge:
    """The word test of junk: a line is junk when less than half its words occur in the gold.

    Looser than Aligner's trigram cover (word order does not count); the quality figures of
    `cleaner evaluate` use it, and weak labels use it for the lines Aligner does not cover.
    """

    gold: str
    words_: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.words_ = set(casefold_words(self.gold))

    def is_junk(self, line: str) -> bool:
        """Whether the line has words and less than half of them are words of the gold."""
        words = casefold_words(line)
        return bool(words) and sum(w in self.words_ for w in words) < WORD_BODY_SHARE * len(words)

    def is_body(self, line: str) -> bool:
        """Whether the line has words and at least half of them are words of the gold."""
        return bool(casefold_words(line)) and not self.is_junk(line)

    def junk_lines(self, text: str) -> int:
        """How many lines of the text are junk."""
        return sum(self.is_junk(line) for line in text.split("\n"))

    def ends_in_junk(self, text: str) -> bool:
        """Whether any of the text's last TAIL_LINES lines with words is junk."""
        tail = [line for line in text.split("\n") if casefold_words(line)][-TAIL_LINES:]
        return any(self.is_junk(line) for line in tail)

    def perfect_filter(self, text: str) -> str:
        """The text without its junk lines: what a line filter that never errs would leave."""
        return "\n".join(line for line in text.split("\n") if not self.is_junk(line))


def word_prf(pred: str, gold: str) -> tuple[float, float, float] | None:
    """WCXB's word-bag precision, recall and F1 of one page; None when the gold has no words.

    Lower-cased `\\w+` tokens counted as a multiset, as in the benchmark's evaluate.py; its
    figures are means of these per-page values over pages whose gold has words.
    """
    gold_bag = Counter(WORD.findall(gold.lower()))
    if not gold_bag:
        return None
    pred_bag = Counter(WORD.findall(pred.lower()))
    overlap = sum((pred_bag & gold_bag).values())
    precision = overlap / sum(pred_bag.values()) if pred_bag else 0.0
    recall = overlap / sum(gold_bag.values())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def junk_lines_removed(junk: float, base_junk: float) -> float | None:
    """1 - junk lines (per page) a system left / those of plain trafilatura; None if it had none."""
    return 1.0 - junk / base_junk if base_junk else None


@dataclass
class SystemScore:
    """One system's figures on one page."""

    shingles: tuple[float, float, float]
    #: word-bag precision, recall, F1; None when the gold has no words
    words: tuple[float, float, float] | None
    junk_lines: int
    ends_in_junk: bool
    #: None for the perfect filter, which is not a program that runs
    seconds: float | None = None
    #: whether the output has any text at all
    has_text: bool = True


def score_text(text: str, gold: str, judge: WordJudge, seconds: float | None = None) -> SystemScore:
    """One system's output on one page, scored against the page's gold text."""
    return SystemScore(
        shingles=shingle_counts(text, gold),
        words=word_prf(text, gold),
        junk_lines=judge.junk_lines(text),
        ends_in_junk=judge.ends_in_junk(text),
        seconds=seconds,
        has_text=bool(text.strip()),
    )


@dataclass
class PageScore:
    """Every system's figures on one page, plus the body lines cleaner removed from it."""

    page_type: str | None
    systems: dict[str, SystemScore]
    #: pages of one site go together when a row's sites are resampled (see intervals)
    site: str = ""
    #: trafilatura's lines that pass the word test, and their characters
    body_lines: int = 0
    body_chars: int = 0
    #: of those, what cleaner removed
    body_lines_removed_count: int = 0
    body_chars_removed_count: int = 0


def score_page(page: GoldPage, cleaner: Any) -> PageScore:
    """Run plain trafilatura and cleaner on one page (timed separately) and score all systems."""
    import trafilatura

    html = page.read_html()
    judge = WordJudge(page.gold)
    t0 = time.perf_counter()
    plain = trafilatura.extract(html, url=page.url, include_comments=False) or ""
    t1 = time.perf_counter()
    try:
        result = cleaner.clean_html(html, url=page.url)
    except CleanerError as exc:
        raise TrainingError(f"{page.html_path}: cleaner failed on it: {exc}") from exc
    t2 = time.perf_counter()
    # cleaner extracts the same lines as plain trafilatura (bar rare differences), so the
    # body it lost is read from its removed lines rather than from a diff of the two outputs
    body = [line.strip() for line in plain.split("\n") if judge.is_body(line)]
    removed = [r.text.strip() for r in result.removed if judge.is_body(r.text)]
    return PageScore(
        page_type=page.page_type,
        site=page.site,
        systems={
            TRAFILATURA: score_text(plain, page.gold, judge, t1 - t0),
            PERFECT: score_text(judge.perfect_filter(plain), page.gold, judge),
            CLEANER: score_text(result.text, page.gold, judge, t2 - t1),
        },
        body_lines=len(body),
        body_chars=sum(map(len, body)),
        body_lines_removed_count=len(removed),
        body_chars_removed_count=sum(map(len, removed)),
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), DIGITS)


def _system_row(scores: list[SystemScore], base_junk: int) -> dict[str, Any]:
    """One system's figures over a group of pages (base_junk: plain trafilatura's junk lines)."""
    pages = max(len(scores), 1)
    counts = np.sum([s.shingles for s in scores], axis=0) if scores else np.zeros(3)
    precision, recall, f1 = prf(*counts)
    words = [s.words for s in scores if s.words is not None]
    word_p, word_r, word_f = np.mean(words, axis=0) if words else (0.0, 0.0, 0.0)
    junk = sum(s.junk_lines for s in scores)
    seconds = sum(s.seconds for s in scores if s.seconds is not None)
    return {
        "precision": _rounded(precision),
        "recall": _rounded(recall),
        "f1": _rounded(f1),
        "word_precision": _rounded(word_p),
        "word_recall": _rounded(word_r),
        "word_f1": _rounded(word_f),
        "junk_lines_per_page": _rounded(junk / pages),
        "junk_lines_removed": _rounded(junk_lines_removed(junk, base_junk)),
        "ending_in_junk": _rounded(sum(s.ends_in_junk for s in scores) / pages),
        "pages_per_s": round(len(scores) / seconds, 1) if seconds else None,
    }


def summarise(scores: Sequence[PageScore]) -> dict[str, Any]:
    """The figures of every system over a group of scored pages."""
    base_junk = sum(s.systems[TRAFILATURA].junk_lines for s in scores)
    body_lines = sum(s.body_lines for s in scores)
    body_chars = sum(s.body_chars for s in scores)
    out: dict[str, Any] = {"pages": len(scores)}
    for system in SYSTEMS:
        row = _system_row([s.systems[system] for s in scores], base_junk)
        # trafilatura is the reference and the perfect filter keeps all of its body: 0 by definition
        lines = sum(s.body_lines_removed_count for s in scores) if system == CLEANER else 0
        chars = sum(s.body_chars_removed_count for s in scores) if system == CLEANER else 0
        row["body_lines_removed_share"] = _rounded(lines / body_lines if body_lines else 0.0)
        row["body_chars_removed_share"] = _rounded(chars / body_chars if body_chars else 0.0)
        # pages where plain trafilatura found text and this system gives none
        row["pages_without_text"] = sum(
            s.systems[TRAFILATURA].has_text and not s.systems[system].has_text for s in scores
        )
        out[system] = row
    out[CLEANER]["intervals"] = intervals(scores)
    return out


def intervals(scores: Sequence[PageScore]) -> dict[str, list[float] | None]:
    """The ranges of cleaner's figures named in RANGED (see ranges.py); None for a figure
    with too few sites to draw from."""
    if not scores:
        return dict.fromkeys(RANGED)
    draws = site_draws([s.site for s in scores])
    ours = [s.systems[CLEANER] for s in scores]
    base_junk = [s.systems[TRAFILATURA].junk_lines for s in scores]
    tp, fp, fn = np.array([s.shingles for s in ours], dtype=float).T
    # 1 - junk left / trafilatura's junk: the range of the ratio, turned around
    left = ratio_range(draws, [s.junk_lines for s in ours], base_junk)
    spans = {
        "junk_lines_removed": None if left is None else [1 - left[1], 1 - left[0]],
        "ending_in_junk": ratio_range(draws, [s.ends_in_junk for s in ours], [1.0] * len(scores)),
        # F1 as prf gives it, from the summed counts: 2 tp / (2 tp + fp + fn)
        "f1": ratio_range(draws, 2 * tp, 2 * tp + fp + fn),
        "body_chars_removed_share": ratio_range(
            draws, [s.body_chars_removed_count for s in scores], [s.body_chars for s in scores]
        ),
    }
    return {key: None if span is None else [round(v, DIGITS) for v in span] for key, span in spans.items()}


def evaluate_pages(pages: Sequence[GoldPage], cleaner: Any) -> dict[str, Any]:
    """Score plain trafilatura, the perfect line filter and cleaner on the pages.

    Returns the figures of each system over all pages, and under "page_types" the same per
    page type for pages whose gold has one (WCXB).
    """
    scores = [score_page(page, cleaner) for page in pages]
    out = summarise(scores)
    types = Counter(s.page_type for s in scores if s.page_type)
    if types:
        # most common type first: the rows read from the main kind of page to the rarer ones
        out["page_types"] = {
            kind: summarise([s for s in scores if s.page_type == kind])
            for kind, _ in sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))
        }
    return out


#: Markdown table columns: heading, key in a system's figures, how it is printed
_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("precision", "precision", "{:.3f}"),
    ("recall", "recall", "{:.3f}"),
    ("F1", "f1", "{:.3f}"),
    ("word F1", "word_f1", "{:.3f}"),
    ("junk lines removed", "junk_lines_removed", "{:.0%}"),
    ("pages ending in junk", "ending_in_junk", "{:.0%}"),
    ("body lines removed", "body_lines_removed_share", "{:.2%}"),
    ("body chars removed", "body_chars_removed_share", "{:.2%}"),
    ("pages/s", "pages_per_s", "{:.1f}"),
)
#: how systems are named in the table
_SYSTEM_NAMES = {TRAFILATURA: "trafilatura", PERFECT: "perfect filter", CLEANER: "cleaner"}
_MISSING = "–"


def with_interval(figures: dict[str, Any], key: str, fmt: str) -> str:
    """A figure as printed, with its range after it when it has one: "37% (21–52%)"."""
    value = figures.get(key)
    if value is None:
        return _MISSING
    span = figures.get("intervals", {}).get(key)
    if not span or fmt.format(span[0]) == fmt.format(span[1]):
        return fmt.format(value)  # a range that does not show as one says nothing more
    return fmt.format(value) + f" ({fmt.format(span[0]).rstrip('%')}–{fmt.format(span[1])})"


def markdown_table(results: dict[str, dict[str, Any]]) -> str:
    """Results per dataset and page type as a Markdown table: trafilatura, perfect filter, cleaner."""
    head = ["dataset", "split", "pages", "system", *(heading for heading, _, _ in _COLUMNS)]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, res in results.items():
        groups = [(name, res), *((f"{name}/{kind}", r) for kind, r in res.get("page_types", {}).items())]
        for label, group in groups:
            for system in SYSTEMS:
                if system not in group:
                    continue
                figures = group[system]
                cells = [with_interval(figures, key, fmt) for _, key, fmt in _COLUMNS]
                rows.append(
                    f"| {label} | {res.get('split', '')} | {group['pages']} | {_SYSTEM_NAMES[system]} | "
                    + " | ".join(cells)
                    + " |"
                )
    return "\n".join(rows)
