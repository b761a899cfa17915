"""The junk filter's goals, checked on `cleaner evaluate`'s figures: which are met, by how much.

The goals are set on hidden pages nobody here has; each dev set stands in for the hidden
set it resembles (fundus-dev for 2023-26 news, l3s-gn1 for older news, wcxb-dev articles
for modern articles). Absolute F1 goals are printed beside the dev figures but depend on
the pages' own difficulty: trafilatura's and the perfect filter's F1 in the same run say
how far any line filter could go there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..lexical import LEXICAL_FILE
from ..model import MODEL_FILE, default_model_dir, load_model
from .evaluate import CLEANER, TRAFILATURA, with_interval


@dataclass(frozen=True)
class SetGoal:
    """What the filter must reach on one kind of page (a dataset row of the evaluation)."""

    row: str
    stands_for: str
    junk_removed: float
    ending_in_junk: float
    f1: float


#: per dev row: junk lines removed at least, pages ending in junk at most, shingle F1 at least
SET_GOALS = (
    SetGoal("l3s-gn1", "news pages 2019", 0.75, 0.05, 0.971),
    SetGoal("fundus-dev", "news pages 2023-26", 0.75, 0.08, 0.962),
    SetGoal("wcxb-dev/article", "modern articles 2025-26", 0.60, 0.06, 0.958),
)
#: everywhere: recall lost against trafilatura at most, body characters removed at most
MAX_RECALL_LOSS = 0.003
MAX_BODY_CHARS_REMOVED = 0.001
#: on every WCXB page type: word F1 lost against trafilatura at most
MAX_WORD_F1_LOSS = 0.002
#: plain text with teasers appended: teaser lines removed in every shape at least, body
#: characters lost at most, bodies with nothing appended that come out unchanged at least
GOAL_TEASERS_REMOVED = 0.98
GOAL_BODY_CHARS_LOST = 0.0005
GOAL_CLEAN_UNCHANGED = 0.95
#: the model files together, and loading them
MAX_MODEL_BYTES = 5_000_000
MAX_LOAD_SECONDS = 0.2


def _rows(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every dataset row and dataset/page-type row of the results, by label."""
    rows: dict[str, dict[str, Any]] = {}
    for name, res in results.items():
        if TRAFILATURA not in res:
            continue
        rows[name] = res
        for kind, group in res.get("page_types", {}).items():
            rows[f"{name}/{kind}"] = group
    return rows


def _check(
    goal: str, row: str, value: float | None, target: float, at_least: bool, fmt: str, shown: str = ""
) -> dict[str, Any]:
    """One goal's verdict; `shown` is the figure as printed when it is more than `value` (an interval)."""
    met = value is not None and (value >= target if at_least else value <= target)
    shown = shown or ("–" if value is None else fmt.format(value))
    return {
        "goal": goal,
        "row": row,
        "value": shown,
        "target": ("≥ " if at_least else "≤ ") + fmt.format(target),
        "met": met,
    }


def check_goals(results: dict[str, dict[str, Any]], model_dir: Path | None = None) -> list[dict[str, Any]]:
    """Every goal the evaluated rows and the model can show, each with its figure and whether it is met."""
    rows = _rows(results)
    checks = []
    for g in SET_GOALS:
        if g.row not in rows:
            continue
        c = rows[g.row][CLEANER]
        label = f"{g.row} (for {g.stands_for})"
        checks += [
            _check(goal, label, c[key], target, at_least, fmt, with_interval(c, key, fmt))
            for goal, key, target, at_least, fmt in (
                ("junk lines removed", "junk_lines_removed", g.junk_removed, True, "{:.0%}"),
                ("pages ending in junk", "ending_in_junk", g.ending_in_junk, False, "{:.0%}"),
                ("F1 (shingles)", "f1", g.f1, True, "{:.3f}"),
            )
        ]
    for label, row in rows.items():
        c, t = row[CLEANER], row[TRAFILATURA]
        checks.append(
            _check("recall change", label, c["recall"] - t["recall"], -MAX_RECALL_LOSS, True, "{:+.3f}")
        )
        share = "body_chars_removed_share"
        shown = with_interval(c, share, "{:.2%}")
        checks.append(
            _check("body chars removed", label, c[share], MAX_BODY_CHARS_REMOVED, False, "{:.2%}", shown)
        )
        checks.append(_check("pages without text", label, c["pages_without_text"], 0, False, "{:.0f}"))
        if "/" in label and label.startswith("wcxb"):
            checks.append(
                _check(
                    "word F1 change", label, c["word_f1"] - t["word_f1"], -MAX_WORD_F1_LOSS, True, "{:+.3f}"
                )
            )
    model_dir = model_dir or default_model_dir()
    size = sum(
        (model_dir / name).stat().st_size
        for name in (MODEL_FILE, LEXICAL_FILE)
        if (model_dir / name).is_file()
    )
    start = time.perf_counter()
    load_model(model_dir, cache=False)  # what a fresh process pays
    seconds = time.perf_counter() - start
    checks.append(
        _check("model files", str(model_dir), size / 1e6, MAX_MODEL_BYTES / 1e6, False, "{:.2f} MB")
    )
    checks.append(_check("model load", str(model_dir), seconds, MAX_LOAD_SECONDS, False, "{:.3f} s"))
    return checks


def goals_table(checks: list[dict[str, Any]]) -> str:
    """The checks as a Markdown table, goals not met first, then a count."""
    ordered = sorted(checks, key=lambda c: c["met"])
    rows = ["| goal | row | cleaner | target | met |", "|---|---|---|---|---|"]
    rows += [
        f"| {c['goal']} | {c['row']} | {c['value']} | {c['target']} | {'yes' if c['met'] else 'NO'} |"
        for c in ordered
    ]
    met = sum(c["met"] for c in checks)
    rows += [
        "",
        f"Goals met: {met} of {len(checks)}. (Plain text's goals are not counted here: they close "
        "the text-shapes table, which --text-shapes adds.)",
    ]
    return "\n".join(rows)
