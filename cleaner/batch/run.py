"""A batch of files from start to end: plan, clean (in this process, in worker processes or
on a Dask cluster), write, count; `clean_files` is its public face, the CLI its other caller."""

from __future__ import annotations

import contextlib
import itertools
import math
import numbers
import os
import re
import sys
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..api import Cleaner, Kind, check_kind
from ..decoding import web_codec
from ..errors import ConfigError, OutputError
from .files import MAX_INPUT_BYTES, run_all
from .plan import STDIN, Format, Job, Outcome, plan
from .report import BatchReport, PassedOver, check_failures_file, write_failures
from .writer import RUN_LOG, RunLog, real_path, remove_leftovers

#: bytes in a megabyte, as --max-size counts them
MB = 1024 * 1024
#: a Dask scheduler's address: an optional protocol, a host and a port
_SCHEDULER_ADDRESS = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?[^\s/]+:\d+/?")


def clean_files(
    paths: Iterable[str | Path] | str | Path,
    out_dir: str | Path,
    *,
    jobs: int = 1,
    force: bool = False,
    format: Format = "text",
    errors: str | Path | None = None,
    max_size_mb: float = MAX_INPUT_BYTES / MB,
    scheduler: str | None = None,
    progress: bool = False,
    **options: Any,
) -> BatchReport:
    """Clean files and folders (recursively) into `out_dir`, mirroring the input tree.

    Input a/b.html becomes OUT_DIR/a/b.html.txt (.json with format="json"); inputs are never
    overwritten, outputs made from their inputs as they are now are skipped unless `force`,
    and a file at an output's place that no cleaner run wrote (or edited since), or that an
    earlier run wrote from another input, fails by name unless `force`.
    Every failure is in the report (and, with `errors`, in that JSONL file); nothing is raised
    for one bad input. `jobs` worker processes, or a Dask cluster at `scheduler` ('local' starts one).
    `options` are Cleaner's: `model`, `kind` ('auto', 'html', 'text'), `url`, `encoding` (the
    inputs' charset, as an HTTP response's: before a page's own declaration), `settings` and
    any Settings field (`trailing_threshold`, `time_limit`, ...).

    >>> report = cleaner.clean_files(["scraped/"], "clean/", jobs=2)  # doctest: +SKIP
    >>> report.cleaned, report.failed, report.failures[:1]  # doctest: +SKIP
    """
    for name, value in (("out_dir", out_dir), ("errors", errors)):
        if not isinstance(value, str | os.PathLike) and (value is not None or name == "out_dir"):
            raise ConfigError(f"{name} is a str or Path, not {type(value).__name__}")
    # one path, not a sequence of its characters; an iterator (Path.glob) is read once
    if isinstance(paths, bytes | bytearray):
        raise ConfigError("paths are str or Path (os.fsdecode turns a bytes path into one)")
    given = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    odd = next(
        (p for p in given if not isinstance(p, str | os.PathLike) or isinstance(os.fspath(p), bytes)), None
    )
    if odd is not None:
        raise ConfigError(f"paths are str or Path, not {type(odd).__name__} ({odd!r})")
    names = [str(os.fspath(p)) for p in given]
    if STDIN in names:
        raise ConfigError("clean_files reads files and folders; clean stdin with Cleaner.clean")
    kind = cast(Kind, options.pop("kind", "auto"))
    jobs = jobs or default_jobs()  # 0: one per core, as -j 0
    url, encoding = options.pop("url", None), options.pop("encoding", None)
    if url is not None and not isinstance(url, str):
        raise ConfigError(f"url is a str (the page's address) or None, not {type(url).__name__}")
    check_batch_options(format, kind, jobs, max_size_mb, scheduler, encoding)
    check_file_inputs(names, kind)
    for name, flag in (("force", force), ("progress", progress)):
        if not isinstance(flag, bool | np.bool_):  # "no" would be a truthy string: force on by surprise
            raise ConfigError(f"{name} must be True or False, got {flag!r}", name)
    cleaner = Cleaner(model=options.pop("model", None), **options)
    leftovers = remove_leftovers(Path(out_dir))
    report = run_batch(
        cleaner,
        names,
        Path(out_dir),
        jobs=jobs,
        force=bool(force),
        fmt=format,
        errors=Path(errors) if errors is not None else None,
        max_bytes=int(max_size_mb * MB),
        scheduler=scheduler,
        progress=bool(progress),
        kind=kind,
        url=url,
        encoding=encoding,
    )
    report.leftovers_removed = leftovers
    return report


def run_batch(
    cleaner: Cleaner,
    inputs: list[str],
    out_dir: Path | None,
    *,
    jobs: int = 1,
    force: bool = False,
    fmt: Format = "text",
    errors: Path | None = None,
    max_bytes: int = MAX_INPUT_BYTES,
    scheduler: str | None = None,
    progress: bool = False,
    kind: Kind = "auto",
    url: str | None = None,
    encoding: str | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> BatchReport:
    """The batch behind `clean_files` and `cleaner clean`: also stdin ('-'), and no `out_dir`
    for a single input (its result goes to `on_outcome` only). Temporary files of an
    interrupted run are its callers' to remove first (`writer.remove_leftovers`). Raises ConfigError when
    several inputs have no output folder, OutputError when its run log cannot be read or written,
    SchedulerError when a cluster cannot be reached."""
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(
            f"the output folder {out_dir} is a file: name a folder (-o OUTDIR; out_dir= in Python)"
        )
    todo = plan(inputs, out_dir, fmt)
    planned, failures = todo.jobs, todo.failed
    count = len(planned) + len(failures)
    if out_dir is None and count > 1:
        raise ConfigError(
            f"{count} inputs (a folder or several files) need an output folder: add -o OUTDIR "
            "(out_dir= in Python)"
        )
    if url is not None and count > 1:
        raise ConfigError(
            f"a URL names one page; it cannot be given for {count} inputs (--url; url= in Python)"
        )
    if errors is not None:
        taken = [p for j in planned for p in (j.src, j.dest) if p is not None]
        check_failures_file(errors, [*taken, *([out_dir / RUN_LOG] if out_dir is not None else [])])
    report = BatchReport(**{f.name: getattr(todo, f.name) for f in fields(PassedOver)})
    with _cluster(scheduler if planned else None, jobs) as client:  # reached before the output folder is made
        log = None
        if out_dir is not None and planned:
            # a charset only when given: outputs of runs before --encoding existed stay up to date
            given = {"encoding": web_codec(encoding)} if encoding else {}
            signature = {**cleaner.signature(), "format": fmt, "kind": kind, "url": url, **given}
            log, planned = _open_log(out_dir, signature, planned)
        options: dict[str, Any] = dict(
            fmt=fmt,
            kind=kind,
            url=url,
            encoding=encoding,
            inputs={real_path(j.src) for j in planned if j.src is not None},
            force=force,
            max_bytes=max_bytes,
        )
        outcomes = _with_progress(_outcomes(cleaner, planned, jobs, client, options), progress, len(planned))
        try:
            for outcome in itertools.chain(failures, outcomes):  # each reported as it comes
                report.add(outcome)
                if log is not None and outcome.written_ns is not None:
                    _record(log, outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
        finally:  # an interrupted run's failures so far too: the file never tells of an older run
            # the workers stop here, not when the generators are collected: an interrupt in
            # this loop's own code (logging, on_outcome) leaves them suspended, workers busy
            outcomes.close()
            if errors is not None:  # by path: workers finish in any order
                write_failures(errors, sorted(report.failures, key=lambda f: f.path))
    return report


def _open_log(out_dir: Path, signature: dict[str, Any], planned: list[Job]) -> tuple[RunLog, list[Job]]:
    """The output folder's run log, the folder made first (one that cannot be made fails
    once, before any work), and the jobs with what the log knows of their outputs."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out_dir}: {exc.strerror or exc}") from exc
    try:
        log = RunLog(out_dir, signature)
    except OSError as exc:
        raise OutputError(
            f"cannot use the output folder {out_dir} (its run log {exc.filename}: {exc.strerror or exc})"
        ) from exc
    return log, [_as_logged(log, j) if j.dest is not None else j for j in planned]


def _as_logged(log: RunLog, job: Job) -> Job:
    """The job with what the run log knows of the file at its output's place."""
    assert job.dest is not None
    foreign, made_from = log.at_place(job.dest)
    return replace(job, made=log.made(job.dest), foreign=foreign, made_from=made_from)


def _record(log: RunLog, outcome: Outcome) -> None:
    dest, written = outcome.job.dest, outcome.written_ns
    assert dest is not None and written is not None  # only outcomes that wrote a file
    try:
        log.record(dest, written, outcome.stamp, outcome.job.src)
    except OSError as exc:
        raise OutputError(f"cannot write the run log {log.path}: {exc.strerror or exc}") from exc


def check_file_inputs(paths: list[str], kind: str) -> None:
    """Raise ConfigError for a file named as input that a file batch would misread as one
    page: a web archive, or JSONL records (unless `kind` says how to read it). Folders are
    walked, whatever their name."""
    from ..warc import is_archive

    archive = next((p for p in paths if is_archive(p)), None)
    if archive is not None:
        raise ConfigError(
            f"{archive} is a web archive: clean its records with cleaner.warc.clean_archive, or "
            f"`cleaner clean {archive} -o records.jsonl`"
        )
    records = next(
        (p for p in paths if p.lower().endswith((".jsonl", ".jsonl.gz")) and not os.path.isdir(p)), None
    )
    if records is not None and kind == "auto":
        raise ConfigError(
            f"{records} is named as JSONL records: clean them with `cleaner clean --jsonl`, or the "
            "file as text (--input-type text; kind='text' in Python)"
        )


def check_batch_options(
    fmt: str,
    kind: str,
    jobs: int,
    max_size_mb: float,
    scheduler: str | None = None,
    encoding: str | None = None,
) -> None:
    """Raise ConfigError for a format, input kind, worker count, size limit, scheduler
    address or charset a batch cannot take."""
    if encoding is not None and (not isinstance(encoding, str) or web_codec(encoding) is None):
        raise ConfigError(
            f"{encoding!r} names no charset of the web (e.g. windows-1250, shift_jis, koi8-r) "
            "(--encoding; encoding= in Python)"
        )
    if fmt not in ("text", "json"):
        raise ConfigError(f"format must be text or json, not {fmt!r} (--format; format= in Python)")
    check_kind(kind)
    if not isinstance(jobs, numbers.Integral) or isinstance(jobs, bool) or jobs < 1:
        raise ConfigError(
            f"jobs must be a whole number, at least 1 (0: one per core), not {jobs!r} (--jobs; jobs= in Python)"
        )
    if (
        not isinstance(max_size_mb, numbers.Real)
        or isinstance(max_size_mb, bool)
        or not 0 < max_size_mb < math.inf
    ):
        raise ConfigError(
            f"the size limit must be a positive number of MB, not {max_size_mb!r} (--max-size; max_size_mb= in Python)"
        )
    if scheduler is not None and scheduler != "local" and not _SCHEDULER_ADDRESS.fullmatch(str(scheduler)):
        raise ConfigError(
            f"a scheduler is 'local' or an address with a port (tcp://HOST:8786), not {scheduler!r} "
            "(--scheduler; scheduler= in Python)"
        )


@contextlib.contextmanager
def _cluster(scheduler: str | None, jobs: int) -> Iterator[Any]:
    """A Dask client for `scheduler`, or None when the batch runs on local workers."""
    if scheduler is None:
        yield None
        return
    from ..dask import connect

    with connect(scheduler, jobs) as client:
        yield client


def _outcomes(
    cleaner: Cleaner, planned: list[Any], jobs: int, client: Any, options: dict[str, Any]
) -> Iterator[Outcome]:
    """The jobs' outcomes, from local workers (as they finish when they write to a folder,
    else in input order) or from a Dask cluster's `client` (in input order)."""
    if client is None:
        # outputs written to a folder are logged as they finish: a run stopped behind one slow
        # page keeps the log of everything done (as written in input order, it lost them)
        in_order = not any(j.dest is not None for j in planned)
        yield from run_all(cleaner, planned, workers=jobs, in_order=in_order, **options)
        return
    from ..dask import run_on_cluster

    yield from run_on_cluster(client, cleaner, planned, **options)


def _with_progress(items: Iterable[Any], show: bool, total: int) -> Generator[Any, None, None]:
    """Pass items through, with a progress bar on stderr when asked and the batch is long."""
    if not show or total < 2:
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("cleaning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    # soft_wrap: messages printed above the bar keep their lines (a long path stays whole)
    with Progress(*columns, console=Console(file=sys.stderr, soft_wrap=True), transient=True) as bar:
        task = bar.add_task("clean", total=total, rate="")
        for item in items:
            yield item
            speed = bar.tasks[0].speed
            bar.update(task, advance=1, rate=f"{speed:.1f} files/s" if speed else "")


def default_jobs() -> int:
    """Worker processes when none are asked for: one per core this process may use (a
    container's or `taskset`'s share, not the whole machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1
