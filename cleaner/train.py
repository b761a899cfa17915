"""Fit the junk-line classifier with scikit-learn and write it (plain arrays) plus its card."""

from __future__ import annotations

import platform
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .config import Settings
from .corpus import LabelledDoc, digest
from .features import FEATURE_NAMES, FEATURE_VERSION, line_features
from .filter import decide
from .model import CARD_FILE, MODEL_FILE, Model, dumps, export_trees, file_digest

RANDOM_STATE = 0
CV_FOLDS = 5
#: licences of the training sources, as the model card reports them
LICENCES = {
    "seeds": "project's own documents (same licence as cleaner)",
    "fundus-dev": "fundus repository MIT; pages are publishers' copyright, research/evaluation use",
    "l3s-gn1": "L3S research use only",
    "dragnet": "AGPL-3.0",
    "google-trends-2017": "none stated; research use",
    "cleaneval": "none stated; research use",
}


@dataclass
class TrainParams:
    """Hyper-parameters of the gradient-boosted trees (fixed random_state: deterministic)."""

    max_iter: int = 200
    learning_rate: float = 0.08
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 10
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


def matrices(docs: Sequence[LabelledDoc]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stack features, labels, sample weights and document numbers of many documents."""
    xs, ys, ws, gs = [], [], [], []
    for k, d in enumerate(docs):
        x = line_features(d.doc)
        xs.append(x)
        ys.append(d.labels)
        ws.append(np.full(len(d.labels), d.weight))
        gs.append(np.full(len(d.labels), k))
    if not xs:
        return np.zeros((0, len(FEATURE_NAMES))), np.zeros(0), np.zeros(0), np.zeros(0, dtype=int)
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(gs)


def fit(docs: Sequence[LabelledDoc], params: TrainParams | None = None) -> Any:
    """Fit the classifier on labelled documents; returns the scikit-learn estimator."""
    params = params or TrainParams()
    x, y, w, _ = matrices(docs)
    return params.estimator().fit(x, y, sample_weight=w)


def line_scores(
    docs: Sequence[LabelledDoc], y_true: list[np.ndarray], probs: list[np.ndarray], settings: Settings
) -> dict[str, float]:
    """Precision/recall of the removal decisions (the filter's rule, not a bare threshold)."""
    tp = fp = fn = 0
    for d, y, p in zip(docs, y_true, probs, strict=True):
        chars = np.array(
            [len(d.doc.lines[i].strip()) for i in range(len(d.doc.lines)) if d.doc.lines[i].strip()],
            dtype=float,
        )
        removed = decide(p, chars, settings)
        tp += int((removed & (y == 1)).sum())
        fp += int((removed & (y == 0)).sum())
        fn += int((~removed & (y == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "junk_lines": tp + fn,
        "removed_body_lines": fp,
    }


def cross_validate(
    docs: Sequence[LabelledDoc],
    params: TrainParams | None = None,
    folds: int = CV_FOLDS,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Grouped k-fold (a site's documents stay on one side): removal precision and recall."""
    from sklearn.model_selection import GroupKFold

    settings = settings or Settings()
    groups = np.array([d.group for d in docs])
    folds = min(folds, len(set(groups)))
    order: list[int] = []
    probs: list[np.ndarray] = []
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(np.zeros(len(docs)), groups=groups):
        model = Model.from_params(export_trees(fit([docs[i] for i in train_idx], params), FEATURE_NAMES))
        for i in test_idx:
            order.append(int(i))
            probs.append(model.predict_proba(line_features(docs[i].doc)))
    tested = [docs[i] for i in order]
    result = line_scores(tested, [d.labels for d in tested], probs, settings)
    return {"folds": folds, "grouped_by": "site (seeds: document)", **result}


def train(
    docs: Sequence[LabelledDoc], out_dir: Path, params: TrainParams | None = None, with_cv: bool = True
) -> dict[str, Any]:
    """Fit on all documents, write model + card into `out_dir`, and return the card."""
    import sklearn

    params = params or TrainParams()
    estimator = fit(docs, params)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / MODEL_FILE
    model_path.write_text(dumps(export_trees(estimator, FEATURE_NAMES)), encoding="utf-8")
    per_source: dict[str, Counter[str]] = {}
    for d in docs:
        c = per_source.setdefault(d.source, Counter())
        c["documents"] += 1
        c["lines"] += len(d.labels)
        c["junk_lines"] += int(d.labels.sum())
    card = {
        "model": MODEL_FILE,
        "model_sha256": file_digest(model_path),
        "estimator": "sklearn.ensemble.HistGradientBoostingClassifier",
        "estimator_params": {k: v for k, v in vars(params).items() if k != "extra"} | params.extra,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "feature_version": FEATURE_VERSION,
        "features": list(FEATURE_NAMES),
        "training_data": {
            "digest": digest(docs),
            "sources": [
                {"name": name, **dict(c), "licence": LICENCES.get(name, "unknown")}
                for name, c in sorted(per_source.items())
            ],
        },
        "decision_rule": vars(Settings()),
        "cross_validation": cross_validate(docs, params) if with_cv else None,
    }
    (out_dir / CARD_FILE).write_text(dumps(card), encoding="utf-8")
    return card
