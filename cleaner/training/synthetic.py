"""Synthetic plain-text documents: gold bodies of the training side with other publishers'
teaser runs, real boilerplate lines or made-up metadata lines appended (and the bodies
alone), labelled line by line. Each borrows only from other publishers of its own
cross-validation fold (`corpus.fold_of`), and says whom (`LabelledDoc.borrowed`): no fold's
model learns text as junk that another fold is tested on.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Sequence

import numpy as np

from ..document import Document
from ..wording import reads_as_metadata
from .corpus import LabelledDoc, fold_of
from .datasets import LEAD_MIN, MIN_BODY_LINES, TITLE_MAX, TITLE_MIN, GoldPage, first_sentence, page_title
from .weak import IGNORE, SOURCE_WEIGHTS, SYNTHETIC

#: name endings of the plain-text documents the text threshold is chosen on (thresholds.py):
#: a gold body alone, and with a teaser run appended
CLEAN_SUFFIX = "#clean"
TEASERS_SUFFIX = "#teasers"

#: section headers sites put before a teaser run, in the languages of most news traffic
RUN_HEADERS = (
    "Related",
    "Related articles",
    "Latest",
    "Popular",
    "Also read",
    "What to read next",
    "Recommended for you",
    "Weitere Nachrichten",
    "Autres articles",
    "Otras noticias",
    "Ti potrebbe interessare",
    "Related stories",
    "More stories",
    "More from this section",
    "Read more",
    "Read next",
    "You might also like",
    "Recommended",
    "Most read",
    "Trending now",
    "Mehr zum Thema",
    "Lesen Sie auch",
    "Das könnte Sie auch interessieren",
    "Meistgelesen",
    "À lire aussi",
    "Sur le même sujet",
    "Lee también",
    "Más noticias",
    "Te puede interesar",
    "Leggi anche",
    "Zobacz też",
    "Czytaj także",
    "Les også",
    "Läs också",
    "関連記事",
    "相关阅读",
)
#: the reading times ("7 min read") made-up lines give, in minutes
READ_MINUTES = (2, 15)
#: share of gold bodies that also get a made-up byline / date / credit / bio document
META_SHARE = 0.5
#: the parts made-up metadata lines are built from
#: (names are words of other publishers' gold bodies written like names: a fixed list is
#: learnt by heart, and a body line naming one of its people would read as a byline)
NAME_MIN, NAME_MAX = 3, 14
_WORDS = re.compile(r"[^\W\d_]+")
_NAME_AFTER_WORD = re.compile(rf"(?<=[^\W\d_] )([^\W\d_]{{{NAME_MIN},{NAME_MAX}}})\b")
META_MONTHS = ("January", "Feb.", "March", "April", "May", "June", "Jul", "August", "Sept.", "Oktober")
META_ROLES = ("Staff Writer", "Senior Reporter", "Political Editor", "Correspondent", "Contributor")
META_ROLES_LONG = (
    "a freelance journalist based in Lisbon",
    "the paper's health correspondent",
    "a senior editor who has covered technology since 2012",
    "a writer and photographer",
)
META_BIO_TAILS = (
    "Follow her on social media.",
    "He lives with his family in the countryside.",
    "Her first book comes out next year.",
    "Contact: newsroom tips line.",
)
META_NOTES = (
    "This story has been updated with a statement from the company.",
    "An earlier version of this article gave the wrong date for the hearing.",
    "This article was first published in 2023.",
)
META_BEATS = ("energy policy", "local government", "science and health", "consumer technology")
#: section names and months that teaser items carry in front
TEASER_SECTIONS = ("WORLD", "Politics", "Sport", "TECH", "Business", "Kultur", "Économie", "Opinión", "Local")
TEASER_MONTHS = ("Jan", "March", "Apr.", "June", "Sep", "October", "Dez.", "mars", "julio")
TEASER_MIN, TEASER_MAX = 45, 140
RUN_MIN, RUN_MAX = 2, 7
#: lengths of the real boilerplate lines borrowed into synthetic documents
JUNK_MIN, JUNK_MAX = 3, 200


def _cut(text: str, rng: random.Random) -> str:
    """A teaser cut off at a word boundary, ending the ways sites end them."""
    limit = rng.randint(TEASER_MIN, TEASER_MAX)
    if len(text) <= limit:
        return text.rstrip(".") + rng.choice(["…", "...", "…"])
    cut = text[:limit].rsplit(" ", 1)[0].rstrip()
    return cut + rng.choice(["…", "...", "…", " …", " ..."])


def _teaser_run(heads: list[str], leads: list[str], rng: random.Random) -> list[str]:
    """A run of teasers in the many ways sites write them: each item a headline, maybe cut,
    maybe with a list mark, a section, a date or a reading time, maybe followed by a line
    (or a dash) of description; often under a header."""
    style = {
        "end": rng.choice(["none", "none", "ellipsis", "cut", "arrow"]),
        "mark": rng.choice(["", "", "", "- ", "• ", "* ", "number", "section", "date", "ago"]),
        "extra": rng.choice(["", "", "", "dash", "line", "read", "comments"]),
    }
    run = []
    for k, head in enumerate(heads):
        item = head.rstrip(".")
        if style["end"] == "ellipsis" or (style["end"] == "cut" and rng.random() < 0.5):
            item = _cut(item, rng)
        elif style["end"] == "cut":
            item = item[: rng.randint(TEASER_MIN, max(TEASER_MIN, len(item)))].rstrip()
        elif style["end"] == "arrow":
            item += rng.choice([" »", " →", " ›", " […]", " (more)", " (video)"])
        mark = style["mark"]
        if mark == "number":
            item = f"{k + 1}. {item}"
        elif mark == "section":
            item = f"{rng.choice(TEASER_SECTIONS)}{rng.choice([' | ', ': ', ' — ', ' / '])}{item}"
        elif mark == "date":
            item = f"{rng.randint(1, 28)} {rng.choice(TEASER_MONTHS)} {rng.randint(2015, 2026)} {item}"
        elif mark == "ago":
            item = f"{rng.randint(2, 23)} {rng.choice(['hours ago', 'h', 'Std.', 'min ago'])} · {item}"
        elif mark:
            item = mark + item
        lead = leads[k] if k < len(leads) else ""
        if style["extra"] == "dash" and lead:
            item = f"{item} {rng.choice(['–', '-', ':', '|'])} {_cut(lead, rng)}"
        elif style["extra"] == "read":
            item += f" {rng.choice(['·', '|', '-'])} {rng.randint(*READ_MINUTES)} min read"
        elif style["extra"] == "comments":
            item += f" ({rng.randint(0, 300)})"
        run.append(item)
        if style["extra"] == "line" and lead:
            run.append(_cut(lead, rng) if rng.random() < 0.7 else lead)
    if rng.random() < 0.5:
        run.insert(0, rng.choice(RUN_HEADERS))
    return run


def name_pool(pages: Sequence[GoldPage]) -> list[tuple[str, str, str]]:
    """(group, language, word) of the words a gold body writes capitalised right after a
    lower-case word and never in lower case: mostly names of people, places and firms."""
    pool = set()
    for p in pages:
        lower = {w for w in _WORDS.findall(p.gold) if w.islower()}
        for m in _NAME_AFTER_WORD.finditer(p.gold):
            word, before = m.group(1), p.gold[m.start() - 2]
            if before.islower() and word[0].isupper() and word[1:].islower() and word.lower() not in lower:
                pool.add((p.domain, p.lang or "", word))
    return sorted(pool)


def _metadata_lines(rng: random.Random, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """Made-up metadata an article carries on lines of its own: a byline, a date stamp or a
    reading time above it; a contributor credit, an editor's note or an author bio below,
    about two people, each named by two of the four `names`."""
    name, other = f"{names[0]} {names[1]}", f"{names[2]} {names[3]}"
    day, month, year = rng.randint(1, 28), rng.choice(META_MONTHS), rng.randint(2018, 2026)
    date = rng.choice(
        [f"{day} {month} {year}", f"{month} {day}, {year}", f"{day:02d}.{rng.randint(1, 12):02d}.{year}"]
    )
    clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    heads = [
        rng.choice(["By ", "BY ", "Von ", "Par ", "Por ", "Written by ", ""]) + name,
        f"By {name} and {other}",
        f"{name}, {rng.choice(META_ROLES)}",
        rng.choice(
            ["Updated ", "Published ", "Published: ", "Last updated: ", "Aktualisiert am ", "Publié le "]
        )
        + rng.choice([date, f"{clock}, {date}", f"{date} {clock}"]),
        date,
        rng.choice(
            [
                f"{rng.randint(*READ_MINUTES)} min read",
                f"Lesezeit: {rng.randint(*READ_MINUTES)} Minuten",
                f"{rng.randint(*READ_MINUTES)} min de lecture",
                f"Reading time: {rng.randint(*READ_MINUTES)} minutes",
            ]
        ),
    ]
    tails = [
        f"{other} contributed to this report.",
        f"Additional reporting by {other}.",
        f"Editor's note: {rng.choice(META_NOTES)}",
        f"{name} is {rng.choice(META_ROLES_LONG)}. {rng.choice(META_BIO_TAILS)}",
        f"About the author: {name} {rng.choice(['covers', 'writes about'])} {rng.choice(META_BEATS)}.",
    ]
    head = rng.sample(heads, rng.randint(0, 3))
    tail = rng.sample(tails, rng.randint(0 if head else 1, 2))
    return head, tail


def teaser_pool(pages: Sequence[GoldPage]) -> list[tuple[str, str, str]]:
    """(group, language, text) of headlines and first sentences other pages can borrow (the
    group: the page's publisher, as its documents are grouped in cross-validation)."""
    pool = []
    for p in pages:
        title = page_title(p)
        if TITLE_MIN <= len(title) <= TITLE_MAX:
            pool.append((p.domain, p.lang or "", title))
        first = next((line.strip() for line in p.gold.split("\n") if len(line.strip()) > LEAD_MIN), "")
        if first:
            pool.append((p.domain, p.lang or "", first_sentence(first)))
    return pool


def junk_pool(docs: Sequence[LabelledDoc], pages: dict[str, GoldPage]) -> list[tuple[str, str, str]]:
    """(group, language, line) of weakly labelled junk lines: real boilerplate to borrow."""
    pool = []
    for d in docs:
        page = pages.get(d.name)
        if page is None:
            continue
        for k, line in enumerate(d.doc.row_texts):
            if d.labels[k] == 1 and JUNK_MIN <= len(line) <= JUNK_MAX and not line.startswith("|"):
                pool.append((d.group, page.lang or "", line))
    return pool


def _pick(
    pool: list[tuple[str, str, str]],
    by_lang: dict[str, list[tuple[str, str, str]]],
    page: GoldPage,
    k: int,
    rng: random.Random,
) -> list[tuple[str, str, str]]:
    """`k` items of other publishers of the page's cross-validation fold (no fold learns text
    that another fold's documents hold), in the page's language when there are any."""
    fold = fold_of(page.domain)

    def mine(t: tuple[str, str, str]) -> bool:
        return t[0] != page.domain and _fold(t[0]) == fold

    candidates = [t for t in by_lang.get(page.lang or "", []) if mine(t)] or [t for t in pool if mine(t)]
    return rng.sample(candidates, min(len(candidates), k))


def text_documents(
    pages: Sequence[GoldPage],
    teasers: list[tuple[str, str, str]],
    junk: list[tuple[str, str, str]],
    seed: int = 0,
) -> list[LabelledDoc]:
    """Per gold page, as plain text: its body alone (nothing to remove); the body with a run
    of other sites' teasers appended in one of several shapes (the seed's case); and the
    body with a few of other sites' real boilerplate lines at the end or inside."""
    rng = random.Random(seed)
    names = name_pool(pages)
    by_lang = [_by_language(pool) for pool in (teasers, junk, names)]
    docs = []
    for p in pages:
        body = [line for line in p.gold.split("\n") if line.strip()]
        if len(body) < MIN_BODY_LINES:
            continue
        group = p.domain
        weight = SOURCE_WEIGHTS[SYNTHETIC]
        name = f"{p.dataset}/{p.id}"
        docs.append(_text_doc(body, [], group, f"{name}{CLEAN_SUFFIX}", weight))
        size = (
            rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 10, 12])
            if rng.random() < 0.5
            else rng.randint(RUN_MIN, RUN_MAX)
        )
        picks = _pick(teasers, by_lang[0], p, 2 * size, rng)
        run = _teaser_run([t[2] for t in picks[:size]], [t[2] for t in picks[size:]], rng)
        if picks:  # none when the fold has no other publisher: no document, rather than a hollow one
            docs.append(
                _text_doc(body, run, group, f"{name}{TEASERS_SUFFIX}", weight, borrowed=_groups(picks))
            )
        if junk:
            lent = _pick(junk, by_lang[1], p, rng.randint(1, 3), rng)
            lines = [t[2] for t in lent]
            inside = lines[:1] if rng.random() < 0.3 and len(lines) > 1 else []
            if lent:
                docs.append(
                    _text_doc(
                        body,
                        lines[len(inside) :],
                        group,
                        f"{name}#junk",
                        weight,
                        inside=inside,
                        rng=rng,
                        borrowed=_groups(lent),
                    )
                )
        if rng.random() < META_SHARE and len(picks := _pick(names, by_lang[2], p, 4, rng)) == 4:
            head, tail = _metadata_lines(rng, [t[2] for t in picks])
            docs.append(
                _text_doc(body, tail, group, f"{name}#meta", weight, before=head, borrowed=_groups(picks))
            )
    return docs


@functools.cache
def _fold(group: str) -> int:
    """`fold_of`, kept: pools hold tens of thousands of items of a few thousand publishers."""
    return fold_of(group)


def _by_language(pool: list[tuple[str, str, str]]) -> dict[str, list[tuple[str, str, str]]]:
    grouped: dict[str, list[tuple[str, str, str]]] = {}
    for item in pool:
        grouped.setdefault(item[1], []).append(item)
    return grouped


def _groups(picks: Sequence[tuple[str, str, str]]) -> frozenset[str]:
    """The publishers whose text a synthetic document borrowed (kept out of the folds that test them)."""
    return frozenset(t[0] for t in picks)


def _text_doc(
    body: list[str],
    junk: list[str],
    group: str,
    name: str,
    weight: float,
    inside: Sequence[str] = (),
    rng: random.Random | None = None,
    before: Sequence[str] = (),
    borrowed: frozenset[str] = frozenset(),
) -> LabelledDoc:
    # a byline, a stamp or a credit the gold body kept is left out: made-up ones are junk
    lines = [(line, 1) for line in before] + [
        (line, IGNORE if reads_as_metadata(line) else 0) for line in body
    ]
    for line in inside:
        at = (rng or random.Random(0)).randint(len(before) + 1, len(lines) - 1)
        lines.insert(at, (line, 1))
    lines += [(line, 1) for line in junk]
    doc = Document.from_text("\n".join(line for line, _ in lines))
    labels = np.array([label for _, label in lines], dtype=np.int8)
    return LabelledDoc(
        doc=doc, labels=labels, source=SYNTHETIC, group=group, name=name, weight=weight, borrowed=borrowed
    )
