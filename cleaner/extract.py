"""The only place that calls trafilatura: HTML page -> Document with per-line page facts."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .config import Settings
from .document import Document
from .errors import ExtractionError

_METADATA_FIELDS = ("title", "author", "date", "sitename", "url", "hostname", "description")
_LIST_MARKER = re.compile(r"^\s*-\s+")
_WORD = re.compile(r"\w+")
#: bump when what extract() returns changes: training caches are keyed on it
EXTRACT_VERSION = 5
#: nesting deeper than this loses content in the HTML parser (libxml2 stops at 256 levels)
MAX_PARSER_DEPTH = 250
_CONTAINER_TAG = re.compile(r"</?(?:div|span|section|font|center|td|tr|table|tbody)\b[^>]*>", re.I)
#: link texts shorter than this are not searched inside lines (too many false hits)
MIN_PARTIAL_LINK_CHARS = 10
#: trafilatura and htmldate keep per-process caches (some unbounded): clear them this often
RESET_CACHES_EVERY = 1000
_pages_since_reset = 0


def _extract_once(
    html: str, url: str | None = None, settings: Settings | None = None, *, with_metadata: bool = False
) -> Document:
    """Extract the main text of a page into a Document, one paragraph per line.

    The text is exactly what `trafilatura.extract(..., output_format="txt")` gives; the
    page is parsed once, and the link and heading texts are read from that tree before
    trafilatura prunes it.
    """
    from trafilatura import bare_extraction
    from trafilatura.utils import load_html, normalize_unicode
    from trafilatura.xml import xmltotxt

    settings = settings or Settings()
    try:
        tree = load_html(html)
    except (ValueError, TypeError, RecursionError) as exc:
        raise ExtractionError(f"the page could not be parsed as HTML: {type(exc).__name__}: {exc}") from exc
    if tree is None:
        return Document(lines=[], source="html")
    links, headings = _page_texts(tree)
    try:
        result: Any = bare_extraction(
            tree,
            url=url,
            include_comments=settings.include_comments,
            favor_recall=settings.favor_recall,
            with_metadata=with_metadata,
        )
    except (ValueError, TypeError, RecursionError) as exc:
        raise ExtractionError(f"trafilatura failed on the page: {type(exc).__name__}: {exc}") from exc
    metadata: dict[str, Any] = {}
    if with_metadata and result is not None:
        metadata = {name: getattr(result, name, None) for name in _METADATA_FIELDS}
    if result is None or result.body is None:
        return Document(lines=[], source="html", metadata=metadata)
    text = xmltotxt(result.body, include_formatting=False)
    if result.commentsbody is not None:
        text = f"{text}\n{xmltotxt(result.commentsbody, include_formatting=False)}".strip()
    text = normalize_unicode(text)
    lines = text.split("\n") if text else []
    share, heading = _line_facts(lines, links, headings)
    return Document(lines=lines, source="html", link_share=share, is_heading=heading, metadata=metadata)


def extract(
    html: str, url: str | None = None, settings: Settings | None = None, *, with_metadata: bool = False
) -> Document:
    """Extract the main text of a page into a Document, one paragraph per line.

    Retried once on a flattened page when nesting too deep for the parser hid all text.
    """
    global _pages_since_reset
    _pages_since_reset += 1
    if _pages_since_reset >= RESET_CACHES_EVERY:
        from trafilatura.meta import reset_caches

        _pages_since_reset = 0
        reset_caches()  # keeps memory flat over long batches
    doc = _extract_once(html, url, settings, with_metadata=with_metadata)
    if doc.lines or _nesting_depth(html) <= MAX_PARSER_DEPTH:
        return doc
    # libxml2 stops descending at a fixed depth: without the container tags the text is reachable
    return _extract_once(_CONTAINER_TAG.sub(" ", html), url, settings, with_metadata=with_metadata)


def _nesting_depth(html: str) -> int:
    """The deepest nesting of container tags (div, span, section...), by a linear scan."""
    depth = deepest = 0
    for m in _CONTAINER_TAG.finditer(html):
        depth = max(0, depth - 1) if m.group().startswith("</") else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _norm(text: str) -> str:
    return " ".join(text.split())


def _page_texts(tree: Any) -> tuple[set[str], set[str]]:
    """Normalised texts of the page's links and headings, read before trafilatura prunes them."""
    links = {_norm(a.text_content()) for a in tree.iter("a")}
    headings = {_norm(h.text_content()) for h in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")}
    links.discard("")
    headings.discard("")
    return links, headings


def _line_facts(lines: list[str], links: set[str], headings: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per line: share of characters that are link text, and whether it is a page heading.

    A line, or a table cell of it, that is exactly a link's text counts whole; longer link
    texts are also found inside lines, starting and ending at word boundaries.
    """
    norm = [_LIST_MARKER.sub("", _norm(line)) for line in lines]
    share = np.zeros(len(lines))
    heading = np.array([n in headings for n in norm], dtype=bool)
    # long link texts indexed by their first characters: one dictionary look-up per word of
    # a line, then one set look-up per distinct length, whatever the number of links
    lengths: dict[str, set[int]] = {}
    for text in links:
        if len(text) >= MIN_PARTIAL_LINK_CHARS:
            lengths.setdefault(text[:MIN_PARTIAL_LINK_CHARS], set()).add(len(text))
    by_prefix = {key: sorted(found, reverse=True) for key, found in lengths.items()}
    for i, line in enumerate(norm):
        if not line:
            continue
        if line in links:
            share[i] = 1.0
            continue
        cells = [c.strip() for c in line.split("|")] if "|" in line else [line]
        covered = sum(len(c) for c in cells if c in links)
        rest = " | ".join(c for c in cells if c and c not in links)
        if by_prefix and rest:
            covered += _covered_by_links(rest, links, by_prefix)
        visible = sum(len(c) for c in cells) or 1
        share[i] = min(1.0, covered / visible)
    return share, heading


def _covered_by_links(text: str, links: set[str], by_prefix: dict[str, list[int]]) -> int:
    """Characters of `text` inside occurrences of long link texts (longest first at each word)."""
    covered = 0
    end = 0
    for m in _WORD.finditer(text):
        start = m.start()
        if start < end or (start and text[start - 1].isalnum()):
            continue
        for size in by_prefix.get(text[start : start + MIN_PARTIAL_LINK_CHARS], ()):
            stop = start + size
            if stop > len(text):
                continue
            if text[start:stop] in links and (stop == len(text) or not text[stop].isalnum()):
                covered += size
                end = stop
                break
    return covered
