"""Quality gate on a small fixed subset of the held-out dev pages (skipped without the data).

Like trafilatura's own eval gate: a floor with a noise tolerance, not a timed test. The
full figures come from `make eval`.
"""

from __future__ import annotations

import pytest

import cleaner
from cleaner.training.datasets import iter_pages
from cleaner.training.evaluate import evaluate_pages

from .conftest import DATA, needs_data

#: pages per dataset in the gate: the first of its held-out split in id order (all of it for
#: the smaller sets); fewer pages and one odd page moves a dataset's figures by points
GATE_PAGES = 30
#: how far below plain trafilatura cleaner may fall before the gate fails. The recall floor
#: catches a model that eats articles, not the last half point (that is `make eval`'s job):
#: when the model shipped, cleaneval's index and catalogue pages, whose gold keeps their
#: teaser lists, cost up to 0.034 recall on a 12-page subset.
F1_TOLERANCE = 0.005
RECALL_TOLERANCE = 0.05
#: the 2007-2017 sets keep lines that are junk by today's conventions (bylines such as
#: "Posted Nov. 6, 2012 … by …", "Share your photos" and "Follow us" blocks): removing them
#: costs F1 there. On the 30-page dragnet subset the model shipped with junk filter v2 lost
#: 0.009 this way (two pages); the full held-out split gains F1 (`make eval`)
OLD_GOLD_F1_TOLERANCE = 0.015
OLD_GOLD = {"dragnet", "cleaneval", "google-trends-2017", "l3s-gn1"}
#: pages ending in junk, cleaner against plain trafilatura, at most (the model shipped: 0.52)
ENDING_IN_JUNK_RATIO = 0.7
#: junk lines removed on each dataset's subset, at least (the model shipped: 10-51 %)
JUNK_REMOVED_FLOOR = 0.05


@pytest.fixture(scope="module")
def gate() -> dict[str, dict]:
    pages = sorted((p for p in iter_pages([DATA]) if p.held_out), key=lambda p: (p.dataset, p.id))
    by_dataset: dict[str, list] = {}
    for p in pages:
        by_dataset.setdefault(p.dataset, [])
        if len(by_dataset[p.dataset]) < GATE_PAGES:
            by_dataset[p.dataset].append(p)
    c = cleaner.Cleaner()
    return {name: evaluate_pages(group, c) for name, group in by_dataset.items()}


@needs_data()
def test_gate_covers_every_dataset(gate: dict[str, dict]) -> None:
    assert len(gate) >= 5 and all(r["pages"] >= 20 for r in gate.values())


@needs_data()
def test_f1_not_below_trafilatura(gate: dict[str, dict]) -> None:
    for name, r in gate.items():
        tolerance = OLD_GOLD_F1_TOLERANCE if name in OLD_GOLD else F1_TOLERANCE
        assert r["cleaner"]["f1"] >= r["trafilatura"]["f1"] - tolerance, name


@needs_data()
def test_recall_close_to_trafilatura(gate: dict[str, dict]) -> None:
    for name, r in gate.items():
        assert r["cleaner"]["recall"] >= r["trafilatura"]["recall"] - RECALL_TOLERANCE, name


@needs_data()
def test_fewer_pages_end_in_junk_than_with_trafilatura(gate: dict[str, dict]) -> None:
    cleaner_pages = sum(r["cleaner"]["ending_in_junk"] for r in gate.values())
    plain_pages = sum(r["trafilatura"]["ending_in_junk"] for r in gate.values())
    # with the model of the thirteenth session: 1.04 against 2.01 (shares of pages, summed)
    assert cleaner_pages <= ENDING_IN_JUNK_RATIO * plain_pages


@needs_data()
def test_junk_lines_removed_on_every_dataset(gate: dict[str, dict]) -> None:
    for name, r in gate.items():
        assert r["cleaner"]["junk_lines_removed"] >= JUNK_REMOVED_FLOOR, name
