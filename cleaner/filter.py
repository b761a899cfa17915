"""The decision rule: which scored lines go, and why. Thresholds live in config.Settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .config import Settings
from .document import Document
from .features import FEATURE_NAMES, content_indices

_COL = {name: k for k, name in enumerate(FEATURE_NAMES)}
#: a line sharing less than this share of its words with the rest is "about something else"
LOW_OVERLAP = 0.2
#: a line with at least this share of link text "is a link"
MOSTLY_LINK = 0.5


@dataclass(frozen=True)
class RemovedLine:
    """A line the filter removed: its 0-based line number, text, junk probability and why."""

    line: int
    text: str
    score: float
    reason: str


@dataclass(frozen=True)
class CleanResult:
    """The clean text plus everything a caller may want to know about how it was made."""

    text: str
    removed: tuple[RemovedLine, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    source: str = "text"
    lines_in: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: text, metadata, removed lines with scores and reasons."""
        return {
            "text": self.text,
            "source": self.source,
            "metadata": self.metadata,
            "lines_in": self.lines_in,
            "removed": [asdict(r) for r in self.removed],
        }


def cues(matrix: np.ndarray) -> np.ndarray:
    """Rows showing a boilerplate cue: boilerplate wording or a "Label:" prefix."""
    if not len(matrix):
        return np.zeros(0, dtype=bool)
    # wording only: link text alone is no cue inside an article (reference lists, tables of links)
    return (matrix[:, _COL["junk_words"]] > 0) | (matrix[:, _COL["label_prefix"]] > 0)


def decide(
    scores: np.ndarray,
    chars: np.ndarray,
    settings: Settings,
    cue: np.ndarray | None = None,
    plain_text: bool = False,
) -> np.ndarray:
    """Boolean mask of rows to remove: the trailing run at one confidence, others at a stricter
    one (less strict for lines with a boilerplate cue), with a guard on how much may go."""
    n = len(scores)
    remove = np.zeros(n, dtype=bool)
    if n < max(settings.min_lines, 1):
        return remove
    trailing = settings.text_threshold if plain_text else settings.threshold
    if trailing is None or settings.inner_threshold is None or settings.cue_threshold is None:
        raise ValueError("decide() needs resolved settings (Settings.resolve)")
    below = np.flatnonzero(scores < trailing)
    tail_start = below[-1] + 1 if len(below) else 0
    remove[tail_start:] = True
    remove |= scores >= settings.inner_threshold
    if cue is not None:
        remove |= cue & (scores >= settings.cue_threshold)
    total = chars.sum()
    if total and chars[remove].sum() > settings.max_removed_share * total:
        # so much junk is more likely a misread page: keep all but the surest removals
        remove &= scores >= settings.guard_threshold
    return remove


def _reason(row: np.ndarray, trailing: bool) -> str:
    hints = ["in the trailing run" if trailing else "inside the text"]
    if row[_COL["ends_ellipsis"]]:
        hints.append("cut off with an ellipsis")
    if row[_COL["link_share"]] >= MOSTLY_LINK:
        hints.append("link text")
    if row[_COL["junk_words"]]:
        hints.append("boilerplate wording")
    if row[_COL["label_prefix"]]:
        hints.append("label prefix")
    if row[_COL["vocab_overlap"]] < LOW_OVERLAP:
        hints.append("shares little vocabulary with the article")
    if row[_COL["teaser_shaped"]] and row[_COL["shape_run"]] >= 3:
        hints.append("part of a run of headline-like lines")
    return "; ".join(hints)


def apply(doc: Document, matrix: np.ndarray, scores: np.ndarray, settings: Settings) -> CleanResult:
    """Remove the lines `decide` picks and return the result with a reason for each removal."""
    rows = content_indices(doc)
    chars = np.array([len(doc.lines[i].strip()) for i in rows], dtype=float)
    remove = decide(scores, chars, settings, cues(matrix), plain_text=doc.source == "text")
    kept_after = np.flatnonzero(~remove)
    last_kept = kept_after[-1] if len(kept_after) else -1
    removed_lines = set(rows[remove].tolist())
    out: list[str] = []
    previous_removed = False
    for i, line in enumerate(doc.lines):
        if i in removed_lines:
            previous_removed = True
            continue
        if not line.strip() and previous_removed:
            continue  # the blank line that separated a removed line
        previous_removed = False
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    removed = tuple(
        RemovedLine(
            line=int(rows[k]),
            text=doc.lines[rows[k]],
            score=round(float(scores[k]), 4),
            reason=_reason(matrix[k], trailing=bool(k > last_kept)),
        )
        for k in np.flatnonzero(remove)
    )
    return CleanResult(
        text="\n".join(out), removed=removed, metadata=doc.metadata, source=doc.source, lines_in=len(rows)
    )
