"""The documents of a batch's outputs, as the review shows them: every line in order, each
removed line with its score and reason.

Read from `cleaner clean --format json` outputs (one JSON object per file, any folder depth)
and from JSONL outputs that carry `removed` (`--jsonl` runs, web archives with `--format json`).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError

#: reason hints that carry details after a colon ("words: 'a', 'b'") are grouped by their head
_DETAIL = ":"


@dataclass
class Removal:
    """One removed line: its number in the document, text, score and reason."""

    line: int
    text: str
    score: float
    reason: str

    @property
    def hints(self) -> list[str]:
        """The reason's parts, each a filter of the report ('words: …' counts as 'words')."""
        return [h.split(_DETAIL, 1)[0].strip() for h in self.reason.split(";") if h.strip()]


@dataclass
class ReviewDoc:
    """A cleaned document: where it came from, its lines in order, and which were removed."""

    path: str
    record: str | None
    source: str
    lines: list[str]
    removed: list[Removal] = field(default_factory=list)

    @property
    def key(self) -> str:
        """What identifies the document across two runs of the same batch."""
        return self.path if self.record is None else f"{self.path}#{self.record}"

    @property
    def removed_chars(self) -> int:
        """Characters the removed lines held."""
        return sum(len(r.text) for r in self.removed)


def read_outputs(root: Path) -> list[ReviewDoc]:
    """Every document of a batch's outputs under `root` (a folder, or one JSON/JSONL file)."""
    if not root.exists():
        raise InputError(f"{root}: no such file or folder")
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    docs: list[ReviewDoc] = []
    for path in files:
        name = path.name.removesuffix(".gz")
        if name.endswith(".jsonl"):
            docs.extend(_from_jsonl(path))
        elif name.endswith(".json"):
            docs.append(_from_json(path))
    if not docs:
        raise InputError(
            f"{root}: no JSON outputs with removed lines (run `cleaner clean ... --format json -o OUT`, "
            "or a --jsonl / web-archive run)"
        )
    return docs


def _open(path: Path) -> Any:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _from_json(path: Path) -> ReviewDoc:
    try:
        with _open(path) as fh:
            data = json.load(fh)
        return _doc(data, data.get("path") or str(path), None, data["text"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: not a `cleaner clean --format json` output ({type(exc).__name__}: {exc})"
        ) from exc


def _from_jsonl(path: Path) -> Iterator[ReviewDoc]:
    with _open(path) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if "removed" not in data:
                    raise KeyError("removed (run with --format json to keep the removed lines)")
                record = data.get("record_id") or data.get("id") or str(number)
                text = data["clean_text"] if "clean_text" in data else data["text"]
                yield _doc(data, str(path), str(record), text)
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(
                    f"{path}:{number}: not a cleaned record ({type(exc).__name__}: {exc})"
                ) from exc


def _doc(data: dict[str, Any], path: str, record: str | None, text: str) -> ReviewDoc:
    removed = [
        Removal(int(r["line"]), str(r["text"]), float(r["score"]), str(r["reason"])) for r in data["removed"]
    ]
    return ReviewDoc(
        path=path,
        record=record,
        source=str(data.get("source") or ("html" if data.get("url") else "text")),
        lines=merge_lines(text.split("\n") if text else [], removed, data.get("lines_in")),
        removed=removed,
    )


def merge_lines(kept: list[str], removed: list[Removal], lines_in: int | None = None) -> list[str]:
    """The document's lines in order: each removed line back at its own number, kept lines
    filling the other places in order.

    Plain text drops a removed line's blank separator too: where the output has fewer lines
    than the input, a place next to a removed line that would take a line with text is
    taken as such a dropped blank. Every line with text keeps its order and the removed
    ones their numbers, which is what corrections name.
    """
    at = {r.line: r.text for r in removed}
    total = max(lines_in or 0, len(kept) + len(at), max(at, default=-1) + 1)
    dropped = total - len(at) - len(kept)  # blank separators that went with removed lines
    lines: list[str] = []
    rest = iter(kept)
    pending = next(rest, None)
    for number in range(total):
        if number in at:
            lines.append(at[number])
            continue
        beside = number - 1 in at or number + 1 in at
        if pending is None or (dropped > 0 and beside and pending.strip()):
            dropped -= pending is not None
            lines.append("")
            continue
        lines.append(pending)
        pending = next(rest, None)
    return lines
