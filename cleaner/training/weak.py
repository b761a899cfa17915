"""Weak labels of real pages from their gold text.

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

import numpy as np

from ..document import Document
from ..page import TAG_BIT
from .corpus import LabelledDoc
from .datasets import GoldPage, blocks_by_label
from .evaluate import BODY_COVER, Aligner, WordJudge, tokens

#: the source name of synthetic documents (synthetic.py: plain text with junk appended)
SYNTHETIC = "synthetic"
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
        group=page.domain,
        name=f"{page.dataset}/{page.id}",
        weight=SOURCE_WEIGHTS.get(page.dataset, 1.0) if page.is_article else OTHER_PAGE_TYPE_WEIGHT,
    )
