"""Line features: one row per non-blank line, named columns, neighbours by shifting columns.

Every feature is a property a human reader of a scraped page would use to spot junk:
where the line sits, its shape (ending, casing, length), its words (the lexical model's
score), whether it shares vocabulary with the rest of the article, where the page put it
(link, heading, list, aside, footer, outside the article's container), whether it reads
like metadata (a date, a byline, a reading time), the run or block it belongs to, and what
kind of page it is on (prose or lists, links, tables, headings: the same for every line).
Each column is declared once, by name, in FEATURES: nothing reads a column by position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from itertools import chain, pairwise

import numpy as np

from . import wording
from .document import Document
from .page import TAG_BIT
from .wording import (
    CJK,
    ELLIPSIS,
    JUNK_WORDS,
    LABEL,
    LIST_ITEM,
    META,
    QUOTE_START,
    TERMINAL,
    URLISH,
    WORD,
    char_classes,
    title_share,
)

#: raised whenever a column, or the hashing of lexical.tokens, changes: a model of another
#: version is refused on load
FEATURE_VERSION = 6

#: a date counts as metadata in lines of few words (META_MAX_CHARS: the others, in lines this short)
META_DATE_MAX_WORDS = 7
#: boilerplate wording counts only in lines up to this long: prompts are short, paragraphs not
JUNK_WORDS_MAX_CHARS = 160
#: lines longer than this are never teaser-shaped
TEASER_MAX_CHARS = 220
#: how much of a line's start the character-class shares look at
CHAR_CLASS_PREFIX = 200
#: a line this long that ends like a sentence is surely a paragraph of the text
PARAGRAPH_MIN_CHARS = 200
#: cap for run lengths so that long lists do not dominate
RUN_CAP = 12
#: consecutive lines of one list or box of a page that make a block (decided together)
MIN_BLOCK_LINES = 2
#: value of a neighbour's feature beyond the document's edge, distinct from every real value
NO_NEIGHBOUR = -1.0
#: the lexical score is a logit; beyond this it says nothing more
LEXICAL_CAP = 8.0


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each position: the length of the run of equal keys it belongs to, and the run's number."""
    n = len(keys)
    if n == 0:
        return np.ones(0), np.zeros(0, dtype=np.intp)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    lengths = np.diff(np.r_[starts, n])
    return np.repeat(lengths, lengths).astype(float), np.repeat(np.arange(len(starts)), lengths)


def _block_runs(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # lines outside any block each form their own run
    return _runs(np.where(block >= 0, block, -2 - np.arange(len(block))))


def _run_mean(values: np.ndarray, run_id: np.ndarray) -> np.ndarray:
    sums = np.bincount(run_id, weights=values)
    counts = np.bincount(run_id)
    return (sums / np.maximum(counts, 1))[run_id]


def _tokens(line: str) -> list[str]:
    words = WORD.findall(line.lower())
    if CJK.search(line):
        # scripts without spaces: character bigrams stand in for words
        chars = [c for c in line if CJK.match(c)]
        words += [a + b for a, b in pairwise(chars)]
    return [w for w in words if len(w) >= 2 and not w.isdigit()]


class Lines:
    """The non-blank lines of a Document with their named properties, each computed once."""

    def __init__(self, doc: Document, lexical: np.ndarray | None = None):
        self.doc = doc
        self.rows = doc.rows
        self.n = len(self.rows)
        self.texts = doc.row_texts
        self.lexical = np.zeros(self.n) if lexical is None else np.clip(lexical, -LEXICAL_CAP, LEXICAL_CAP)

    def whole(self, value: float) -> np.ndarray:
        """A property of the whole document, on every line."""
        return np.full(self.n, float(value))

    def share(self, per_line: np.ndarray, by_chars: bool = False) -> np.ndarray:
        """The document's mean of a per-line value (by characters when `by_chars`), on every line."""
        weights = self.chars if by_chars else np.ones(self.n)
        return self.whole(per_line @ weights / max(weights.sum(), 1.0))

    def _flags(self, pattern: re.Pattern[str], texts: list[str] | None = None) -> np.ndarray:
        return np.array([bool(pattern.search(t)) for t in texts or self.texts], dtype=float)

    @cached_property
    def chars(self) -> np.ndarray:
        """Characters of each line."""
        return np.array([len(t) for t in self.texts], dtype=float)

    @cached_property
    def words(self) -> list[list[str]]:
        """Each line split on whitespace."""
        return [t.split() for t in self.texts]

    @cached_property
    def n_words(self) -> np.ndarray:
        """Whitespace-separated words of each line."""
        return np.array([len(w) for w in self.words], dtype=float)

    @cached_property
    def median_chars(self) -> float:
        """The document's median line length: what a line is long or short against."""
        return float(np.median(self.chars))

    @cached_property
    def table_rows(self) -> np.ndarray:
        """Whether each line is a table row (extraction writes rows as "| a | b |")."""
        return np.array([t.startswith("|") for t in self.texts], dtype=float)

    @cached_property
    def ends_ellipsis(self) -> np.ndarray:
        """Whether each line ends cut off ("…", "...", "[…]"): a teaser's mark."""
        return self._flags(ELLIPSIS)

    @cached_property
    def ends_terminal(self) -> np.ndarray:
        """Whether each line ends like a sentence (and not with an ellipsis)."""
        return self._flags(TERMINAL) * (1 - self.ends_ellipsis)

    @cached_property
    def heads(self) -> list[str]:
        """The start of each line that character classes are counted on."""
        return [t[:CHAR_CLASS_PREFIX] for t in self.texts]

    @cached_property
    def head_chars(self) -> np.ndarray:
        """Characters of each line's head."""
        return np.array([len(h) for h in self.heads], dtype=float)

    @cached_property
    def head_classes(self) -> dict[str, np.ndarray]:
        """Per character class (upper, digit, alpha...), its count in each line's head."""
        return char_classes(self.heads)

    @cached_property
    def overlaps(self) -> tuple[np.ndarray, np.ndarray]:
        """Share of each line's words found in other lines, and in the article's long lines."""
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(w, len(vocab)) for w in _tokens(t)] for t in self.texts]
        rows = np.repeat(np.arange(self.n), [len(i) for i in ids])
        # each (line, word) pair once: a word counts once per line, as in a set
        key = np.unique(rows * len(vocab) + np.fromiter(chain(*ids), np.intp))
        line, word = np.divmod(key, max(len(vocab), 1))
        uniq = np.bincount(line, minlength=self.n)
        # teasers are about other stories: the article's own vocabulary is in its long lines
        long = self.chars > TEASER_MAX_CHARS
        in_lines = np.bincount(word, minlength=len(vocab))
        in_long = np.bincount(word[long[line]], minlength=len(vocab))
        # a long line is itself among the long lines: it shares a word only if another has it
        in_article = np.where(long[line], in_long[word] > 1, in_long[word] > 0)

        def share(hits: np.ndarray) -> np.ndarray:
            return np.bincount(line, weights=hits, minlength=self.n) / np.maximum(uniq, 1)

        return share(in_lines[word] > 1), share(in_article)

    @cached_property
    def lower(self) -> list[str]:
        """The lines lower-cased: what the wording patterns (JUNK_WORDS, META) are matched against."""
        return [wording.lowered(t) for t in self.texts]

    @cached_property
    def junk_words(self) -> np.ndarray:
        """Whether each short line holds boilerplate wording (wording.JUNK_WORDS)."""
        short = [t if c <= JUNK_WORDS_MAX_CHARS else "" for t, c in zip(self.lower, self.chars, strict=True)]
        return self._flags(JUNK_WORDS, short)

    @cached_property
    def metas(self) -> dict[str, np.ndarray]:
        """Per META name, whether each line, standing alone, reads like that metadata."""
        kinds = [wording.meta_kinds(t) for t in self.lower]
        flags = {name: np.array([k[name] for k in kinds], dtype=float) for name in META}
        flags["meta_date"] *= self.n_words <= META_DATE_MAX_WORDS
        return flags

    @cached_property
    def meta_shaped(self) -> np.ndarray:
        """Whether each line reads like metadata of any META kind."""
        return np.max(list(self.metas.values()), axis=0)

    @cached_property
    def teaser(self) -> np.ndarray:
        """Whether each line is teaser-shaped: short, and not ending like a sentence (or cut off)."""
        return ((self.ends_terminal == 0) | (self.ends_ellipsis > 0)) & (self.chars <= TEASER_MAX_CHARS)

    @cached_property
    def tail_len(self) -> int:
        """Length of the trailing run of teaser-shaped lines: the seed's case, a hint only."""
        nonteaser = np.flatnonzero(~self.teaser)
        return int(self.n - 1 - nonteaser[-1]) if len(nonteaser) else self.n

    @cached_property
    def in_tail(self) -> np.ndarray:
        """Whether each line is in the trailing run of teaser-shaped lines."""
        out = np.zeros(self.n)
        out[self.n - self.tail_len :] = 1.0
        return out

    @cached_property
    def heads_tail(self) -> np.ndarray:
        """Whether each line is the one just before a trailing run of two or more: its header
        ("Related", "More stories")."""
        out = np.zeros(self.n)
        if 2 <= self.tail_len < self.n:
            out[self.n - self.tail_len - 1] = 1.0
        return out

    def page(self, name: str) -> np.ndarray:
        """A per-line page fact (PageFacts field) of the rows; zeros for plain text."""
        facts = self.doc.page
        if facts is None:
            return np.zeros(self.n)
        return np.asarray(getattr(facts, name), dtype=float)[self.rows]

    def tag(self, group: str) -> np.ndarray:
        """Whether the line's source element or an ancestor is of the page.TAG_GROUPS `group`."""
        facts = self.doc.page
        if facts is None:
            return np.zeros(self.n)
        return ((facts.tags[self.rows] & TAG_BIT[group]) > 0).astype(float)

    @cached_property
    def blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """Run length and run number of consecutive lines in the same block (list, box)."""
        block = self.doc.page.block[self.rows] if self.doc.page is not None else np.full(self.n, -1)
        return _block_runs(block)

    @cached_property
    def long_rows(self) -> np.ndarray:
        """Rows that are surely paragraphs of the text: long and ending like a sentence."""
        return np.flatnonzero((self.chars >= PARAGRAPH_MIN_CHARS) & (self.ends_terminal > 0))

    def rows_outside_text(self, after: bool) -> np.ndarray:
        """How many rows each row lies after the last (or before the first) sure paragraph; 0 inside."""
        index = np.arange(self.n)
        if not len(self.long_rows):
            return np.zeros(self.n)
        gap = index - self.long_rows[-1] if after else self.long_rows[0] - index
        return np.log1p(np.clip(gap, 0, RUN_CAP))

    @cached_property
    def section_lexical(self) -> np.ndarray:
        """The lexical score of the heading of the section a row is in ("Related posts", "About
        the author"), 0 before the first heading; a heading is its own section's heading."""
        heading = self.tag("heading") > 0
        if not heading.any():
            return np.zeros(self.n)
        last = np.maximum.accumulate(np.where(heading, np.arange(self.n), -1))
        return np.where(last >= 0, self.lexical[np.maximum(last, 0)], 0.0)

    @cached_property
    def block_lexical(self) -> np.ndarray:
        """The mean lexical score of each line's block (the line's own outside a block)."""
        return _run_mean(self.lexical, self.blocks[1])


def _meta_column(name: str) -> Callable[[Lines], np.ndarray]:
    return lambda v: v.metas[name]


def _tag_column(group: str) -> Callable[[Lines], np.ndarray]:
    return lambda v: v.tag(group)


#: every column of the feature matrix, in order: name -> its values for a document's lines
FEATURES: dict[str, Callable[[Lines], np.ndarray]] = {
    "log_chars": lambda v: np.log1p(v.chars),
    "log_words": lambda v: np.log1p(v.n_words),
    "log_from_end": lambda v: np.log1p(np.arange(v.n - 1, -1, -1, dtype=float)),
    "rel_position": lambda v: np.arange(v.n) / max(v.n - 1, 1),
    "log_doc_lines": lambda v: v.whole(np.log1p(v.n)),
    "log_doc_chars": lambda v: v.whole(np.log1p(v.chars.sum())),
    "log_median_chars": lambda v: v.whole(np.log1p(v.median_chars)),
    # the length of the line a reader's average character sits in: prose or a list of items
    "log_read_line_chars": lambda v: v.whole(np.log1p(v.chars @ v.chars / max(v.chars.sum(), 1.0))),
    # long lines, whatever their ending (long_rows, the sure paragraphs, also end like a sentence)
    "doc_paragraphs": lambda v: v.whole(np.log1p(np.count_nonzero(v.chars >= PARAGRAPH_MIN_CHARS))),
    "doc_link_share": lambda v: v.share(v.page("link_share"), by_chars=True),
    "doc_list_share": lambda v: v.share(v.tag("li")),
    "doc_heading_share": lambda v: v.share(v.tag("heading")),
    "doc_table_share": lambda v: v.share(v.table_rows),
    "doc_outside_share": lambda v: v.share(v.page("outside_main")),
    "ends_ellipsis": lambda v: v.ends_ellipsis,
    "ends_terminal": lambda v: v.ends_terminal,
    "starts_quote": lambda v: v._flags(QUOTE_START),
    "title_case": lambda v: np.array([title_share(ws) for ws in v.words]),
    "upper_share": lambda v: v.head_classes["upper"] / np.maximum(v.head_classes["alpha"], 1),
    "digit_share": lambda v: v.head_classes["digit"] / np.maximum(v.head_chars, 1),
    "cjk_share": lambda v: np.array([len(CJK.findall(h)) for h in v.heads]) / np.maximum(v.head_chars, 1),
    "vocab_overlap": lambda v: v.overlaps[0],
    "vocab_overlap_article": lambda v: v.overlaps[1],
    "junk_words": lambda v: v.junk_words,
    "label_prefix": lambda v: v._flags(LABEL),
    "urlish": lambda v: v._flags(URLISH),
    "list_item": lambda v: v._flags(LIST_ITEM),
    "table_row": lambda v: v.table_rows,
    **{name: _meta_column(name) for name in META},
    "meta_shaped": lambda v: v.meta_shaped,
    "is_html": lambda v: v.whole(v.doc.page is not None),
    "link_share": lambda v: v.page("link_share"),
    "block_links": lambda v: v.page("block_links"),
    "outside_main": lambda v: v.page("outside_main"),
    **{f"in_{group}": _tag_column(group) for group in TAG_BIT},  # page.TAG_GROUPS, in order
    "teaser_shaped": lambda v: v.teaser.astype(float),
    "shape_run": lambda v: np.minimum(_runs(v.teaser * 2 + v.ends_ellipsis)[0], RUN_CAP),
    "in_tail_run": lambda v: v.in_tail,
    "heads_tail_run": lambda v: v.heads_tail,
    "log_tail_run": lambda v: v.whole(np.log1p(min(v.tail_len, RUN_CAP))),
    "len_vs_median": lambda v: v.chars / max(v.median_chars, 1.0),
    "log_block_run": lambda v: np.log1p(np.minimum(v.blocks[0], RUN_CAP)),
    "after_text": lambda v: v.rows_outside_text(after=True),
    "before_text": lambda v: v.rows_outside_text(after=False),
    "lexical": lambda v: v.lexical,
    "section_lexical": lambda v: v.section_lexical,
    "block_lexical": lambda v: v.block_lexical,
    "tail_lexical": lambda v: v.whole(v.lexical[v.n - v.tail_len :].mean() if v.tail_len else 0.0),
}
#: features whose values on the previous and next line are columns too
SHIFTED = (
    "ends_ellipsis",
    "ends_terminal",
    "link_share",
    "vocab_overlap",
    "log_chars",
    "teaser_shaped",
    "junk_words",
    "meta_shaped",
    "outside_main",
    "in_li",
    "in_heading",
    "lexical",
)
FEATURE_NAMES: tuple[str, ...] = (
    tuple(FEATURES) + tuple(f"prev_{n}" for n in SHIFTED) + tuple(f"next_{n}" for n in SHIFTED)
)
COLUMN = {name: k for k, name in enumerate(FEATURE_NAMES)}


def block_runs(doc: Document) -> np.ndarray:
    """Per row, its block's number (MIN_BLOCK_LINES+ consecutive lines of one list or box of a
    page), else -1."""
    if doc.page is None:
        return np.full(len(doc.rows), -1)
    lengths, run_id = _block_runs(doc.page.block[doc.rows])
    return np.where(lengths >= MIN_BLOCK_LINES, run_id, -1)


def line_features(doc: Document, lexical: np.ndarray | None = None) -> np.ndarray:
    """The feature matrix of a document: one row per non-blank line, columns FEATURE_NAMES.

    `lexical` is the lexical model's score of each row (see lexical.py); zeros when None.
    """
    lines = Lines(doc, lexical)
    if lines.n == 0:
        return np.zeros((0, len(FEATURE_NAMES)))
    base = np.column_stack([column(lines) for column in FEATURES.values()])
    shifted = base[:, [COLUMN[s] for s in SHIFTED]]
    edge = np.full((1, len(SHIFTED)), NO_NEIGHBOUR)
    prev = np.vstack([edge, shifted[:-1]])
    nxt = np.vstack([shifted[1:], edge])
    return np.hstack([base, prev, nxt])


def without_lexical(matrix: np.ndarray) -> np.ndarray:
    """The feature matrix `line_features` gives with no lexical score, from one made with it."""
    out = matrix.copy()
    out[:, [COLUMN[n] for n in ("lexical", "section_lexical", "block_lexical", "tail_lexical")]] = 0.0
    out[1:, COLUMN["prev_lexical"]] = out[:-1, COLUMN["next_lexical"]] = 0.0  # edges: NO_NEIGHBOUR
    return out
