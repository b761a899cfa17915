"""Line features: the matrix the page trees and the text trees read."""

from __future__ import annotations

import numpy as np

from cleaner.document import Document, decode
from cleaner.extract import extract
from cleaner.features import line_features, without_lexical

from .conftest import CASES


def test_without_lexical_is_the_matrix_made_without_a_lexical_score() -> None:
    rng = np.random.default_rng(0)
    pages = sorted((CASES / "pages").glob("*.html"))
    docs = [Document.from_text(t) for t in ("one line", "a\nb", (CASES / "host_article.txt").read_text())]
    docs += [extract(decode(p.read_bytes())) for p in pages]
    for doc in docs:
        scores = rng.normal(scale=3.0, size=len(doc.rows))
        np.testing.assert_array_equal(without_lexical(line_features(doc, scores)), line_features(doc))
