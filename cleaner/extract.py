"""The only place that calls trafilatura: HTML page -> Document with per-line page facts."""

from __future__ import annotations

import re
import threading
from contextlib import suppress
from typing import Any

from .config import Settings
from .decoding import SURROGATE
from .document import Document
from .errors import CleanerError, ExtractionError
from .page import declares_article, page_facts

METADATA_FIELDS = ("title", "author", "date", "sitename", "url", "hostname", "description")
#: bump when what extract() returns changes: training caches are keyed on it
EXTRACT_VERSION = 11
#: nesting deeper than this loses content in the HTML parser (libxml2 stops at 256 levels)
MAX_PARSER_DEPTH = 250
#: tags that nest (blocks, inline styling pages pile up, and custom elements, whose names
#: hold a hyphen: "<my-widget>"): what a flattened retry drops
_CONTAINER_TAG = re.compile(
    r"</?(?:div|span|section|font|center|td|tr|table|tbody|article|main|aside|header|footer|nav|form|"
    r"figure|blockquote|ul|ol|li|dl|dd|dt|q|label|cite|abbr|i|b|em|strong|small|u|s|sup|sub|mark|"
    r"[a-z][a-z0-9]*-[a-z0-9._-]*)(?=[\s/>])[^>]{0,4096}>",
    re.I,
)
#: libxml2 stops at a text node or attribute value of 10 MB (an inline data: image, a script
#: of data): a run this long without a tag is no article text, and a retry drops it (with
#: the tag it sits in, if any); each alternative starts where a run starts: linear
HUGE_RUN_CHARS = 1_000_000
_HUGE_RUN = re.compile(rf"<[^<>]{{{HUGE_RUN_CHARS},}}>?|(?<![^<>])[^<>]{{{HUGE_RUN_CHARS},}}")
#: trafilatura and htmldate keep per-process caches (some unbounded): clear them this often
RESET_CACHES_EVERY = 1000
_pages_since_reset = 0
_THREAD = threading.local()


def read_metadata(result: Any, url: str | None = None) -> dict[str, Any]:
    """Every METADATA_FIELDS key, from trafilatura's result where it found one, else None (the
    url and its hostname: the url given), so outputs of pages and of plain text carry the same keys."""
    metadata = {name: getattr(result, name, None) for name in METADATA_FIELDS}
    if metadata["url"] is None:
        metadata["url"] = url
    if metadata["hostname"] is None and metadata["url"]:
        # trafilatura's own rule ("www." dropped), so a page and its text name the same host;
        # a malformed URL ("http://[bad") names none
        from courlan.urlutils import extract_domain

        metadata["hostname"] = extract_domain(metadata["url"], fast=True)
    return metadata


def _parser() -> Any:
    """trafilatura's HTML parser, with lxml's C-level element classes instead of lxml.html's;
    one per thread (threads sharing one lxml parser crashed the process: double free).

    lxml.html picks each element's Python class by a Python call whenever an element is
    touched; trafilatura and the page-facts walk touch every element several times, so the
    C-level default lookup (every element an HtmlElement) makes the whole extraction ~5-10 %
    faster. trafilatura uses no form-element methods, and test_page checks the text is its own.
    """
    parser = getattr(_THREAD, "parser", None)
    if parser is None:
        from lxml import etree, html
        from trafilatura.utils import HTML_PARSER

        parser = HTML_PARSER.copy()
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=html.HtmlElement,
                comment=html.HtmlComment,
                pi=html.HtmlProcessingInstruction,
                entity=html.HtmlEntity,
            )
        )
        _THREAD.parser = parser
    return parser


def load_tree(html: str) -> Any:
    """Parse a page as trafilatura.utils.load_html does, with _parser(); None when it is not HTML."""
    from lxml.etree import LxmlError
    from lxml.html import fromstring
    from trafilatura.utils import is_dubious_html, repair_faulty_html

    if not html.isascii():
        # a lone surrogate (JSON's "\udce9", bytes decoded with surrogateescape) ends libxml2's
        # parse where it stands: the rest of the page would be lost
        html = SURROGATE.sub("\ufffd", html)
    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    tree = None
    with suppress(ValueError, LxmlError):  # ValueError: a str that declares its encoding, lxml wants bytes
        tree = fromstring(html, parser=_parser())
    if tree is None or len(tree) < 1:
        try:
            tree = fromstring(html.encode("utf-8"), parser=_parser())
        except LxmlError:  # "Document is empty": a page without elements
            return None
    if is_dubious_html(beginning) and len(tree) < 2:
        return None  # text without an html tag that parses to a single block is not a page
    return tree


def _extract_once(
    html: str, url: str | None = None, settings: Settings | None = None, *, with_metadata: bool = False
) -> Document:
    """Extract the main text of a page into a Document, one paragraph per line.

    The text is exactly what `trafilatura.extract(..., output_format="txt")` gives; the
    page is parsed once, and each line's place in it is read from that same tree.
    """
    from trafilatura import bare_extraction
    from trafilatura.utils import normalize_unicode
    from trafilatura.xml import xmltotxt

    settings = settings or Settings()
    try:
        tree = load_tree(html)
    except (ValueError, TypeError, RecursionError) as exc:
        raise ExtractionError(f"the page could not be parsed as HTML: {type(exc).__name__}: {exc}") from exc
    if tree is None:
        return Document(lines=[], source="html", metadata=read_metadata(None, url) if with_metadata else {})
    try:
        result: Any = bare_extraction(
            tree,
            url=url,
            include_comments=settings.include_comments,
            favor_recall=settings.favor_recall,
            fast=settings.fast,
            with_metadata=with_metadata,
        )
    except CleanerError:  # the time limit, raised in this thread
        raise
    # trafilatura, htmldate and lxml raise what they raise (an AssertionError in lxml's drop_tree
    # on a stray </html>): the page fails alone, typed
    except Exception as exc:
        raise ExtractionError(f"trafilatura failed on the page: {type(exc).__name__}: {exc}") from exc
    metadata = read_metadata(result, url) if with_metadata else {}
    if result is None or result.body is None:
        return Document(lines=[], source="html", metadata=metadata)
    text = xmltotxt(result.body, include_formatting=False)
    if result.commentsbody is not None:
        text = f"{text}\n{xmltotxt(result.commentsbody, include_formatting=False)}".strip()
    text = normalize_unicode(text)
    lines = text.split("\n") if text else []
    # trafilatura worked on a copy: the tree still holds every element the lines came from
    return Document(
        lines=lines,
        source="html",
        page=page_facts(tree, lines),
        metadata=metadata,
        declares_article=declares_article(tree),
    )


def extract(
    html: str, url: str | None = None, settings: Settings | None = None, *, with_metadata: bool = False
) -> Document:
    """Extract the main text of a page into a Document, one paragraph per line.

    Retried once when a page gives no text and the parser's limits may be why: on the page
    flattened when it nests too deep, without its huge runs when it holds one.
    """
    global _pages_since_reset
    _pages_since_reset += 1
    if _pages_since_reset >= RESET_CACHES_EVERY:
        from trafilatura.meta import reset_caches

        _pages_since_reset = 0
        reset_caches()  # keeps memory flat over long batches
    doc = _extract_once(html, url, settings, with_metadata=with_metadata)
    if doc.lines:
        return doc
    if _nesting_depth(html) > MAX_PARSER_DEPTH:
        # libxml2 stops descending at a fixed depth: without the container tags the text is reachable
        return _extract_once(_CONTAINER_TAG.sub(" ", html), url, settings, with_metadata=with_metadata)
    if len(html) >= HUGE_RUN_CHARS and _HUGE_RUN.search(html):
        return _extract_once(_HUGE_RUN.sub("", html), url, settings, with_metadata=with_metadata)
    return doc


def _nesting_depth(html: str) -> int:
    """The deepest nesting of container tags (div, span, section...), by a linear scan."""
    depth = deepest = 0
    for m in _CONTAINER_TAG.finditer(html):
        depth = max(0, depth - 1) if m.group().startswith("</") else depth + 1
        deepest = max(deepest, depth)
    return deepest
