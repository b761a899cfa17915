"""Corrections a person made in `cleaner review` (format: seeds/README.md), as labelled
training documents weighted like seeds.

Each record names its document (the page's path, re-read and re-extracted when it is still
there: the page facts need the HTML) and carries the lines the review showed. The review's
decisions are the labels (removed: junk, kept: body), overridden by the corrections.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..document import Document, decode
from ..errors import TrainingError
from ..extract import extract
from .corpus import SEED_WEIGHT, LabelledDoc

SOURCE = "corrections"
LABELS = {"junk": 1, "body": 0}


def read_corrections(path: Path) -> list[LabelledDoc]:
    """The corrected documents of one corrections.jsonl file."""
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        raise TrainingError(f"{path}: cannot read corrections: {exc.strerror or exc}") from exc
    docs = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise TrainingError(f"{where}: not a JSON record: {exc}") from exc
            docs.append(_labelled(record, where))
    if not docs:
        raise TrainingError(f"{path}: no corrections in it")
    return docs


def _labelled(record: dict[str, Any], where: str) -> LabelledDoc:
    try:
        shown = [str(x) for x in record["lines"]]
        removed = [int(n) for n in record["removed"]]
        fixes = [(int(c["line"]), str(c["text"]), LABELS[c["label"]]) for c in record["corrections"]]
        source_path = str(record["path"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TrainingError(f"{where}: not a corrections record ({type(exc).__name__}: {exc})") from exc
    doc = _document(record, shown)
    row_of = {int(line): k for k, line in enumerate(doc.rows)}
    labels = np.zeros(len(doc.rows), dtype=np.int8)
    for number in removed:
        labels[_row(doc, row_of, number, shown[number] if number < len(shown) else "", where)] = 1
    for number, text, label in fixes:
        labels[_row(doc, row_of, number, text, where)] = label
    record_id = record.get("record")
    name = source_path if record_id is None else f"{source_path}#{record_id}"
    return LabelledDoc(
        doc=doc, labels=labels, source=SOURCE, group=f"{SOURCE}:{source_path}", name=name, weight=SEED_WEIGHT
    )


def _document(record: dict[str, Any], shown: list[str]) -> Document:
    """The page again when it is an HTML file still on disk, else the lines the review showed."""
    page = Path(str(record["path"]))
    if record.get("source") == "html" and record.get("record") is None and page.is_file():
        return extract(decode(page.read_bytes()))
    return Document.from_text("\n".join(shown))


def _row(doc: Document, row_of: dict[int, int], number: int, text: str, where: str) -> int:
    """The feature row of line `number`, checked against its text (else found by its text)."""
    want = text.strip()
    if number in row_of and doc.lines[number].strip() == want:
        return row_of[number]
    for k, found in enumerate(doc.row_texts):
        if found == want:
            return k
    raise TrainingError(
        f"{where}: line {number + 1} ({text[:60]!r}) is not in the document any more; "
        "clean and review the page again"
    )
