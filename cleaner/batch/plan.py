"""Plan a batch of files: expand inputs into jobs (folders walked in sorted order), refuse
output folders that would mix with inputs, and note what the walk passes over."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import ConfigError, InputError
from ..result import CleanResult
from .report import Failure, PassedOver
from .writer import RUN_LOG, TMP_SUFFIX, real_path

Format = Literal["text", "json"]
STDIN = "-"
#: files in a folder with these suffixes are passed over, counted: a saved site's images,
#: styles, scripts, fonts, media, feeds and data. A file named on its own is always cleaned
#: (web archives and JSONL records: in runs of their own).
_IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".bmp", ".ico", ".svg", ".tif", ".tiff")
_STYLES_SCRIPTS_FONTS = (".css", ".js", ".mjs", ".map", ".wasm", ".woff", ".woff2", ".ttf", ".otf", ".eot")
_MEDIA = (".mp3", ".mp4", ".m4a", ".webm", ".ogg", ".wav", ".avi", ".mov")
_DATA = (".json", ".jsonl", ".csv", ".rss", ".atom", ".pdf", ".zip", ".tar", ".tgz", ".bz2", ".xz", ".7z")
#: web archives: cleaned when named as inputs (`cleaner clean crawl.warc.gz`), not as pages
ARCHIVES = (".warc", ".arc")
#: how a WARC record, and an ARC file's first record, begin
ARCHIVE_STARTS = (b"WARC/", b"filedesc://")
#: what a folder's walk passes over: a saved site's assets, data files and archives
NOT_PAGES = frozenset(_IMAGES + _STYLES_SCRIPTS_FONTS + _MEDIA + _DATA + ARCHIVES + (".xml", ".exe", ".bin"))


@dataclass(frozen=True)
class Job:
    """One input (a path, or None for stdin) and where its output goes (None: stdout)."""

    src: Path | None
    dest: Path | None
    display: str
    #: the modification time (ns) the output had when this batch's settings wrote it, and
    #: its input's stamp then (writer.input_stamp), from the output folder's RunLog; None
    #: when they did not
    made: tuple[int, str] | None = None
    #: a file no cleaner run logged is at the output's place (RunLog.at_place): it is replaced
    #: only by the same content (an interrupted run's output) or with `force`
    foreign: bool = False
    #: the input (writer.input_names) an earlier run logged the file at the output's place
    #: as made from, with any settings; None when unknown. Another input's output is
    #: replaced only with `force` (two folders cleaned one after the other into one folder)
    made_from: tuple[str, ...] | None = None


@dataclass
class Outcome:
    """What happened to one job."""

    job: Job
    result: CleanResult | None = None
    failure: Failure | None = None
    skipped: bool = False
    #: an output newer than its input was made again: other settings, model or version made
    #: it, a run into another folder did, or its input changed (replaced by an older file)
    redone: bool = False
    #: the modification time (ns) of the output just written, and its input's stamp then
    written_ns: int | None = None
    stamp: str = ""
    #: something the user should hear about an input that was cleaned (`content_note`)
    note: str | None = None

    @classmethod
    def failed(cls, job: Job, exc: BaseException) -> Outcome:
        """The outcome of a job that raised `exc`."""
        return cls(job, failure=Failure.of(job.display, exc))


def output_suffix(fmt: Format) -> str:
    """The suffix appended to an input's name to make its output's name."""
    return ".json" if fmt == "json" else ".txt"


@dataclass
class Plan(PassedOver):
    """What a batch will do: its jobs, the inputs that failed already, and what it passes over."""

    jobs: list[Job] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)


def plan(inputs: list[str], outdir: Path | None, fmt: Format) -> Plan:
    """Expand inputs into jobs (folders recursively, passing over NOT_PAGES files); inputs
    that do not exist become failures.

    Raises ConfigError when the output folder is an input folder, holds an input file or
    folder, or lies inside an input folder holding pages an earlier run did not write.
    """
    suffix = output_suffix(fmt)
    todo = Plan()
    jobs, failed = todo.jobs, todo.failed
    for given in inputs:
        try:
            _add_input(todo, given, outdir, suffix)
        except ConfigError:
            raise
        except (OSError, ValueError) as exc:  # a name too long, a NUL in it, a folder not searchable
            reason = getattr(exc, "strerror", None) or exc
            failed.append(Outcome.failed(Job(Path(given), None, given), InputError(f"cannot read: {reason}")))
    # two inputs mapping to one output (same relative name under two folders): the first
    # keeps it, the others fail by name; nothing is overwritten. The same file given twice
    # (a/x.html and a/../a/x.html) is cleaned once.
    first: dict[Path, Job] = {}
    unique: list[Job] = []
    for job in jobs:
        if job.dest is None:
            unique.append(job)
        elif job.dest in first:
            kept = first[job.dest].src
            if job.src is not None and kept is not None and real_path(job.src) == real_path(kept):
                continue
            message = (
                f"output {job.dest} is already the output of {first[job.dest].display}; "
                "clean them into separate output folders"
            )
            failed.append(Outcome.failed(job, InputError(message)))
        else:
            first[job.dest] = job
            unique.append(job)
    todo.jobs = unique
    return todo


def _add_input(todo: Plan, given: str, outdir: Path | None, suffix: str) -> None:
    """Add one input's jobs (or its failure) to the plan."""
    jobs = todo.jobs
    out_resolved = real_path(outdir) if outdir else None
    if given == STDIN:
        jobs.append(Job(None, outdir / f"stdin{suffix}" if outdir else None, "<stdin>"))
        return
    path = Path(given)
    if path.is_dir() and out_resolved == real_path(path):
        raise ConfigError(
            f"the output folder {outdir} is the input folder {given}: outputs would mix with "
            "inputs; choose another (a new folder inside it is fine)"
        )
    if path.is_file() and out_resolved is not None and out_resolved in real_path(path).parents:
        raise ConfigError(
            f"the output folder {outdir} holds the input {given}: outputs would mix with "
            "inputs (and a run over the folder would clean them); choose another"
        )
    if path.is_dir() and outdir is not None:
        _check_nesting(path, given, outdir, real_path(outdir))
    if path.is_dir():
        before, failed_before = len(jobs), len(todo.failed)
        for file in _walk(path, skip=out_resolved, todo=todo):
            if type_suffix(file) in NOT_PAGES:
                todo.passed_over += 1
                todo.archives += type_suffix(file) in ARCHIVES
                continue
            rel = file.relative_to(path)
            dest = outdir / rel.parent / f"{rel.name}{suffix}" if outdir else None
            jobs.append(Job(file, dest, str(file)))
        if len(jobs) == before and len(todo.failed) == failed_before:  # a folder not listed is a failure
            todo.empty_folders.append(given)
    elif path.exists() or path.is_symlink():
        jobs.append(Job(path, outdir / f"{path.name}{suffix}" if outdir else None, str(path)))
    else:
        todo.failed.append(Outcome.failed(Job(path, None, str(path)), InputError("no such file or folder")))


def _check_nesting(folder: Path, given: str, outdir: Path, out_resolved: Path) -> None:
    """Raise ConfigError when the output folder holds the input folder, or lies inside it and
    already holds pages no cleaner run wrote: the walk passes over the output folder, so
    those pages would silently go uncleaned, and outputs would mix with them."""
    here = real_path(folder)
    if out_resolved in here.parents:
        raise ConfigError(
            f"the output folder {outdir} holds the input folder {given}: outputs would mix with "
            f"inputs (and a run over {outdir} would clean them again); choose another"
        )
    if here not in out_resolved.parents:
        return
    inside = out_resolved.relative_to(here)
    if any(_passed_over(here / d) for d in [inside, *inside.parents][:-1]):
        return  # the walk never reaches it: an earlier run's output folder, or a hidden one
    page = _first_page(outdir)
    if page is not None:
        raise ConfigError(
            f"the output folder {outdir} is inside the input folder {given} and already "
            f"holds pages no cleaner run wrote ({page}): they would not be cleaned, and "
            "outputs would mix with them; choose a new or empty folder"
        )


def _passed_over(folder: Path) -> bool:
    """Whether a folder's walk passes over this folder: hidden, or an earlier run's output."""
    return folder.name.startswith(".") or (folder / RUN_LOG).is_file()


def _first_page(folder: Path) -> Path | None:
    """The first file under a folder that a folder's walk would clean, or None."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not _passed_over(Path(dirpath) / d))
        for name in sorted(filenames):
            if not name.startswith(".") and type_suffix(Path(name)) not in NOT_PAGES:
                return Path(dirpath) / name
    return None


def type_suffix(path: Path) -> str:
    """A file's type suffix, lowercased, under a .gz and without a saved URL's query."""
    name = path.name.lower().removesuffix(".gz")
    return Path(name.split("?", 1)[0]).suffix


def _walk(root: Path, skip: Path | None, todo: Plan) -> Iterator[Path]:
    """Files under a folder in sorted order, skipping `skip`; what it passes over is noted in
    `todo`: hidden files and folders, symlinked folders (not followed), and the output folders
    of earlier runs below it."""

    def unreadable(exc: OSError) -> None:  # the folder's pages cannot be listed: a failure, not silence
        where = Path(exc.filename) if exc.filename else root
        todo.failed.append(
            Outcome.failed(
                Job(where, None, str(where)), InputError(f"cannot list the folder: {exc.strerror or exc}")
            )
        )

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if skip is None or real_path(here / d) != skip)
        # outputs of an earlier run (-o inside the input folder) are not pages to clean again
        earlier = {d for d in dirnames if (here / d / RUN_LOG).is_file()}
        todo.earlier_outputs.extend(str(here / d) for d in dirnames if d in earlier)
        hidden = {d for d in dirnames if d.startswith(".") and d not in earlier}
        linked = {d for d in dirnames if d not in hidden | earlier and (here / d).is_symlink()}
        todo.hidden += len(hidden)
        todo.symlinked_folders.extend(str(here / d) for d in dirnames if d in linked)
        passed = hidden | earlier | linked
        dirnames[:] = [d for d in dirnames if d not in passed]
        for name in sorted(filenames):
            if name.startswith("."):
                todo.hidden += name != RUN_LOG and not name.endswith(TMP_SUFFIX)  # not an output folder's own
                continue
            yield here / name
