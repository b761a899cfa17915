"""Scoring against gold text: the shingle metric of the article-extraction benchmark, line
alignment (shared with weak labelling), and dataset runs of cleaner beside plain trafilatura.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .datasets import GoldPage

SHINGLE = 4
#: n of the word n-grams that align a line with the gold text
ALIGN_N = 3
#: a line at least this much covered by the gold is body; this little, junk
BODY_COVER = 0.5
JUNK_COVER = 0.15
#: how many last lines the "trailing junk" figure looks at
TAIL_LINES = 3

_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af])")
_WORD = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Lower-cased words; each CJK character counts as a word (those scripts have no spaces)."""
    return _WORD.findall(_CJK.sub(r" \1 ", text.lower()))


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


def trailing_junk(lines: list[str], aligner: Aligner) -> bool:
    """Whether any of the last TAIL_LINES lines with words is junk (less than half in the gold)."""
    tail = [line for line in lines if tokens(line)][-TAIL_LINES:]
    return any(aligner.cover(line) < BODY_COVER for line in tail)


@dataclass
class Tally:
    """Per-system sums over the pages of one dataset."""

    pages: int = 0
    counts: np.ndarray = field(default_factory=lambda: np.zeros(3))
    trailing_junk: int = 0
    seconds: float = 0.0

    def add(self, text: str, page: GoldPage, aligner: Aligner, seconds: float) -> None:
        self.pages += 1
        self.counts += shingle_counts(text, page.gold)
        self.trailing_junk += trailing_junk(text.split("\n"), aligner)
        self.seconds += seconds

    def row(self) -> dict[str, float]:
        precision, recall, f1 = prf(*self.counts)
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "trailing_junk": round(self.trailing_junk / max(self.pages, 1), 4),
            "pages_per_s": round(self.pages / self.seconds, 1) if self.seconds else 0.0,
        }


def evaluate_pages(pages: Sequence[GoldPage], cleaner: Any) -> dict[str, Any]:
    """Run plain trafilatura and cleaner on each page (timed separately) and score both."""
    import trafilatura

    base, ours = Tally(), Tally()
    body_lines = removed_body = 0
    for page in pages:
        html = page.read_html()
        aligner = Aligner(page.gold)
        t0 = time.perf_counter()
        plain = trafilatura.extract(html, url=page.url, include_comments=False) or ""
        t1 = time.perf_counter()
        result = cleaner.clean_html(html, url=page.url)
        t2 = time.perf_counter()
        base.add(plain, page, aligner, t1 - t0)
        ours.add(result.text, page, aligner, t2 - t1)
        for r in result.removed:
            removed_body += aligner.cover(r.text) >= BODY_COVER
        body_lines += sum(
            1 for line in plain.split("\n") if line.strip() and aligner.cover(line) >= BODY_COVER
        )
    return {
        "pages": len(pages),
        "trafilatura": base.row(),
        "cleaner": {**ours.row(), "removed_body_lines": round(removed_body / max(body_lines, 1), 5)},
    }


def markdown_table(results: dict[str, dict[str, Any]]) -> str:
    """Results per dataset as a Markdown table, cleaner's row beside trafilatura's."""
    head = "| dataset | split | pages | system | precision | recall | F1 | trailing junk | removed body lines | pages/s |"
    rows = [head, "|" + "---|" * 10]
    for name, res in results.items():
        for system in ("trafilatura", "cleaner"):
            r = res[system]
            removed = f"{100 * r['removed_body_lines']:.2f}%" if "removed_body_lines" in r else ""
            rows.append(
                f"| {name} | {res['split']} | {res['pages']} | {system} | {r['precision']:.3f} | {r['recall']:.3f} "
                f"| {r['f1']:.3f} | {100 * r['trailing_junk']:.0f}% | {removed} | {r['pages_per_s']} |"
            )
    return "\n".join(rows)
