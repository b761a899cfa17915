"""Corrections a person made in `cleaner review` (format: seeds/README.md), as labelled
training documents weighted like seeds.

Each record names its document and carries the lines the review showed (the document as it
was before cleaning, line numbers as in the batch's `removed`). A page still on disk that
extracts to those same lines is used again, page facts and all; otherwise the lines are
trained on as plain text. The review's decisions are the labels (removed: junk, kept:
body), overridden by the corrections.
"""

from __future__ import annotations

import json
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


def read_corrections(path: Path, notes: list[str] | None = None) -> list[LabelledDoc]:
    """The corrected documents of one corrections.jsonl file; `notes` gets a line for each
    page that could not be used again (trained on as plain text)."""
    try:  # gzip'd or not, as every input of cleaner
        lines = read_input(Path(path), max_bytes=MAX_CORRECTIONS_BYTES).decode("utf-8-sig").split("\n")
    except (CleanerError, UnicodeDecodeError) as exc:
        raise TrainingError(f"{path}: cannot read corrections: {exc}") from exc
    docs = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise TrainingError(f"{where}: not a JSON record: {exc}") from exc
            docs.append(_labelled(record, where, notes if notes is not None else []))
    if not docs:
        raise TrainingError(f"{path}: no corrections in it")
    return docs


def _labelled(record: dict[str, Any], where: str, notes: list[str]) -> LabelledDoc:
    try:
        shown = [str(x) for x in record["lines"]]
        removed = [int(n) for n in record["removed"]]
        fixes = [(int(c["line"]), str(c["text"]), LABELS[c["label"]]) for c in record["corrections"]]
        source_path = str(record["path"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TrainingError(f"{where}: not a corrections record ({type(exc).__name__}: {exc})") from exc
    doc, lost = _document(record, shown)
    if lost:
        notes.append(f"{where}: {source_path}: {lost}; its lines are trained on as plain text")
    row_of = {int(line): k for k, line in enumerate(doc.rows)}
    labels = np.zeros(len(doc.rows), dtype=np.int8)
    for number in removed:
        labels[_row(doc, row_of, number, shown[number] if 0 <= number < len(shown) else "", where)] = 1
    for number, text, label in fixes:
        labels[_row(doc, row_of, number, text, where)] = label
    record_id = record.get("record")
    name = source_path if record_id is None else f"{source_path}#{record_id}"
    return LabelledDoc(
        doc=doc,
        labels=labels,
        source=SOURCE,
        group=f"{SOURCE}:{source_path}",
        name=name,
        weight=SEED_WEIGHT,
        origin=f"{name} removed {sorted(removed)}",
    )


def _document(record: dict[str, Any], shown: list[str]) -> tuple[Document, str | None]:
    """The page again when it is an HTML file on disk that still extracts to the lines the
    review showed (same page, same extraction settings), else those lines as plain text, with
    why a page was not used again (None when it was, or when there is no page to read)."""
    text = Document.from_text("\n".join(shown))
    page = Path(str(record["path"]))
    if record.get("source") != "html" or record.get("record") is not None:
        return text, None
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
