"""How far an evaluation figure could move on another draw of sites like the ones measured.

Every figure the ranges cover is a ratio of sums over a row's pages (junk lines left over
junk lines plain trafilatura left, pages ending in junk over pages, shingle F1 as
2·tp / (2·tp + fp + fn), body characters removed over body characters). Its range is the
INTERVAL of that ratio over RESAMPLES draws of the row's sites with replacement: pages of
one site are alike, so sites are the unit, not pages (a cluster bootstrap).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RESAMPLES = 1000
INTERVAL = 0.9
#: a fixed seed: the same pages give the same ranges
RESAMPLE_SEED = 0
#: fewer sites than this that say anything about a figure (a denominator above 0) give no
#: range: draws of two or three sites repeat one another, and the range would look certain
MIN_SITES = 5


def site_draws(sites: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """How many times each of RESAMPLES draws of the sites counts each page (draws × pages),
    and each page's site number."""
    number = {name: k for k, name in enumerate(sorted(set(sites)))}
    of_page = np.array([number[s] for s in sites], dtype=np.intp)
    drawn = np.random.default_rng(RESAMPLE_SEED).integers(0, len(number), size=(RESAMPLES, len(number)))
    counts = np.stack([np.bincount(row, minlength=len(number)) for row in drawn])
    return counts[:, of_page].astype(float), of_page


def ratio_range(
    draws: tuple[np.ndarray, np.ndarray], numerator: Sequence[float], denominator: Sequence[float]
) -> list[float] | None:
    """The INTERVAL range of sum(numerator) / sum(denominator) over the draws of `site_draws`;
    None when fewer than MIN_SITES sites have a denominator above 0. Draws that hold none of
    them are left out (they leave the ratio undefined)."""
    weight, of_page = draws
    den = np.asarray(denominator, dtype=float)
    if len(np.unique(of_page[den > 0])) < MIN_SITES:
        return None
    tops, bottoms = weight @ np.asarray(numerator, dtype=float), weight @ den
    ratios = tops[bottoms > 0] / bottoms[bottoms > 0]
    tail = (1 - INTERVAL) / 2
    return [float(v) for v in np.quantile(ratios, [tail, 1 - tail])]
