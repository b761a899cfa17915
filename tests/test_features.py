"""Line features: the matrix the page trees and the text trees read."""

from __future__ import annotations

import re

import numpy as np
import pytest

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


def test_the_kind_of_page_is_the_same_on_every_line_and_tells_prose_from_lists() -> None:
    paragraphs = [
        f"Paragraph {k}: the council voted on Tuesday to close the old bridge over the river for repairs "
        f"that engineers say will take until next spring, and traffic goes north over the new bridge until then, the mayor said {k}."
        for k in range(3)
    ]
    article = (
        "<html><body><article><h1>Bridge closes</h1>"
        + f"<p>{paragraphs[0]}</p><p>{paragraphs[1]}</p><h2>What next</h2><p>{paragraphs[2]}</p>"
        + '<ul><li>Road works on Main Street</li><li><a href="/b">Bus times</a> change</li></ul>'
        + "</article></body></html>"
    )
    items = "".join(f'<li><a href="/p{k}">Garden chair, model {k}</a> from 49 euros</li>' for k in range(12))
    listing = f"<html><body><main><h1>Garden chairs</h1><ul>{items}</ul></main></body></html>"
    kinds = ["log_read_line_chars", "doc_paragraphs", "doc_link_share", "doc_list_share", "doc_heading_share"]
    (prose, long, links, lists, headings), (prose2, long2, links2, lists2, headings2) = [
        line_features(extract(page))[:, [COLUMN[name] for name in kinds]].T for page in (article, listing)
    ]
    for column in (prose, long, links, lists, headings, prose2, links2, lists2):
        assert len(set(column.tolist())) == 1  # one value for the whole document
    # the line an average character sits in: near the paragraphs' length, or the items'
    assert 180 < np.expm1(prose[0]) < 210 and 30 < np.expm1(prose2[0]) < 40
    assert long[0] == np.log1p(3) and long2[0] == 0.0
    assert lists[0] == 2 / 7 and lists2[0] == 12 / 13  # seven lines: heading, 3 paragraphs, heading, 2 items
    assert headings[0] == 2 / 7 and headings2[0] == 1 / 13
    assert 0 < links[0] < 0.05 < 0.5 < links2[0] < 1
    text = line_features(Document.from_text(f"{paragraphs[0]}\n- Bus times\n- Road works"))
    assert text[0, COLUMN["doc_link_share"]] == text[0, COLUMN["doc_list_share"]] == 0.0  # no page to say
    sizes = np.array([len(paragraphs[0]), 11, 12])
    assert np.expm1(text[0, COLUMN["log_read_line_chars"]]) == pytest.approx(sizes @ sizes / sizes.sum())


def test_the_kind_of_page_weighs_link_text_by_characters_and_counts_table_rows() -> None:
    paragraph = "The council voted on Tuesday to close the old bridge over the river for repairs this spring."
    page = (
        f"<html><body><article><h1>Bridge closes</h1><p>{paragraph}</p><p>{paragraph.replace('Tue', 'Mon')}</p>"
        "<table><tr><td>Cost</td><td>2 million euros</td></tr><tr><td>Weeks</td><td>30</td></tr></table>"
        '<p>Traffic goes north: <a href="/map">see the detour map on our site</a></p></article></body></html>'
    )
    doc = extract(page)
    matrix = line_features(doc)
    chars = np.array([len(t) for t in doc.row_texts], dtype=float)
    links = np.asarray(doc.page.link_share, dtype=float)[doc.rows]  # type: ignore[union-attr]
    assert len(doc.rows) == 6 and links[-1] > 0.5 and not links[:-1].any()
    # by characters, not by lines: the linked line counts by its length
    assert matrix[0, COLUMN["doc_link_share"]] == pytest.approx(links @ chars / chars.sum())
    assert matrix[0, COLUMN["doc_link_share"]] != pytest.approx(links.mean(), rel=0.02)
    assert matrix[0, COLUMN["doc_table_share"]] == 2 / 6
    assert matrix[0, COLUMN["log_doc_chars"]] == pytest.approx(np.log1p(chars.sum()))
    assert matrix[0, COLUMN["log_median_chars"]] == pytest.approx(np.log1p(np.median(chars)))
