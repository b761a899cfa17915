"""Whole documents: HTML pages written for these tests in the shapes of real news sites."""

from __future__ import annotations

from pathlib import Path

import pytest

import cleaner

from .conftest import CASES, read_cases

PAGES = sorted((CASES / "pages").glob("*.html"))


def test_there_are_enough_pages() -> None:
    assert len(PAGES) >= 15


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_gives_expected_text(page: Path) -> None:
    expected = page.with_suffix(".expected.txt").read_text(encoding="utf-8").rstrip("\n")
    assert cleaner.clean_html(page.read_bytes()) == expected


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_cleaning_is_idempotent(page: Path) -> None:
    once = cleaner.clean_html(page.read_bytes())
    assert cleaner.clean_text(once) == once


@pytest.mark.parametrize("junk", read_cases("junk_lines.txt"))
def test_trailing_junk_line_is_removed(host_article: str, junk: str) -> None:
    assert cleaner.clean_text(f"{host_article}\n{junk}") == host_article


@pytest.mark.parametrize("line", read_cases("keep_lines.txt"))
@pytest.mark.parametrize("where", ["middle", "end"])
def test_lookalike_line_is_kept(host_article: str, line: str, where: str) -> None:
    lines = host_article.split("\n")
    at = len(lines) // 2 if where == "middle" else len(lines)
    text = "\n".join([*lines[:at], line, *lines[at:]])
    assert cleaner.clean_text(text) == text


@pytest.mark.parametrize("line", read_cases("keep_leading.txt"))
def test_opening_line_is_kept(host_article: str, line: str) -> None:
    text = f"{line}\n{host_article}"
    assert cleaner.clean_text(text) == text


def test_seed_whole_document_lines_in_text_and_html_agree(seed_text: str, seed_expected: str) -> None:
    # the same article as a page: paragraphs in an <article>, teasers as plain paragraphs
    paragraphs = "".join(f"<p>{line}</p>" for line in seed_text.split("\n"))
    page = f"<html><body><article>{paragraphs}</article></body></html>"
    assert cleaner.clean_html(page) == seed_expected
