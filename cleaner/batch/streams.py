"""Record streams in, one JSONL stream out: `cleaner clean --jsonl` and web archives."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..api import Cleaner, Kind
from ..errors import ConfigError, InputError
from ..gzipped import GZIP_MAGIC, READ_BLOCK, inflating
from .records import StreamStats, clean_jsonl, is_output_record, jsonl_output, not_records
from .report import Failure, check_failures_file, write_failures
from .writer import read_head, real_path, replaceable


def clean_streams(
    cleaner: Cleaner,
    paths: list[str],
    dest: Path | None,
    *,
    archives: bool,
    field: str,
    kind: Kind,
    max_bytes: int,
    workers: int,
    with_removed: bool = False,
    errors: Path | None = None,
    on_failure: Callable[[Failure], None] | None = None,
) -> tuple[str, list[Failure]]:
    """Clean JSONL files ('-': stdin) or WARC/ARC files into one JSONL output (None: stdout).

    Returns the summary line and the failures (each also passed to `on_failure` as it
    happens, and written to `errors` as JSONL); an input that does not exist is one of them,
    as in a file batch. Archive records carry their removed lines with `with_removed` (JSONL
    records always do). Raises ConfigError for inputs that are folders or other non-files,
    stdin given for an archive, an output that is also an input, and an output or `errors`
    file where another file is (one this kind of run did not write: writer.replaceable).
    """
    failures: list[Failure] = []

    def failed(failure: Failure) -> None:
        failures.append(failure)
        if on_failure is not None:
            on_failure(failure)

    sources: list[Path | None] = []
    for given in paths:
        src = None if given == "-" else Path(given)
        try:
            absent = src is not None and not src.exists() and not src.is_symlink()
        except OSError as exc:  # a name too long, a folder on the way that cannot be searched
            failed(Failure.of(given, InputError(f"cannot read: {exc.strerror or exc}")))
            continue
        if absent:
            failed(Failure.of(given, InputError("no such file or folder")))
            continue
        sources.append(src)
        if src is None and archives:
            raise ConfigError("web archives are read from files, not stdin")
        if src is not None and not src.is_file():
            raise ConfigError(f"{src} is not a file: JSONL and WARC/ARC inputs are files (or - for JSONL)")
        if src is not None and not archives:
            _check_records(src)
    if dest is not None and any(s is not None and real_path(s) == real_path(dest) for s in sources):
        raise ConfigError(f"output {dest} is also an input")
    if dest is not None and not replaceable(dest, is_output_record):
        raise ConfigError(
            f"output {dest} exists and is not an earlier output of cleaner: name a new file, or remove it"
        )
    if errors is not None:
        check_failures_file(errors, [p for p in (*sources, dest) if p is not None])
    try:
        if archives:
            summary = _clean_archives(cleaner, sources, dest, failed, max_bytes, workers, with_removed)
        elif not sources and dest is not None:  # none there: no empty output, as for archives
            summary = StreamStats().summary() + "; no output written"
        else:
            stats = clean_jsonl(
                cleaner,
                sources,
                dest,
                field=field,
                kind=kind,
                on_error=failed,
                workers=workers,
                max_bytes=max_bytes,
            )
            summary = stats.summary()
    finally:
        if errors is not None:
            write_failures(errors, failures)
    missing = len(paths) - len(sources)
    return summary + (f"; {missing} input(s) not found" if missing else ""), failures


def _check_records(src: Path) -> None:
    """ConfigError for a file that is plainly not JSONL (binary, or not opening with an object:
    a page given to --jsonl would fail once per line)."""
    try:
        head = read_head(src)
    except (OSError, zlib.error):
        return  # reading the records reports it, naming the file
    problem = not_records(head)
    if problem is not None and _inflates(src):  # a corrupt gzip stream's first bytes are noise
        raise ConfigError(f"{src} {problem}")


#: how far a gzip'd input whose first bytes are not records is inflated to tell a corrupt stream
CORRUPTION_PROBE_BYTES = 16 << 20


def _inflates(src: Path) -> bool:
    """Whether a file is not gzip'd, or inflates without an error through its end or its
    first CORRUPTION_PROBE_BYTES (a corrupt stream fails soon after its noise begins)."""
    try:
        with open(src, "rb") as raw:
            if raw.read(len(GZIP_MAGIC)) != GZIP_MAGIC:
                return True
            raw.seek(0)
            stream, size = inflating(raw), 0
            while size < CORRUPTION_PROBE_BYTES and (block := stream.read(READ_BLOCK)):
                size += len(block)
    except (OSError, zlib.error):
        return False
    return True


class _NothingRead(Exception):
    """Not one archive could be read: no output is written."""


def _clean_archives(
    cleaner: Cleaner,
    sources: list[Any],
    dest: Path | None,
    on_error: Callable[[Failure], None],
    max_bytes: int,
    workers: int,
    with_removed: bool,
) -> str:
    """Every HTML response of the archives to one JSONL output; returns the summary line."""
    from ..warc import ArchiveStats, clean_archive

    stats = ArchiveStats()
    try:
        with jsonl_output(dest) as write:
            for src in sources:

                def failed(failure: Failure, src: Path = src) -> None:  # among many archives: which one
                    on_error(dataclasses.replace(failure, path=f"{src}:{failure.path}"))

                # an archive that cannot be read fails by name: the others still run
                try:
                    with open(src, "rb") as stream:
                        for record in clean_archive(
                            cleaner,
                            stream,
                            stats=stats,
                            on_error=failed,
                            max_bytes=max_bytes,
                            workers=workers,
                            with_removed=with_removed,
                        ):
                            write(record)
                except InputError as exc:  # html_responses turns read errors into these; write errors stay
                    stats.unreadable += 1
                    on_error(Failure.of(str(src), exc))
            if stats.unreadable == len(sources) and not stats.records:  # an earlier output stays
                raise _NothingRead
    except _NothingRead:
        return stats.summary() + ("; no output written" if dest is not None else "")
    return stats.summary()
