"""Whole documents: HTML pages written for these tests in the shapes of real news sites."""

from __future__ import annotations

from pathlib import Path

import pytest

import cleaner

from .conftest import CASES, read_cases

PAGES = sorted((CASES / "pages").glob("*.html"))

# Expectations the shipped model does not meet yet, as measured when it was trained. They
# stay strict: the day a model meets one, its test fails until the entry is removed here.
KNOWN_MISSES = {
    "02_newsletter_box": "mid-article newsletter box kept (scored 0.67 and 0.76; inner lines need 0.95)",
    "03_photo_credits": "photo caption with its (Getty Images) credit kept (scored 0.28)",
    "04_share_bar": "share prompt before the first paragraph kept (scored 0.78; inner lines need 0.95)",
    "07_shift_jis": "関連記事 list kept: its header scored 0.86, the items 0.41-0.83",
    "10_spanish_inline": "'Lee también:' line inside the text kept (scored 0.44)",
    "11_read_more_links": "'READ MORE:' line inside the text kept (scored 0.71; inner lines need 0.95)",
    "14_bio_at_end": "author bio as the last line kept (scored 0.71 < 0.8)",
    "15_advert_labels": "'Advertisement' labels inside the text kept (scored 0.80 and 0.89; inner lines need 0.95)",
    "Maria Lopez is the Courier's arts correspondent. She has covered the town's cultural life since 2019.": (
        "trailing author bio scored 0.13: reads like an article sentence"
    ),
    "Copyright 2026 The Courier. All rights reserved.": "single trailing copyright line scored 0.53 (< 0.9)",
    # plain text's threshold is 0.9 since the seventeenth session's cross-validation without
    # leaks (it was 0.8): single trailing prompts scored just under it stay
    "Sign up for our daily newsletter to get the best stories in your inbox": (
        "single trailing newsletter prompt scored 0.8996 (< 0.9 for plain text)"
    ),
    "Read more: Village hall reopens after flood repairs": "single trailing 'Read more:' link scored 0.87 (< 0.9)",
    "Photo: Anna Kowalski / The Courier": "single trailing photo credit scored 0.81 (< 0.9)",
    "Follow us on Facebook and Instagram": "single trailing follow prompt scored 0.86 (< 0.9)",
    "Why the price of bread has doubled in five years, and who is paying for it\u2026": (
        "a single trailing teaser scored 0.71 (< 0.9)"
    ),
    "More stories from the region": "a single trailing run header scored 0.69 (< 0.9)",
}
# Pages whose cleaned text loses more lines when cleaned again as plain text: the junk the
# page trees kept (see KNOWN_MISSES) is caught by the plain-text judge on the second pass.
KNOWN_NOT_IDEMPOTENT = {
    "07_shift_jis": "the 関連記事 list the page kept (header 0.86) scores 0.95 as plain text and goes on a second pass",
}


def _cases(values: list, ids: list[str], misses: dict[str, str] = KNOWN_MISSES) -> list:
    params = []
    for v, i in zip(values, ids, strict=True):
        args = v if isinstance(v, tuple) else (v,)
        marks = [pytest.mark.xfail(strict=True, reason=misses[i])] if i in misses else []
        params.append(pytest.param(*args, id=i, marks=marks))
    return params


def test_there_are_enough_pages() -> None:
    assert len(PAGES) >= 15


@pytest.mark.parametrize("page", _cases(PAGES, [p.stem for p in PAGES]))
def test_page_gives_expected_text(page: Path) -> None:
    expected = page.with_suffix(".expected.txt").read_text(encoding="utf-8").rstrip("\n")
    assert cleaner.clean_html(page.read_bytes()) == expected


@pytest.mark.parametrize("page", _cases(PAGES, [p.stem for p in PAGES], KNOWN_NOT_IDEMPOTENT))
def test_cleaning_is_idempotent(page: Path) -> None:
    once = cleaner.clean_html(page.read_bytes())
    assert cleaner.clean_text(once) == once


@pytest.mark.parametrize("junk", _cases(read_cases("junk_lines.txt"), read_cases("junk_lines.txt")))
def test_trailing_junk_line_is_removed(host_article: str, junk: str) -> None:
    assert cleaner.clean_text(f"{host_article}\n{junk}") == host_article


@pytest.mark.parametrize(
    ("where", "line"),
    _cases(
        [(w, line) for w in ("middle", "end") for line in read_cases("keep_lines.txt")],
        [f"{w}-{line}" for w in ("middle", "end") for line in read_cases("keep_lines.txt")],
    ),
)
def test_lookalike_line_is_kept(host_article: str, line: str, where: str) -> None:
    lines = host_article.split("\n")
    at = len(lines) // 2 if where == "middle" else len(lines)
    text = "\n".join([*lines[:at], line, *lines[at:]])
    assert cleaner.clean_text(text) == text


@pytest.mark.parametrize("line", read_cases("keep_leading.txt"))
def test_opening_line_is_kept(host_article: str, line: str) -> None:
    text = f"{line}\n{host_article}"
    assert cleaner.clean_text(text) == text


@pytest.mark.parametrize("line", _cases(read_cases("junk_leading.txt"), read_cases("junk_leading.txt")))
def test_opening_metadata_line_is_removed(host_article: str, line: str) -> None:
    assert cleaner.clean_text(f"{line}\n{host_article}") == host_article


def test_seed_whole_document_lines_in_text_and_html_agree(seed_text: str, seed_expected: str) -> None:
    # the same article as a page: paragraphs in an <article>, teasers as plain paragraphs
    paragraphs = "".join(f"<p>{line}</p>" for line in seed_text.split("\n"))
    page = f"<html><body><article>{paragraphs}</article></body></html>"
    assert cleaner.clean_html(page) == seed_expected
