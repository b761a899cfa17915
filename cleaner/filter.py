"""The decision rule: which scored lines go, and why (the CleanResult it makes: result.py).
The thresholds a user may change live in config.Settings; the rule's fixed ones are named
here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .config import Settings
from .document import Document
from .errors import ConfigError
from .features import COLUMN, MIN_BLOCK_LINES, block_runs
from .lexical import LexicalModel
from .result import CleanResult, RemovedLine
from .wording import SENTENCE_END, STANDALONE_META

#: a line sharing less than this share of its words with the rest is "about something else"
LOW_OVERLAP = 0.2
#: a line with at least this share of link text "is a link"
MOSTLY_LINK = 0.5
#: the line just before a removed block or trailing run goes with it (its header) when it is
#: this short, does not end like a sentence, and scores at least HEADER_THRESHOLD
HEADER_MAX_CHARS = 80
HEADER_THRESHOLD = 0.5
#: why a row went with its group, where decide() says (`grouped`): a removed group's header,
#: and a block that went with its removed header
HEADER, WITH_HEADER = 1, 2
#: scores are clipped this close to 0 and 1 before their log-odds are summed
SURE = 1e-4
#: how many of the words that weighed most a reason names
REASON_WORDS = 3
#: a reason calls a line part of a run of headline-like lines from this many on
REASON_RUN_MIN = 3


def cues(matrix: np.ndarray) -> np.ndarray:
    """Rows showing a boilerplate cue: boilerplate wording, a "Label:" prefix, or metadata shape."""
    # wording only: link text alone is no cue inside an article (reference lists, tables of links)
    return _flagged(matrix, ("junk_words", "label_prefix", "meta_shaped"))


def metadata_lines(matrix: np.ndarray) -> np.ndarray:
    """Rows that read like a byline or credit, a date stamp or a reading time, standing alone."""
    return _flagged(matrix, STANDALONE_META)


def _flagged(matrix: np.ndarray, columns: tuple[str, ...]) -> np.ndarray:
    """Rows where any of these feature columns is set."""
    if not len(matrix):
        return np.zeros(0, dtype=bool)
    return np.asarray((matrix[:, [COLUMN[c] for c in columns]] > 0).any(axis=1), dtype=bool)


def decide(
    scores: np.ndarray,
    chars: np.ndarray,
    settings: Settings,
    cue: np.ndarray | None = None,
    plain_text: bool = False,
    runs: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    metadata: np.ndarray | None = None,
    grouped: np.ndarray | None = None,
    article: bool = False,
) -> np.ndarray:
    """Boolean mask of rows to remove: the trailing run at one confidence, others at a stricter
    one (less strict for lines with a boilerplate cue, and for `metadata` lines: bylines,
    stamps, reading times), with a guard on how much may go. On a page the trailing run is
    the lines after the last one below the confidence; in plain text it is the likeliest_tail.
    On a page that declares itself an `article`, none of the three is above the article
    threshold.

    Rows of one block (`runs`: the same run number, -1 for none) are decided together on
    their median score. A removed block or trailing run of two or more rows takes its header
    along (a `labels` row just before it scored at least HEADER_THRESHOLD: "Related", "More
    from …"), and a block under a removed header goes with it when its score leans to junk;
    `grouped`, when given, is set in place to HEADER and WITH_HEADER on such rows (for reasons).
    """
    if runs is None:
        runs = np.full(len(scores), -1)
    own = scores
    if (runs >= 0).any():
        scores = _block_scores(scores, runs)
    n = len(scores)
    remove = np.zeros(n, dtype=bool)
    if n < max(settings.min_lines, 1):
        return remove
    trailing = settings.text_threshold if plain_text else settings.trailing_threshold
    inner, cue_at, metadata_at = settings.inner_threshold, settings.cue_threshold, settings.metadata_threshold
    article_at = settings.article_threshold
    if trailing is None or inner is None or cue_at is None or metadata_at is None or article_at is None:
        raise ConfigError("decide() needs resolved settings (Settings.resolve)")
    if article and not plain_text:
        trailing, inner, cue_at = min(trailing, article_at), min(inner, article_at), min(cue_at, article_at)
    if plain_text:
        tail_start = likeliest_tail(scores, trailing)
    else:
        below = np.flatnonzero(scores < trailing)
        tail_start = below[-1] + 1 if len(below) else 0
    remove[tail_start:] = True
    remove |= scores >= inner
    if cue is not None:
        remove |= cue & (scores >= cue_at)
    if metadata is not None:
        remove |= metadata & (scores >= metadata_at)
    if labels is not None:
        _with_headers(remove, scores, runs, labels, tail_start, grouped)
    total = chars.sum()
    if total and chars[remove].sum() > settings.max_removed_share * total:
        # so much junk is more likely a misread page: keep all but the surest removals, each
        # line sure by its own score (a table row holding the whole article, in a block of
        # navigation rows, is not carried off by their median)
        remove &= own >= settings.guard_threshold
    return remove


def likeliest_tail(scores: np.ndarray, threshold: float) -> int:
    """Where the trailing run starts whose log-odds of junk, summed less `threshold`'s, is
    largest (len(scores): no trailing run).

    Plain text has no page to group its lines: a run of teasers is told by its scores alone.
    One doubtful teaser amid sure ones (a headline that reads like a sentence) stays in the
    run its neighbours carry, and a sure line of the text ends the run where it stands.
    """
    if not len(scores):
        return 0
    p, t = np.clip(scores, SURE, 1 - SURE), min(max(threshold, SURE), 1 - SURE)
    gain = np.log(p / (1 - p)) - np.log(t / (1 - t))
    suffix = np.cumsum(gain[::-1])[::-1]
    start = int(np.argmax(suffix))
    # a run that only breaks even goes: a line scored at the threshold goes, as on a page
    return start if suffix[start] >= 0 else len(scores)


def _block_scores(scores: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """Each row in a block takes its block's median score (one odd item neither saves nor
    condemns the rest); other rows keep their own."""
    out = scores.copy()
    for run in np.unique(runs[runs >= 0]):
        inside = runs == run
        out[inside] = np.median(scores[inside])
    return out


def _with_headers(
    remove: np.ndarray,
    scores: np.ndarray,
    runs: np.ndarray,
    labels: np.ndarray,
    tail_start: int,
    grouped: np.ndarray | None,
) -> None:
    """Headers go with their removed groups, and blocks with their removed headers (in place)."""
    why = grouped if grouped is not None else np.zeros(len(remove), dtype=np.int8)
    n = len(remove)
    starts = set(np.flatnonzero((runs >= 0) & np.r_[True, runs[1:] != runs[:-1]]).tolist())
    if n - tail_start >= 2 and remove[tail_start:].all():
        starts.add(tail_start)
    for start in sorted(starts, reverse=True):
        head = start - 1
        if head < 0 or not labels[head] or (runs[head] >= 0 and runs[head] == runs[start]):
            continue
        group = runs == runs[start] if runs[start] >= 0 else np.arange(n) >= start
        if remove[group].all() and scores[head] >= HEADER_THRESHOLD:
            if not remove[head]:
                why[head] = HEADER
                remove[head] = True
        elif remove[head] and runs[start] >= 0 and scores[start] >= HEADER_THRESHOLD:
            why[group & ~remove] = WITH_HEADER
            remove[group] = True


def removals(
    doc: Document,
    matrix: np.ndarray,
    scores: np.ndarray,
    settings: Settings,
    grouped: np.ndarray | None = None,
) -> np.ndarray:
    """The rows `decide` removes from a scored document (the one call training and cleaning share)."""
    chars = np.array([len(t) for t in doc.row_texts], dtype=float)
    return decide(
        scores,
        chars,
        settings,
        cues(matrix),
        plain_text=doc.source == "text",
        runs=block_runs(doc),
        labels=labels(doc),
        # pages only: plain text's gold bodies keep such lines often enough ("Posted by … at
        # 8:56 AM", "… contributed to this report") that clean bodies would come out changed
        metadata=metadata_lines(matrix) if doc.source != "text" else None,
        grouped=grouped,
        article=doc.declares_article,
    )


def labels(doc: Document) -> np.ndarray:
    """Rows that could head a group of lines: short, not ending like a sentence ("Related
    stories", "Read also:")."""
    texts = doc.row_texts
    return np.array([len(t) <= HEADER_MAX_CHARS and not SENTENCE_END.search(t) for t in texts], dtype=bool)


#: what a reason says when a removed row shows a feature: (column, it shows when..., hint)
_HINTS: tuple[tuple[str, Callable[[float], bool], str], ...] = (
    ("ends_ellipsis", bool, "cut off with an ellipsis"),
    ("link_share", lambda v: v >= MOSTLY_LINK, "link text"),
    ("junk_words", bool, "boilerplate wording"),
    ("label_prefix", bool, "label prefix"),
    ("meta_byline", bool, "byline or credit"),
    ("meta_stamp", bool, "date stamp"),
    ("meta_reading_time", bool, "reading time"),
    ("meta_date", bool, "a short line with a date or time"),
    ("outside_main", bool, "outside the article's container"),
    ("in_nav", bool, "in navigation"),
    ("in_aside", bool, "in an aside"),
    ("in_footer", bool, "in a footer"),
    ("in_figure", bool, "in a figure"),
    ("in_control", bool, "in a form or button"),
    ("vocab_overlap", lambda v: v < LOW_OVERLAP, "shares little vocabulary with the article"),
)


def _reason(
    row: np.ndarray,
    trailing: bool,
    words: list[str],
    carried: bool = False,
    grouped: int = 0,
    as_article: bool = False,
) -> str:
    if grouped == HEADER:  # where it sits did not decide it: the lines after it did
        hints = ["the header of the removed lines after it"]
    else:
        hints = ["in the trailing run" if trailing else "inside the text"]
    if carried:
        hints.append("carried by the surer lines after it")
    if as_article and grouped != HEADER:
        hints.append("the page declares itself an article")
    if grouped == WITH_HEADER:
        hints.append("went with its header")
    hints += [hint for column, shows, hint in _HINTS if shows(row[COLUMN[column]])]
    if row[COLUMN["teaser_shaped"]] and row[COLUMN["shape_run"]] >= REASON_RUN_MIN:
        hints.append("part of a run of headline-like lines")
    if row[COLUMN["log_block_run"]] >= np.log1p(MIN_BLOCK_LINES):
        hints.append("decided with its block")
    if words:
        hints.append("weighed most: " + ", ".join(words))  # letter n-grams, or what the page says of the line
    return "; ".join(hints)


def apply(
    doc: Document,
    matrix: np.ndarray,
    scores: np.ndarray,
    settings: Settings,
    lexical: LexicalModel | None = None,
) -> CleanResult:
    """Remove the lines `decide` picks and return the result with a reason for each removal;
    with the lexical model given, reasons name the tokens that weighed most."""
    rows = doc.rows
    grouped = np.zeros(len(rows), dtype=np.int8)
    remove = removals(doc, matrix, scores, settings, grouped)
    kept_rows = np.flatnonzero(~remove)
    last_kept = kept_rows[-1] if len(kept_rows) else -1
    removed_lines = set(rows[remove].tolist())
    kept: list[int] = []
    dropped: list[int] = []
    previous_removed = False
    for i, line in enumerate(doc.lines):
        if i in removed_lines:
            previous_removed = True
            continue
        if not line.strip() and previous_removed:
            dropped.append(i)  # the blank line that separated a removed line
            continue
        previous_removed = False
        kept.append(i)
    while kept and not doc.lines[kept[-1]].strip():
        dropped.append(kept.pop())
    text = "\n".join(doc.lines[i] for i in kept)
    crlf = any(line.endswith("\r") for line in doc.lines[:-1])
    if crlf and kept and kept[-1] < len(doc.lines) - 1:
        text = text.removesuffix("\r")  # the "\r" of the CRLF break cut after the last line
    gone = np.flatnonzero(remove)
    as_article = np.zeros(len(rows), dtype=bool)
    if doc.declares_article and doc.source == "html" and len(gone):
        # what a page that does not declare itself an article would have kept
        as_article = remove & ~removals(doc, matrix, scores, replace(settings, article_threshold=1.0))
    words = lexical.top_tokens(doc, gone, REASON_WORDS) if lexical is not None and len(gone) else {}
    removed = tuple(
        RemovedLine(
            line=int(rows[k]),
            text=doc.lines[rows[k]],
            score=round(float(scores[k]), 4),
            reason=_reason(
                matrix[k],
                trailing=bool(k > last_kept),
                words=words.get(int(k), []),
                carried=bool(
                    doc.source == "text" and k > last_kept and scores[k] < (settings.text_threshold or 0)
                ),
                grouped=int(grouped[k]),
                as_article=bool(as_article[k]),
            ),
        )
        for k in gone
    )
    return CleanResult(
        text=text,
        removed=removed,
        metadata=doc.metadata,
        source=doc.source,
        lines_in=len(rows),
        blank_lines_dropped=tuple(sorted(dropped)),
        newline="\r\n" if crlf else "\n",
    )
