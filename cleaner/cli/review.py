"""`cleaner review`: the HTML report of a batch's outputs, from the library's review package."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from . import app, err, names_folder, usage


@app.command(short_help="Write an HTML page of what a batch removed, to check.")
def review(
    outputs: Annotated[
        Path,
        typer.Argument(
            metavar="OUTPUTS", help="Outputs of a batch: a folder of --format json files, or a JSONL file."
        ),
    ],
    page: Annotated[
        str, typer.Option("-o", "--output", metavar="FILE", help="The HTML file to write.")
    ] = "review.html",
    compare: Annotated[
        Path | None,
        typer.Option(
            metavar="OLD_OUTPUTS",
            help="Outputs of an earlier run of the same batch (another model): show what changed.",
        ),
    ] = None,
    title: Annotated[str, typer.Option(metavar="TEXT", help="The report's title.")] = "cleaner review",
) -> None:
    """Write one self-contained HTML page showing what a batch removed, for a person to check.

    Each document's removed lines are shown with their score and reason, documents sorted by
    how much was removed; filter by reason, score and file name, search the text, open a
    whole text with its removed lines in place. Mark a line "wrongly removed" or "junk that
    was kept" and press Download corrections: the file feeds `cleaner train --corrections`.
    The page opens from disk in any browser and sends nothing anywhere.

    Exit codes: 0 page written, 1 an output could not be read or the page not written (named
    with the reason), 2 usage error; a file at -o is replaced only if it is an earlier review page.

    Examples:

    \b
      cleaner clean scraped/ -o out/ --format json; cleaner review out/ -o review.html
      cleaner review out-new/ --compare out-old/ -o changes.html
      cleaner clean records.jsonl --jsonl -o clean.jsonl; cleaner review clean.jsonl
    """
    from ..batch.writer import real_path
    from ..errors import CleanerError, ConfigError
    from ..review import read_outputs, write_report
    from ..review.outputs import output_files

    if page == "-":
        raise usage("-o -: the review page is a file to open in a browser; name it (e.g. -o review.html)")
    report = Path(page)
    if names_folder(page):
        raise usage(f"{page} is a folder: name the HTML file to write (e.g. {report / 'review.html'})")
    for named, root in (("", outputs), ("--compare ", compare)):
        if root is not None and not os.path.lexists(root):
            raise usage(f"{named}{root}: no such file or folder")
    try:
        if report.name.removesuffix(".gz").endswith((".json", ".jsonl")):
            # in folders only such names are outputs, so they are listed on this path alone (a
            # file named otherwise is never replaced: write_report keeps what is not its page)
            read = [p for root in (outputs, compare) if root is not None for p in output_files(root)]
            if real_path(report) in map(real_path, read):
                raise usage(f"-o {report} is one of the outputs being reviewed; write the page elsewhere")
            raise usage(
                f"-o {report}: the review page is HTML; name it .html (a .json name reads as an output)"
            )
        docs = read_outputs(outputs)
        previous = read_outputs(compare) if compare is not None else None
        write_report(docs, report, title=title, previous=previous)
    except ConfigError as exc:  # an -o that is not the page's to replace: the argument is wrong
        raise usage(str(exc)) from exc
    except CleanerError as exc:
        err(f"error: {exc}")
        raise typer.Exit(1) from exc
    removed = sum(len(d.removed) for d in docs)
    err(f"{report}: {len(docs)} document(s), {removed} removed line(s)")
    if previous is not None and not {d.key for d in docs} & {d.key for d in previous}:
        err(
            f"warning: no document of {compare} matches one of {outputs} (documents are matched by their "
            "output's place in the output folder): compare two runs of the same batch"
        )
