"""The lexical model: what a line says and where the page put it, as hashed tokens.

Each non-blank line becomes a bag of hashed tokens in three groups: character n-grams and
word n-grams of its (lower-cased, digits folded) start, and the tag names and class/id
words of its source element and ancestors (page.py). A linear model scores the bag; its
score is one feature of the trees (stacking), learned out of fold at training time.

No word lists to maintain and no language to detect: the hashing is language-agnostic.
The weights are one float32 array; hashing is vectorised with numpy (polynomial hashes
over code points), so scoring a page costs a few numpy calls.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .document import Document
from .errors import ModelError

LEXICAL_FILE = "cleaner-lexical.npy"
#: log2 of the number of hash buckets (2**18 float32 weights: 1 MB)
HASH_BITS = 18
N_BUCKETS = 1 << HASH_BITS
CHAR_NGRAMS = (3, 4, 5)
#: the n-grams look at this many characters of a line's start: junk is said early
LEXICAL_PREFIX = 160
#: token groups, each normalised to unit length per line
GROUPS = ("char", "word", "page")
#: documents longer than this many lines are scored in parts of this many, to bound memory
CHUNK_ROWS = 2000
#: hash salts of the token kinds (a character n-gram's salt is its length, 3 to 5); a change
#: here moves every bucket, so the weights must be retrained and features.FEATURE_VERSION raised
PAGE_SALT = 3
WORD_SALT = 11
WORD_PAIR_SALT = 12
_P = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_P_INV = pow(_P, -1, 1 << 64)
_MIX = 0x9E3779B97F4A7C15
_NOT_WORD = re.compile(r"\W")
_DIGIT = re.compile(r"\d")
_SPACE = 32
_NEWLINE = 10


@lru_cache(maxsize=4)
def _powers(base: int, size: int) -> np.ndarray:
    """base**k modulo 2**64 for k < size (uint64 arithmetic wraps)."""
    out = np.full(size, base, dtype=np.uint64)
    out[0] = 1
    return np.cumprod(out, dtype=np.uint64)


def _power_table(n: int) -> tuple[np.ndarray, np.ndarray]:
    size = 1 << max(12, int(n).bit_length())  # few distinct sizes, so the cache holds
    return _powers(_P, size), _powers(_P_INV, size)


def _bucket(h: np.ndarray, salt: int) -> np.ndarray:
    mixed = (h ^ np.uint64(salt)) * np.uint64(_MIX)
    return (mixed >> np.uint64(64 - HASH_BITS)).astype(np.intp)


def _page_buckets(words: list[str]) -> np.ndarray:
    """The bucket of each page-context word (its crc32, mixed like the n-grams' hashes)."""
    return _bucket(np.array([zlib.crc32(w.encode()) for w in words], dtype=np.uint64), PAGE_SALT)


#: how a reason names the page-context words page.py writes ("t:div", "s:a", "c:related")
_PAGE_LABELS = {"t:": "inside <{}>", "s:": "tag <{}>", "c:": "class/id {!r}"}


def readable(label: str, page: bool = False) -> str | None:
    """A token as a reason shows it: an n-gram quoted, a page-context word in words; None for
    n-grams a reader learns nothing from (punctuation) or could not find in the line (digits,
    which are folded to 0)."""
    if page:
        return _PAGE_LABELS.get(label[:2], "{!r}").format(label[2:])
    return repr(label) if any(ch.isalpha() for ch in label) and "0" not in label else None


@dataclass
class Tokens:
    """Hashed tokens of a document's non-blank lines: entry k is bucket `buckets[k]` of row `rows[k]`."""

    rows: np.ndarray
    buckets: np.ndarray
    values: np.ndarray
    n_rows: int
    #: the last `n_page` entries are page-context words (page.py), the others n-grams
    n_page: int = 0
    #: what each entry is (the n-gram or page word), only when asked for (explanations)
    labels: list[str] | None = None


def tokens(doc: Document, with_labels: bool = False) -> Tokens:
    """The hashed tokens of every non-blank line of a document (rows as in line_features)."""
    rows = doc.rows
    texts = [" " + _DIGIT.sub("0", t[:LEXICAL_PREFIX].lower()) + " " for t in doc.row_texts]
    joined = "\n".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    line_of = np.cumsum(codes == _NEWLINE)
    powers, inverse = _power_table(len(codes) + 1)
    prefix = np.r_[np.uint64(0), np.cumsum(codes * inverse[: len(codes)], dtype=np.uint64)]

    def span_hash(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        # sum of c[j] * P**(b-1-j) over a <= j < b, from one prefix sum
        return (prefix[b] - prefix[a]) * powers[b - 1]

    parts: list[tuple[np.ndarray, np.ndarray, str, np.ndarray, np.ndarray]] = []
    for n in CHAR_NGRAMS:
        starts = np.arange(max(len(codes) - n + 1, 0))
        # a window must not hold the newline between two lines (nor start on it)
        ok = (line_of[starts] == line_of[starts + n - 1]) & (codes[starts] != _NEWLINE)
        starts = starts[ok]
        parts.append((line_of[starts], _bucket(span_hash(starts, starts + n), n), "char", starts, starts + n))
    is_word = (
        np.frombuffer(_NOT_WORD.sub(" ", joined).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        != _SPACE
    )
    edges = np.diff(np.r_[0, is_word.astype(np.int8), 0])
    w_start, w_end = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    w_hash = span_hash(w_start, w_end)
    w_line = line_of[w_start]
    parts.append((w_line, _bucket(w_hash, WORD_SALT), "word", w_start, w_end))
    pair = np.flatnonzero(w_line[1:] == w_line[:-1])
    pair_hash = w_hash[pair] * np.uint64(_P) + w_hash[pair + 1]
    parts.append((w_line[pair], _bucket(pair_hash, WORD_PAIR_SALT), "word", w_start[pair], w_end[pair + 1]))
    page_rows, page_buckets, page_words = _page_tokens(doc)
    empty = np.zeros(len(page_rows), dtype=np.intp)
    parts.append((page_rows, page_buckets, "page", empty, empty))

    out_rows = np.concatenate([p[0] for p in parts]).astype(np.intp)
    buckets = np.concatenate([p[1] for p in parts])
    group = np.concatenate([np.full(len(p[0]), GROUPS.index(p[2])) for p in parts])
    # each group of a line has unit length, so long lines do not outvote short ones
    key = out_rows * len(GROUPS) + group
    counts = np.bincount(key, minlength=len(rows) * len(GROUPS))
    values = 1.0 / np.sqrt(np.maximum(counts[key], 1))
    labels = None
    if with_labels:
        labels = [joined[a:b] for p in parts[:-1] for a, b in zip(p[3], p[4], strict=True)] + page_words
    return Tokens(out_rows, buckets, values, len(rows), len(page_rows), labels)


def _rows_of(doc: Document, rows: np.ndarray) -> Document:
    """The document of the given non-blank rows only: a line's tokens do not depend on the
    other lines, so these rows hash as they do in the whole document."""
    lines = [doc.lines[i] for i in doc.rows[rows]]
    page = doc.page.take(doc.rows[rows]) if doc.page is not None else None
    return Document(lines=lines, source=doc.source, page=page, declares_article=doc.declares_article)


def _page_tokens(doc: Document) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows, buckets and words of the page context of each line (none for plain text)."""
    if doc.page is None:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), []
    rows: list[int] = []
    words: list[str] = []
    for k, i in enumerate(doc.rows):
        context = doc.page.context[i]
        rows.extend([k] * len(context))
        words.extend(context)
    # each distinct word hashed once: lines of one block share their context
    distinct = list(dict.fromkeys(words))
    index = {w: j for j, w in enumerate(distinct)}
    buckets = _page_buckets(distinct)[[index[w] for w in words]] if words else np.zeros(0, dtype=np.intp)
    return np.asarray(rows, dtype=np.intp), buckets, words


@dataclass(frozen=True)
class LexicalModel:
    """A linear model over hashed tokens: bias plus one weight per bucket."""

    weights: np.ndarray
    bias: float

    def score(self, doc: Document) -> np.ndarray:
        """The junk logit of each non-blank line."""
        n_rows = len(doc.rows)
        if n_rows > CHUNK_ROWS:  # hashing holds ~25 KB a line at once: long documents go in parts
            parts = [
                _rows_of(doc, np.arange(a, min(a + CHUNK_ROWS, n_rows))) for a in range(0, n_rows, CHUNK_ROWS)
            ]
            return np.concatenate([self.score(part) for part in parts])
        toks = tokens(doc)
        contrib = self.weights[toks.buckets] * toks.values
        return self.bias + np.bincount(toks.rows, weights=contrib, minlength=toks.n_rows)

    def top_tokens(self, doc: Document, rows: np.ndarray, k: int = 3) -> dict[int, list[str]]:
        """For each given row, the `k` tokens that pushed its score most towards junk, as a
        reason names them (see `readable`)."""
        toks = tokens(_rows_of(doc, rows), with_labels=True)
        assert toks.labels is not None
        contrib = self.weights[toks.buckets] * toks.values
        out: dict[int, list[str]] = {int(r): [] for r in rows}
        unfilled, page_from = len(out), len(toks.buckets) - toks.n_page
        for j in np.argsort(-contrib, kind="stable"):
            if contrib[j] <= 0 or not unfilled:
                break
            words = out[int(rows[toks.rows[j]])]
            if len(words) == k:
                continue
            label = readable(toks.labels[j].strip(), page=j >= page_from)
            if label and label not in words:
                words.append(label)
                unfilled -= len(words) == k
        return out

    def save(self, path: Path) -> None:
        """Write the weights (float32) with the bias as their last element, as a .npy array."""
        array = np.r_[self.weights, self.bias].astype(np.float32)
        with open(path, "wb") as f:
            np.save(f, array, allow_pickle=False)

    @classmethod
    def load(cls, path: Path) -> LexicalModel:
        """Read a model written by `save` (plain array; pickles are refused)."""
        try:
            array = np.load(path, allow_pickle=False)
        except FileNotFoundError as exc:
            raise ModelError(f"{path}: lexical model not found; retrain with `cleaner train`") from exc
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: unreadable lexical model: {exc}") from exc
        if array.shape != (N_BUCKETS + 1,):
            raise ModelError(f"{path}: lexical model has shape {array.shape}, expected ({N_BUCKETS + 1},)")
        return cls(weights=array[:-1].astype(np.float64), bias=float(array[-1]))
