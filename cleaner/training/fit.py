"""Fit the gradient-boosted trees with scikit-learn and export them as the plain arrays
`model.Model` evaluates (training only: cleaning never imports scikit-learn)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import ModelError
from ..features import FEATURE_NAMES, FEATURE_VERSION, without_lexical
from ..model import FORMAT, FORMAT_VERSION, Model
from .corpus import CV_FOLDS, RANDOM_STATE, LabelledDoc, site_folds

#: how much the plain-text trees count against the page trees in judging plain text (written
#: into the model as `text_model_weight`). The page trees read the lexical score; the text
#: trees rank teasers by their shape alone (see text_view), and the page trees add the words
#: of prompts and credits. Chosen on the held-out text shapes (BENCHMARKS.md, fourth session,
#: when the synthetic documents still borrowed across folds)
TEXT_TREES_WEIGHT = 0.65


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


def text_view(docs: Sequence[LabelledDoc]) -> list[LabelledDoc]:
    """The plain-text documents as the text trees see them: without the lexical score.

    Plain text has trees of its own because its training documents are gold bodies with
    other pages' headlines appended: a teaser there is told by its shape, which trees that
    lean on the words learn less well (held out, the page trees alone kept more teasers of
    unseen sites). Pages keep the lexical score: their lines are real. Plain text is judged
    by both sets of trees, weighted (model.judge_text).
    """
    return [replace(d, features_=without_lexical(d.features)) for d in docs if d.doc.source == "text"]


def fit(docs: Sequence[LabelledDoc], params: TrainParams | None = None) -> Any:
    """Fit the classifier on labelled documents; returns the scikit-learn estimator."""
    params = params or TrainParams()
    x, y, w = matrices(docs)
    return params.estimator().fit(x, y, sample_weight=w)


def out_of_fold(
    docs: Sequence[LabelledDoc], params: TrainParams | None = None, folds: int = CV_FOLDS
) -> list[np.ndarray]:
    """Junk probabilities of every document from a model that never saw its site (grouped k-fold)."""
    probs: list[np.ndarray] = [np.zeros(0)] * len(docs)
    for train_idx, test_idx in site_folds(docs, folds):
        model = Model.from_params(export_trees(fit([docs[i] for i in train_idx], params), FEATURE_NAMES))
        for i in test_idx:
            probs[i] = model.predict_proba(docs[i].features)
    return probs


def export_trees(
    estimator: Any, feature_names: tuple[str, ...], thresholds: dict[str, float] | None = None
) -> dict[str, Any]:
    """Turn a fitted binary HistGradientBoostingClassifier into JSON-ready arrays."""
    predictors = [it[0] for it in estimator._predictors]
    n_nodes = max(len(p.nodes) for p in predictors)
    shape = (len(predictors), n_nodes)
    feature = np.zeros(shape, dtype=np.int64)
    split_value = np.zeros(shape)
    left = np.tile(np.arange(n_nodes), (len(predictors), 1))
    right = left.copy()
    value = np.zeros(shape)
    depth = 0
    for t, predictor in enumerate(predictors):
        nodes = predictor.nodes
        if (nodes["is_categorical"] != 0).any():
            raise ModelError("categorical splits are not supported by the exporter")
        k = len(nodes)
        leaf = nodes["is_leaf"].astype(bool)
        feature[t, :k] = np.where(leaf, 0, nodes["feature_idx"])
        split_value[t, :k] = np.where(leaf, 0.0, nodes["num_threshold"])
        left[t, :k] = np.where(leaf, np.arange(k), nodes["left"])
        right[t, :k] = np.where(leaf, np.arange(k), nodes["right"])
        value[t, :k] = np.where(leaf, nodes["value"], 0.0)
        depth = max(depth, int(nodes["depth"].max()))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "feature_version": FEATURE_VERSION,
        "feature_names": list(feature_names),
        "baseline": float(np.ravel(estimator._baseline_prediction)[0]),
        "depth": depth,
        "decision_thresholds": dict(sorted((thresholds or {}).items())),
        "trees": {
            "feature": feature.tolist(),
            "split_value": split_value.tolist(),
            "left": left.tolist(),
            "right": right.tolist(),
            "value": value.tolist(),
        },
    }
