"""Files and folders in, files out: read each input of a plan (plan.py) safely, clean it,
write its output atomically. Knows nothing about features or models: it calls
`Cleaner.clean`."""

from __future__ import annotations

import functools
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from ..api import Cleaner, Kind
from ..decoding import SNIFF_BYTES, decode, looks_like_html
from ..errors import CleanerError, InputError, OutputError
from ..gzipped import GZIP_MAGIC, gunzip
from ..result import CleanResult
from .plan import ARCHIVE_STARTS, Format, Job, Outcome, type_suffix
from .pool import ordered_map
from .writer import input_names, input_stamp, json_text, real_path, write_atomic

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp"}
TEXT_SUFFIXES = {".txt", ".text", ".md"}
#: inputs larger than this are refused unread (--max-size, max_size_mb)
MAX_INPUT_BYTES = 20 * 1024 * 1024


def read_input(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """Read a regular file's bytes; special files and files over `max_bytes` are refused unread."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise InputError(
            "a broken symlink" if path.is_symlink() else "no such file (or it vanished)"
        ) from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise InputError(f"cannot stat: {getattr(exc, 'strerror', None) or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputError("a folder, not a file: give the files in it")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            "not a regular file (FIFO, device or socket): skipped without reading "
            "(pipe data in as stdin: `... | cleaner clean -`)"
        )
    if info.st_size > max_bytes:
        raise InputError(f"{info.st_size:,} bytes, over the {max_bytes:,}-byte limit{RAISE_LIMIT}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from exc
    return inflated(data, max_bytes)


#: how a refused input's message says to raise the size limit
RAISE_LIMIT = " (raise the limit: --max-size MB; max_size_mb= in clean_files, max_bytes= in clean_bag)"


def inflated(data: bytes, max_bytes: int) -> bytes:
    """An input's bytes, gunzipped when gzip'd: the limit is on the page, not on its
    compressed size (a 300 KB .gz can hold 100 MB); InputError past it."""
    if data.startswith(GZIP_MAGIC):
        return gunzip(data, max_bytes, hint=RAISE_LIMIT)
    return data


def kind_of(path: Path | None, forced: Kind) -> Kind:
    """HTML or text by the file's extension unless forced; 'auto' sniffs the content."""
    if forced != "auto" or path is None:
        return forced
    suffix = type_suffix(path)
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "auto"


def render(result: CleanResult, fmt: Format, display: str) -> str:
    """The output file's content: clean text ending in its line break, or a JSON object."""
    if fmt == "json":
        return json_text({"path": display, **result.to_dict()}, indent=1) + "\n"
    return result.text + result.newline if result.text else ""


def _newer_than_input(job: Job) -> bool:
    """Whether the job's output is a file at least as new as its input."""
    if job.src is None or job.dest is None:
        return False
    try:
        out = job.dest.stat()
        return stat.S_ISREG(out.st_mode) and out.st_mtime_ns >= job.src.stat().st_mtime_ns
    except OSError:
        return False


def content_note(
    data: bytes, given: Kind, used: Kind, result: CleanResult, encoding: str | None = None
) -> str | None:
    """What to tell about a cleaned input (read in `encoding` when given): it gave no text, or
    its extension decided how it was read and its content says otherwise."""
    by_name = given == "auto" and used != "auto"

    def page() -> bool:  # sniffed only where it changes the note (not for a page that gave text)
        return looks_like_html(decode(data[:SNIFF_BYTES], encoding))

    if not result.text:
        if not data.strip():
            return (
                "gave no text (the file is empty)"
                if not data
                else "gave no text (the file holds only whitespace)"
            )
        if by_name and used == "html" and not page():
            return "gave no text and does not look like HTML (--input-type text cleans it as text)"
        return "gave no text (nothing found to extract)"
    if by_name and used == "text" and page():
        return "looks like an HTML page but is named as text: cleaned as text (--input-type html cleans it as a page)"
    return None


def up_to_date(job: Job) -> bool:
    """Whether the job's output is still the file this batch's settings wrote from its input
    as it is now (`Job.made`): a rerun can skip it."""
    if job.made is None or job.dest is None or job.src is None:
        return False
    made_ns, stamp = job.made
    # a log line from before stamps were kept: the output newer than its input is the test
    same_input = stamp == input_stamp(job.src) if stamp else _newer_than_input(job)
    try:
        return same_input and job.dest.stat().st_mtime_ns == made_ns
    except OSError:
        return False


def run_job(
    cleaner: Cleaner,
    job: Job,
    *,
    fmt: Format,
    kind: Kind,
    url: str | None,
    inputs: set[Path],
    force: bool = False,
    max_bytes: int = MAX_INPUT_BYTES,
    encoding: str | None = None,
) -> Outcome:
    """Clean one input and write (or return) its output; errors become the outcome's message.

    An output that is up to date (see `up_to_date`) is left alone unless `force`: rerunning
    a batch finishes only what is missing or stale.
    """
    try:
        if job.dest is not None and real_path(job.dest) in inputs:
            raise InputError(f"output {job.dest} would overwrite an input file; choose another -o folder")
        if not force and up_to_date(job):
            return Outcome(job, skipped=True)
        if not force:
            _check_same_input(job)
        redone = not force and _newer_than_input(job)
        stamp = input_stamp(job.src)  # before reading: a change while it is read is caught next run
        data = _read_stdin(max_bytes) if job.src is None else read_input(job.src, max_bytes)
        used = kind_of(job.src, kind)
        result = cleaner.clean(data, url=url, kind=used, with_metadata=fmt == "json", encoding=encoding)
        note = content_note(data, kind, used, result, encoding)
        if job.dest is None:
            return Outcome(job, result=result, note=note)
        content = render(result, fmt, job.display)
        if not force and job.foreign:
            written = _adopt(job.dest, content)
            return Outcome(job, result=result, written_ns=written, stamp=stamp, note=note)
        written = _write_output(job.dest, content)
        return Outcome(job, result=result, redone=redone, written_ns=written, stamp=stamp, note=note)
    except CleanerError as exc:
        return Outcome.failed(job, exc)


def _check_same_input(job: Job) -> None:
    """OutputError when the file at the job's output is an earlier run's output of another
    input that is still there (one moved or renamed since is this one, most likely)."""
    if job.dest is None or not job.made_from or set(job.made_from) & set(input_names(job.src)):
        return
    if not any(os.path.lexists(name) for name in job.made_from if name):
        return
    raise OutputError(
        f"{job.dest} is the output of another input, {job.made_from[0] or '<stdin>'}, from an "
        "earlier run: clean this one into another folder, or rerun with --force to replace it"
    )


def stdin_bytes() -> IO[bytes]:
    """This process's stdin, as bytes; InputError when it has none (closed: `<&-`)."""
    if sys.stdin is None:
        raise InputError("stdin is closed: pipe the input in, or name a file")
    return sys.stdin.buffer


def _read_stdin(max_bytes: int) -> bytes:
    """Stdin's bytes, refused once past `max_bytes` (it has no size to check beforehand)."""
    try:
        data = stdin_bytes().read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read stdin: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise InputError(f"more than {max_bytes:,} bytes, over the limit{RAISE_LIMIT}")
    data = inflated(data, max_bytes)
    if data[:SNIFF_BYTES].lstrip().startswith(ARCHIVE_STARTS):  # as a page it would give no text, quietly
        raise InputError(
            "a web archive: name its file (cleaner clean crawl.warc.gz); archives are not read from stdin"
        )
    return data


def _adopt(dest: Path, content: str) -> int:
    """A file no run logged at an output's place: the output itself when it holds exactly
    `content` (a killed run wrote it before logging it, or the folder was copied), so it is
    kept and logged; anything else is not cleaner's to overwrite. Returns its mtime (ns)."""
    try:
        same = dest.read_bytes() == content.encode("utf-8")
        mtime_ns = dest.stat().st_mtime_ns
    except FileNotFoundError:
        return _write_output(dest, content)  # gone since the batch was planned: the place is free
    except OSError as exc:
        raise OutputError(
            f"{dest}: a file is there that cleaner cannot read to tell whether it is its output "
            f"({exc.strerror or exc}); move it away, or rerun with --force to overwrite it"
        ) from exc
    if not same:
        raise OutputError(
            f"{dest} is not an output of cleaner (or was changed since it wrote it): move it "
            "away, or rerun with --force to overwrite it"
        )
    return mtime_ns


def _write_output(dest: Path, content: str) -> int:
    """Write an output; returns its modification time (ns)."""
    try:
        write_atomic(dest, content)
        return dest.stat().st_mtime_ns
    except OSError as exc:
        raise OutputError(f"cannot write output {dest}: {exc.strerror or exc}") from exc


def run_all(
    cleaner: Cleaner, jobs: Sequence[Job], workers: int = 1, in_order: bool = True, **options: Any
) -> Iterator[Outcome]:
    """Run jobs and yield their outcomes in input order (`in_order=False`: as they finish), in
    `workers` processes or in this one."""
    if any(j.src is None for j in jobs):
        workers = 1  # stdin is this process's
    work = functools.partial(run_job, cleaner, **options)
    yield from ordered_map(
        work, jobs, min(workers, len(jobs)), cleaner.settings.time_limit, Outcome.failed, in_order
    )
