"""Corrections a person made in `cleaner review` (format: seeds/README.md), as labelled
training documents weighted like seeds.

Each record names its document and carries the lines the review showed (the document as it
was before cleaning, line numbers as in the batch's `removed`). A page still on disk that
extracts to those same lines is used again, page facts and all; otherwise the lines are
trained on as plain text. The review's decisions are the labels (removed: junk, kept:
body), overridden by the corrections.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..batch.files import read_input
from ..decoding import decode
from ..document import Document
from ..errors import CleanerError, TrainingError
from ..extract import extract
from .corpus import SEED_WEIGHT, LabelledDoc

SOURCE = "corrections"
#: a corrections file larger than this is not a person's marks
MAX_CORRECTIONS_BYTES = 1 << 30
LABELS = {"junk": 1, "body": 0}


def read_corrections(
    paths: str | Path | Sequence[str | Path], notes: list[str] | None = None
) -> list[LabelledDoc]:
    """The corrected documents of corrections.jsonl files, one per document reviewed; `notes`
    gets a line for each page that could not be used again (trained on as plain text).

    Marks on one document (the same page, the same run's removals) add up across files: a
    review page opened again starts without the marks of its last download. Where two
    files mark one line, the later file's mark counts.
    """
    marked: dict[str, _Marks] = {}
    for path in [paths] if isinstance(paths, str | os.PathLike) else paths:
        for where, record in _records(Path(path)):
            marks = _Marks.of(record, where)
            if marks.origin in marked:
                marked[marks.origin].fixes.update(marks.fixes)
            else:
                marked[marks.origin] = marks
    return [_labelled(marks, notes if notes is not None else []) for marks in marked.values()]


def _records(path: Path) -> Iterator[tuple[str, Any]]:
    """The JSON records of one corrections file, each with where it is (`FILE:LINE`)."""
    try:  # gzip'd or not, as every input of cleaner
        lines = read_input(path, max_bytes=MAX_CORRECTIONS_BYTES).decode("utf-8-sig").split("\n")
    except (CleanerError, UnicodeDecodeError) as exc:
        raise TrainingError(f"{path}: cannot read corrections: {exc}") from exc
    found = False
    for number, line in enumerate(lines, start=1):
        if line.strip():
            where = f"{path}:{number}"
            try:
                yield where, json.loads(line)
            except ValueError as exc:
                raise TrainingError(f"{where}: not a JSON record: {exc}") from exc
            found = True
    if not found:
        raise TrainingError(f"{path}: no corrections in it")


@dataclass
class _Marks:
    """One corrections record read: the lines the review showed, the run's removals and the
    reviewer's marks by line number (text, label, where the mark was read)."""

    record: dict[str, Any]
    where: str
    shown: list[str]
    removed: list[int]
    fixes: dict[int, tuple[str, int, str]]
    path: str

    @classmethod
    def of(cls, record: Any, where: str) -> _Marks:
        try:
            shown = [str(x) for x in record["lines"]]
            removed = [int(n) for n in record["removed"]]
            fixes = {
                int(c["line"]): (str(c["text"]), _label(c["label"]), where) for c in record["corrections"]
            }
            if min([*removed, *fixes], default=0) < 0:
                raise ValueError("a line number below 0")
            return cls(record, where, shown, removed, fixes, str(record["path"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise TrainingError(f"{where}: not a corrections record ({type(exc).__name__}: {exc})") from exc

    @property
    def name(self) -> str:
        record_id = self.record.get("record")
        return self.path if record_id is None else f"{self.path}#{record_id}"

    @property
    def origin(self) -> str:
        """The document as reviewed and the run's removals: reviews of other runs of a page,
        or of the page changed since, each count on their own."""
        shown = hashlib.sha1("\n".join(self.shown).encode("utf-8", "surrogatepass")).hexdigest()
        return f"{self.name} {shown} removed {sorted(self.removed)}"


def _label(label: Any) -> int:
    if label not in LABELS:
        raise ValueError(f"label {label!r} is not one of {', '.join(map(repr, LABELS))}")
    return LABELS[label]


def _labelled(marks: _Marks, notes: list[str]) -> LabelledDoc:
    doc, lost = _document(marks.record, marks.shown)
    if lost:
        notes.append(f"{marks.where}: {marks.path}: {lost}; its lines are trained on as plain text")
    row_of = {int(line): k for k, line in enumerate(doc.rows)}
    labels = np.zeros(len(doc.rows), dtype=np.int8)
    shown = marks.shown
    for number in marks.removed:
        text = shown[number] if number < len(shown) else ""
        labels[_row(doc, row_of, number, text, marks.where)] = 1
    for number, (text, label, where) in marks.fixes.items():
        labels[_row(doc, row_of, number, text, where)] = label
    return LabelledDoc(
        doc=doc,
        labels=labels,
        source=SOURCE,
        group=f"{SOURCE}:{marks.path}",
        name=marks.name,
        weight=SEED_WEIGHT,
    )


def _document(record: dict[str, Any], shown: list[str]) -> tuple[Document, str | None]:
    """The page again when it is an HTML file on disk that still extracts to the lines the
    review showed (same page, same extraction settings), else those lines as plain text, with
    why a page was not used again (None when it was, or when there is no page to read)."""
    text = Document.from_text("\n".join(shown))
    page = Path(str(record["path"]))
    if record.get("source") != "html":
        return text, None
    if record.get("record") is not None:
        return text, "the page of a JSONL or web-archive record is not kept with its review"
    if not page.is_file():
        return text, "the page is not there (train from the folder the batch was cleaned in)"
    try:
        again = extract(decode(read_input(page)))
    except CleanerError as exc:
        return text, f"the page cannot be read again ({exc})"
    if again.lines != shown:
        return text, "the page extracts to other lines now (it changed since, or another extraction)"
    return again, None


def _row(doc: Document, row_of: dict[int, int], number: int, text: str, where: str) -> int:
    """The feature row of line `number`, which must still hold `text`."""
    if number in row_of and doc.lines[number].strip() == text.strip():
        return row_of[number]
    raise TrainingError(
        f"{where}: line {number + 1} of the review page ({text[:60]!r}) is not in the document at that place any more; "
        "clean and review the page again"
    )
