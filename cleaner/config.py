"""Settings: every threshold of the decision rule is a named constant here."""

from __future__ import annotations

import inspect
import math
import numbers
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any

import numpy as np

from .errors import ConfigError

#: junk probability at which a line in the trailing run is removed
TRAILING_THRESHOLD = 0.5
#: junk probability at which a line outside the trailing run is removed (stricter)
INNER_THRESHOLD = 0.85
#: junk probability at which a line outside the trailing run is removed when it also shows
#: a boilerplate cue (boilerplate wording, a "Label:" prefix, or a byline or date shape)
CUE_THRESHOLD = 0.7
#: junk probability at which a line of a page that reads like a byline or credit, a date
#: stamp or a reading time, standing alone, is removed anywhere on the page: the gold sets
#: leave such lines out, and the trees score many of them between 0.5 and 0.9. Out of fold
#: at 0.5 (BENCHMARKS.md, thirteenth session): 43 more junk lines on l3s, 11 on wcxb-dev
#: articles, 3 on fundus, none of their body lines; a few on dragnet and google-trends.
METADATA_THRESHOLD = 0.5
#: junk probability to which the trailing, inner and cue thresholds of a page that declares
#: itself an article are lowered where above it (1: none); chosen in training, this when the
#: model has none
ARTICLE_THRESHOLD = 1.0
#: a removal that would take more than this share of the document's characters is
#: cut back to the lines scored at or above GUARD_THRESHOLD
MAX_REMOVED_SHARE = 0.5
GUARD_THRESHOLD = 0.95
#: documents shorter than this many non-blank lines are returned unchanged
MIN_LINES = 2
#: seconds one document may take before it fails with TimeLimitError (None: no limit)
TIME_LIMIT = 30.0
#: the 0–1 fields that have no trained value to fall back on, so None means nothing
_NOT_OPTIONAL = frozenset({"max_removed_share", "guard_threshold"})
#: options renamed since 1.0, named in the error a caller of the old name gets
RENAMED = {"threshold": "trailing_threshold"}
#: what a Cleaner's calls take that is not a setting, and where to give it
PER_CALL = {
    "kind": "Cleaner().clean(..., kind=...)",
    "with_metadata": "Cleaner().clean_html(..., with_metadata=True)",
}


@dataclass(frozen=True)
class Settings:
    """How aggressively to remove lines; the defaults favour keeping real text.

    Thresholds are junk probabilities at which a line is removed: lower removes more. Left
    at None they take the values chosen when the model was trained (recorded in the model
    file), else TRAILING_THRESHOLD / INNER_THRESHOLD / CUE_THRESHOLD; `metadata_threshold`
    is not chosen in training (None: METADATA_THRESHOLD). A `trailing_threshold` you set is
    a floor for the others left at None: every removal starts from a line or block scored at
    least that (a header may take its block along, and the reverse), so raising it removes
    less everywhere and 1 keeps all but the surest.

    Attributes:
        trailing_threshold: for a line of an HTML page's trailing run (the lines after the
            last one scored below it).
        text_threshold: the same for plain text, which has no page facts to go on: its
            trailing run is the one whose log-odds of junk most exceed this one's
            (filter.likeliest_tail), so a doubtful line amid sure ones goes too (None: chosen
            in training, or `trailing_threshold` when that one is set).
        inner_threshold: for a line outside the trailing run.
        cue_threshold: the same for a line outside the trailing run that shows a boilerplate
            cue (wording, a "Label:" prefix, a byline or date shape; not link text alone),
            and for a header that takes the block under it along.
        metadata_threshold: for a page's line that reads like a byline or credit, a date
            stamp or a reading time, standing alone; not for plain text, whose gold bodies
            keep such lines.
        article_threshold: on a page that declares itself an article (og:type or a
            schema.org Article type), the trailing, inner and cue thresholds above it are
            lowered to it, those you set too: such a page is cleaned harder than a product,
            listing or forum page, whose short lines are its content (None: chosen in
            training, never below a `trailing_threshold` you set; 1: never).
        max_removed_share: a removal taking more than this share of a document's characters
            is cut back to the lines scored at or above `guard_threshold`.
        guard_threshold: the score a line needs to go when that guard applies.
        min_lines: documents with fewer non-blank lines than this are returned unchanged.
        include_comments: extract comment sections too (trafilatura's include_comments).
        favor_recall: extract more text at the risk of more boilerplate (trafilatura's
            favor_recall).
        fast: skip trafilatura's comparison with its fallback extractors (readability,
            jusText): faster, a little less text on some pages (see BENCHMARKS.md).
        time_limit: seconds one document may take before it fails with TimeLimitError
            (None or 0: no limit).
    """

    trailing_threshold: float | None = None
    text_threshold: float | None = None
    inner_threshold: float | None = None
    cue_threshold: float | None = None
    metadata_threshold: float | None = None
    article_threshold: float | None = None
    max_removed_share: float = MAX_REMOVED_SHARE
    guard_threshold: float = GUARD_THRESHOLD
    min_lines: int = MIN_LINES
    include_comments: bool = False
    favor_recall: bool = False
    fast: bool = False
    time_limit: float | None = TIME_LIMIT

    def __new__(cls, *args: Any, **options: Any) -> Settings:
        # an unknown name is a ConfigError here too, as in with_options (a dataclass: TypeError)
        _check_names(options)
        return super().__new__(cls)

    def __post_init__(self) -> None:
        # numpy scalars, Decimals and Fractions are welcome (a sweep over a column); they are
        # stored as Python numbers, so that settings compare, print and serialise plainly
        for name in (
            "trailing_threshold",
            "text_threshold",
            "inner_threshold",
            "cue_threshold",
            "metadata_threshold",
            "article_threshold",
            "max_removed_share",
            "guard_threshold",
        ):
            value = getattr(self, name)
            if value is None and name in _NOT_OPTIONAL:
                raise ConfigError(f"{name} must be a number between 0 and 1, got None", name)
            if value is not None:
                number = _as_float(value)
                if number is None or not 0.0 <= number <= 1.0:
                    raise ConfigError(f"{name} must be a number between 0 and 1, got {value!r}", name)
                object.__setattr__(self, name, number)
        if self.time_limit is not None:
            limit = _as_float(self.time_limit)
            if limit is None or not 0 <= limit < math.inf:
                raise ConfigError(
                    f"time_limit must be a number of seconds >= 0 (0: no limit), got {self.time_limit!r}",
                    "time_limit",
                )
            object.__setattr__(self, "time_limit", limit or None)  # 0: no limit, as --time-limit 0
        lines = _as_float(self.min_lines)
        if lines is None or not (0 <= lines < math.inf and lines.is_integer()):
            raise ConfigError(f"min_lines must be a whole number >= 0, got {self.min_lines!r}", "min_lines")
        object.__setattr__(self, "min_lines", int(lines))
        for name in ("include_comments", "favor_recall", "fast"):
            value = getattr(self, name)
            if not isinstance(value, bool | np.bool_):
                raise ConfigError(f"{name} must be True or False, got {value!r}", name)
            object.__setattr__(self, name, bool(value))

    def with_options(self, **options: Any) -> Settings:
        """Return a copy with some fields changed; unknown names raise ConfigError."""
        _check_names(options)
        return replace(self, **options)

    def resolve(self, trained: dict[str, float] | None = None) -> Settings:
        """Fill thresholds left at None from the model's trained ones (or the constants)."""
        trained = trained or {}
        threshold = self.trailing_threshold
        # a trailing threshold you set is a floor: raised above another threshold, it means
        # "remove less" there too
        floor = 0.0 if threshold is None else threshold
        if threshold is None:
            threshold = trained.get("trailing_threshold", TRAILING_THRESHOLD)
        inner = self.inner_threshold
        if inner is None:
            inner = max(threshold, trained.get("inner_threshold", INNER_THRESHOLD))
        cue = self.cue_threshold
        if cue is None:
            cue = max(floor, trained.get("cue_threshold", CUE_THRESHOLD))
        text = self.text_threshold
        if text is None:
            # a threshold the caller chose applies to plain text too
            text = (
                threshold if self.trailing_threshold is not None else trained.get("text_threshold", threshold)
            )
        metadata = self.metadata_threshold
        if metadata is None:
            metadata = max(floor, METADATA_THRESHOLD)  # a constant, not chosen in training
        article = self.article_threshold
        if article is None:
            article = max(floor, trained.get("article_threshold", ARTICLE_THRESHOLD))
        return replace(
            self,
            trailing_threshold=threshold,
            text_threshold=text,
            inner_threshold=inner,
            cue_threshold=cue,
            metadata_threshold=metadata,
            article_threshold=article,
        )


def _as_float(value: object) -> float | None:
    """A real number (not a truth value: True is an int to Python, never a threshold) as a
    float; None for anything else, NaN, or a number no float holds."""
    if not isinstance(value, numbers.Real | Decimal) or isinstance(value, bool | np.bool_):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return None if math.isnan(number) else number


# __new__ takes **options to check their names: help() and editors show the fields instead
_INIT = inspect.signature(Settings.__init__)
Settings.__signature__ = _INIT.replace(parameters=list(_INIT.parameters.values())[1:])  # type: ignore[attr-defined]


def _check_names(options: dict[str, Any]) -> None:
    """ConfigError for option names that are not Settings fields (renamed ones say so)."""
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(options) - known)
    if unknown:
        renamed = "".join(f" ({old} is now {new})" for old, new in RENAMED.items() if old in unknown)
        renamed += "".join(
            f" ({name} is not a setting: {PER_CALL[name]})" for name in unknown if name in PER_CALL
        )
        raise ConfigError(
            f"unknown option(s) {', '.join(unknown)}{renamed}; the settings are: {', '.join(sorted(known))}"
        )
