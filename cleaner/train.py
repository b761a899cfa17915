"""Fit the junk-line classifier with scikit-learn, choose its thresholds on out-of-fold
predictions, and write it (plain arrays) plus its model card."""

from __future__ import annotations

import platform
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

from .config import Settings
from .corpus import LabelledDoc, digest, read_seeds
from .datasets import HELD_OUT_MODULUS, GoldPage, extract_all, iter_pages
from .evaluate import prf, shingle_counts
from .features import FEATURE_NAMES, FEATURE_VERSION, content_indices
from .filter import removals
from .lexical import LEXICAL_FILE, N_BUCKETS
from .model import CARD_FILE, MODEL_FILE, Model, dumps, export_trees, file_digest
from .stacking import LexicalParams, stack

RANDOM_STATE = 0
CV_FOLDS = 5
#: licences of the training sources, as the model card reports them
LICENCES = {
    "seeds": "the project's own documents (same licence as cleaner)",
    "synthetic": "built at training time from the gold texts of the datasets below",
    "fundus-dev": "fundus repository MIT; pages are their publishers' copyright (research/evaluation use)",
    "l3s-gn1": "L3S research-use-only licence",
    "dragnet": "AGPL-3.0",
    "google-trends-2017": "none stated (research use)",
    "cleaneval": "none stated (research use)",
}
#: candidate thresholds searched on out-of-fold predictions; the penalties below keep the
#: choice conservative: removing a real line is far worse than keeping junk
TRAILING_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
INNER_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
CUE_GRID = (0.2, 0.35, 0.5, 0.7, 0.9)
TEXT_GRID = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
#: how much each dataset's F1 gain and penalties count when choosing thresholds: modern pages
#: most, 2007-2017 sets whose gold conventions differ least
CHOICE_WEIGHTS = {
    "wcxb-dev": 2.0,
    "wcxb-dev/other types": 1.0,
    "fundus-dev": 2.0,
    "l3s-gn1": 1.0,
    "dragnet": 0.25,
    "google-trends-2017": 0.25,
    "cleaneval": 0.1,
}
#: the most recall a dataset may lose, and the plain-text targets, when choosing thresholds
MAX_RECALL_LOSS = 0.003
MAX_BODY_CHAR_LOSS = 0.0005
RECALL_PENALTY = 3.0
#: the most body characters (by the weak labels) a dataset's pages may lose, and the cost of more
MAX_HTML_BODY_CHAR_LOSS = 0.001
BODY_LOSS_PENALTY = 10.0


@dataclass
class TrainParams:
    """Hyper-parameters of the gradient-boosted trees (fixed random_state: deterministic)."""

    max_iter: int = 200
    learning_rate: float = 0.08
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 20
    l2_regularization: float = 1.0
    random_state: int = RANDOM_STATE
    extra: dict[str, Any] = field(default_factory=dict)

    def estimator(self) -> Any:
        """A fresh, unfitted HistGradientBoostingClassifier with these parameters."""
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=self.random_state,
            **self.extra,
        )


@dataclass
class Corpus:
    """Training documents, plus the gold page behind each document that has one."""

    docs: list[LabelledDoc]
    pages: dict[str, GoldPage] = field(default_factory=dict)


def collect(seeds_dir: Path, data_roots: Sequence[Path] = (), exclude: Sequence[str] = ()) -> Corpus:
    """Seeds, plus weak labels and synthetic text documents from the datasets' training side."""
    from .weak import junk_pool, label_page, teaser_pool, text_documents

    docs = read_seeds(seeds_dir, exclude=exclude)
    pages = [p for p in iter_pages(list(data_roots)) if not p.held_out] if data_roots else []
    corpus = Corpus(docs=docs)
    if pages:
        for page, doc in zip(pages, extract_all(pages), strict=True):
            labelled = label_page(page, doc)
            corpus.docs.append(labelled)
            corpus.pages[labelled.name] = page
        junk = junk_pool(corpus.docs, corpus.pages)
        # synthetic documents are article bodies with junk appended: built from articles only
        articles = [p for p in pages if p.page_type in (None, "article")]
        corpus.docs.extend(text_documents(articles, teaser_pool(articles), junk))
    return corpus


def matrices(docs: Sequence[LabelledDoc]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack features, labels and sample weights of many documents (left-out lines dropped)."""
    xs, ys, ws = [], [], []
    for d in docs:
        keep = d.labels >= 0
        xs.append(d.features[keep])
        ys.append(d.labels[keep])
        ws.append(np.full(int(keep.sum()), d.weight))
    if not xs:
        return np.zeros((0, len(FEATURE_NAMES))), np.zeros(0), np.zeros(0)
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)


def fit(docs: Sequence[LabelledDoc], params: TrainParams | None = None) -> Any:
    """Fit the classifier on labelled documents; returns the scikit-learn estimator."""
    params = params or TrainParams()
    x, y, w = matrices(docs)
    return params.estimator().fit(x, y, sample_weight=w)


def out_of_fold(
    docs: Sequence[LabelledDoc], params: TrainParams | None = None, folds: int = CV_FOLDS
) -> list[np.ndarray]:
    """Junk probabilities of every document from a model that never saw its site (grouped k-fold)."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([d.group for d in docs])
    folds = min(folds, len(set(groups)))
    probs: list[np.ndarray] = [np.zeros(0)] * len(docs)
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(np.zeros(len(docs)), groups=groups):
        model = Model.from_params(export_trees(fit([docs[i] for i in train_idx], params), FEATURE_NAMES))
        for i in test_idx:
            probs[i] = model.predict_proba(docs[i].features)
    return probs


def _chars(doc: LabelledDoc) -> np.ndarray:
    return np.array([len(doc.doc.lines[i].strip()) for i in content_indices(doc.doc)], dtype=float)


def removal_scores(
    docs: Sequence[LabelledDoc], probs: Sequence[np.ndarray], rule: Settings
) -> dict[str, Any]:
    """Line-level precision/recall of the removal decisions (the filter's rule, not a bare threshold)."""
    tp = fp = fn = 0
    for d, p in zip(docs, probs, strict=True):
        removed = removals(d.doc, d.features, p, rule)
        tp += int((removed & (d.labels == 1)).sum())
        fp += int((removed & (d.labels == 0)).sum())
        fn += int((~removed & (d.labels == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "junk_lines": tp + fn,
        "removed_body_lines": fp,
    }


def _text_case(
    docs: Sequence[LabelledDoc], probs: Sequence[np.ndarray], rule: Settings
) -> tuple[float, float]:
    """Plain-text teaser runs: share of teaser lines removed, share of body characters lost."""
    removed_junk = junk = lost = body = 0.0
    for d, p in zip(docs, probs, strict=True):
        chars = _chars(d)
        removed = removals(d.doc, d.features, p, rule)
        junk += (d.labels == 1).sum()
        removed_junk += (removed & (d.labels == 1)).sum()
        body += chars[d.labels == 0].sum()
        lost += chars[removed & (d.labels == 0)].sum()
    return float(removed_junk / max(junk, 1)), float(lost / max(body, 1))


class _PageCounts:
    """Shingle counts of each page with some rows removed, each removal set counted once."""

    def __init__(self, paged: Sequence[tuple[LabelledDoc, np.ndarray, GoldPage]]):
        self.paged = paged
        self.base = [np.asarray(shingle_counts(d.doc.text, page.gold)) for d, _, page in paged]
        self.memo: dict[tuple[int, bytes], np.ndarray] = {}

    def __call__(self, j: int, removed: np.ndarray) -> np.ndarray:
        if not removed.any():
            return self.base[j]
        key = (j, np.packbits(removed).tobytes())
        if key not in self.memo:
            d, _, page = self.paged[j]
            rows = set(d.doc.rows[removed].tolist())
            text = "\n".join(line for i, line in enumerate(d.doc.lines) if i not in rows)
            self.memo[key] = np.asarray(shingle_counts(text, page.gold))
        return self.memo[key]


def _choice_group(page: GoldPage) -> str:
    """Articles and pages of other types are judged apart: the filter must do no harm on both."""
    if page.page_type in (None, "article"):
        return page.dataset
    return f"{page.dataset}/other types"


def _score_rule(
    paged: Sequence[tuple[LabelledDoc, np.ndarray, GoldPage]],
    trailing: float,
    inner: float,
    cue: float,
    counts: _PageCounts,
) -> dict[str, Any]:
    """Weighted F1 gain of one rule over plain extraction, less penalties for lost recall and
    for body characters (by the weak labels) removed beyond the caps, per dataset."""
    rule = Settings(threshold=trailing, inner_threshold=inner, cue_threshold=cue).resolve()
    sums: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(5))
    for j, (d, p, page) in enumerate(paged):
        removed = removals(d.doc, d.features, p, rule)
        chars = _chars(d)
        body = d.labels == 0
        group = _choice_group(page)
        sums[group] += np.r_[counts(j, removed), chars[body & removed].sum(), chars[body].sum()]
    gain = penalty = 0.0
    per_dataset = {}
    for ds, total in sorted(sums.items()):
        base = np.sum(
            [counts.base[j] for j, (_, _, page) in enumerate(paged) if _choice_group(page) == ds], axis=0
        )
        _, r0, f0 = prf(*base)
        _, r1, f1 = prf(*total[:3])
        loss = total[3] / max(total[4], 1.0)
        weight = CHOICE_WEIGHTS.get(ds, 1.0)
        gain += weight * (f1 - f0)
        penalty += weight * RECALL_PENALTY * max(0.0, r0 - r1 - MAX_RECALL_LOSS)
        penalty += weight * BODY_LOSS_PENALTY * max(0.0, loss - MAX_HTML_BODY_CHAR_LOSS)
        per_dataset[ds] = {
            "f1_trafilatura": round(f0, 4),
            "f1_cleaner": round(f1, 4),
            "recall_change": round(r1 - r0, 4),
            "body_char_loss": round(loss, 5),
        }
    return {
        "threshold": trailing,
        "inner_threshold": inner,
        "cue_threshold": cue,
        "score": round(gain - penalty, 5),
        "weighted_f1_gain": round(gain, 5),
        "datasets": per_dataset,
    }


def choose_thresholds(corpus: Corpus, probs: Sequence[np.ndarray]) -> dict[str, Any]:
    """Pick the thresholds on out-of-fold predictions of the training side.

    HTML (trailing, inner, cue): the weighted F1 gain over plain extraction minus a penalty
    for recall lost beyond MAX_RECALL_LOSS on any dataset; ties go to the more conservative.
    Plain text (trailing): the one removing most appended teaser lines while losing at most
    MAX_BODY_CHAR_LOSS of body characters (the goal it is judged by: 98 % removed).
    """
    paged = [
        (d, p, corpus.pages[d.name])
        for d, p in zip(corpus.docs, probs, strict=True)
        if d.name in corpus.pages
    ]
    # the plain-text targets are about teaser runs (and bodies with nothing appended)
    texts = [
        (d, p) for d, p in zip(corpus.docs, probs, strict=True) if d.name.endswith(("#teasers", "#clean"))
    ]
    tried = [
        _score_rule(paged, trailing, inner, cue, cache)
        for cache in [_PageCounts(paged)]
        for trailing, inner, cue in product(TRAILING_GRID, INNER_GRID, CUE_GRID)
        if trailing <= inner and cue <= inner
    ]
    best: dict[str, Any] = dict(
        max(tried, key=lambda r: (r["score"], r["threshold"], r["inner_threshold"], r["cue_threshold"]))
    )
    text_rows: list[dict[str, Any]] = []
    for text_threshold in TEXT_GRID:
        rule = Settings(
            threshold=best["threshold"],
            text_threshold=text_threshold,
            inner_threshold=best["inner_threshold"],
            cue_threshold=best["cue_threshold"],
        ).resolve()
        removal, loss = (
            _text_case([d for d, _ in texts], [p for _, p in texts], rule) if texts else (1.0, 0.0)
        )
        text_rows.append(
            {
                "text_threshold": text_threshold,
                "text_teaser_removal": round(removal, 4),
                "text_body_char_loss": round(loss, 5),
                "meets_body_loss_cap": loss <= MAX_BODY_CHAR_LOSS,
            }
        )
    # body loss is a cap, not a trade: most teasers removed among the thresholds within it
    capped = [r for r in text_rows if r["meets_body_loss_cap"]] or [
        max(text_rows, key=lambda r: r["text_threshold"])
    ]
    best.update(max(capped, key=lambda r: (r["text_teaser_removal"], r["text_threshold"])))
    best["text_grid"] = text_rows
    return best


def train(
    corpus: Corpus | Sequence[LabelledDoc],
    out_dir: Path,
    params: TrainParams | None = None,
    with_cv: bool = True,
) -> dict[str, Any]:
    """Fit on all documents, choose thresholds out of fold, write model + card; return the card."""
    import sklearn

    if not isinstance(corpus, Corpus):
        corpus = Corpus(docs=list(corpus))
    docs = corpus.docs
    params = params or TrainParams()
    lexical_params = LexicalParams()
    lexical = stack(docs, CV_FOLDS, lexical_params)
    choice: dict[str, Any] | None = None
    cv: dict[str, Any] | None = None
    thresholds: dict[str, float] = {}
    if with_cv:
        probs = out_of_fold(docs, params)
        if corpus.pages:
            choice = choose_thresholds(corpus, probs)
            thresholds = {
                k: choice[k] for k in ("threshold", "text_threshold", "inner_threshold", "cue_threshold")
            }
        rule = Settings().resolve(thresholds)
        cv = {
            "folds": CV_FOLDS,
            "grouped_by": "site (a seed: its document)",
            **removal_scores(docs, probs, rule),
        }
        cv["by_source"] = {
            src: removal_scores(
                [d for d in docs if d.source == src],
                [p for d, p in zip(docs, probs, strict=True) if d.source == src],
                rule,
            )
            for src in sorted({d.source for d in docs})
        }
    estimator = fit(docs, params)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / MODEL_FILE
    model_path.write_text(dumps(export_trees(estimator, FEATURE_NAMES, thresholds)), encoding="utf-8")
    lexical_path = out_dir / LEXICAL_FILE
    lexical.save(lexical_path)
    per_source: dict[str, Counter[str]] = {}
    for d in docs:
        c = per_source.setdefault(d.source, Counter())
        c["documents"] += 1
        c["lines"] += int((d.labels >= 0).sum())
        c["junk_lines"] += int((d.labels == 1).sum())
    card = {
        "model": MODEL_FILE,
        "model_sha256": file_digest(model_path),
        "estimator": "sklearn.ensemble.HistGradientBoostingClassifier",
        "estimator_params": {k: v for k, v in vars(params).items() if k != "extra"} | params.extra,
        "lexical": LEXICAL_FILE,
        "lexical_sha256": file_digest(lexical_path),
        "lexical_estimator": "sklearn.linear_model.SGDClassifier (log loss), exported as float32 weights",
        "lexical_params": vars(lexical_params) | {"buckets": N_BUCKETS},
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "feature_version": FEATURE_VERSION,
        "features": list(FEATURE_NAMES),
        "training_data": {
            "digest": digest(docs),
            "held_out": f"per dataset, sites with sha1(dataset:site) % {HELD_OUT_MODULUS} == 0 are never trained on",
            "sources": [
                {"name": name, **dict(c), "licence": LICENCES.get(name, "unknown")}
                for name, c in sorted(per_source.items())
            ],
        },
        "decision_rule": vars(Settings().resolve(thresholds)),
        "threshold_choice": choice,
        "cross_validation": cv,
    }
    (out_dir / CARD_FILE).write_text(dumps(card), encoding="utf-8")
    return card
