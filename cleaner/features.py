"""Line features: one row per non-blank line, named columns, neighbours by shifting columns.

Every feature is a property a human reader of a scraped page would use to spot junk:
where the line sits, its shape (ending, casing, length), whether it shares vocabulary with
the rest of the article, whether the page rendered it as a link or heading, and whether it
belongs to a run of lines of the same shape.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from itertools import pairwise

import numpy as np

from .document import UNKNOWN, Document

FEATURE_VERSION = 3

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_ELLIPSIS = re.compile(r"(\u2026|\.\.\.|\. \. \.)\W{0,3}$")
# sentence-final punctuation, optionally followed by closing quotes/brackets
_TERMINAL = re.compile(r"[.!?;:\u3002\uff01\uff1f\u061f\u0964][\"'\u201d\u2019\u00bb\u300d\u300f)\]]*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022\u25aa\u25cf\u2013]\s|\d{1,2}[.)]\s)")
# a short label ending in a colon at the start: "Photo:", "READ MORE:", "Foto:", "Source:"
_LABEL = re.compile(r"^[^\W\d][\w .'\u2019&/-]{0,28}:\s")
_URLISH = re.compile(r"https?://|www\.|\.com\b|@\w+\.\w+|\(at\)|#\w+")
# words that mark boilerplate in the languages of most news traffic; kept short on purpose:
# the model weighs this against everything else, it never decides on its own
_JUNK_WORDS = re.compile(
    r"\b(?:read more|read also|read next|see also|related (?:articles?|stories|content|links?|news)|"
    r"more from|more stories|recommended|most read|trending now|you might also like|you may also like|"
    r"latest news|top stories|subscribe|newsletter|sign up|follow us|share (?:this|on)|click here|"
    r"advertisement|all rights reserved|copyright|getty images|photo(?:graph)?s? by|"
    r"mehr zum thema|lesen sie auch|auch interessant|weitere artikel|anzeige|abonnieren|jetzt teilen|"
    r"leer m[aá]s|lea tambi[eé]n|suscr[ií]bete|compartir en|m[aá]s noticias|"
    r"te puede interesar|meistgelesen|das k[öo]nnte sie auch interessieren|"
    r"lire aussi|[àa] lire aussi|abonnez|partager|sur le m[êe]me sujet|les plus lus|"
    r"czytaj (?:te[zż]|tak[zż]e)|zobacz te[zż]|leggi anche|iscriviti|condividi|"
    r"les ogs[aå]|l[äa]s ocks[åa]|lees ook|leia tamb[ée]m|terms of (?:use|service)|privacy policy)\b|"
    r"\b(?:photo|image|credit|foto|bild|quelle|source):|"
    r"\u00a9|\u95a2\u9023\u8a18\u4e8b|\u3053\u3061\u3089\u3082|\u76f8\u5173\u9605\u8bfb",
    re.IGNORECASE,
)
# mid-article one-liners that stay: quotes, dialogue and rhetorical fragments start this way
_QUOTE_START = re.compile(r"^[\"'\u201c\u2018\u00ab\u201e\u300c]")

#: boilerplate wording counts only in lines up to this long: prompts are short, paragraphs not
JUNK_WORDS_MAX_CHARS = 160
#: lines longer than this are never teaser-shaped
TEASER_MAX_CHARS = 220
#: how much of a line's start the character-class shares look at
CHAR_CLASS_PREFIX = 200
#: cap for run lengths so that long lists do not dominate
RUN_CAP = 12

BASE_FEATURES = (
    "log_chars",
    "log_words",
    "log_from_end",
    "rel_position",
    "log_doc_lines",
    "ends_ellipsis",
    "ends_terminal",
    "starts_quote",
    "title_case",
    "upper_share",
    "digit_share",
    "vocab_overlap",
    "vocab_overlap_article",
    "junk_words",
    "label_prefix",
    "urlish",
    "list_item",
    "table_row",
    "link_share",
    "link_known",
    "heading",
    "teaser_shaped",
    "shape_run",
    "in_tail_run",
    "heads_tail_run",
    "log_tail_run",
    "len_vs_median",
    "cjk_share",
)
_SHIFTED = (
    "ends_ellipsis",
    "ends_terminal",
    "link_share",
    "vocab_overlap",
    "log_chars",
    "teaser_shaped",
    "junk_words",
)
FEATURE_NAMES: tuple[str, ...] = (
    BASE_FEATURES + tuple(f"prev_{n}" for n in _SHIFTED) + tuple(f"next_{n}" for n in _SHIFTED)
)


def content_indices(doc: Document) -> np.ndarray:
    """Indices of the document's non-blank lines: the rows of the feature matrix."""
    return np.array([i for i, line in enumerate(doc.lines) if line.strip()], dtype=np.intp)


def _tokens(line: str) -> list[str]:
    words = _WORD.findall(line.lower())
    if _CJK.search(line):
        # scripts without spaces: character bigrams stand in for words
        chars = [c for c in line if _CJK.match(c)]
        words += [a + b for a, b in pairwise(chars)]
    return [w for w in words if len(w) >= 2 and not w.isdigit()]


def _title_share(words: list[str]) -> float:
    """Share of a line's words starting with a letter that start with a capital."""
    alpha = upper = 0
    for w in words:
        if w[0].isalpha():
            alpha += 1
            upper += w[0].isupper()
    return upper / alpha if alpha else 0.0


def _runs(flags: np.ndarray) -> np.ndarray:
    """For each position, the length of the run of equal values it belongs to."""
    n = len(flags)
    out = np.ones(n)
    if n == 0:
        return out
    starts = np.flatnonzero(np.r_[True, flags[1:] != flags[:-1]])
    lengths = np.diff(np.r_[starts, n])
    return np.repeat(lengths, lengths).astype(float)


def line_features(doc: Document) -> np.ndarray:
    """The feature matrix of a document: one row per non-blank line, columns FEATURE_NAMES."""
    rows = content_indices(doc)
    n = len(rows)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES)))
    texts = [doc.lines[i].strip() for i in rows]
    chars = np.array([len(t) for t in texts], dtype=float)
    words_per_line = [t.split() for t in texts]
    n_words = np.array([len(w) for w in words_per_line], dtype=float)
    from_end = np.arange(n - 1, -1, -1, dtype=float)

    ends_ellipsis = np.array([bool(_ELLIPSIS.search(t)) for t in texts], dtype=float)
    ends_terminal = np.array([bool(_TERMINAL.search(t)) for t in texts], dtype=float) * (1 - ends_ellipsis)
    starts_quote = np.array([bool(_QUOTE_START.match(t)) for t in texts], dtype=float)
    title_case = np.array([_title_share(ws) for ws in words_per_line])
    # character classes of a line's start: enough to tell a headline or a date from prose
    heads = [t[:CHAR_CLASS_PREFIX] for t in texts]
    upper = np.array([sum(map(str.isupper, h)) for h in heads], dtype=float)
    letters = np.array([sum(map(str.isalpha, h)) for h in heads], dtype=float)
    digits = np.array([sum(map(str.isdigit, h)) for h in heads], dtype=float)
    head_chars = np.array([len(h) for h in heads], dtype=float)
    cjk = np.array([len(_CJK.findall(h)) for h in heads], dtype=float)

    tokens = [_tokens(t) for t in texts]
    doc_counts: Counter[str] = Counter()
    for toks in tokens:
        doc_counts.update(set(toks))
    # vocabulary of the article's long lines: teasers are about other stories
    article_counts: Counter[str] = Counter()
    for toks, c in zip(tokens, chars, strict=True):
        if c > TEASER_MAX_CHARS:
            article_counts.update(set(toks))
    shared = {w for w, c in doc_counts.items() if c > 1}
    in_article = set(article_counts)
    # a long line is itself in article_counts: it shares a word only if another line has it
    in_article_twice = {w for w, c in article_counts.items() if c > 1}
    overlap = np.zeros(n)
    overlap_article = np.zeros(n)
    for k, toks in enumerate(tokens):
        uniq = set(toks)
        if not uniq:
            continue
        overlap[k] = len(uniq & shared) / len(uniq)
        article = in_article_twice if chars[k] > TEASER_MAX_CHARS else in_article
        overlap_article[k] = len(uniq & article) / len(uniq)

    junk = np.array(
        [len(t) <= JUNK_WORDS_MAX_CHARS and bool(_JUNK_WORDS.search(t)) for t in texts], dtype=float
    )
    label = np.array([bool(_LABEL.match(t)) for t in texts], dtype=float)
    urlish = np.array([bool(_URLISH.search(t)) for t in texts], dtype=float)
    list_item = np.array([bool(_LIST_ITEM.match(t)) for t in texts], dtype=float)
    table_row = np.array([t.startswith("|") for t in texts], dtype=float)
    link = doc.link_share[rows].astype(float)
    link_known = (link != UNKNOWN).astype(float)
    link = np.where(link_known > 0, link, 0.0)
    heading = doc.is_heading[rows].astype(float)

    teaser = ((ends_terminal == 0) | (ends_ellipsis > 0)) & (chars <= TEASER_MAX_CHARS)
    shape = teaser.astype(int) * 2 + ends_ellipsis.astype(int)
    shape_run = np.minimum(_runs(shape), RUN_CAP)
    # the trailing run of teaser-shaped lines: the seed's case, but only a hint, not a verdict
    tail_len = 0
    while tail_len < n and teaser[n - 1 - tail_len]:
        tail_len += 1
    in_tail = np.zeros(n)
    in_tail[n - tail_len :] = 1.0
    # the line just before a trailing run of two or more is where "Related"/"More stories" sits
    heads_tail = np.zeros(n)
    if 2 <= tail_len < n:
        heads_tail[n - tail_len - 1] = 1.0
    median = float(statistics.median(len(t) for t in texts))

    base = np.column_stack(
        [
            np.log1p(chars),
            np.log1p(n_words),
            np.log1p(from_end),
            np.arange(n) / max(n - 1, 1),
            np.full(n, np.log1p(n)),
            ends_ellipsis,
            ends_terminal,
            starts_quote,
            title_case,
            upper / np.maximum(letters, 1),
            digits / np.maximum(head_chars, 1),
            overlap,
            overlap_article,
            junk,
            label,
            urlish,
            list_item,
            table_row,
            link,
            link_known,
            heading,
            teaser.astype(float),
            shape_run,
            in_tail,
            heads_tail,
            np.full(n, np.log1p(min(tail_len, RUN_CAP))),
            chars / max(median, 1.0),
            cjk / np.maximum(head_chars, 1),
        ]
    )
    index = {name: k for k, name in enumerate(BASE_FEATURES)}
    shifted = base[:, [index[s] for s in _SHIFTED]]
    # -1 marks "no neighbour" (document edge), distinct from every real value
    prev = np.vstack([np.full((1, len(_SHIFTED)), -1.0), shifted[:-1]])
    nxt = np.vstack([shifted[1:], np.full((1, len(_SHIFTED)), -1.0)])
    return np.hstack([base, prev, nxt])
