"""`cleaner train` and `cleaner evaluate`: thin shells over `cleaner.training`, which they
import only when run (cleaning never loads it, nor scikit-learn)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from . import app, article_clause, err, load_cleaner, usage


@app.command()
def train(
    seeds: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder of labelled documents (see seeds/README.md).")
    ] = Path("seeds"),
    data: Annotated[
        list[Path] | None,
        typer.Option(
            metavar="DIR",
            help="Gold dataset folder, or a folder of them (repeatable); only their training split is used.",
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            metavar="DIR",
            help="Where to write the model and card (a model there is replaced once the new one is written).",
        ),
    ] = Path("models"),
    exclude: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="Leave out a seed document by name (repeatable).")
    ] = None,
    cv: Annotated[
        bool,
        typer.Option(
            "--cv/--no-cv", help="Cross-validate, choose thresholds out of fold, record both in the card."
        ),
    ] = True,
    corrections: Annotated[
        list[Path] | None,
        typer.Option(
            metavar="FILE", help="corrections.jsonl from `cleaner review` (repeatable): weighted like seeds."
        ),
    ] = None,
) -> None:
    """Train the junk-line classifier and write model + model card.

    Seeds give hand-labelled documents, --corrections the lines a reviewer marked in
    `cleaner review` (both weighted alike); each --data dataset adds weak labels from its
    pages' gold text (held-out sites are never used). Deterministic: the same inputs
    give the same model file. Without --out it replaces models/ in the current folder:
    in a clone, the model cleaning loads.

    A dataset is a folder of html/<id>.html (or .html.gz) pages and a gold.jsonl of
    records {"id", "url", "text"}: the page's article as a person keeps it. Each page is
    extracted once and cached (.cache/ of a clone, else the user's cache folder;
    CLEANER_CACHE names another). With the project's six datasets (about 3,000 pages) a
    run takes about 8 minutes on two cores with extractions cached (longer the first time)
    and up to 7 GB of memory.

    Exit codes: 0 model written, 1 training failed (the file at fault named with its
    reason), 2 usage error, 130 stopped by Ctrl-C; a model already in --out is kept
    whole unless a new one was written.

    Examples:

    \b
      cleaner train --seeds seeds --data ../shared/data --out my-model/
      cleaner train --seeds seeds --data ../shared/data --corrections corrections.jsonl --out my-model/
      cleaner train --seeds seeds --data ../shared/data    # retrain the clone's own models/
    """
    from ..errors import CleanerError, ConfigError

    _check_training_inputs(seeds, data or [], corrections or [], out)
    replaced = _sources_of(out)
    try:
        from ..training.corpus import collect
        from ..training.train import train as run_training

        try:
            corpus = collect(seeds, data or (), exclude=exclude or (), corrections=corrections or ())
        except ConfigError as exc:  # a folder or name given that cannot be what it names
            raise usage(str(exc)) from exc
        for note in corpus.notes:
            err(f"note: {note}")
        card = run_training(corpus, out, with_cv=cv)
    except CleanerError as exc:
        err(f"error: {exc}")
        raise typer.Exit(1) from exc
    _report(card, out, replaced=replaced, with_data=bool(data), cv=cv)


def _report(card: dict[str, Any], out: Path, *, replaced: str | None, with_data: bool, cv: bool) -> None:
    """What training made, on stderr: the model's sources, notes, cross-validation, thresholds."""
    sources = ", ".join(f"{s['name']}: {s['documents']} docs" for s in card["training_data"]["sources"])
    err(f"model written to {out} ({sources})")
    if replaced is not None:
        err(f"note: it replaced the model that was there, trained on {replaced}")
    if not with_data:
        err(
            "note: trained without gold pages (--data): the trees learned from the documents above "
            "alone; the shipped model also learned from gold datasets (README: Training data)"
        )
    if card["cross_validation"]:
        cvr = card["cross_validation"]
        if cvr["recall"] or cvr["body_lines_removed_count"]:
            err(f"cross-validated removal precision {cvr['precision']}, recall {cvr['recall']}")
        else:  # precision is 1.0 by convention then: it says nothing
            err(
                f"cross-validated: out of fold, the model removed next to none of {cvr['junk_lines']} junk lines"
            )
    if card["threshold_choice"]:
        ch = card["threshold_choice"]
        err(
            f"thresholds chosen out of fold: trailing {ch['trailing_threshold']}, elsewhere {ch['inner_threshold']}"
            + article_clause(ch, ", ")
        )
    elif cv:
        why = (
            "no gold page is on the training side"
            if with_data
            else "choosing them out of fold needs gold pages: --data"
        )
        err(f"thresholds: the default rule's ({why})")


def _missing(path: Path, kind: str = "folder") -> str:
    """Why a path given as a folder (or file) is not one."""
    return f"not a {kind}" if path.exists() else f"no such {kind}"


def _sources_of(out: Path) -> str | None:
    """What the model in `out` was trained on (None: no readable model there)."""
    from ..errors import ModelError
    from ..model import read_card

    try:
        return ", ".join(s["name"] for s in read_card(out)["training_data"]["sources"])
    except (ModelError, KeyError, TypeError):
        return None


def _check_training_inputs(seeds: Path, data: list[Path], corrections: list[Path], out: Path) -> None:
    """Exit before any work: 1 without the train extra, 2 for a path that cannot be what it names."""
    from ..errors import CleanerError
    from ..training import require_train_extra

    try:  # first: without the extra nothing else matters
        require_train_extra()
    except CleanerError as exc:
        err(f"error: {exc}")
        raise typer.Exit(1) from exc
    if not seeds.is_dir():
        raise usage(
            f"--seeds {seeds}: {_missing(seeds)} (the seed documents come with the project's "
            "source, a clone or the sdist: see seeds/README.md there)"
        )
    for path in data:
        if not path.is_dir():
            raise usage(f"--data {path}: {_missing(path)}")
    for path in corrections:
        if not path.is_file():
            raise usage(f"--corrections {path}: {_missing(path, 'file')}")
    if out.exists() and not out.is_dir():
        raise usage(f"--out {out}: a file, not a folder")
    # the folder is made after the corpus is read (minutes): a file in its way is found now
    if under := next((p for p in out.absolute().parents if p.exists() and not p.is_dir()), None):
        raise usage(f"--out {out}: {under} is a file, not a folder")


_Datasets = Annotated[
    list[Path],
    typer.Argument(metavar="DATASET", help="Dataset folders (html/ + gold.jsonl), or a folder of them."),
]
_Split = Annotated[
    str, typer.Option(metavar="test|train|all", help="test: held-out sites; train: the others; all.")
]


_EVALUATE_HELP = """Score cleaner beside plain trafilatura against gold text, per dataset and page type.

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

cleaner's junk lines removed, pages ending in junk, F1 and body chars removed carry a
range, "37% (21–52%)": 90% of the figures its sites drawn again give (1,000 draws;
"intervals" in --json). A change that stays inside it may be noise.

"–": no figure (nothing to divide by, or the gold gives no page type). Then every goal
of the junk filter (training/goals.py) with its figure, unmet first.

The split is fixed: the test split holds one site in five of each dataset, drawn from a
hash of the dataset's folder name and the site; training never sees them. A dataset of
a few sites may have no test page: --split all takes every page.

Exit codes: 0 figures printed (goals met or not), 1 a page or gold record could not be
read or cleaned (named), 2 usage error.

--json adds word precision/recall, junk lines per page and more. --text-shapes adds a table ("text_shapes" in --json): clean_text on held-out article bodies
with other sites' teasers appended, a row per shape (see cleaner/training/text_eval.py), any --split.

Example:

\b
  cleaner evaluate ../shared/data --split test --text-shapes
"""


@app.command(short_help="Score cleaner beside trafilatura against gold text.", help=_EVALUATE_HELP)
def evaluate(
    datasets: _Datasets,
    split: _Split = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a Markdown table.")] = False,
    model: Annotated[
        Path | None, typer.Option(metavar="DIR", help="Folder of another model; default: the shipped one.")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(metavar="N", min=1, help="At most this many pages per dataset (a quick look)."),
    ] = None,
    text_shapes: Annotated[
        bool, typer.Option("--text-shapes", help="Add a table: held-out bodies + teasers, per shape.")
    ] = False,
    fast: Annotated[
        bool, typer.Option("--fast", help="Clean with trafilatura's fast extraction (as `clean --fast`).")
    ] = False,
) -> None:
    """Score cleaner beside plain trafilatura against gold text (the help: _EVALUATE_HELP)."""
    import json

    from ..errors import CleanerError
    from ..training.evaluate import markdown_table
    from ..training.goals import check_goals, goals_table
    from ..training.text_eval import text_shapes_report, text_shapes_table

    if split not in ("test", "train", "all"):
        raise usage(f"--split must be test, train or all, not {split!r}")
    cleaner = load_cleaner(model, fast=fast)
    pages, shape_pages, skipped = _evaluated_pages(datasets, split, text_shapes)
    try:  # a page that cannot be read or cleaned ends the run, named: figures without it would mislead
        results = _by_dataset(pages, skipped, cleaner, split, limit)
        checks = check_goals(results, model)
        tables = [markdown_table(results), goals_table(checks)]
        if text_shapes:
            report = text_shapes_report(shape_pages, cleaner, limit=limit)
            err(
                f"text shapes: {report['overall']['documents']} documents from {report['pages']} held-out pages"
            )
            results["text_shapes"] = report  # added after the first table is made: it is no dataset
            tables.append(text_shapes_table(report))
    except CleanerError as exc:
        err(f"error: {exc}")
        raise typer.Exit(1) from exc
    typer.echo(json.dumps({**results, "goals": checks}, indent=1) if as_json else "\n\n".join(tables))


def _by_dataset(
    pages: list[Any], skipped: Counter[tuple[str, str]], cleaner: Any, split: str, limit: int | None
) -> dict[str, dict[str, Any]]:
    """Each dataset's figures (its first `limit` pages), saying on stderr what each took."""
    from ..training.evaluate import evaluate_pages

    results = {}
    cut = False
    for name in dict.fromkeys(p.dataset for p in pages):
        group = [p for p in pages if p.dataset == name]
        cut |= len(group) > (limit or len(group))
        group = group[: limit or None]
        results[name] = {"split": split, **evaluate_pages(group, cleaner)}
        gaps = ", ".join(f"{n} {why}" for (dataset, why), n in sorted(skipped.items()) if dataset == name)
        err(
            f"{name}: {len(group)} page{'s' if len(group) != 1 else ''} evaluated"
            + (f" (gold rows left out, both splits: {gaps})" if gaps else "")
        )
    if cut:
        err(
            f"note: --limit {limit}: figures and goals from each dataset's first {limit} pages, not the whole {split} split"
        )
    return results


def _evaluated_pages(
    datasets: list[Path], split: str, text_shapes: bool
) -> tuple[list[Any], list[Any], Counter[tuple[str, str]]]:
    """The split's pages, the text shapes' pages and the gold rows left out; exit 2 for a folder
    that is not there or holds no dataset, or two of one name; 1 if no page or one unreadable."""
    from ..errors import CleanerError, ConfigError
    from ..training.datasets import HELD_OUT_MODULUS, iter_pages

    if missing := next((p for p in datasets if not p.is_dir()), None):
        raise usage(f"{missing}: {_missing(missing)} (a dataset folder, or a folder of them)")

    skipped: Counter[tuple[str, str]] = Counter()
    try:
        pages = [
            p for p in iter_pages(datasets, skipped) if split == "all" or p.held_out == (split == "test")
        ]
        # the text shapes take held-out pages only, whatever the split of the first table
        shape_pages = list(iter_pages(datasets)) if text_shapes and split == "train" else pages
    except ConfigError as exc:
        raise usage(str(exc)) from exc
    except CleanerError as exc:
        err(f"error: {exc}")
        raise typer.Exit(1) from exc
    if not pages:
        err(
            f"error: {', '.join(map(str, datasets))}: no pages in the {split} split (the test split holds "
            f"one site in {HELD_OUT_MODULUS}, drawn from a hash of the dataset's name and the site's, "
            "so a dataset of few sites may have none: --split all takes every page)"
        )
        raise typer.Exit(1)
    return pages, shape_pages, skipped
