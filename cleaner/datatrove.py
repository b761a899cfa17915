"""Datatrove pipeline steps (needs `news-cleaner[datatrove]`): cleaner where a corpus is built.

`CleanerExtractor` stands where datatrove's `Trafilatura` extractor does: each document's
`text` (a page's HTML, as datatrove's WARC readers give it) becomes
`clean_html(text, url=doc.metadata["url"])`. `CleanerTextFilter` cleans documents whose
`text` some other extractor already produced (`clean_text`). Both add the metadata
`cleaner_removed_lines` and `cleaner_removed_chars`, drop documents left with no text (stat
`dropped`), and count a document that fails (`clean_error`) or overruns the time limit
(`timeout`) and skip it: one bad page never fails the task (the first of a task is logged as a
warning, each one in the task's log file). The model is loaded once per
task; options are Cleaner's (a `model` folder and any Settings field).

>>> from datatrove.pipeline.readers import WarcReader  # doctest: +SKIP
>>> pipeline = [WarcReader("crawl/"), CleanerExtractor(), JsonlWriter("clean/")]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    from datatrove.data import Document as DatatroveDocument
    from datatrove.pipeline.base import PipelineStep
    from datatrove.utils.logging import logger
    from datatrove.utils.typeshelper import StatHints
except ImportError as exc:
    raise ImportError(
        f"cleaner.datatrove needs datatrove: pip install 'news-cleaner[datatrove]' ({exc})"
    ) from exc

from .api import Cleaner
from .errors import CleanerError, TimeLimitError
from .result import CleanResult


class _CleanerStep(PipelineStep):
    """A step that replaces each document's text with its cleaned text."""

    type = "🛢 - EXTRAC"

    def __init__(self, model: str | Path | None = None, **options: Any):
        super().__init__()
        self.model = model
        self.options = options
        Cleaner(model=model, **options)  # a bad option or model fails here, not in every task

    def clean(self, cleaner: Cleaner, doc: DatatroveDocument) -> CleanResult:
        """The cleaned form of one document."""
        raise NotImplementedError

    def run(
        self, data: Iterator[DatatroveDocument], rank: int = 0, world_size: int = 1
    ) -> Iterator[DatatroveDocument]:
        """Clean every document; forward those with text left, count the rest."""
        cleaner = Cleaner(model=self.model, **self.options)  # once per task
        warned = False
        for doc in data:
            self.stat_update(StatHints.total)
            with self.track_time():
                try:
                    result = self.clean(cleaner, doc)
                except Exception as exc:  # a task outlives any one page: counted and logged
                    self.stat_update("timeout" if isinstance(exc, TimeLimitError) else "clean_error")
                    expected = isinstance(exc, CleanerError)
                    kind = "" if expected else " (unexpected)"
                    # on the console: a task's first bad page, and each bug; every one in the task's log file
                    level = "DEBUG" if expected and warned else "WARNING"
                    logger.log(
                        level, f"cleaner{kind}: {type(exc).__name__}: {exc}; document {doc.id} skipped"
                    )
                    warned = warned or expected
                    continue
            if not result.text:
                self.stat_update(StatHints.dropped)
                continue
            doc.text = result.text
            doc.metadata["cleaner_removed_lines"] = len(result.removed)
            doc.metadata["cleaner_removed_chars"] = result.removed_chars
            self.stat_update(StatHints.forwarded)
            self.update_doc_stats(doc)
            yield doc


class CleanerExtractor(_CleanerStep):
    """HTML in `doc.text` → the page's clean article text (`clean_html`, with the doc's url)."""

    name = "🧹 cleaner"

    def clean(self, cleaner: Cleaner, doc: DatatroveDocument) -> CleanResult:
        """Extract and clean the page in `doc.text`."""
        url = doc.metadata.get("url")
        return cleaner.clean_html(doc.text, url=url if isinstance(url, str) else None)


class CleanerTextFilter(_CleanerStep):
    """Extracted text in `doc.text` → the same text without its junk lines (`clean_text`)."""

    name = "🧹 cleaner (text)"
    type = "🔻 - FILTER"

    def clean(self, cleaner: Cleaner, doc: DatatroveDocument) -> CleanResult:
        """Remove the junk lines of the text in `doc.text`."""
        return cleaner.clean_text(doc.text)
