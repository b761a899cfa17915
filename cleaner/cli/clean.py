"""`cleaner clean`: files, folders, stdin, JSONL streams and web archives, cleaned by the
library's batch functions; this module parses options and prints what they return."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from ..api import Kind
from ..batch.files import MAX_INPUT_BYTES
from ..batch.run import MB
from ..config import TIME_LIMIT
from . import app, err, load_cleaner, sigterm_as_interrupt, stopped, usage
from .checks import check_clean_options, check_file_options, check_output_file, check_stream_options

# the options of `cleaner clean`, declared once here so the command's signature stays readable
_Paths = Annotated[
    list[str],
    typer.Argument(
        metavar="PATH",
        help="Files, folders (searched recursively), - for stdin, or .warc/.arc(.gz) archives.",
    ),
]
_Output = Annotated[
    str | None,  # a str, not a Path: "out/" names a folder, and Path would drop the slash
    typer.Option(
        "-o",
        "--output",
        metavar="OUTDIR",
        help="Folder for the outputs (mirrors the input tree); one JSONL file with --jsonl or WARC/ARC inputs.",
    ),
]
_Fmt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        metavar="text|json",
        help="text: the clean text; json: text, metadata, removed lines (for cleaner review). Web-archive records carry removed lines with json; --jsonl records always do.",
    ),
]
_InputType = Annotated[
    str,
    typer.Option(
        "--input-type",
        metavar="auto|html|text",
        help="auto: by extension, then by content (--jsonl records: each by its content); html or "
        "text: read every input so.",
    ),
]
_Url = Annotated[
    str | None,
    typer.Option(metavar="URL", help="The page's URL (helps extraction and metadata); one input only."),
]
_Encoding = Annotated[
    str | None,
    typer.Option(
        metavar="CHARSET",
        help="Charset of the inputs, as an HTTP response's Content-Type names it (e.g. windows-1250, "
        "shift_jis): used after a byte-order mark and valid UTF-8, before a page's own declaration "
        "and a guess. For pages saved without their response's header.",
    ),
]
_Threshold = Annotated[
    float | None,
    typer.Option(
        metavar="0..1",
        help="Junk probability at which lines of the trailing run go, in pages and plain text alike (default: "
        "chosen in training, `cleaner --version` shows it); lower removes more. It is a floor for the other lines' "
        "thresholds: raised, it removes less everywhere, and 1 keeps all but the surest.",
    ),
]
_Fast = Annotated[
    bool,
    typer.Option(
        "--fast", help="Skip trafilatura's fallback extractors: faster, a little less text on some pages."
    ),
]
_Model = Annotated[
    Path | None,
    typer.Option(metavar="DIR", help="Folder (or file) of another model; default: the shipped one."),
]
_Explain = Annotated[
    bool,
    typer.Option(
        "--explain",
        help="Print each removed line to stderr: FILE:LINE (counted from 1 in the text being "
        "cleaned: for a page, the extracted text), score, reason, text.",
    ),
]
_Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="No summary or warnings on stderr (errors still).")
]
_Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Redo every output, and overwrite files at outputs' places that cleaner did not "
        "write (or that were edited) or wrote from another input; by default a rerun skips "
        "outputs made from their inputs as they are now, with the same settings, model and version.",
    ),
]
_Errors = Annotated[
    Path | None,
    typer.Option(metavar="FILE", help="Write failures as JSONL (path, error, message); rewritten each run."),
]
_MaxSize = Annotated[
    float,
    typer.Option(
        metavar="MB",
        help="Refuse inputs larger than this many MiB (1 MiB = 1,048,576 bytes; inflated size), unread.",
    ),
]
_TimeLimit = Annotated[
    float,
    typer.Option(metavar="S", help="Fail a document that takes longer than this many seconds (0: no limit)."),
]
_Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        min=0,
        help="Worker processes (default and 0: one per usable core); 1 runs in-process, without the outside watchdog.",
    ),
]
_Jsonl = Annotated[
    bool, typer.Option("--jsonl", help="Inputs are JSONL records (.gz ok); -o names one output file.")
]
_Field = Annotated[
    str | None,
    typer.Option(metavar="NAME", help="With --jsonl: the field to clean (e.g. text).  [default: html]"),
]
_Scheduler = Annotated[
    str | None,
    typer.Option(
        metavar="ADDRESS",
        help="Run the batch on a Dask cluster: tcp://HOST:PORT of its scheduler, or 'local' for a "
        "local cluster of --jobs workers. Workers must see the input and output paths.",
    ),
]


#: after the options in `cleaner clean --help`
_EPILOG = """\
Exit codes: 0 all inputs cleaned, 1 some failed (each named on stderr with its
reason; the others are still cleaned), 2 usage error, 130 stopped by Ctrl-C, 143
by SIGTERM (outputs written so far are kept).

Examples:

\b
  cleaner clean article.html
  curl -s https://example.com/news | cleaner clean - --url https://example.com/news
  cleaner clean scraped/ -o clean/ --explain
  cleaner clean scraped/ -o out/ --format json; cleaner review out/

\b
  # web archives and JSONL records: one JSONL output
  cleaner clean crawl.warc.gz -o crawl.jsonl.gz
  cleaner clean records.jsonl --jsonl --field html -o clean.jsonl

\b
  # on a Dask cluster
  cleaner clean scraped/ -o clean/ --scheduler tcp://HOST:8786
"""


@app.command(epilog=_EPILOG)
def clean(
    paths: _Paths,
    output: _Output = None,
    fmt: _Fmt = "text",
    input_type: _InputType = "auto",
    url: _Url = None,
    encoding: _Encoding = None,
    threshold: _Threshold = None,
    fast: _Fast = False,
    model: _Model = None,
    explain: _Explain = False,
    quiet: _Quiet = False,
    force: _Force = False,
    errors: _Errors = None,
    max_size: _MaxSize = MAX_INPUT_BYTES / MB,
    time_limit: _TimeLimit = TIME_LIMIT,
    workers: _Jobs = None,
    jsonl: _Jsonl = False,
    field: _Field = None,
    scheduler: _Scheduler = None,
) -> None:
    """Clean HTML pages or extracted text files.

    A single input without -o prints to stdout; with -o OUTDIR, input a/b.html becomes
    OUTDIR/a/b.html.txt (.json with --format json). Inputs are never overwritten; a rerun
    skips outputs that are up to date. Messages and --explain go to stderr.
    """
    from ..batch.plan import Format
    from ..batch.run import default_jobs
    from ..warc import is_archive

    check_clean_options(fmt, input_type, workers, max_size, paths, scheduler, encoding)
    archives = any(map(is_archive, paths))
    if field is not None and not jsonl:
        raise usage("--field is for --jsonl runs: it names the field of each record to clean")
    if archives and input_type != "auto":
        raise usage(
            "--input-type is not for web archives: a response is HTML by its Content-Type (or its content)"
        )
    if jsonl or archives:
        check_stream_options(explain=explain, force=force, url=url, scheduler=scheduler, encoding=encoding)
        check_output_file(output)
    else:
        check_file_options(paths, output, input_type)
    thresholds = {"trailing_threshold": threshold} if threshold is not None else {}
    cleaner = load_cleaner(model, time_limit=time_limit, fast=fast, **thresholds)
    max_bytes, jobs = int(max_size * MB), workers or default_jobs()
    kind = cast(Kind, input_type)
    with sigterm_as_interrupt():
        if jsonl or archives:
            _clean_streams(
                cleaner,
                paths,
                output,
                errors,
                quiet,
                archives=archives,
                with_removed=fmt == "json",
                field=field or "html",
                kind=kind,
                max_bytes=max_bytes,
                workers=jobs,
            )
            return
        _clean_files(
            cleaner,
            paths,
            Path(output) if output is not None else None,
            fmt=cast(Format, fmt),
            explain=explain,
            quiet=quiet,
            force=force,
            errors=errors,
            max_bytes=max_bytes,
            jobs=jobs,
            scheduler=scheduler,
            kind=kind,
            url=url,
            encoding=encoding,
        )


def _clean_files(
    cleaner: Any,
    paths: list[str],
    output: Path | None,
    *,
    fmt: Any,
    explain: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Files, folders and stdin through `batch.run.run_batch`; each outcome printed as it comes."""
    from ..batch.files import render
    from ..batch.plan import Outcome
    from ..batch.report import one_line
    from ..batch.run import run_batch
    from ..batch.writer import remove_leftovers
    from ..errors import CleanerError, ConfigError, OutputError

    def show(outcome: Outcome) -> None:
        if outcome.failure is not None:
            err(f"error: {outcome.failure}")
        elif outcome.result is not None:
            if outcome.note is not None and not quiet:
                err(f"warning: {one_line(outcome.job.display)}: {outcome.note}")
            if explain:
                name = one_line(outcome.job.display)
                for r in outcome.result.removed:
                    err(f"{name}:{r.line + 1}\t{r.score:.3f}\t{r.reason}\t{one_line(r.text.strip())}")
            if outcome.job.dest is None:
                try:
                    sys.stdout.write(render(outcome.result, fmt, outcome.job.display))
                    sys.stdout.flush()
                except BrokenPipeError:
                    raise  # the reader stopped (`| head`): click leaves quietly
                except OSError as exc:
                    raise OutputError(f"cannot write to stdout: {exc.strerror or exc}") from exc

    try:
        if output is not None and (leftovers := remove_leftovers(output)):
            err(f"removed {leftovers} temporary file(s) left by an interrupted run")
        report = run_batch(
            cleaner,
            paths,
            output,
            fmt=fmt,
            progress=sys.stderr is not None and sys.stderr.isatty(),
            on_outcome=show,
            **options,
        )
    except ConfigError as exc:
        raise usage(str(exc)) from exc
    except CleanerError as exc:
        err(f"error: {exc}")
        raise typer.Exit(1) from exc
    except KeyboardInterrupt as exc:
        how, code = stopped(exc)
        if output is not None:  # a busy worker's, stopped between writing an output and renaming it
            with contextlib.suppress(CleanerError, OSError):  # the next run's start removes them too
                remove_leftovers(output)
        done = "outputs written so far are kept; rerun the same command to finish" if output else "stopped"
        err(f"{how}: {done}")
        raise typer.Exit(code) from exc
    if not quiet and (output is not None or report.noteworthy):
        err(report.summary())
    if explain and report.skipped and not quiet:
        err(
            f"note: --explain shows nothing of the {report.skipped} up-to-date output(s); --force cleans them again"
        )
    if report.failed:
        raise typer.Exit(1)


def _clean_streams(
    cleaner: Any, paths: list[str], output: str | None, errors: Path | None, quiet: bool, **options: Any
) -> None:
    """`clean --jsonl` and web archives: records in, JSONL records out, in order.

    Exit 1 if any record failed; failures are on stderr and, with --errors, in that file.
    """
    from ..batch.report import Failure
    from ..batch.streams import clean_streams
    from ..batch.writer import remove_leftovers
    from ..errors import CleanerError, ConfigError

    def show(failure: Failure) -> None:
        err(f"error: {failure}")

    dest = None if output is None or output == "-" else Path(output)
    try:
        if dest is not None and (leftovers := remove_leftovers(dest.parent, of=dest.name)):
            err(f"removed {leftovers} temporary file(s) left by an interrupted run")
        summary, failures = clean_streams(cleaner, paths, dest, errors=errors, on_failure=show, **options)
    except ConfigError as exc:
        raise usage(str(exc)) from exc
    except BrokenPipeError:
        raise  # the reader stopped (`| head`): click leaves quietly, as for other commands
    except CleanerError as exc:
        err(f"error: {exc}")
        raise typer.Exit(1) from exc
    except OSError as exc:  # stdout's: an output file's errors are OutputErrors by now
        err(f"error: cannot write to stdout: {exc.strerror or exc}")
        raise typer.Exit(1) from exc
    except KeyboardInterrupt as exc:
        how, code = stopped(exc)
        err(f"{how}: {'the output is left as it was' if dest else 'stopped'}; rerun the same command")
        raise typer.Exit(code) from exc
    if not quiet:
        err(summary)
    if failures:
        raise typer.Exit(1)
