"""What cleaning returns: the clean text, the removed lines with their scores and reasons,
and how to rebuild the input; as JSON and back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .document import SOURCES
from .errors import InputError

_MISSING = object()
#: the line breaks a result can have kept
NEWLINES = ("\n", "\r\n")


def _field(data: Mapping[str, Any], name: str, kind: type, default: Any = _MISSING, where: str = "") -> Any:
    value = data.get(name, default)
    if value is _MISSING:
        raise InputError(f"{where}{name}: missing")
    # a bool is an int to isinstance, never a line number or count; a score may be written 1
    ok = isinstance(value, (int, float) if kind is float else kind) and not isinstance(value, bool)
    if not ok:
        raise InputError(f"{where}{name}: {type(value).__name__} where {kind.__name__} belongs")
    return value


def _line_numbers(values: list[Any], where: str) -> tuple[int, ...]:
    for k, n in enumerate(values):
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise InputError(f"{where}[{k}]: {n!r} is not a line number")
    return tuple(values)


@dataclass(frozen=True)
class RemovedLine:
    """A line the filter removed: its 0-based line number, text, junk probability and why."""

    line: int
    text: str
    score: float
    reason: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "") -> RemovedLine:
        """A RemovedLine from its JSON form (InputError naming a field missing or of the wrong
        type, after `where`: "removed[3].")."""
        if not isinstance(data, Mapping):
            raise InputError(f"{where.rstrip('.') or 'a removed line'}: an object, not {type(data).__name__}")
        line = _field(data, "line", int, where=where)
        score = _field(data, "score", float, where=where)
        # NaN compares false; a huge integer is compared, never made a float
        if line < 0:
            raise InputError(f"{where}line: {line!r} is out of range (a line number from 0)")
        if not 0 <= score <= 1:
            raise InputError(f"{where}score: {score!r} is out of range (a junk probability, 0 to 1)")
        return cls(
            line,
            _field(data, "text", str, where=where),
            float(score),
            _field(data, "reason", str, where=where),
        )


#: how much of the text a result's repr shows
REPR_CHARS = 60


@dataclass(frozen=True, repr=False)
class CleanResult:
    """The clean text plus everything a caller may want to know about how it was made.

    Attributes:
        text: the kept lines, joined by the input's line break (no break at the end).
        removed: the removed lines, in order; their `line` numbers count every line of the
            input, blank ones too.
        metadata: the page's metadata with `with_metadata` (title, author, date, url...).
        source: "html" or "text": how the input was read (`kind=` chose or detection told).
        lines_in: non-blank lines in the document before cleaning (blank lines are
            separators, not counted).
        blank_lines_dropped: numbers of the blank lines that went with removed lines (their
            separators, and blank lines left at the end): with `removed`, what rebuilds the
            input's lines from `text` (a dropped blank line that held spaces or tabs comes
            back empty; CRLF text: less the "\\r" ending blank lines and the last kept line).
        newline: the line break the input used ("\\r\\n" for CRLF text): `text` ends without
            one, and a writer ending the text with a line break uses this one.
    """

    text: str
    removed: tuple[RemovedLine, ...] = ()
    # left out of the hash: a dict has none; equal results still compare their metadata
    metadata: dict[str, Any] = field(default_factory=dict, hash=False)
    source: str = "text"
    lines_in: int = 0
    blank_lines_dropped: tuple[int, ...] = ()
    newline: str = "\n"

    def __repr__(self) -> str:
        # a whole article, and every removed line's reason, would fill a REPL's screen
        shown = self.text if len(self.text) <= REPR_CHARS else self.text[:REPR_CHARS] + "…"
        return (
            f"CleanResult(text={shown!r} ({len(self.text):,} chars), lines_in={self.lines_in}, "
            f"removed=({len(self.removed)} lines), source={self.source!r})"
        )

    @property
    def removed_chars(self) -> int:
        """Characters the removed lines held."""
        return removed_chars(self.removed)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: text, metadata, removed lines with scores and reasons."""
        return {
            "text": self.text,
            "source": self.source,
            "metadata": self.metadata,
            "lines_in": self.lines_in,
            "newline": self.newline,
            **self.removal_fields(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CleanResult:
        """A CleanResult from its `to_dict` form (a `--format json` output read back).

        Raises InputError naming a field that is missing, of the wrong type or out of range;
        keys it does not know (an output's "path") are passed over. A `--jsonl` record holds
        the clean text in `clean_text`: pass `{**record, "text": record["clean_text"]}`."""
        if not isinstance(data, Mapping):
            raise InputError(f"a clean result is an object, not {type(data).__name__}")
        source, newline = _field(data, "source", str, "text"), _field(data, "newline", str, "\n")
        if source not in SOURCES or newline not in NEWLINES:
            raise InputError(f"source {source!r} or newline {newline!r}: not one cleaner writes")
        removed = _field(data, "removed", list, [])
        lines_in = _field(data, "lines_in", int, 0)
        if lines_in < 0:
            raise InputError(f"lines_in: {lines_in!r} is out of range (a count of lines, from 0)")
        return cls(
            text=_field(data, "text", str),
            removed=tuple(RemovedLine.from_dict(r, f"removed[{k}].") for k, r in enumerate(removed)),
            metadata=dict(_field(data, "metadata", dict, {})),
            source=source,
            lines_in=lines_in,
            blank_lines_dropped=_line_numbers(
                _field(data, "blank_lines_dropped", list, []), "blank_lines_dropped"
            ),
            newline=newline,
        )

    def removal_fields(self) -> dict[str, Any]:
        """JSON-ready `removed` (line, text, score, reason) and `blank_lines_dropped`: what
        every output that keeps removed lines writes, so a review can rebuild the input."""
        return {
            "removed": [asdict(r) for r in self.removed],
            "blank_lines_dropped": list(self.blank_lines_dropped),
        }


def removed_chars(removed: Iterable[RemovedLine]) -> int:
    """Characters the removed lines held."""
    return sum(len(r.text) for r in removed)
