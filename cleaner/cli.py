"""The `cleaner` command: a thin typer shell over the library.

Data goes to stdout, messages to stderr. Exit codes: 0 all good, 1 some input failed,
2 usage error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, cast

import typer

from . import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Clean article text from scraped news pages: trafilatura extraction plus a trained "
    "filter that removes related-article teasers, newsletter and share prompts, photo "
    "credits and other junk lines.\n\nExample:\n\n  cleaner clean page.html\n\n"
    "  cleaner clean scraped/ -o clean/",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cleaner {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Clean article text from scraped news pages."""


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _usage(message: str) -> typer.Exit:
    _err(f"Usage error: {message}")
    return typer.Exit(2)


@app.command()
def clean(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders (searched recursively), - for stdin, or .warc/.arc(.gz) archives."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Folder for the outputs (mirrors the input tree); one JSONL file with --jsonl or WARC/ARC inputs.",
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="text: the clean text; json: text, metadata, removed lines.")
    ] = "text",
    input_type: Annotated[
        str, typer.Option("--input-type", help="auto (by extension, then content), html or text.")
    ] = "auto",
    url: Annotated[str | None, typer.Option(help="The page's URL (helps extraction and metadata).")] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Junk probability at which trailing lines go (default: chosen in training); lower removes more."
        ),
    ] = None,
    model: Annotated[
        Path | None, typer.Option(help="Folder (or file) of another model; default: the shipped one.")
    ] = None,
    explain: Annotated[
        bool, typer.Option(help="Print each removed line with its score and reason to stderr.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
    force: Annotated[
        bool,
        typer.Option(help="Redo every output; by default a rerun skips outputs newer than their inputs."),
    ] = False,
    errors: Annotated[
        Path | None, typer.Option(help="Write failures as JSONL (path, error, message); rewritten each run.")
    ] = None,
    max_size: Annotated[float, typer.Option(help="Refuse inputs larger than this many MB, unread.")] = 20.0,
    time_limit: Annotated[
        float,
        typer.Option(help="Fail a document that takes longer than this many seconds (0: no limit)."),
    ] = 30.0,
    workers: Annotated[
        int | None,
        typer.Option("--jobs", "-j", help="Worker processes (default: all cores); 1 runs in-process."),
    ] = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Inputs are JSONL records (.gz ok); -o names one output file.")
    ] = False,
    field: Annotated[
        str, typer.Option(help="With --jsonl: the field to clean (e.g. html or text).")
    ] = "html",
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Run the batch on a Dask cluster: tcp://HOST:PORT of its scheduler, or 'local' for a "
            "local cluster of --jobs workers. Workers must see the input and output paths."
        ),
    ] = None,
) -> None:
    """Clean HTML pages or extracted text files.

    A single input without -o prints to stdout; with -o OUTDIR, input a/b.html becomes
    OUTDIR/a/b.html.txt (.json with --format json). Inputs are never overwritten.

    Examples:

      cleaner clean article.html

      curl -s https://example.com/news | cleaner clean - --url https://example.com/news

      cleaner clean scraped/ -o clean/ --explain

      cleaner clean crawl.warc.gz -o crawl.jsonl.gz    (one record per HTML response)

      cleaner clean records.jsonl --jsonl --field html -o clean.jsonl

      cleaner clean scraped/ -o clean/ --scheduler tcp://HOST:8786    (on a Dask cluster)
    """
    import json

    from .api import Cleaner
    from .batch import Format, Outcome, plan, real_path, remove_leftovers, render, run_all, write_atomic
    from .errors import CleanerError
    from .warc import is_archive

    if fmt not in ("text", "json"):
        raise _usage(f"--format must be text or json, not {fmt!r}")
    if input_type not in ("auto", "html", "text"):
        raise _usage(f"--input-type must be auto, html or text, not {input_type!r}")
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise _usage(f"--threshold must be between 0 and 1, not {threshold}")
    if workers is not None and workers < 1:
        raise _usage(f"--jobs must be at least 1, not {workers}")
    if max_size <= 0:
        raise _usage(f"--max-size must be positive, not {max_size}")
    if time_limit < 0:
        raise _usage(f"--time-limit must be 0 (no limit) or positive, not {time_limit}")
    if paths.count("-") > 1:
        raise _usage("stdin (-) can be given only once")
    options: dict[str, Any] = {"time_limit": time_limit or None}
    if threshold is not None:
        options["threshold"] = threshold
    try:
        cleaner = Cleaner(model=model, **options)
    except CleanerError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from exc
    archives = [p for p in paths if is_archive(p)]
    if archives and len(archives) < len(paths):
        raise _usage("WARC/ARC files cannot be mixed with other inputs in one run")
    if jsonl or archives:
        _clean_streams(
            cleaner,
            paths,
            output,
            errors,
            quiet,
            archives=bool(archives),
            field=field,
            kind=cast(Literal["auto", "html", "text"], input_type),
            max_bytes=int(max_size * 1024 * 1024),
            workers=workers or os.cpu_count() or 1,
        )
        return
    form = cast(Format, fmt)
    jobs, failures = plan(paths, output, form)
    if output is None and len(jobs) + len(failures) > 1:
        raise _usage("several inputs need an output folder: add -o OUTDIR")
    inputs = {real_path(j.src) for j in jobs if j.src is not None}
    kind = cast(Literal["auto", "html", "text"], input_type)

    def report(outcome: Outcome) -> Outcome:
        job = outcome.job
        if outcome.error:
            _err(f"error: {job.display}: {outcome.error}")
        elif outcome.result is not None:
            if explain:
                for r in outcome.result.removed:
                    _err(f"{job.display}:{r.line + 1}\t{r.score:.3f}\t{r.reason}\t{r.text.strip()}")
            if job.dest is None:
                sys.stdout.write(render(outcome.result, form, job.display))
        return outcome

    for f in failures:
        _err(f"error: {f.job.display}: {f.error}")
    if output is not None and (leftovers := remove_leftovers(output)):
        _err(f"removed {leftovers} temporary file(s) left by an interrupted run")
    job_options: dict[str, Any] = dict(
        fmt=form, kind=kind, url=url, inputs=inputs, force=force, max_bytes=int(max_size * 1024 * 1024)
    )
    if scheduler is None:
        results = run_all(cleaner, jobs, workers=workers or os.cpu_count() or 1, **job_options)
        outcomes = [report(o) for o in _with_progress(results, len(jobs))]
    else:
        from .dask import connect, run_on_cluster

        try:
            with connect(scheduler, workers) as client:
                results = run_on_cluster(client, cleaner, jobs, **job_options)
                outcomes = [report(o) for o in _with_progress(results, len(jobs))]
        except CleanerError as exc:
            _err(f"error: {exc}")
            raise typer.Exit(1) from exc
    failed_outcomes = failures + [o for o in outcomes if o.error]
    failed = len(failed_outcomes)
    if errors is not None:
        write_atomic(
            errors, "".join(json.dumps(o.error_record(), ensure_ascii=False) + "\n" for o in failed_outcomes)
        )
    if not quiet and (output is not None or failed):
        done = [o.result for o in outcomes if o.result]
        skipped = sum(1 for o in outcomes if o.skipped)
        lines = sum(len(r.removed) for r in done)
        chars = sum(len(x.text) for r in done for x in r.removed)
        _err(
            f"{len(done)} file(s) cleaned, {skipped} skipped (up to date), {failed} failed; "
            f"{lines} line(s), {chars} character(s) removed"
        )
    if failed:
        raise typer.Exit(1)


def _clean_streams(
    cleaner: Any,
    paths: list[str],
    output: Path | None,
    errors: Path | None,
    quiet: bool,
    archives: bool,
    **options: Any,
) -> None:
    """`clean --jsonl` and web archives: records in, JSONL records out, in order.

    Exit 1 if any record failed; failures are on stderr and, with --errors, in that file.
    """
    import json

    from .batch import clean_jsonl, real_path, write_atomic
    from .errors import CleanerError

    sources = [None if p == "-" else Path(p) for p in paths]
    for src in sources:
        if src is None and archives:
            raise _usage("web archives are read from files, not stdin")
        if src is not None and not src.is_file():
            raise _usage(f"{src} is not a file: JSONL and WARC/ARC inputs are files (or - for JSONL)")
    dest = None if output is None or str(output) == "-" else output
    if dest is not None and any(s is not None and real_path(s) == real_path(dest) for s in sources):
        raise _usage(f"output {dest} is also an input")
    failures: list[dict[str, str]] = []

    def on_error(where: str, error: CleanerError) -> None:
        failures.append({"path": where, "error": type(error).__name__, "message": str(error)})
        _err(f"error: {where}: {error}")

    try:
        if archives:
            summary = _clean_archives(
                cleaner, sources, dest, on_error, options["max_bytes"], options["workers"]
            )
        else:
            stats = clean_jsonl(
                cleaner,
                sources,
                dest,
                field=options["field"],
                kind=options["kind"],
                on_error=on_error,
                workers=options["workers"],
            )
            summary = f"{stats.records} record(s) cleaned, {stats.failed} failed; {stats.lines_removed} line(s) removed"
    except (CleanerError, OSError) as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from exc
    finally:
        if errors is not None:
            write_atomic(errors, "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in failures))
    if not quiet:
        _err(summary)
    if failures:
        raise typer.Exit(1)


def _clean_archives(
    cleaner: Any, sources: list[Any], dest: Path | None, on_error: Any, max_bytes: int, workers: int
) -> str:
    """Every HTML response of the archives to one JSONL output; returns the summary line."""
    from .batch import jsonl_output
    from .warc import ArchiveStats, clean_archive

    stats = ArchiveStats()
    with jsonl_output(dest) as write:
        for src in sources:
            with open(src, "rb") as stream:
                for record in clean_archive(
                    cleaner, stream, stats=stats, on_error=on_error, max_bytes=max_bytes, workers=workers
                ):
                    write(record)
    return (
        f"{stats.records} HTML response(s) cleaned, {stats.failed} failed; skipped {stats.not_html} "
        f"non-HTML response(s), {stats.revisits} revisit(s), {stats.other} other record(s)"
    )


def _with_progress(items: Iterator[Any], total: int) -> Iterator[Any]:
    """Pass items through, with a progress bar when stderr is a terminal and the batch is long."""
    if total < 2 or not sys.stderr.isatty():
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
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("clean", total=total, rate="")
        for item in items:
            yield item
            speed = bar.tasks[0].speed
            bar.update(task, advance=1, rate=f"{speed:.1f} files/s" if speed else "")


@app.command()
def train(
    seeds: Annotated[Path, typer.Option(help="Folder of labelled documents (see seeds/README.md).")] = Path(
        "seeds"
    ),
    data: Annotated[
        list[Path] | None,
        typer.Option(
            help="Gold dataset folder, or a folder of them (repeatable); only their training split is used."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write the model and card; default: models/.")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="Leave out a seed document by name (repeatable).")
    ] = None,
    cv: Annotated[
        bool, typer.Option(help="Cross-validate, choose thresholds out of fold, record both in the card.")
    ] = True,
) -> None:
    """Train the junk-line classifier and write model + model card.

    Seeds give hand-labelled documents; each --data dataset adds weak labels from its
    pages' gold text (held-out sites are never used). Deterministic: the same inputs
    give the same model file.

    Examples:

      cleaner train --seeds seeds

      cleaner train --seeds seeds --data ../shared/data --out models
    """
    from .errors import CleanerError
    from .model import default_model_dir
    from .training import require_train_extra

    target = out or default_model_dir()
    try:
        require_train_extra()
        from .training.corpus import collect
        from .training.train import train as run_training

        corpus = collect(seeds, data or (), exclude=exclude or ())
        card = run_training(corpus, target, with_cv=cv)
    except CleanerError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from exc
    sources = ", ".join(f"{s['name']}: {s['documents']} docs" for s in card["training_data"]["sources"])
    _err(f"model written to {target} ({sources})")
    if card["cross_validation"]:
        cvr = card["cross_validation"]
        _err(f"cross-validated removal precision {cvr['precision']}, recall {cvr['recall']}")
    if card["threshold_choice"]:
        ch = card["threshold_choice"]
        _err(f"thresholds chosen out of fold: trailing {ch['threshold']}, elsewhere {ch['inner_threshold']}")


@app.command()
def evaluate(
    datasets: Annotated[
        list[Path], typer.Argument(help="Dataset folders (html/ + gold.jsonl), or a folder of them.")
    ],
    split: Annotated[str, typer.Option(help="test (held-out sites, default), train or all.")] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a Markdown table.")] = False,
    model: Annotated[
        Path | None, typer.Option(help="Folder of another model; default: the shipped one.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="At most this many pages per dataset (a quick look).")
    ] = None,
    text_shapes: Annotated[
        bool, typer.Option("--text-shapes", help="Add a table: held-out bodies + teasers, per shape.")
    ] = False,
) -> None:
    """Score cleaner beside plain trafilatura against gold text, per dataset and page type.

    Rows: each dataset, and each dataset/page_type where the gold gives one (WCXB); per row
    three systems measured in the same run: plain trafilatura.extract, the perfect filter
    (trafilatura's lines minus the junk ones: the ceiling of any line filter) and cleaner.

    A line is junk when fewer than half of its words occur in the gold text; other lines
    with words are body. Figures:

      precision, recall, F1: over word 4-gram shingles (the article-extraction benchmark)

      word F1: WCXB's word-bag F1, the mean over pages

      junk lines removed: 1 - junk lines per page left / those of trafilatura

      pages ending in junk: share of pages with a junk line in their last 3 lines with words

      body lines/chars removed: share of trafilatura's body lines (characters) removed

      pages/s: pages per second of that system alone

    --json adds word precision/recall, junk lines per page and more.

    --text-shapes adds a table ("text_shapes" in --json): clean_text on held-out article bodies
    with other sites' teasers appended, a row per shape (see cleaner/text_eval.py), any --split.

    Example:

      cleaner evaluate ../shared/data --split test --text-shapes
    """
    import json

    from .api import Cleaner
    from .errors import CleanerError
    from .training.datasets import iter_pages
    from .training.evaluate import evaluate_pages, markdown_table
    from .training.text_eval import text_shapes_report, text_shapes_table

    if split not in ("test", "train", "all"):
        raise _usage(f"--split must be test, train or all, not {split!r}")
    try:
        cleaner = Cleaner(model=model)
        pages = [p for p in iter_pages(datasets) if split == "all" or p.held_out == (split == "test")]
        # the text shapes take held-out pages only, whatever the split of the first table
        shape_pages = list(iter_pages(datasets)) if text_shapes and split == "train" else pages
    except CleanerError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1) from exc
    by_dataset: dict[str, list[Any]] = {}
    for page in pages:
        by_dataset.setdefault(page.dataset, []).append(page)
    results = {}
    for name, group in by_dataset.items():
        group = group[:limit] if limit else group
        results[name] = {"split": split, **evaluate_pages(group, cleaner)}
        _err(f"{name}: {len(group)} pages evaluated")
    tables = [markdown_table(results)]
    if text_shapes:
        report = text_shapes_report(shape_pages, cleaner, limit=limit)
        _err(f"text shapes: {report['overall']['documents']} documents from {report['pages']} held-out pages")
        results["text_shapes"] = report  # added after the first table is made: it is no dataset
        tables.append(text_shapes_table(report))
    typer.echo(json.dumps(results, indent=1) if as_json else "\n\n".join(tables))


def main() -> None:
    """Console-script entry point."""
    app()
