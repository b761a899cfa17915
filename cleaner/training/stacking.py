"""Fit the lexical model (scikit-learn, training only) and give every training document the
lexical scores of a model that never saw its site, so that the trees learn how far to trust
the score on unseen pages (stacking)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..lexical import N_BUCKETS, LexicalModel, tokens
from .corpus import RANDOM_STATE, LabelledDoc, site_folds


@dataclass
class LexicalParams:
    """Hyper-parameters of the linear model (logistic loss, averaged SGD: fast and deterministic)."""

    alpha: float = 2e-6
    max_iter: int = 12
    random_state: int = RANDOM_STATE

    def estimator(self) -> Any:
        """A fresh, unfitted SGDClassifier with these parameters."""
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(
            loss="log_loss",
            penalty="l2",
            alpha=self.alpha,
            max_iter=self.max_iter,
            tol=None,
            average=True,
            random_state=self.random_state,
        )


@dataclass
class TokenMatrix:
    """All rows of many documents as one sparse matrix, with each document's row range."""

    matrix: Any  # scipy.sparse.csr_matrix
    offsets: np.ndarray  # document d has rows offsets[d]:offsets[d + 1]


def token_matrix(docs: Sequence[LabelledDoc]) -> TokenMatrix:
    """Hash every document's lines once (the same `lexical.tokens` cleaning uses)."""
    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    offsets = [0]
    for d in docs:
        t = tokens(d.doc)
        rows.append(t.rows + offsets[-1])
        cols.append(t.buckets)
        vals.append(t.values.astype(np.float32))
        offsets.append(offsets[-1] + t.n_rows)
    shape = (offsets[-1], N_BUCKETS)
    if not rows:
        return TokenMatrix(csr_matrix(shape, dtype=np.float32), np.asarray(offsets))
    matrix = csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=shape)
    return TokenMatrix(matrix, np.asarray(offsets))


def _labelled_rows(docs: Sequence[LabelledDoc], which: Iterable[int], tm: TokenMatrix) -> tuple:
    idx, ys, ws = [], [], []
    for d in which:
        keep = np.flatnonzero(docs[d].labels >= 0)
        idx.append(tm.offsets[d] + keep)
        ys.append(docs[d].labels[keep])
        ws.append(np.full(len(keep), docs[d].weight))
    return np.concatenate(idx), np.concatenate(ys), np.concatenate(ws)


def fit_lexical(
    docs: Sequence[LabelledDoc], tm: TokenMatrix, which: Iterable[int], params: LexicalParams
) -> LexicalModel:
    """Fit the linear model on the labelled rows of documents `which`."""
    idx, y, w = _labelled_rows(docs, which, tm)
    est = params.estimator().fit(tm.matrix[idx], y, sample_weight=w)
    return LexicalModel(
        weights=est.coef_.ravel().astype(np.float32).astype(np.float64), bias=float(est.intercept_[0])
    )


def out_of_fold_lexical(
    docs: Sequence[LabelledDoc], tm: TokenMatrix, folds: int, params: LexicalParams
) -> list[np.ndarray]:
    """Each document's lexical scores from a model fit without its site (grouped k-fold)."""
    scores: list[np.ndarray] = [np.zeros(0)] * len(docs)
    for train_idx, test_idx in site_folds(docs, folds):
        model = fit_lexical(docs, tm, train_idx, params)
        for d in test_idx:
            block = tm.matrix[tm.offsets[d] : tm.offsets[d + 1]]
            scores[d] = model.bias + block @ model.weights
    return scores


def stack(docs: Sequence[LabelledDoc], folds: int, params: LexicalParams | None = None) -> LexicalModel:
    """Set every document's out-of-fold lexical scores; return the model fit on all of them."""
    params = params or LexicalParams()
    tm = token_matrix(docs)
    for d, scores in zip(docs, out_of_fold_lexical(docs, tm, folds, params), strict=True):
        d.lexical_ = scores
        d.features_ = None
    return fit_lexical(docs, tm, range(len(docs)), params)
