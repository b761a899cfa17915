"""Usage checks of `cleaner clean`'s options, made before any work: each failing one is a
usage error (exit 2) saying what to give instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import names_folder, usage


def check_clean_options(
    fmt: str,
    input_type: str,
    workers: int | None,
    max_size: float,
    paths: list[str],
    scheduler: str | None,
    encoding: str | None,
) -> None:
    """Usage errors (exit 2) for option values `cleaner clean` cannot take."""
    from ..batch.run import check_batch_options
    from ..errors import ConfigError
    from ..warc import is_archive

    try:
        check_batch_options(fmt, input_type, workers or 1, max_size, scheduler, encoding)
    except ConfigError as exc:
        raise usage(str(exc)) from exc
    if paths.count("-") > 1:
        raise usage("stdin (-) can be given only once")
    if 0 < sum(map(is_archive, paths)) < len(paths):
        raise usage("WARC/ARC files cannot be mixed with other inputs in one run")


#: why each file-batch option has no place in a --jsonl or web-archive run
_NOT_FOR_STREAMS = {
    "explain": "removed lines are in the records; web archives: with --format json",
    "force": "the output is one file, written whole each run",
    "url": "records carry their own url",
    "scheduler": "streams run on local worker processes",
    "encoding": "records are text already; a web archive's responses name their charset",
}


def check_stream_options(**given: Any) -> None:
    """Usage error for file-batch options given to a --jsonl or web-archive run, each with its reason."""
    used = [name for name, value in given.items() if value not in (None, False)]
    if used:
        raise usage(
            "not for --jsonl or web-archive runs: "
            + "; ".join(f"--{name} ({_NOT_FOR_STREAMS[name]})" for name in used)
        )


#: suffixes that name a file, not the output folder -o names in a file batch
_FILE_SUFFIXES = (".json", ".jsonl", ".gz", ".txt", ".html")


def _usable(output: str) -> Path:
    """-o as a path, or a usage error when the system cannot take it (too long, a NUL in it)."""
    from ..batch.writer import usable
    from ..errors import ConfigError

    try:
        return usable(Path(output), f"-o {output[:200]}")
    except ConfigError as exc:
        raise usage(str(exc)) from exc


def check_output_file(output: str | None) -> None:
    """Usage error for a --jsonl or web-archive run whose -o names a folder."""
    if output is not None and output != "-" and (names_folder(output) or _usable(output).is_dir()):
        raise usage(
            f"-o {output} names a folder: --jsonl and web-archive runs write one JSONL file "
            "(-o out.jsonl, or -o - for stdout)"
        )


def check_file_options(paths: list[str], output: str | None, input_type: str) -> None:
    """Usage errors for a file batch: JSONL files without --jsonl, an -o that names a file."""
    from ..batch.run import check_file_inputs
    from ..errors import ConfigError

    try:
        check_file_inputs(paths, input_type)
    except ConfigError as exc:
        raise usage(str(exc)) from exc
    if output is None:
        return
    if output == "-":
        raise usage(
            "-o - (stdout) is for --jsonl and web-archive runs; without -o one input prints to stdout"
        )
    if not _usable(output).exists() and Path(output).suffix.lower() in _FILE_SUFFIXES:
        raise usage(
            f"-o {output} looks like a file name: -o names the output folder "
            "(one output file is for --jsonl and web-archive runs)"
        )
