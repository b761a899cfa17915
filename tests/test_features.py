"""Line features: the matrix the page trees and the text trees read."""

from __future__ import annotations

import re

import numpy as np

from cleaner.decoding import decode
from cleaner.document import Document
from cleaner.extract import extract
from cleaner.features import COLUMN, TEASER_MAX_CHARS, line_features, without_lexical
from cleaner.wording import JUNK_WORDS, META

from .conftest import CASES


def test_without_lexical_is_the_matrix_made_without_a_lexical_score() -> None:
    rng = np.random.default_rng(0)
    pages = sorted((CASES / "pages").glob("*.html"))
    docs = [Document.from_text(t) for t in ("one line", "a\nb", (CASES / "host_article.txt").read_text())]
    docs += [extract(decode(p.read_bytes())) for p in pages]
    for doc in docs:
        scores = rng.normal(scale=3.0, size=len(doc.rows))
        np.testing.assert_array_equal(without_lexical(line_features(doc, scores)), line_features(doc))


def test_vocabulary_overlap_counts_each_word_once_per_line() -> None:
    long_line = "Gamma " + " ".join(f"filler{k}" for k in range(40)) + "."
    assert len(long_line) > TEASER_MAX_CHARS
    doc = Document.from_text(f"Alpha beta gamma gamma\n\nBeta delta 2024\n{long_line}")
    matrix = line_features(doc)
    shared, in_article = matrix[:, COLUMN["vocab_overlap"]], matrix[:, COLUMN["vocab_overlap_article"]]
    # alpha, beta, gamma: beta and gamma occur in other lines, gamma in the long line
    np.testing.assert_allclose(shared, [2 / 3, 1 / 2, 1 / 41])
    # the long line is the only one: its own words do not count for itself
    np.testing.assert_allclose(in_article, [1 / 3, 0, 0])


def test_wording_flags_ignore_case_and_long_lines() -> None:
    # "ſource:", "5 MİN READ", "ıs": letters re.IGNORECASE matched and str.lower() alone does not
    lines = ["SIGN UP for our Newsletter", "BY ANNA NOVAK", "Read more " * 20, "ſource: AP", "5 MİN READ"]
    matrix = line_features(Document.from_text("\n".join(lines)))
    assert matrix[:, COLUMN["junk_words"]].tolist() == [1.0, 0.0, 0.0, 1.0, 0.0]
    assert matrix[:, COLUMN["meta_byline"]].tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert matrix[:, COLUMN["meta_reading_time"]].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]


def test_wording_patterns_are_written_in_lower_case() -> None:
    # they are matched against lower-cased lines: a capital in one could never match
    for pattern in (JUNK_WORDS, *META.values()):
        letters = re.sub(r"\\[A-Za-z]", "", pattern.pattern)
        assert letters == letters.lower(), pattern.pattern
