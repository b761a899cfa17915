"""Model file + card: plain JSON arrays, evaluated with numpy (no pickle, no scikit-learn).

The trained estimator is a scikit-learn HistGradientBoostingClassifier; `training.fit.export_trees`
turns its fitted trees into padded arrays, and `Model.predict_proba` walks all trees at
once, one level per step, so a document costs a few dozen numpy operations.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .document import Document
from .errors import ModelError
from .features import FEATURE_NAMES, FEATURE_VERSION, line_features, without_lexical
from .lexical import CHUNK_ROWS, LEXICAL_FILE, LexicalModel

MODEL_FILE = "cleaner-model.json"
CARD_FILE = "cleaner-model.card.json"
FORMAT = "cleaner-trees"
FORMAT_VERSION = 2
#: how much the plain-text trees count against the page trees in a model file that does not
#: say (written before the weight was recorded): the mean
UNRECORDED_TEXT_WEIGHT = 0.5


@lru_cache(maxsize=1)  # asked on every clean_* call (model_state); where it is does not change
def default_model_dir() -> Path:
    """The shipped model's folder: inside the installed package, else the source checkout's."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "models", here.parent / "models"):
        if (candidate / MODEL_FILE).is_file():
            return candidate
    return here.parent / "models"


@dataclass(frozen=True)
class Model:
    """Fitted boosted trees as arrays: (n_trees, n_nodes) each, leaves loop onto themselves."""

    feature: np.ndarray
    split_value: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    baseline: float
    depth: int
    feature_names: tuple[str, ...]
    #: decision thresholds chosen at training time (see training.thresholds.choose_thresholds)
    decision_thresholds: dict[str, float] = field(default_factory=dict)
    #: the lexical model whose score is the `lexical` feature (None: that feature is 0)
    lexical: LexicalModel | None = field(default=None, compare=False, repr=False)
    #: trees fit on plain-text documents without the lexical score; plain text is judged by
    #: both sets of trees, these weighted `text_weight` (None: by the page trees alone)
    text: Model | None = field(default=None, compare=False, repr=False)
    text_weight: float = UNRECORDED_TEXT_WEIGHT
    #: the sha256 of the model's files as loaded (empty for a model built in memory): outputs
    #: made by another model are stale
    digest: str = field(default="", compare=False)
    # the flat node table predict_proba walks, derived from the arrays above
    roots_: np.ndarray = field(init=False, repr=False, compare=False)
    left_: np.ndarray = field(init=False, repr=False, compare=False)
    right_: np.ndarray = field(init=False, repr=False, compare=False)
    feature_: np.ndarray = field(init=False, repr=False, compare=False)
    split_value_: np.ndarray = field(init=False, repr=False, compare=False)
    value_: np.ndarray = field(init=False, repr=False, compare=False)
    leaf_: np.ndarray = field(init=False, repr=False, compare=False)

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Model:
        """Build a Model from the JSON-ready dict `export_trees` makes, checking its shape."""
        try:
            if params["format"] != FORMAT or params["format_version"] != FORMAT_VERSION:
                raise ModelError(
                    f"unsupported model format {params['format']!r} v{params['format_version']} "
                    f"(this version reads {FORMAT!r} v{FORMAT_VERSION}); retrain it with `cleaner train`"
                )
            trees = params["trees"]
            model = cls(
                feature=np.asarray(trees["feature"], dtype=np.intp),
                split_value=np.asarray(trees["split_value"], dtype=np.float64),
                left=np.asarray(trees["left"], dtype=np.intp),
                right=np.asarray(trees["right"], dtype=np.intp),
                value=np.asarray(trees["value"], dtype=np.float64),
                baseline=float(params["baseline"]),
                depth=int(params["depth"]),
                feature_names=tuple(params["feature_names"]),
                decision_thresholds={k: float(v) for k, v in params.get("decision_thresholds", {}).items()},
                text=cls.from_params(params["text_model"]) if "text_model" in params else None,
                text_weight=float(params.get("text_model_weight", UNRECORDED_TEXT_WEIGHT)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"malformed model parameters: {type(exc).__name__}: {exc}") from exc
        shapes = {a.shape for a in (model.feature, model.split_value, model.left, model.right, model.value)}
        if len(shapes) != 1 or model.feature.ndim != 2:
            raise ModelError(f"model arrays disagree in shape: {sorted(shapes)}")
        n_nodes = model.feature.shape[1]
        for name in ("left", "right"):
            arr = getattr(model, name)
            if arr.size and (arr.min() < 0 or arr.max() >= n_nodes):
                raise ModelError(f"model tree pointers ({name}) out of range")
        if model.feature.size and (
            model.feature.min() < 0 or model.feature.max() >= len(model.feature_names)
        ):
            raise ModelError("model refers to a feature it does not name")
        return model

    def __post_init__(self) -> None:
        # all trees in one flat node table, children as global node numbers, so that a walk
        # can drop the (row, tree) pairs that reached a leaf and do less work at each level
        n_trees, n_nodes = self.feature.shape
        offsets = (np.arange(n_trees) * n_nodes)[:, None]
        flat = {
            "roots_": offsets.ravel(),
            "left_": (self.left + offsets).ravel(),
            "right_": (self.right + offsets).ravel(),
            "feature_": self.feature.ravel(),
            "split_value_": self.split_value.ravel(),
            "value_": self.value.ravel(),
        }
        flat["leaf_"] = flat["left_"] == np.arange(n_trees * n_nodes)
        for name, array in flat.items():
            object.__setattr__(self, name, array)

    def score(self, doc: Document) -> tuple[np.ndarray, np.ndarray]:
        """Feature matrix and junk probability of each non-blank line of a document."""
        lexical = self.lexical.score(doc) if self.lexical is not None else None
        matrix = line_features(doc, lexical)
        scores = self.predict_proba(matrix)
        if doc.source == "text" and self.text is not None:
            scores = judge_text(scores, self.text.predict_proba(without_lexical(matrix)), self.text_weight)
        return matrix, scores

    def predict_proba(self, matrix: np.ndarray) -> np.ndarray:
        """Junk probability of each row of a feature matrix."""
        if matrix.shape[1] != len(self.feature_names):
            raise ModelError(
                f"feature matrix has {matrix.shape[1]} columns, the model expects {len(self.feature_names)}"
            )
        # the walk holds ~13 KB a row at once: a long document goes through in parts
        parts = [self._predict(matrix[a : a + CHUNK_ROWS]) for a in range(0, matrix.shape[0], CHUNK_ROWS)]
        return np.concatenate(parts) if parts else np.zeros(0)

    def _predict(self, matrix: np.ndarray) -> np.ndarray:
        n_rows = matrix.shape[0]
        n_trees = self.feature.shape[0]
        node = np.tile(self.roots_, n_rows)
        row = np.repeat(np.arange(n_rows), n_trees)
        active = np.flatnonzero(~self.leaf_[node])
        for _ in range(self.depth):
            if not active.size:
                break
            here = node[active]
            go_left = matrix[row[active], self.feature_[here]] <= self.split_value_[here]
            there = np.where(go_left, self.left_[here], self.right_[here])
            node[active] = there
            active = active[~self.leaf_[there]]
        raw = self.baseline + self.value_[node].reshape(n_rows, n_trees).sum(axis=1)
        return 1.0 / (1.0 + np.exp(-raw))


def _first_difference(ours: Sequence[str], theirs: Sequence[str]) -> str:
    """The first column two lists of feature names disagree on, as ", column K: 'a' against 'b'"
    ("none" past the end of the shorter list); "" when they agree."""
    at = next(
        (k for k, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs))
    )
    if at == len(ours) == len(theirs):
        return ""
    return ", column {}: {} against {}".format(
        at, *(repr(n[at]) if at < len(n) else "none" for n in (ours, theirs))
    )


def judge_text(scores: np.ndarray, text_scores: np.ndarray, text_weight: float) -> np.ndarray:
    """Plain text's junk probability: the page trees' and the text trees' scores, weighted
    (the one place that combines them, for cleaning and for training's out-of-fold scores)."""
    return (1 - text_weight) * scores + text_weight * text_scores


def dumps(obj: Any) -> str:
    """Serialise deterministically: same object, same bytes."""
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def file_digest(path: Path) -> str:
    """sha256 of a file, as written into the model card."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_card(model_dir: Path) -> dict[str, Any]:
    """The model card (JSON) beside a model file."""
    path = model_dir / CARD_FILE
    try:
        card: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: model card not found; retrain with `cleaner train`") from exc
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable model card: {exc}") from exc
    if not isinstance(card, dict):
        raise ModelError(f"{path}: a model card is a JSON object, not {type(card).__name__}; retrain")
    return card


def load_model(model_dir: Path | None = None, cache: bool = True) -> Model:
    """Load and check the model in a folder (default: the shipped one); cached per folder
    until one of its files changes (a model retrained into the same folder is loaded anew).
    `cache=False` reads the files again whatever the cache holds (what a new process pays)."""
    model_dir = _folder(model_dir)
    load = _load if cache else _load.__wrapped__
    return load(model_dir, model_state(model_dir))


def _folder(model_dir: Path | None) -> Path:
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    try:
        is_file = model_dir.is_file()
    except (OSError, ValueError) as exc:  # a name too long, a NUL in it
        raise ModelError(
            f"{str(model_dir)[:200]}: not a usable path ({getattr(exc, 'strerror', None) or exc})"
        ) from exc
    if is_file:
        if model_dir.name != MODEL_FILE:
            raise ModelError(f"{model_dir}: a file, not a model folder (one holding {MODEL_FILE})")
        return model_dir.parent  # the path of the model file itself
    return model_dir


def model_state(model_dir: Path | None = None) -> tuple[tuple[int, int, int], ...]:
    """What tells one state of a model folder's files from another (inode, size, mtime of
    each): the key under which its loaded model is kept. A file rewritten in place at the
    same size within the file system's time resolution would go unnoticed; `cleaner train`
    replaces its files (new inodes)."""
    model_dir = _folder(model_dir)
    stamps = []
    for name in (MODEL_FILE, CARD_FILE, LEXICAL_FILE):
        try:
            st = (model_dir / name).stat()
        except (OSError, ValueError):  # ValueError: a NUL in the name
            stamps.append((0, -1, 0))  # missing: _load says so
        else:
            stamps.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(stamps)


@lru_cache(maxsize=8)
def _load(model_dir: Path, stamp: tuple[tuple[int, int, int], ...]) -> Model:
    """The model in a folder, checked (`stamp` keys the cache only)."""
    path = model_dir / MODEL_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        hint = (
            "check the model path" if model_dir != default_model_dir() else "reinstall, or run `make train`"
        )
        raise ModelError(f"{path}: no model file there; {hint}") from exc
    except OSError as exc:
        raise ModelError(f"{path}: cannot read model file: {exc}") from exc
    card = read_card(model_dir)
    digest = hashlib.sha256(raw).hexdigest()
    if card.get("model_sha256") != digest:
        raise ModelError(f"{path}: does not match its card (sha256 differs); retrain with `cleaner train`")
    try:
        params = json.loads(raw)
    except ValueError as exc:
        raise ModelError(f"{path}: not valid JSON: {exc}") from exc
    lexical_path = model_dir / LEXICAL_FILE
    lexical = None
    if card.get("lexical_sha256") is not None:
        if not lexical_path.is_file() or file_digest(lexical_path) != card["lexical_sha256"]:
            raise ModelError(
                f"{lexical_path}: missing or does not match its card; retrain with `cleaner train`"
            )
        lexical = LexicalModel.load(lexical_path)
    model = replace(
        Model.from_params(params), lexical=lexical, digest=f"{digest}+{card.get('lexical_sha256') or ''}"
    )
    if lexical is None and "lexical" in model.feature_names:
        raise ModelError(f"{path}: uses the lexical score but its card names no lexical model; retrain")
    if model.feature_names != FEATURE_NAMES or params.get("feature_version") != FEATURE_VERSION:
        differ = _first_difference(model.feature_names, FEATURE_NAMES)
        raise ModelError(
            f"{path}: trained for other line features (model: version {params.get('feature_version')}, "
            f"{len(model.feature_names)} features; this code: version {FEATURE_VERSION}, "
            f"{len(FEATURE_NAMES)} features{differ}); retrain with `cleaner train`"
        )
    return model
