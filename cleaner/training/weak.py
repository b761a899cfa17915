"""Weak labels from gold datasets, and synthetic plain-text documents with teaser runs.

Rule (documented in the README, measured by `scripts/label_noise.py`): each line that
`clean_html` would see is aligned with the page's gold text by word trigrams. A line at
least BODY_COVER covered is body; a line less covered is junk when it is junk by the
evaluation's word test too (fewer than half of its words in the gold), else it is left
out of training (the gold paraphrased it), and so are lines without a word. Lines left
out on purpose, because the gold sets disagree about them rather than because they are
junk: headings in the title area (first two lines), and lines that L3S/GoogleTrends label
headline, title, subtitle or supplemental. Bylines, dates and captions are junk: every gold
set leaves them out. A line partly covered but listed among the page's `without` snippets
(related content, comments) is junk.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from ..document import Document
from ..page import TAG_BIT
from .corpus import LabelledDoc
from .datasets import (
    LEAD_MIN,
    MIN_BODY_LINES,
    TITLE_MAX,
    TITLE_MIN,
    GoldPage,
    blocks_by_label,
    first_sentence,
    page_title,
)
from .evaluate import BODY_COVER, Aligner, WordJudge, tokens

#: the source name of the documents built here (plain text with junk appended)
SYNTHETIC = "synthetic"
#: name endings of the plain-text documents the text threshold is chosen on (thresholds.py):
#: a gold body alone, and with a teaser run appended
CLEAN_SUFFIX = "#clean"
TEASERS_SUFFIX = "#teasers"
#: how much each line of a source counts in training: the modern news set most, generic
#: 2007 web pages least (their gold keeps lists and forum posts a news reader would not)
SOURCE_WEIGHTS = {
    "wcxb-dev": 3.0,
    "fundus-dev": 3.0,
    "l3s-gn1": 1.0,
    "dragnet": 1.0,
    "google-trends-2017": 1.0,
    "cleaneval": 0.5,
    SYNTHETIC: 2.0,
}
#: labels of blocks the gold sets disagree about; bylines and dates are junk (readers of
#: clean text do without them), the headline and standfirst are not for a line filter to judge
IGNORED_BLOCK_LABELS = {"headline", "title", "subtitle", "supplemental"}
#: pages that are not articles teach the filter to do no harm there, at a lower weight
OTHER_PAGE_TYPE_WEIGHT = 1.0
TITLE_AREA = 2
IGNORE = -1

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
META_FIRST = ("Anna", "Tom", "Priya", "Lukas", "Chen", "Sofia", "James", "Amara", "Pierre", "Elena")
META_LAST = ("Novak", "Okafor", "Schmidt", "Martin", "Rossi", "Haddad", "Kim", "Walsh", "Duarte")
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


def label_page(page: GoldPage, doc: Document) -> LabelledDoc:
    """Weak labels (1 junk, 0 body, -1 left out) for the lines of an extracted page."""
    aligner = Aligner(page.gold)
    judge = WordJudge(page.gold)
    blocks = blocks_by_label(page)
    without = {" ".join(w.split()) for w in page.without}
    rows = doc.rows
    labels = np.full(len(rows), IGNORE, dtype=np.int8)
    for k, i in enumerate(rows):
        line = doc.lines[i]
        norm = " ".join(line.split()).removeprefix("- ")
        if not tokens(line):
            continue  # no words (table borders, symbols): nothing to learn either way
        cover = aligner.cover(line)
        if cover >= BODY_COVER:
            labels[k] = 0
        elif norm in without:
            labels[k] = 1
        elif judge.is_junk(line):
            # junk by the evaluation's own word test: a paraphrased gold line is not junk
            title_area = (
                k < TITLE_AREA and doc.page is not None and bool(doc.page.tags[i] & TAG_BIT["heading"])
            )
            labels[k] = IGNORE if title_area or blocks.get(norm) in IGNORED_BLOCK_LABELS else 1
    return LabelledDoc(
        doc=doc,
        labels=labels,
        source=page.dataset,
        group=f"{page.dataset}:{page.site}",
        name=f"{page.dataset}/{page.id}",
        weight=SOURCE_WEIGHTS.get(page.dataset, 1.0) if page.is_article else OTHER_PAGE_TYPE_WEIGHT,
    )


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


def _metadata_lines(rng: random.Random) -> tuple[list[str], list[str]]:
    """Made-up metadata an article carries on lines of its own: a byline, a date stamp or a
    reading time above it; a contributor credit, an editor's note or an author bio below."""
    name = f"{rng.choice(META_FIRST)} {rng.choice(META_LAST)}"
    other = f"{rng.choice(META_FIRST)} {rng.choice(META_LAST)}"
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
    """(site, language, text) of headlines and first sentences other pages can borrow."""
    pool = []
    for p in pages:
        title = page_title(p)
        if TITLE_MIN <= len(title) <= TITLE_MAX:
            pool.append((p.site, p.lang or "", title))
        first = next((line.strip() for line in p.gold.split("\n") if len(line.strip()) > LEAD_MIN), "")
        if first:
            pool.append((p.site, p.lang or "", first_sentence(first)))
    return pool


def junk_pool(docs: Sequence[LabelledDoc], pages: dict[str, GoldPage]) -> list[tuple[str, str, str]]:
    """(site, language, line) of weakly labelled junk lines: real boilerplate to borrow."""
    pool = []
    for d in docs:
        page = pages.get(d.name)
        if page is None:
            continue
        for k, line in enumerate(d.doc.row_texts):
            if d.labels[k] == 1 and JUNK_MIN <= len(line) <= JUNK_MAX and not line.startswith("|"):
                pool.append((page.site, page.lang or "", line))
    return pool


def _pick(
    pool: list[tuple[str, str, str]],
    by_lang: dict[str, list[tuple[str, str, str]]],
    page: GoldPage,
    k: int,
    rng: random.Random,
) -> list[str]:
    candidates = [t for t in by_lang.get(page.lang or "", pool) if t[0] != page.site] or pool
    return [t[2] for t in rng.sample(candidates, min(len(candidates), k))]


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
    teasers_by_lang: dict[str, list[tuple[str, str, str]]] = {}
    for item in teasers:
        teasers_by_lang.setdefault(item[1], []).append(item)
    junk_by_lang: dict[str, list[tuple[str, str, str]]] = {}
    for item in junk:
        junk_by_lang.setdefault(item[1], []).append(item)
    docs = []
    for p in pages:
        body = [line for line in p.gold.split("\n") if line.strip()]
        if len(body) < MIN_BODY_LINES:
            continue
        group = f"{p.dataset}:{p.site}"
        weight = SOURCE_WEIGHTS[SYNTHETIC]
        name = f"{p.dataset}/{p.id}"
        docs.append(_text_doc(body, [], group, f"{name}{CLEAN_SUFFIX}", weight))
        size = (
            rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 10, 12])
            if rng.random() < 0.5
            else rng.randint(RUN_MIN, RUN_MAX)
        )
        picks = _pick(teasers, teasers_by_lang, p, 2 * size, rng)
        run = _teaser_run(picks[:size], picks[size:], rng)
        docs.append(_text_doc(body, run, group, f"{name}{TEASERS_SUFFIX}", weight))
        if junk:
            lines = _pick(junk, junk_by_lang, p, rng.randint(1, 3), rng)
            inside = lines[:1] if rng.random() < 0.3 and len(lines) > 1 else []
            docs.append(
                _text_doc(body, lines[len(inside) :], group, f"{name}#junk", weight, inside=inside, rng=rng)
            )
        if rng.random() < META_SHARE:
            head, tail = _metadata_lines(rng)
            docs.append(_text_doc(body, tail, group, f"{name}#meta", weight, before=head))
    return docs


def _text_doc(
    body: list[str],
    junk: list[str],
    group: str,
    name: str,
    weight: float,
    inside: Sequence[str] = (),
    rng: random.Random | None = None,
    before: Sequence[str] = (),
) -> LabelledDoc:
    lines = [(line, 1) for line in before] + [(line, 0) for line in body]
    for line in inside:
        at = (rng or random.Random(0)).randint(len(before) + 1, len(lines) - 1)
        lines.insert(at, (line, 1))
    lines += [(line, 1) for line in junk]
    doc = Document.from_text("\n".join(line for line, _ in lines))
    labels = np.array([label for _, label in lines], dtype=np.int8)
    return LabelledDoc(doc=doc, labels=labels, source=SYNTHETIC, group=group, name=name, weight=weight)
