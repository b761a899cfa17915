"""JSONL records in, JSONL records out: one field of each record cleaned, the other fields
and the record order kept, in worker processes when asked."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..api import Cleaner, Kind
from ..decoding import looks_binary
from ..errors import CleanerError, InputError, OutputError
from ..gzipped import inflating
from ..result import CleanResult
from .files import MAX_INPUT_BYTES, RAISE_LIMIT, inflated, stdin_bytes
from .pool import ordered_map
from .report import Failure
from .writer import atomic_output, json_text

#: how many of a record's string fields an error names when the field to clean is not there
MAX_FIELDS_NAMED = 5


@dataclass
class StreamStats:
    """What a JSONL run did."""

    records: int = 0
    failed: int = 0
    lines_removed: int = 0
    #: records that held a `clean_text` already (an output cleaned again): theirs was replaced
    replaced: int = 0

    def summary(self) -> str:
        """One line: records cleaned and failed, lines removed, clean texts replaced."""
        again = (
            f"; {self.replaced} record(s) held a clean_text already, replaced (was the input an output?)"
            if self.replaced
            else ""
        )
        return f"{self.records} record(s) cleaned, {self.failed} failed; {self.lines_removed} line(s) removed{again}"


def clean_jsonl(
    cleaner: Cleaner,
    sources: Sequence[Path | None],
    dest: Path | None,
    *,
    field: str,
    kind: Kind,
    on_error: Callable[[Failure], None],
    workers: int = 1,
    max_bytes: int = MAX_INPUT_BYTES,
) -> StreamStats:
    """Clean one field of every JSONL record, keeping the other fields and the record order.

    Each record gains the fields of `cleaned_fields` (`clean_text`, `removed`). The record's
    `url`, if any, is passed to extraction. A broken line or a record without the field is
    passed to `on_error` (its path is `FILE:LINE`) and left out, as is one whose field holds
    more than `max_bytes`. gzip'd inputs are inflated
    (told by content), a `.gz` output is compressed; None means stdin/stdout. A file output
    is written atomically. Records are cleaned in `workers` processes, read lazily and
    written in order.
    """
    stats = StreamStats()
    work = functools.partial(_clean_line, cleaner, field, kind, max_bytes)
    with jsonl_output(dest) as write:
        lines = _numbered_lines(sources)
        for record in ordered_map(work, lines, workers, cleaner.settings.time_limit, _lost_line):
            if isinstance(record, Failure):
                stats.failed += 1
                on_error(record)
                continue
            cleaned, replaced = record
            stats.records += 1
            stats.lines_removed += len(cleaned["removed"])
            stats.replaced += replaced
            write(cleaned)
    return stats


@contextlib.contextmanager
def _open_lines(path: Path | None) -> Iterator[IO[bytes]]:
    """The lines of a file, or of stdin for None, as bytes (each decoded where it is parsed,
    so that one line that is not UTF-8 fails alone); inflated when gzip'd."""
    with contextlib.ExitStack() as stack:
        raw = stdin_bytes() if path is None else stack.enter_context(open(path, "rb"))
        yield inflating(raw)


def not_records(head: bytes) -> str | None:
    """Why an input opening with these bytes is plainly not JSONL records (binary, or not
    opening with an object: a page would fail once per line), or None."""
    if looks_binary(head):
        return "looks like a binary file, not JSONL records"
    if head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] not in (b"{", b""):
        return "does not look like JSONL records: it does not open with a JSON object"
    return None


def _numbered_lines(sources: Sequence[Path | None]) -> Iterator[tuple[str, bytes]]:
    """(file:line, line) of every non-blank line of the sources, in order; InputError naming
    the file when one cannot be read to its end, or when stdin is plainly not records (files
    are checked before the run)."""
    for src in sources:
        where = "<stdin>" if src is None else str(src)
        first = src is None
        try:
            with _open_lines(src) as lines:
                for number, line in enumerate(lines, start=1):
                    if not line.strip():
                        continue
                    if first and (problem := not_records(line)):
                        raise InputError(f"{where} {problem}")
                    first = False
                    yield f"{where}:{number}", line
        except (OSError, zlib.error) as exc:  # truncated or corrupt gzip, I/O errors
            raise InputError(f"{where}: cannot read: {exc}") from exc


def _clean_line(
    cleaner: Cleaner, field: str, kind: Kind, max_bytes: int, task: tuple[str, bytes]
) -> tuple[dict[str, Any], bool] | Failure:
    """The cleaned record of one numbered JSONL line and whether it replaced a `clean_text`
    the record held, or why it cannot be cleaned."""
    where, line = task
    try:
        record = json.loads(line)  # UTF-8, a byte order mark allowed
    except UnicodeDecodeError as exc:
        # replacing the bytes would change fields the output promises to keep as they were
        return Failure.of(where, InputError(f"not UTF-8 text, as JSON Lines must be: {exc}"))
    except json.JSONDecodeError as exc:  # json's "line 2" would read as the file's line, not the record's
        return Failure.of(where, InputError(f"not a JSON object: {exc.msg} at character {exc.pos + 1}"))
    except ValueError as exc:  # a number of more digits than Python converts
        return Failure.of(where, InputError(f"not a JSON object: {exc}"))
    try:
        return clean_record(cleaner, record, field, kind, max_bytes), "clean_text" in record
    except CleanerError as exc:
        return Failure.of(where, exc)


def _lost_line(task: tuple[str, bytes], error: CleanerError) -> Failure:
    return Failure.of(task[0], error)


@contextlib.contextmanager
def jsonl_output(dest: Path | None) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A writer of JSONL records to stdout (None) or to a file, atomically, gzip'd for .gz.

    The file appears only when the block ends without an exception.
    """
    in_body = False
    try:
        with contextlib.ExitStack() as stack:
            out = sys.stdout
            if dest is not None:
                out = stack.enter_context(atomic_output(dest, compress=dest.suffix == ".gz"))

            def write(record: dict[str, Any]) -> None:
                try:
                    out.write(json_text(record) + "\n")
                except OSError as exc:
                    if dest is None:
                        raise  # stdout's errors are the command line's to tell (a reader gone: quietly)
                    raise _unwritable(dest, exc) from exc

            in_body = True
            yield write
            in_body = False
    except OSError as exc:  # making, filling or closing the file (a full disk), not the caller's
        if in_body or dest is None:
            raise
        raise _unwritable(dest, exc) from exc


def _unwritable(dest: Path, exc: OSError) -> OutputError:
    """The error for an output file that cannot be written: named by the output, not by the
    temporary file behind it."""
    return OutputError(f"cannot write {dest}: {exc.strerror or exc}")


def is_output_record(record: Any) -> bool:
    """Whether a JSON value is a record cleaner writes: a JSONL record (`clean_text` added) or
    a web archive's response (`record_id` and `text`)."""
    return isinstance(record, dict) and ("clean_text" in record or {"record_id", "text"} <= record.keys())


def clean_record(
    cleaner: Cleaner,
    record: dict[str, Any],
    field: str,
    kind: Kind = "auto",
    max_bytes: int = MAX_INPUT_BYTES,
) -> dict[str, Any]:
    """A copy of the record with the fields of `cleaned_fields` added, from cleaning `record[field]`.

    The record's `url`, if a string, is passed to extraction. Raises InputError for a record
    that is not a dict, lacks the field or holds more than `max_bytes` (UTF-8) in it, and the
    cleaning errors as they come.
    """
    if not isinstance(record, dict):
        raise InputError("not a JSON object")
    value = record.get(field)
    if not isinstance(value, str | bytes):
        strings = [k for k, v in record.items() if isinstance(v, str)][:MAX_FIELDS_NAMED]
        here = f"; its string fields: {', '.join(map(repr, strings))}" if strings else ""
        raise InputError(f"no string field {field!r} (--field names the one to clean{here})")
    if isinstance(value, bytes):
        value = inflated(value, max_bytes)  # as a file's bytes: the limit is on the page, not its .gz
    # a str's UTF-8 size needs a copy: made only when its length allows it to be over (a lone
    # surrogate, which JSON can carry, counts its 3 bytes)
    size = (
        len(value)
        if isinstance(value, bytes) or 4 * len(value) <= max_bytes
        else len(value.encode("utf-8", "surrogatepass"))
    )
    if size > max_bytes:
        raise InputError(f"field {field!r}: {size:,} bytes, over the {max_bytes:,}-byte limit{RAISE_LIMIT}")
    url = record.get("url") if isinstance(record.get("url"), str) else None
    return {**record, **cleaned_fields(cleaner.clean(value, url=url, kind=kind))}


def cleaned_fields(result: CleanResult) -> dict[str, Any]:
    """What cleaning adds to a record: `clean_text`, `removed` (line, text, score, reason) and
    `blank_lines_dropped` (see CleanResult)."""
    return {"clean_text": result.text, **result.removal_fields()}
