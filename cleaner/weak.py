"""Weak labels from gold datasets, and synthetic plain-text documents with teaser runs.

Rule (documented in the README, measured by `scripts/label_noise.py`): each line that
`clean_html` would see is aligned with the page's gold text by word trigrams. A line at
least BODY_COVER covered is body; at most JUNK_COVER covered is junk; anything between is
left out of training, and so are lines without a word. Lines left out on purpose, because the gold sets disagree about
them rather than because they are junk: headings in the title area (first two lines),
and lines that L3S/GoogleTrends label headline, caption, author or date. A line
partly covered but listed among the page's `without` snippets (related content,
comments) is junk.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

import numpy as np

from .corpus import LabelledDoc
from .datasets import GoldPage, blocks_by_label, page_title
from .document import Document
from .evaluate import BODY_COVER, JUNK_COVER, Aligner, tokens
from .features import content_indices

#: how much each line of a source counts in training: the modern news set most, generic
#: 2007 web pages least (their gold keeps lists and forum posts a news reader would not)
SOURCE_WEIGHTS = {
    "fundus-dev": 3.0,
    "l3s-gn1": 1.0,
    "dragnet": 1.0,
    "google-trends-2017": 1.0,
    "cleaneval": 0.5,
    "synthetic": 2.0,
}
IGNORED_BLOCK_LABELS = {"headline", "title", "subtitle", "author", "date", "caption", "supplemental"}
TITLE_AREA = 2
IGNORE = -1

#: section headers sites put before a teaser run, in the languages of most news traffic
RUN_HEADERS = (
    "Related",
    "Related articles",
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
TEASER_MIN, TEASER_MAX = 45, 140
RUN_MIN, RUN_MAX = 2, 7
#: lengths of the real boilerplate lines borrowed into synthetic documents
JUNK_MIN, JUNK_MAX = 3, 200


def label_page(page: GoldPage, doc: Document) -> LabelledDoc:
    """Weak labels (1 junk, 0 body, -1 left out) for the lines of an extracted page."""
    aligner = Aligner(page.gold)
    blocks = blocks_by_label(page)
    without = {" ".join(w.split()) for w in page.without}
    rows = content_indices(doc)
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
        elif cover <= JUNK_COVER:
            title_area = k < TITLE_AREA and bool(doc.is_heading[i])
            labels[k] = IGNORE if title_area or blocks.get(norm) in IGNORED_BLOCK_LABELS else 1
    return LabelledDoc(
        doc=doc,
        labels=labels,
        source=page.dataset,
        group=f"{page.dataset}:{page.site}",
        name=f"{page.dataset}/{page.id}",
        weight=SOURCE_WEIGHTS.get(page.dataset, 1.0),
    )


def _cut(text: str, rng: random.Random) -> str:
    """A teaser cut off at a word boundary, ending the ways sites end them."""
    limit = rng.randint(TEASER_MIN, TEASER_MAX)
    if len(text) <= limit:
        return text.rstrip(".") + rng.choice(["…", "...", "…"])
    cut = text[:limit].rsplit(" ", 1)[0].rstrip()
    return cut + rng.choice(["…", "...", "…", " …", " ..."])


def teaser_pool(pages: Sequence[GoldPage]) -> list[tuple[str, str, str]]:
    """(site, language, text) of headlines and first sentences other pages can borrow."""
    pool = []
    for p in pages:
        title = page_title(p)
        if 15 <= len(title) <= 160:
            pool.append((p.site, p.lang or "", title))
        first = next((line.strip() for line in p.gold.split("\n") if len(line.strip()) > 60), "")
        if first:
            pool.append((p.site, p.lang or "", re.split(r"(?<=[.!?])\s", first)[0]))
    return pool


def junk_pool(docs: Sequence[LabelledDoc], pages: dict[str, GoldPage]) -> list[tuple[str, str, str]]:
    """(site, language, line) of weakly labelled junk lines: real boilerplate to borrow."""
    pool = []
    for d in docs:
        page = pages.get(d.name)
        if page is None:
            continue
        for k, i in enumerate(content_indices(d.doc)):
            line = d.doc.lines[i].strip()
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
        if len(body) < 2:
            continue
        group = f"{p.dataset}:{p.site}"
        weight = SOURCE_WEIGHTS["synthetic"]
        name = f"{p.dataset}/{p.id}"
        docs.append(_text_doc(body, [], group, f"{name}#clean", weight))
        picks = _pick(teasers, teasers_by_lang, p, rng.randint(RUN_MIN, RUN_MAX), rng)
        shape = rng.choice(["ellipsis", "ellipsis", "headline", "mixed"])
        if shape == "ellipsis":
            run = [_cut(t, rng) for t in picks]
        elif shape == "headline":
            run = [t.rstrip(".") for t in picks]
        else:
            run = [_cut(t, rng) if rng.random() < 0.5 else t.rstrip(".") for t in picks]
        if rng.random() < 0.4:
            run.insert(0, rng.choice(RUN_HEADERS))
        docs.append(_text_doc(body, run, group, f"{name}#teasers", weight))
        if junk:
            lines = _pick(junk, junk_by_lang, p, rng.randint(1, 3), rng)
            inside = lines[:1] if rng.random() < 0.3 and len(lines) > 1 else []
            docs.append(
                _text_doc(body, lines[len(inside) :], group, f"{name}#junk", weight, inside=inside, rng=rng)
            )
    return docs


def _text_doc(
    body: list[str],
    junk: list[str],
    group: str,
    name: str,
    weight: float,
    inside: Sequence[str] = (),
    rng: random.Random | None = None,
) -> LabelledDoc:
    lines = [(line, 0) for line in body]
    for line in inside:
        at = (rng or random.Random(0)).randint(1, len(lines) - 1)
        lines.insert(at, (line, 1))
    lines += [(line, 1) for line in junk]
    doc = Document.from_text("\n".join(line for line, _ in lines))
    labels = np.array([label for _, label in lines], dtype=np.int8)
    return LabelledDoc(doc=doc, labels=labels, source="synthetic", group=group, name=name, weight=weight)
