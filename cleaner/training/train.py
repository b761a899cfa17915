"""Train: fit the lexical model and the trees, choose the thresholds out of fold, and write
the model (plain arrays) plus its model card."""

from __future__ import annotations

import os
import platform
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Settings
from ..errors import TrainingError
from ..features import FEATURE_NAMES, FEATURE_VERSION
from ..lexical import LEXICAL_FILE, N_BUCKETS, LexicalModel
from ..model import CARD_FILE, MODEL_FILE, dumps, file_digest, judge_text
from . import require_train_extra
from .corpus import Corpus, LabelledDoc, digest
from .datasets import HELD_OUT_MODULUS
from .fit import CV_FOLDS, TEXT_TREES_WEIGHT, TrainParams, export_trees, fit, out_of_fold, text_view
from .stacking import LexicalParams, stack
from .thresholds import choose_thresholds, removal_scores

#: licences of the training sources, as the model card reports them
LICENCES = {
    "seeds": "the project's own documents (same licence as cleaner)",
    "corrections": "a reviewer's corrections from `cleaner review` (their own documents)",
    "synthetic": "built at training time from the gold texts of the datasets below",
    "fundus-dev": "fundus repository MIT; pages are their publishers' copyright (research/evaluation use)",
    "l3s-gn1": "L3S research-use-only licence",
    "dragnet": "AGPL-3.0",
    "google-trends-2017": "none stated (research use)",
    "cleaneval": "none stated (research use)",
}


def train(
    corpus: Corpus | Sequence[LabelledDoc],
    out_dir: Path,
    params: TrainParams | None = None,
    with_cv: bool = True,
) -> dict[str, Any]:
    """Fit on all documents, choose thresholds out of fold, write model + card; return the card."""
    require_train_extra()  # before any folder is made
    if not isinstance(corpus, Corpus):
        corpus = Corpus(docs=list(corpus))
    docs = corpus.docs
    if not _learnable(docs):
        labels = np.concatenate([d.labels for d in docs]) if docs else np.zeros(0)
        raise TrainingError(
            f"training needs two documents or more with junk lines and body lines among them; got {len(docs)} "
            f"document(s), {int((labels == 1).sum())} junk and {int((labels == 0).sum())} body line(s)"
        )
    out_dir = Path(out_dir)  # made before the work: a folder that cannot be made fails at once
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TrainingError(f"{out_dir}: cannot make the model folder there ({exc.strerror or exc})") from exc
    params = params or TrainParams()
    lexical_params = LexicalParams()
    lexical = stack(docs, CV_FOLDS, lexical_params)
    choice, cv, thresholds = _cross_validate(corpus, params) if with_cv else (None, None, {})
    estimator = fit(docs, params)
    text_docs = text_view(docs)
    if not _learnable(text_docs):
        text_docs = []  # plain text then has no trees of its own: the page trees judge it
    exported = export_trees(estimator, FEATURE_NAMES, thresholds)
    if text_docs:
        exported["text_model"] = export_trees(fit(text_docs, params), FEATURE_NAMES)
        exported["text_model_weight"] = TEXT_TREES_WEIGHT
    # written beside the old model, then moved over it: a run that dies leaves the old model whole
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".cleaner-train-") as staging:
        card = _card(Path(staging), exported, lexical, docs, params, lexical_params, len(text_docs))
        rule = vars(Settings().resolve(thresholds))
        card |= {"decision_rule": rule, "threshold_choice": choice, "cross_validation": cv}
        (Path(staging) / CARD_FILE).write_text(dumps(card), encoding="utf-8")
        for name in (MODEL_FILE, LEXICAL_FILE, CARD_FILE):
            os.replace(Path(staging) / name, out_dir / name)
    return card


def _card(
    folder: Path,
    exported: dict[str, Any],
    lexical: LexicalModel,
    docs: Sequence[LabelledDoc],
    params: TrainParams,
    lexical_params: LexicalParams,
    text_docs: int,
) -> dict[str, Any]:
    """Write the trees and the lexical weights into `folder`; the card naming them and their sha256."""
    import sklearn

    model_path = folder / MODEL_FILE
    model_path.write_text(dumps(exported), encoding="utf-8")
    lexical_path = folder / LEXICAL_FILE
    lexical.save(lexical_path)
    return {
        "model": MODEL_FILE,
        "model_sha256": file_digest(model_path),
        "estimator": "sklearn.ensemble.HistGradientBoostingClassifier",
        "estimator_params": {k: v for k, v in vars(params).items() if k != "extra"} | params.extra,
        "text_model": (
            f"the same estimator fit on the {text_docs} plain-text documents alone, "
            "without the lexical score (training.fit.text_view); plain text is judged by both, "
            f"these weighted {TEXT_TREES_WEIGHT} (text_model_weight)"
            if text_docs
            else "none (no plain-text documents to learn from): the page trees judge plain text too"
        ),
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
            "held_out": (
                f"per dataset, sites with sha1(dataset:site) % {HELD_OUT_MODULUS} == 0 are never trained on, "
                "nor any page of their publishers (domains), in any dataset"
            ),
            "sources": _sources(docs),
        },
    }


def _learnable(docs: Sequence[LabelledDoc]) -> bool:
    """Whether trees can be fit and cross-validated on these documents: two sites or more,
    junk lines and body lines among them."""
    labels = np.concatenate([d.labels for d in docs]) if docs else np.zeros(0)
    return len({d.group for d in docs}) >= 2 and (labels == 1).any() and (labels == 0).any()


def _cross_validate(
    corpus: Corpus, params: TrainParams
) -> tuple[dict[str, Any] | None, dict[str, Any], dict[str, float]]:
    """Out-of-fold predictions: the threshold choice, the cross-validated removal scores
    (overall and per source) and the chosen thresholds."""
    probs = out_of_fold(corpus.docs, params)
    # plain text is judged by both sets of trees: the text trees' out-of-fold scores join in
    texts = [k for k, d in enumerate(corpus.docs) if d.doc.source == "text"]
    text_docs = text_view(corpus.docs)
    if _learnable(text_docs):  # else plain text has no trees of its own (see train)
        for k, p in zip(texts, out_of_fold(text_docs, params), strict=True):
            probs[k] = judge_text(probs[k], p, TEXT_TREES_WEIGHT)
    docs = corpus.docs
    choice: dict[str, Any] | None = None
    thresholds: dict[str, float] = {}
    if corpus.pages:
        choice = choose_thresholds(corpus, probs)
        thresholds = {
            k: choice[k]
            for k in (
                "trailing_threshold",
                "text_threshold",
                "inner_threshold",
                "cue_threshold",
                "article_threshold",
            )
        }
    rule = Settings().resolve(thresholds)
    cv: dict[str, Any] = {
        "folds": CV_FOLDS,
        "grouped_by": "publisher: the page's domain (a seed: its document), folds by a hash of it",
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
    return choice, cv, thresholds


def _sources(docs: Sequence[LabelledDoc]) -> list[dict[str, Any]]:
    """Documents, lines and junk lines of each training source, with its licence."""
    per_source: dict[str, Counter[str]] = {}
    for d in docs:
        c = per_source.setdefault(d.source, Counter())
        c["documents"] += 1
        c["lines"] += int((d.labels >= 0).sum())
        c["junk_lines"] += int((d.labels == 1).sum())
    return [
        {"name": name, **dict(c), "licence": LICENCES.get(name, "unknown")}
        for name, c in sorted(per_source.items())
    ]
