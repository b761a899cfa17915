"""Training and evaluation: labelled documents, weak labels from gold datasets, the fit of
the lexical model and the trees, the choice of thresholds, and the evaluation against gold.

Imported only by `cleaner train` and `cleaner evaluate`: cleaning a page never imports this
package, nor scikit-learn or joblib, which training needs (the `train` extra).
"""

from __future__ import annotations

from ..errors import TrainingError

#: what `pip install` needs to train, as the message names it
TRAIN_EXTRA = "news-cleaner[train]"


def require_train_extra() -> None:
    """Raise TrainingError naming the extra to install when scikit-learn or joblib is missing."""
    try:
        import joblib  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise TrainingError(
            f"training needs scikit-learn and joblib ({exc}): pip install '{TRAIN_EXTRA}'"
        ) from exc
