"""The documents of a batch's outputs, as the review shows them: every line in order, each
removed line with its score and reason.

Read from `cleaner clean --format json` outputs (one JSON object per file, any folder depth)
and from JSONL outputs that carry `removed` (`--jsonl` runs, web archives with `--format json`).
"""

from __future__ import annotations

import contextlib
import io
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..batch.records import is_output_record
from ..document import SOURCES
from ..errors import InputError
from ..gzipped import inflating
from ..result import CleanResult, RemovedLine, removed_chars

#: reason hints that carry details after a colon ("weighed most: 'a', 'b'") are grouped by their head
_DETAIL = ":"


def hints(reason: str) -> list[str]:
    """A removal reason's parts, each a filter of the report ('weighed most: …' counts as 'weighed most')."""
    return [h.split(_DETAIL, 1)[0].strip() for h in reason.split(";") if h.strip()]


@dataclass
class ReviewDoc:
    """A cleaned document: where it came from, its lines in order, and which were removed."""

    path: str
    record: str | None
    source: str
    lines: list[str]
    removed: list[RemovedLine] = field(default_factory=list)
    #: the page's URL when the output names one (JSONL and web-archive records)
    url: str | None = None
    #: the output file's path under the folder read ("" when one file was read)
    output: str = ""

    @property
    def key(self) -> str:
        """What identifies the document across two runs of the same batch: where its output sits
        in the output folder (the inputs may have been named differently), and its record."""
        return self.output if self.record is None else f"{self.output}#{self.record}"

    @property
    def removed_chars(self) -> int:
        """Characters the removed lines held."""
        return removed_chars(self.removed)


def read_outputs(root: Path | str) -> list[ReviewDoc]:
    """Every document of a batch's outputs under `root` (a folder, or one JSON/JSONL file).

    Files in a folder that are not cleaner's outputs (an --errors file, a corrections.jsonl,
    a crawl's metadata.json saved beside the outputs: JSON that is not an object with "text"
    or "removed") are passed over; a broken output, or a file named that is not one, is an InputError
    naming it.
    """
    root = Path(root)
    docs: list[ReviewDoc] = []
    for path in output_files(root):
        read = _from_jsonl(path) if _holds_records(path) else _from_json(path, named=path == root)
        for doc in read:
            doc.output = path.relative_to(root).as_posix() if path != root else ""
            docs.append(doc)
    if not docs:
        raise InputError(
            f"{root}: no JSON outputs with removed lines (run `cleaner clean ... --format json -o OUT`, "
            "a --jsonl run, or a web-archive run with --format json)"
        )
    return docs


def _holds_records(path: Path) -> bool:
    """JSONL records by name; a file of another name (a run's stdout saved as `out`) by its
    first line, which is a whole JSON object in records and "{" alone in a --format json output."""
    name = path.name.removesuffix(".gz")
    if name.endswith((".json", ".jsonl")):
        return name.endswith(".jsonl")
    try:
        with _open(path) as fh:
            first = next((line for line in fh if line.strip()), "")
        return isinstance(json.loads(first), dict)
    except (OSError, zlib.error, ValueError):
        return False  # then read as one JSON output, whose error names the file


def output_files(root: Path | str) -> list[Path]:
    """The JSON and JSONL (.gz too) files under `root` (a folder; a file is read whatever
    its name) that `read_outputs` reads, in sorted order."""
    root = Path(root)
    if not root.exists():
        raise InputError(f"{root}: no such file or folder")
    if not root.is_dir():
        return [root]
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return [p for p in files if p.name.removesuffix(".gz").endswith((".json", ".jsonl"))]


@contextlib.contextmanager
def _open(path: Path) -> Iterator[IO[str]]:
    """A file as UTF-8 text, inflated when gzip'd (by its content, as cleaner reads inputs)."""
    with open(path, "rb") as raw:
        yield io.TextIOWrapper(inflating(raw), encoding="utf-8")


def _from_json(path: Path, named: bool) -> list[ReviewDoc]:
    """The document of a `--format json` output; none from another JSON object found in a
    folder (not `named`)."""
    data: Any = None
    try:
        with _open(path) as fh:
            data = json.load(fh)
        if not named and (not isinstance(data, dict) or not {"text", "removed"} & data.keys()):
            return []  # outputs are objects with both
        if not isinstance(data, dict):
            raise TypeError(f"a JSON object is expected, not {type(data).__name__}")
        return [_doc(data, data.get("path") or str(path), None, data["text"])]
    except (OSError, zlib.error, ValueError, KeyError, TypeError, InputError) as exc:
        records = "Extra data" in str(exc) or (isinstance(data, dict) and "clean_text" in data)
        hint = " (records of a --jsonl run? name the file .jsonl)" if records else ""
        raise InputError(f"{path}: not a `cleaner clean --format json` output ({_why(exc)}){hint}") from exc


def _from_jsonl(path: Path) -> Iterator[ReviewDoc]:
    try:
        with _open(path) as fh:
            yield from _records(path, fh)
    except (OSError, zlib.error, UnicodeDecodeError) as exc:  # gzip'd or not, broken
        raise InputError(f"{path}: cannot be read as cleaned records ({type(exc).__name__}: {exc})") from exc


def _records(path: Path, fh: Iterable[str]) -> Iterator[ReviewDoc]:
    first = True
    for number, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if first and not _cleaned_record(data):
                return  # not the output of a cleaning run
            first = False
            if "removed" not in data:
                raise KeyError("removed (run with --format json to keep the removed lines)")
            text = data["clean_text"] if "clean_text" in data else data["text"]
            url = data.get("url") if isinstance(data.get("url"), str) else None
            record = next((data[k] for k in ("record_id", "id") if data.get(k) is not None), url or number)
            yield _doc(data, str(path), str(record), text, url)
        except (ValueError, KeyError, TypeError, InputError) as exc:
            raise InputError(f"{path}:{number}: not a cleaned record ({_why(exc)})") from exc


def _why(exc: Exception) -> str:
    """What was wrong with a file or record: a missing field by name, else the error."""
    if isinstance(exc, KeyError) and exc.args:  # KeyError("removed (a hint)")
        key, _, hint = str(exc.args[0]).partition(" ")
        return f"no {key!r} field" + (f" {hint}" if hint else "")
    return f"{type(exc).__name__}: {exc}"


def _cleaned_record(data: Any) -> bool:
    """Whether a JSONL record is cleaner's output with its removed lines (objects)."""
    removed = data.get("removed") if isinstance(data, dict) else None
    return is_output_record(data) and isinstance(removed, list) and all(isinstance(r, dict) for r in removed)


def _doc(data: dict[str, Any], path: str, record: str | None, text: Any, url: str | None = None) -> ReviewDoc:
    if not isinstance(text, str):
        raise TypeError(f"its text is not a string ({type(text).__name__})")
    # only the removal fields: a record's own fields (its "source", say) are the user's
    dropped = data.get("blank_lines_dropped", [])
    result = CleanResult.from_dict({"text": text, "removed": data["removed"], "blank_lines_dropped": dropped})
    removed = list(result.removed)
    source = data.get("source")
    return ReviewDoc(
        path=path,
        record=record,
        source=source if source in SOURCES else ("html" if url else "text"),
        lines=merge_lines(text.split("\n") if text else [], removed, result.blank_lines_dropped),
        removed=removed,
        url=url,
    )


def merge_lines(kept: list[str], removed: list[RemovedLine], dropped: Iterable[int] = ()) -> list[str]:
    """The document's lines as they were before cleaning: the output's lines, each removed
    line back at its number, and the blank lines that went with removals (`dropped`) back as
    blank lines. Exact for outputs that record `blank_lines_dropped`."""
    at = {r.line: r.text for r in removed}
    blanks = set(dropped) - set(at)
    rest = iter(kept)
    lines = [
        at[n] if n in at else "" if n in blanks else next(rest, "")
        for n in range(len(kept) + len(at) + len(blanks))
    ]
    lines.extend(rest)
    return lines
