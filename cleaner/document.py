"""Document: the lines the filter sees, and what the page told us about each."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, get_args

import numpy as np

from .errors import InputError

Source = Literal["html", "text"]
#: the values of Source, for checks at run time
SOURCES: tuple[str, ...] = get_args(Source)


@dataclass
class PageFacts:
    """Where each line of an HTML page's Document sat in the page (one value per line)."""

    #: share of the line's characters inside links
    link_share: np.ndarray
    #: share of link characters in the line's block (its list, box or parent element)
    block_links: np.ndarray
    #: whether the line lies outside the container holding most of the article
    outside_main: np.ndarray
    #: bitmask of page.TAG_GROUPS over the line's source element and its ancestors
    tags: np.ndarray
    #: id of the block container (list, box) the line is in, -1 for none
    block: np.ndarray
    #: tag names and class/id words of the source element and its nearest ancestors
    context: list[tuple[str, ...]]

    @classmethod
    def empty(cls, n: int) -> PageFacts:
        """Facts of `n` lines that were not found in the page."""
        return cls(
            link_share=np.zeros(n),
            block_links=np.zeros(n),
            outside_main=np.zeros(n, dtype=bool),
            tags=np.zeros(n, dtype=np.int64),
            block=np.full(n, -1, dtype=np.int64),
            context=[()] * n,
        )

    def take(self, lines: np.ndarray) -> PageFacts:
        """The facts of some lines only, in the order given."""
        return PageFacts(
            link_share=self.link_share[lines],
            block_links=self.block_links[lines],
            outside_main=self.outside_main[lines],
            tags=self.tags[lines],
            block=self.block[lines],
            context=[self.context[i] for i in lines],
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready lists (the training cache stores extractions this way)."""
        return {
            "link_share": self.link_share.tolist(),
            "block_links": self.block_links.tolist(),
            "outside_main": self.outside_main.tolist(),
            "tags": self.tags.tolist(),
            "block": self.block.tolist(),
            "context": [list(c) for c in self.context],
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PageFacts:
        """The inverse of `to_dict`."""
        return cls(
            link_share=np.asarray(raw["link_share"], dtype=float),
            block_links=np.asarray(raw["block_links"], dtype=float),
            outside_main=np.asarray(raw["outside_main"], dtype=bool),
            tags=np.asarray(raw["tags"], dtype=np.int64),
            block=np.asarray(raw["block"], dtype=np.int64),
            context=[tuple(c) for c in raw["context"]],
        )


@dataclass
class Document:
    """The lines of one document (one paragraph each) plus, for a page, where each sat in it."""

    lines: list[str]
    source: Source = "text"
    #: facts from the HTML page; None for plain text
    page: PageFacts | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    #: whether the page declares itself an article (page.declares_article): the decision rule's
    #: article threshold applies to it
    declares_article: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.lines, list) or not all(
            isinstance(x, str) and "\n" not in x for x in self.lines
        ):
            raise InputError(
                "a Document's lines are a list of str, each without a newline (Document.from_text(text) splits a text)"
            )
        if self.source not in SOURCES:
            raise InputError(f"a Document's source is 'html' or 'text', not {self.source!r}")
        if not isinstance(self.metadata, dict):
            raise InputError(f"a Document's metadata is a dict, not {type(self.metadata).__name__}")
        if not isinstance(self.declares_article, bool | np.bool_):
            raise InputError(f"a Document's declares_article is True or False, not {self.declares_article!r}")
        self.declares_article = bool(self.declares_article)
        if self.page is not None and not isinstance(self.page, PageFacts):
            raise InputError(f"a Document's page is PageFacts or None, not {type(self.page).__name__}")
        if self.page is not None:
            for name, facts in vars(self.page).items():
                if not hasattr(facts, "__len__") or len(facts) != len(self.lines):
                    size = len(facts) if hasattr(facts, "__len__") else "no"
                    raise InputError(f"page facts ({name}) of {size} lines for {len(self.lines)} lines")

    @classmethod
    def from_text(cls, text: str) -> Document:
        """Split already-extracted text into lines, keeping every byte of each line."""
        if not isinstance(text, str):
            raise InputError(
                f"Document.from_text takes str, not {type(text).__name__} (Cleaner.clean decodes bytes)"
            )
        return cls(lines=text.split("\n") if text else [], source="text")

    @property
    def text(self) -> str:
        """The document's lines joined back together."""
        return "\n".join(self.lines)

    @cached_property
    def rows(self) -> np.ndarray:
        """Indices of the non-blank lines: the rows of the feature matrix, in order."""
        return np.array([i for i, line in enumerate(self.lines) if line.strip()], dtype=np.intp)

    @cached_property
    def row_texts(self) -> list[str]:
        """The text of each row (non-blank line), stripped: what features and labels read."""
        return [self.lines[i].strip() for i in self.rows]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: lines, source, page facts and declaration (not the metadata)."""
        return {
            "lines": self.lines,
            "source": self.source,
            "page": self.page.to_dict() if self.page is not None else None,
            "declares_article": self.declares_article,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Document:
        """The inverse of `to_dict`."""
        page = PageFacts.from_dict(raw["page"]) if raw.get("page") is not None else None
        return cls(
            lines=list(raw["lines"]),
            source=raw["source"],
            page=page,
            declares_article=raw.get("declares_article", False),
        )
