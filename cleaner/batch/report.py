"""What a batch did: one shape for an item that failed, and the counts of a whole run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import errors
from ..errors import CleanerError, ConfigError, OutputError
from .writer import json_text, real_path, replaceable, usable, write_atomic

if TYPE_CHECKING:
    from .plan import Outcome

#: the keys of every record of a failures file
FAILURE_KEYS = ("path", "error", "message")
#: control characters as a message line shows them (a newline in a file name split the line)
_ESCAPES = {c: f"\\x{c:02x}" for c in [*range(32), *range(127, 160)]} | {
    9: "\\t",
    10: "\\n",
    13: "\\r",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def one_line(text: str) -> str:
    """A file name or a line of text as one field of a message line: control characters escaped."""
    return text if text.isprintable() else text.translate(_ESCAPES)


@dataclass(frozen=True)
class Failure:
    """One item that could not be cleaned: where it is, the error's type name, the reason.

    `path` is a file's path, `FILE:LINE` for a JSONL record, or `ARCHIVE:RECORD-ID (URL)` for
    a web archive's response (`RECORD-ID (URL)` from `warc.clean_archive`, which reads a
    stream). Only text is kept: a failure never holds its input's bytes.
    """

    path: str
    error: str
    message: str

    @classmethod
    def of(cls, path: str, exc: BaseException) -> Failure:
        """The failure of the item at `path` with exception `exc`."""
        return cls(path, type(exc).__name__, str(exc))

    def to_exception(self) -> CleanerError:
        """The error again, naming the item, as its own class when it is one of cleaner's (for
        callers that raise)."""
        cls = getattr(errors, self.error, None)
        if not (isinstance(cls, type) and issubclass(cls, CleanerError)):
            cls = CleanerError
        return cls(str(self))

    def to_dict(self) -> dict[str, str]:
        """The JSON-ready record of the --errors file: path, error, message."""
        return dict(zip(FAILURE_KEYS, (self.path, self.error, self.message), strict=True))

    def __str__(self) -> str:
        return f"{one_line(self.path)}: {self.message}"


def check_failures_file(path: Path, taken: Iterable[Path] = ()) -> None:
    """Raise ConfigError unless `path` may be (re)written as a failures file: not '-', not one
    of the run's inputs or outputs (`taken`), and nothing there or an earlier failures file
    (writer.replaceable: never a folder, device, FIFO, symlink or other file)."""
    where = f"the failures file {path} (--errors; errors= in Python)"
    if str(path) == "-":
        raise ConfigError(f"{where}: name a file; stdout carries the data")
    if usable(path, where).is_dir():
        raise ConfigError(f"{where} is a folder: name a file in it")
    if real_path(path) in {real_path(p) for p in taken}:
        raise ConfigError(f"{where} is also an input or an output of this run: name another file")
    if not replaceable(path, _a_failure):
        raise ConfigError(f"{where} exists and holds something else: name a new file, or remove it")


def _a_failure(record: Any) -> bool:
    return isinstance(record, dict) and tuple(record) == FAILURE_KEYS


def write_failures(path: Path, failures: list[Failure]) -> None:
    """Write failures as JSONL (one `Failure.to_dict()` per line), atomically."""
    try:
        write_atomic(path, "".join(json_text(f.to_dict()) + "\n" for f in failures))
    except OSError as exc:
        raise OutputError(f"cannot write the failures file {path}: {exc.strerror or exc}") from exc


@dataclass
class PassedOver:
    """What a batch's folders held that it does not clean: counted by the plan, told by the report."""

    #: files in the folders passed over by type (plan.NOT_PAGES: images, styles, scripts, ...)
    passed_over: int = 0
    #: web archives among them: an archive is cleaned when named as an input, not in a folder
    archives: int = 0
    #: folders given with nothing to clean in them
    empty_folders: list[str] = field(default_factory=list)
    #: output folders of earlier runs (they hold a run log) inside the input folders
    earlier_outputs: list[str] = field(default_factory=list)
    #: hidden files and folders in the folders (".git", ".DS_Store")
    hidden: int = 0
    #: symlinked folders inside the folders, not followed (a link can loop or leave the tree)
    symlinked_folders: list[str] = field(default_factory=list)


@dataclass
class BatchReport(PassedOver):
    """The counts of a batch of files, and every failure (`cleaner.clean_files` returns it)."""

    cleaned: int = 0
    skipped: int = 0
    lines_removed: int = 0
    chars_removed: int = 0
    failures: list[Failure] = field(default_factory=list)
    #: temporary files of an interrupted earlier run, removed from the output folder
    leftovers_removed: int = 0
    #: outputs newer than their inputs made again: other settings, model or version made
    #: them, a run into another folder did, or their input changed (replaced by an older file)
    redone: int = 0
    #: inputs cleaned that gave no text at all (nothing extracted: a script-only page, an empty file)
    no_text: int = 0

    @property
    def failed(self) -> int:
        """How many inputs failed."""
        return len(self.failures)

    @property
    def noteworthy(self) -> bool:
        """Whether the summary says more than counts a single input's output already shows:
        failures, or inputs found in folders and passed over."""
        return bool(
            self.failures
            or self.empty_folders
            or self.passed_over
            or self.earlier_outputs
            or self.hidden
            or self.symlinked_folders
        )

    def add(self, outcome: Outcome) -> None:
        """Count one `files.Outcome`."""
        if outcome.failure is not None:
            self.failures.append(outcome.failure)
        elif outcome.skipped:
            self.skipped += 1
        elif outcome.result is not None:
            self.cleaned += 1
            self.redone += outcome.redone
            self.no_text += not outcome.result.text
            self.lines_removed += len(outcome.result.removed)
            self.chars_removed += outcome.result.removed_chars

    def summary(self) -> str:
        """One line: what was cleaned, skipped and failed, and how much was removed."""
        line = (
            f"{self.cleaned} file(s) cleaned, {self.skipped} skipped (up to date), {self.failed} failed; "
            f"{self.lines_removed} line(s), {self.chars_removed} character(s) removed"
        )
        if self.redone:
            line += (
                f" ({self.redone} output(s) newer than their inputs redone: made with other settings, "
                "model or version, by a run into another folder, or from an input changed since)"
            )
        if self.no_text:
            line += f"; {self.no_text} gave no text (empty outputs: nothing found to extract)"
        if self.passed_over:
            line += f"; {self.passed_over} file(s) passed over by type (images, styles, scripts, data)"
        if self.archives:
            line += (
                f", {self.archives} of them web archive(s): name archives as inputs, with one output "
                "file (cleaner clean crawl/*.warc.gz -o out.jsonl)"
            )
        if self.hidden:
            line += f"; {self.hidden} hidden file(s) or folder(s) passed over (.git, .DS_Store...)"
        if self.symlinked_folders:
            line += f"; symlinked folder(s) not followed: {', '.join(self.symlinked_folders)}"
        if self.empty_folders:
            line += f"; nothing to clean in {', '.join(self.empty_folders)}"
        if self.earlier_outputs:
            line += f"; passed over output folder(s) of earlier runs: {', '.join(self.earlier_outputs)}"
        return line
