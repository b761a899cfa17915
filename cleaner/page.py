"""Where each extracted line came from in the page: its source element, that element's
ancestors (tags, class and id words), the links around it, and whether it lies outside the
container that holds most of the article.

Trafilatura returns text only; this module finds each line again in the parsed page. One
walk of the tree writes the page's visible text with all whitespace removed, plus each
element's span in it; a line (whitespace removed too) is then found by substring search,
in document order, and its source element is the deepest element whose span holds it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from .document import PageFacts

#: elements whose text a reader never sees
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "svg", "head", "title", "iframe"})
#: the page structures a reader notices around a line, each one bit of PageFacts.tags
TAG_GROUPS: dict[str, frozenset[str]] = {
    "found": frozenset(),  # the line was found in the page at all
    "p": frozenset({"p"}),
    "li": frozenset({"li", "dt", "dd"}),
    "a": frozenset({"a"}),
    "heading": frozenset({"h1", "h2", "h3", "h4", "h5", "h6"}),
    "table": frozenset({"td", "th", "table"}),
    "nav": frozenset({"nav", "menu"}),
    "aside": frozenset({"aside"}),
    "footer": frozenset({"footer"}),
    "header": frozenset({"header"}),
    "figure": frozenset({"figure", "figcaption", "picture"}),
    "time": frozenset({"time"}),
    "control": frozenset({"button", "form", "input", "select", "label"}),
    "quote": frozenset({"blockquote", "q", "cite"}),
    "main": frozenset({"article", "main"}),
    "small": frozenset({"small", "sub", "sup"}),
    "code": frozenset({"pre", "code", "kbd", "samp"}),
}
TAG_BIT = {name: 1 << k for k, name in enumerate(TAG_GROUPS)}
_BIT_OF_TAG = {tag: TAG_BIT[name] for name, tags in TAG_GROUPS.items() for tag in tags}
#: containers whose items go or stay together (a list of teasers, a share menu, a box)
BLOCK_TAGS = frozenset({"ul", "ol", "dl", "nav", "menu", "aside", "footer", "header", "table", "form"})
#: how many ancestors' class and id words describe a line
CONTEXT_ANCESTORS = 8
#: the main container is the deepest element holding at least this share of the found text
MAIN_SHARE = 0.6
#: search for at most this many characters of a line when the whole line is not found
SEARCH_PREFIX = 40
#: class/id words shorter or longer than this are noise (hashes, "a", "x1")
WORD_MIN, WORD_MAX = 3, 24
_CLASS_WORD = re.compile(r"[a-z]+")
#: soft hyphens, zero-width spaces and joiners, direction marks, BOMs: dropped from lines
_INVISIBLE_MARKS = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))
#: after this many lines not found, a line is searched forward only (a whole-page search per
#: line would make pages of unfound lines quadratic)
MAX_MISSES = 20
_LIST_MARKER = re.compile(r"^\s*-\s+")
#: the types a page declares itself an article by: Open Graph's og:type "article", and
#: schema.org's Article and its kinds in JSON-LD (NewsArticle, TechArticle, BlogPosting, Report…;
#: not DiscussionForumPosting: a forum thread is no article), written bare, as an address or
#: a compact IRI ("https://schema.org/NewsArticle", "schema:NewsArticle")
_OG_ARTICLE = re.compile(r"\s*article\b", re.I)
_ARTICLE_TYPE = re.compile(r"^(?:[\w:/.\\]*[/:])?(?:\w*Article|(?:Live)?BlogPosting|Report)$")
#: JSON-LD that does not parse is searched for its types as text
_LD_TYPES = re.compile(r'"@type"\s*:\s*(\[[^\]]*\]|"[^"]*")')
_LD_TYPE_NAME = re.compile(r'"([^"]*)"')


@dataclass
class _Walk:
    """The page's text without whitespace, and every visible element's span in it."""

    text: str
    start: list[int]
    end: list[int]
    parent: list[int]
    tag: list[str]
    element: list[Any]  # class and id words are read only for the few elements lines come from
    in_link: np.ndarray  # cumulative count of link characters, len(text) + 1
    class_words: dict[int, list[str]] = field(default_factory=dict)


def _walk(tree: Any) -> _Walk:
    from lxml import etree

    root = tree.find("body")
    if root is None:
        root = tree
    chunks: list[str] = []
    pos = 0
    start: list[int] = []
    end: list[int] = []
    parent: list[int] = []
    tags: list[str] = []
    elements: list[Any] = []
    stack: list[int] = []
    links: list[int] = []
    events = etree.iterwalk(root, events=("start", "end"))
    # positions are counted in the raw text first; whitespace goes in one pass at the end
    for event, el in events:
        tag = el.tag
        visible = tag.__class__ is str and tag not in _INVISIBLE
        if event == "start":
            if not visible:
                events.skip_subtree()
                continue
            k = len(start)
            parent.append(stack[-1] if stack else -1)
            stack.append(k)
            start.append(pos)
            end.append(pos)
            tags.append(tag)
            elements.append(el)
            if tag == "a":
                links.append(k)
            text = el.text
            if text:
                if not text.isascii():
                    text = _normal(text)
                chunks.append(text)
                pos += len(text)
            continue
        if visible:
            end[stack.pop()] = pos
        text = el.tail
        if text and el is not root:
            if not text.isascii():
                text = _normal(text)
            chunks.append(text)
            pos += len(text)
    codes = np.frombuffer("".join(chunks).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kept = ~_dropped_table()[np.minimum(codes, _TABLE_SIZE)]
    # where each raw position falls in the text without whitespace
    at = np.r_[0, np.cumsum(kept)]
    start_at, end_at = at[start], at[end]
    marks = np.zeros(int(at[-1]) + 1, dtype=np.int64)
    np.add.at(marks, start_at[links], 1)
    np.add.at(marks, end_at[links], -1)
    inside = np.cumsum(marks)[:-1] > 0
    text = codes[kept].tobytes().decode("utf-32-le", "surrogatepass")
    return _Walk(
        text, start_at.tolist(), end_at.tolist(), parent, tags, elements, np.r_[0, np.cumsum(inside)]
    )


#: code points covered by the table of characters dropped from the page text: whitespace
#: ends at U+3000, and every code point beyond shares the table's last slot (kept)
_TABLE_SIZE = 0x3001


@lru_cache(maxsize=1)
def _dropped_table() -> np.ndarray:
    """Per code point, whether lines are searched without it: whitespace (what str.split
    splits on) and table bars."""
    table = np.array([chr(i).isspace() for i in range(_TABLE_SIZE)] + [False], dtype=bool)
    table[ord("|")] = True
    return table


def _normal(text: str) -> str:
    """Non-ASCII page text as trafilatura normalises its lines: NFC, no invisible marks."""
    return unicodedata.normalize("NFC", text).translate(_INVISIBLE_MARKS)


def _piece(text: str) -> str:
    """Text as lines are searched for in the page: no whitespace, no bars, NFC, no invisible
    marks."""
    if not text.isascii():
        text = _normal(text)
    return "".join(text.replace("|", "").split())


def _keys(line: str) -> str:
    """A line as it is searched for: no list marker, no table bars or their escapes."""
    return _piece(_LIST_MARKER.sub("", line).replace("\\|", "|"))


def _spans(walk: _Walk, lines: list[str]) -> list[tuple[int, int] | None]:
    """Where each line lies in the page text, searched forward from the previous line."""
    cursor = misses = 0
    spans: list[tuple[int, int] | None] = []
    text = walk.text
    for line in lines:
        key = _keys(line)
        if not key:
            spans.append(None)
            continue
        at, size = -1, len(key)
        for needle in dict.fromkeys((key, key[:SEARCH_PREFIX])):  # a short key once
            at = text.find(needle, cursor)
            if at < 0 and misses < MAX_MISSES:
                at = text.find(needle)
            if at >= 0:
                size = len(needle)
                break
        if at < 0:
            misses += 1
            spans.append(None)
            continue
        spans.append((at, at + size))
        cursor = at + size
    return spans


def _source(walk: _Walk, span: tuple[int, int]) -> int:
    """The deepest element whose span holds `span` (see the module docstring)."""
    lo, hi = span
    k = bisect_right(walk.start, lo) - 1
    while k > 0 and walk.end[k] < hi:
        k = walk.parent[k]
    return max(k, 0)


def _chain(walk: _Walk, k: int) -> list[int]:
    chain = []
    while k >= 0:
        chain.append(k)
        k = walk.parent[k]
    return chain


def _class_words(walk: _Walk, k: int) -> list[str]:
    """Element k's class and id words, each read once: the lines of a page share ancestors."""
    words = walk.class_words.get(k)
    if words is None:
        el = walk.element[k]
        attrs = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
        words = walk.class_words[k] = [
            f"c:{w}" for w in _CLASS_WORD.findall(attrs) if WORD_MIN <= len(w) <= WORD_MAX
        ]
    return words


def _context(walk: _Walk, chain: list[int]) -> tuple[str, ...]:
    words: dict[str, None] = {}
    for depth, k in enumerate(chain[:CONTEXT_ANCESTORS]):
        words[f"t:{walk.tag[k]}"] = None
        if depth == 0:
            words[f"s:{walk.tag[k]}"] = None
        words.update(dict.fromkeys(_class_words(walk, k)))
    return tuple(words)


def _link_share(walk: _Walk, lo: int, hi: int) -> float:
    return float(walk.in_link[hi] - walk.in_link[lo]) / max(hi - lo, 1)


def signature() -> str:
    """What the facts depend on besides the page (extraction caches key on it)."""
    from lxml import etree

    groups = sorted((name, sorted(tags)) for name, tags in TAG_GROUPS.items())
    return repr(
        (
            groups,
            sorted(BLOCK_TAGS),
            CONTEXT_ANCESTORS,
            MAIN_SHARE,
            SEARCH_PREFIX,
            WORD_MIN,
            WORD_MAX,
            MAX_MISSES,
            etree.LIBXML_VERSION,
        )
    )


#: what a line's source element says about it: its chain of ancestors, tag bits, block, the
#: block's link share and the context words
_Source = tuple[list[int], int, int, float, tuple[str, ...]]


def _source_facts(walk: _Walk, src: int) -> _Source:
    chain = _chain(walk, src)
    bits = TAG_BIT["found"]
    for k in chain:
        bits |= _BIT_OF_TAG.get(walk.tag[k], 0)
    box = next((k for k in chain if walk.tag[k] in BLOCK_TAGS), -1)
    around = box if box >= 0 else (chain[1] if len(chain) > 1 else chain[0])
    return chain, bits, box, _link_share(walk, walk.start[around], walk.end[around]), _context(walk, chain)


def page_facts(tree: Any, lines: list[str]) -> PageFacts:
    """Find each extracted line in the parsed page and describe where it sat."""
    facts = PageFacts.empty(len(lines))
    if not lines:
        return facts
    walk = _walk(tree)
    spans = _spans(walk, lines)
    sources: dict[int, _Source] = {}  # lines of one element (split at <br>) share its facts
    found: list[tuple[int, int, list[int]]] = []
    for i, span in enumerate(spans):
        if span is None:
            continue
        src = _source(walk, span)
        if src not in sources:
            sources[src] = _source_facts(walk, src)
        chain, facts.tags[i], facts.block[i], facts.block_links[i], facts.context[i] = sources[src]
        found.append((i, span[1] - span[0], chain))
        facts.link_share[i] = _link_share(walk, *span)
    _mark_outside_main(facts, found)
    return facts


def declares_article(tree: Any) -> bool:
    """Whether the page says it is an article: og:type "article", or a schema.org Article,
    BlogPosting or Report in its JSON-LD. News sites say so on nearly every story (121 of
    123 fundus-dev pages); product, listing and forum pages seldom do (7-25 % of WCXB's)."""
    for element in tree.iter("meta", "script"):
        if element.tag == "meta":
            said = (
                element.get("property") or element.get("name") or ""
            ).strip().lower() == "og:type" and bool(_OG_ARTICLE.match(element.get("content") or ""))
        else:
            kind = (element.get("type") or "").split(";")[0].strip().lower()
            said = kind == "application/ld+json" and _ld_article(element.text or "")
        if said:
            return True
    return False


def _ld_article(text: str) -> bool:
    """Whether JSON-LD says its page is an article: the type of a top-level thing (in a list
    or an @graph too) or of its mainEntity; not of things listed deeper (a listing's items)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return any(
            _ARTICLE_TYPE.match(t) for found in _LD_TYPES.findall(text) for t in _LD_TYPE_NAME.findall(found)
        )
    things = [x for item in (data if isinstance(data, list) else [data]) for x in _with_graph(item)]
    things += [m for x in things for m in _listed(x.get("mainEntity")) if isinstance(m, dict)]
    return any(isinstance(t, str) and _ARTICLE_TYPE.match(t) for x in things for t in _listed(x.get("@type")))


def _with_graph(item: Any) -> list[dict[str, Any]]:
    """A JSON-LD object and the objects of its @graph."""
    if not isinstance(item, dict):
        return []
    return [item, *(x for x in _listed(item.get("@graph")) if isinstance(x, dict))]


def _listed(value: Any) -> list[Any]:
    """A JSON-LD value that may be one thing or a list of them, as a list (of dicts and strings)."""
    items = value if isinstance(value, list) else [value]
    return [x for x in items if isinstance(x, dict | str)]


def _mark_outside_main(facts: PageFacts, found: list[tuple[int, int, list[int]]]) -> None:
    """Flag lines outside the main container: the deepest element holding MAIN_SHARE of the
    found characters in two lines or more. A list or box holding it is the page's frame (a
    form or layout table around everything), not a block whose lines go together."""
    total = sum(size for _, size, _ in found)
    if not total:
        return
    held: dict[int, int] = {}
    lines: dict[int, int] = {}
    for _, size, chain in found:
        for k in chain:
            held[k] = held.get(k, 0) + size
            lines[k] = lines.get(k, 0) + 1
    # elements holding that much are nested in one another: the deepest comes last in the page
    big = [k for k, chars in held.items() if chars >= MAIN_SHARE * total]
    main = max((k for k in big if lines[k] >= 2), default=min(big))
    frames = set(big)
    for i, _, chain in found:
        facts.outside_main[i] = main not in chain
        if facts.block[i] in frames:
            facts.block[i] = -1
