"""How well the trees rank junk lines out of fold, per training source, with groups of
features left out: which evidence carries the ranking.

    python scripts/ablate.py --data ../shared/data                  # all groups, ~20 min
    python scripts/ablate.py --data ../shared/data --without lexical html

Builds the training corpus as `cleaner train` does (seeds + weak labels + synthetic
documents, lexical scores out of fold), then fits the page trees on site-grouped folds
(`training.fit.out_of_fold`) once with every feature and once per group with that group's
columns set to 0, and prints each source's average precision of the junk scores (a ranking
figure: no threshold or decision rule in it). Training side only: nothing held out is read.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score

from cleaner.features import FEATURE_NAMES
from cleaner.training.corpus import LabelledDoc, collect
from cleaner.training.datasets import default_data_dir
from cleaner.training.fit import CV_FOLDS, out_of_fold
from cleaner.training.stacking import stack

#: the lexical model's scores, of the line and of its section, block, tail and neighbours
_LEXICAL = {n for n in FEATURE_NAMES if "lexical" in n}
#: where the line sat in the page's HTML (plain text has none of these)
_HTML = {n for n in FEATURE_NAMES if n.startswith(("in_", "prev_in_", "next_in_")) and n != "in_tail_run"} | {
    "is_html",
    "link_share",
    "block_links",
    "outside_main",
    "doc_link_share",
    "doc_list_share",
    "doc_heading_share",
    "doc_table_share",
    "doc_outside_share",
    "prev_link_share",
    "next_link_share",
    "prev_outside_main",
    "next_outside_main",
}
#: the run of like lines at the document's end, and its shape
_RUNS = {"in_tail_run", "heads_tail_run", "log_tail_run", "shape_run", "log_block_run", "teaser_shaped"}
#: where the line sits: its distance from the end, and rows before or after the article's text
_POSITION = {"log_from_end", "rel_position", "after_text", "before_text"}
#: what the line's words say besides the lexical model: junk words, the article's vocabulary
_WORDS = {n for n in FEATURE_NAMES if n.endswith(("junk_words", "vocab_overlap", "vocab_overlap_article"))}
_WORDS |= {"label_prefix"}
#: the lines before and after
_NEIGHBOURS = {n for n in FEATURE_NAMES if n.startswith(("prev_", "next_"))}

#: the groups a run can leave out, by name
GROUPS: dict[str, set[str]] = {
    "lexical": _LEXICAL,
    "html": _HTML,
    "runs": _RUNS,
    "position": _POSITION,
    "words": _WORDS,
    "neighbours": _NEIGHBOURS,
    "metadata": {n for n in FEATURE_NAMES if "meta_" in n},
}
assert set(FEATURE_NAMES) >= set().union(*GROUPS.values()), "a group names a feature that is gone"


def average_precision(docs: Sequence[LabelledDoc], probs: Sequence[np.ndarray]) -> dict[str, float]:
    """Each source's average precision of the junk scores over its labelled lines."""
    out = {}
    for source in sorted({d.source for d in docs}):
        pairs = [
            (d.labels[d.labels >= 0], p[d.labels >= 0])
            for d, p in zip(docs, probs, strict=True)
            if d.source == source
        ]
        labels = np.concatenate([y for y, _ in pairs])
        out[source] = float(average_precision_score(labels, np.concatenate([p for _, p in pairs])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=default_data_dir(), help="default: $CLEANER_DATA or ../shared/data"
    )
    parser.add_argument("--seeds", type=Path, default=Path("seeds"), help="the project's seeds folder")
    parser.add_argument("--without", nargs="*", choices=sorted(GROUPS), default=sorted(GROUPS))
    args = parser.parse_args()
    corpus = collect(args.seeds, [args.data])
    stack(corpus.docs, CV_FOLDS)
    full = [d.features for d in corpus.docs]
    rows = []
    for group in ["nothing", *args.without]:
        columns = [i for i, n in enumerate(FEATURE_NAMES) if n in GROUPS.get(group, set())]
        for d, f in zip(corpus.docs, full, strict=True):
            d.features_ = f.copy()
            d.features_[:, columns] = 0.0
        start = time.perf_counter()
        rows.append((group, len(columns), average_precision(corpus.docs, out_of_fold(corpus.docs))))
        print(f"left out: {group} ({len(columns)} columns), {time.perf_counter() - start:.0f} s", flush=True)
    sources = list(rows[0][2])
    print("| left out | columns | " + " | ".join(sources) + " |")
    print("|---|---|" + "---|" * len(sources))
    for group, n, ap in rows:
        print(f"| {group} | {n} | " + " | ".join(f"{ap[s]:.3f}" for s in sources) + " |")


if __name__ == "__main__":
    main()
