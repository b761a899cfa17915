"""The one way outputs are written: into a temporary file beside the target, renamed over
it only when writing finished, so a reader never sees a partial file; and the output
folder's run log of what made each output."""

from __future__ import annotations

import contextlib
import errno
import glob
import gzip
import hashlib
import io
import json
import os
import stat
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from ..decoding import SNIFF_BYTES, SURROGATE
from ..errors import ConfigError, InputError
from ..gzipped import inflating

#: suffix of the temporary files; leftovers of a killed run are removed on the next
TMP_SUFFIX = ".cleaner-tmp"
#: the log in an output folder of what made its outputs (not *.json: `cleaner review` reads
#: those as outputs)
RUN_LOG = ".cleaner-run"
#: the log is rewritten without superseded lines when it has this many more than twice its outputs
COMPACT_SLACK = 1000


def real_path(path: Path) -> Path:
    """The path with symlinks resolved; a symlink loop resolves to the absolute path itself."""
    try:
        return path.resolve()
    except (RuntimeError, OSError, ValueError):  # RuntimeError: a symlink loop; ValueError: a NUL
        return path.absolute()


def _umask() -> int:
    """The process's umask, read without changing it (os.umask would, for a moment, in every thread)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return 0o022


#: outputs get the permissions a plain open() would give them (mkstemp's are owner-only)
_MODE = 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_output(dest: Path, *, compress: bool = False, errors: str = "strict") -> Iterator[IO[str]]:
    """A UTF-8 text stream (gzip'd when `compress`; `errors` as open()'s) whose content replaces
    `dest` only when the block ends without an exception; otherwise `dest` is left as it was."""
    if dest.parent.exists() and not dest.parent.is_dir():  # mkdir would say "File exists"
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(dest.parent))
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=TMP_SUFFIX)
    tmp = Path(name)
    # best effort: a file system without Unix modes (a CIFS mount) refuses chmod, and the
    # output is no less written; nothing may stand between mkstemp and the fd's owner below
    with contextlib.suppress(OSError):
        os.fchmod(fd, _MODE)
    try:
        if compress:
            # the header names the output, not the temporary file (`gunzip -N` restores it)
            with (
                os.fdopen(fd, "wb") as raw,
                gzip.GzipFile(dest.name, "wb", fileobj=raw) as packed,
                io.TextIOWrapper(packed, encoding="utf-8", errors=errors) as out,
            ):
                yield out
        else:
            with os.fdopen(fd, "w", encoding="utf-8", errors=errors) as out:
                yield out
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first `size` bytes of a file, inflated when gzip'd (OSError or zlib.error when it
    cannot be read)."""
    with open(path, "rb") as raw:
        return inflating(raw).read(size)


def replaceable(path: Path, ours: Callable[[Any], bool]) -> bool:
    """Whether a run may write its one JSONL file (an output, the failures) at `path`: nothing
    there yet, or a regular file with no record, or whose first record `ours` recognises as
    an earlier run's. A folder, device, FIFO or symlink, and any other file are kept; a file
    that cannot be read is a ConfigError saying why."""
    # "out/../notes.txt" names nothing while out/ is missing, and notes.txt once the run made it
    return all(_replaceable(p, ours) for p in {path, real_path(path)})


def _replaceable(path: Path, ours: Callable[[Any], bool]) -> bool:
    if not path.exists() and not path.is_symlink():
        return True
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with open(path, "rb") as raw:
            line = next((line for line in inflating(raw) if line.strip()), None)
        return line is None or ours(json.loads(line))
    except (zlib.error, ValueError, InputError):  # not JSON, or a gzip'd file cut short
        return False
    except OSError as exc:
        raise ConfigError(
            f"{path} exists and cannot be read to tell whether it is cleaner's ({exc.strerror or exc}): "
            "name a new file, or remove it"
        ) from exc


def json_text(obj: Any, indent: int | None = None) -> str:
    """JSON keeping non-ASCII text as it is, unless the object holds a lone surrogate (a file
    name that is not UTF-8, a broken escape in a record): then escaped, as no UTF-8 file can
    hold one, so that it reads back the same."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    return json.dumps(obj, indent=indent) if SURROGATE.search(text) else text


def write_atomic(dest: Path, content: str) -> None:
    """Write a whole file atomically (see atomic_output)."""
    with atomic_output(dest) as out:
        out.write(content)


def usable(path: Path, what: str) -> Path:
    """`path`, or ConfigError naming `what` when the system cannot take it as a file name (too
    long, a NUL in it, a folder on the way that cannot be searched)."""
    try:
        path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        pass  # nothing there yet, or a file on the way: writing it says so
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{what}: not a usable path ({getattr(exc, 'strerror', None) or exc})") from exc
    return path


def remove_leftovers(outdir: Path, of: str | None = None) -> int:
    """Delete temporary files a killed run left in the output folder (those of the one output
    file named `of` when given, beside it); returns how many. Raises ConfigError for an
    output path the system cannot take (`usable`)."""
    usable(
        outdir / of if of else outdir,
        f"the output {'file' if of else 'folder'} {str(outdir / (of or ''))[:200]}",
    )
    count = 0
    if outdir.is_dir():
        # mkstemp's eight random characters exactly: not another output's (".out.jsonl.gz.…")
        mine = f".{glob.escape(of)}.{'?' * 8}{TMP_SUFFIX}" if of else None
        found = outdir.glob(mine) if mine else outdir.rglob(f".*{TMP_SUFFIX}")
        for tmp in found:
            tmp.unlink(missing_ok=True)
            count += 1
    return count


class _Entry(NamedTuple):
    """What an output's last log line says made it."""

    signature: str
    #: the output's modification time (ns) when written
    mtime_ns: int
    #: its input's stamp then (`input_stamp`)
    stamp: str
    #: its input's absolute path as given and its real path (one when they agree; "" for
    #: stdin); None on lines written before paths were kept
    source: tuple[str, ...] | None


_NONE = _Entry("", -1, "", None)
#: per output (relative to the log's folder): its last log line
_Entries = dict[str, _Entry]


def _ends_mid_line(path: Path) -> bool:
    """Whether a file ends without a line break (False when it is missing or empty)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"
    except OSError:  # missing, or empty: a seek before its start
        return False


def _read_log(path: Path) -> tuple[_Entries, int]:
    """A run log's last entry per output, and its number of lines."""
    entries: _Entries = {}
    lines = 0
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                lines += 1
                with contextlib.suppress(ValueError, TypeError, KeyError):
                    entry = json.loads(line)
                    source = entry.get("source")
                    entries[entry["output"]] = _Entry(
                        str(entry["signature"]),
                        int(entry["mtime_ns"]),
                        str(entry.get("input", "")),
                        None if source is None else tuple(map(str, source)),
                    )
    except FileNotFoundError:
        pass
    return entries, lines


class RunLog:
    """Which settings made each output of a folder: one JSONL line per output written, appended
    as it is written (a killed run keeps what it finished).

    An output is up to date when its last line names the current settings, the file still
    has the modification time recorded then, and its input is as it was then (`input_stamp`):
    one rewritten since (by a run into a subfolder, with other settings), made by another
    version, or whose input was replaced (even by an older file: `cp -p`, `rsync -a`) is
    done again.
    """

    def __init__(self, outdir: Path, signature: dict[str, Any]):
        self.outdir = outdir
        self.path = outdir / RUN_LOG
        #: a short digest of what the outputs depend on besides their inputs
        self.signature = hashlib.sha256(
            json.dumps(signature, sort_keys=True, default=repr).encode()
        ).hexdigest()[:16]
        #: output (relative to the folder) -> (signature, st_mtime_ns, input stamp) of its last line
        self.entries, lines = _read_log(self.path)
        if lines > 2 * len(self.entries) + COMPACT_SLACK:
            write_atomic(self.path, "".join(self._line(k, v) for k, v in self.entries.items()))
        #: the log ends inside a line (a write cut short by a full disk): the next line starts anew
        self.torn = _ends_mid_line(self.path)
        # there before any output: a run killed before logging its first output still marks
        # the folder as an output folder (plan.py passes over it, and lets a rerun write in it)
        self.path.touch()
        #: the logs of runs into other folders around these outputs, read when needed
        self.other_logs_: dict[Path, _Entries] = {}

    def made(self, dest: Path) -> tuple[int, str] | None:
        """The modification time an output in the folder had when these settings wrote it,
        and its input's stamp then (None: they did not)."""
        entry = self.entries.get(str(dest.relative_to(self.outdir)), _NONE)
        return (entry.mtime_ns, entry.stamp) if entry.signature == self.signature else None

    def at_place(self, dest: Path) -> tuple[bool, tuple[str, ...] | None]:
        """What is at an output's place: whether a file no cleaner run logged as it is now
        (another program's file, an output edited since, or one a killed run wrote before
        logging it: files.run_job keeps it only if it holds the very output), and the input
        (`input_names`) the run that wrote the file there logged, whatever its settings
        (None: no run logged it)."""
        try:
            info = dest.stat()
        except OSError:
            return False, None  # nothing there (or nothing readable: writing will say why)
        if not stat.S_ISREG(info.st_mode):
            return False, None
        entry = self._logged(dest, info.st_mtime_ns)
        return entry is None, entry.source if entry is not None else None

    def _logged(self, dest: Path, mtime_ns: int) -> _Entry | None:
        """The log line that wrote the file at an output's place, which now has this
        modification time, or None. Runs into subfolders or parent folders keep their own
        logs there: those count too, found from the path as given and from its real one
        (through symlinks)."""
        own = self.entries.get(str(dest.relative_to(self.outdir)))
        if own is not None and own.mtime_ns == mtime_ns:
            return own
        for path in dict.fromkeys((dest.absolute(), real_path(dest))):
            for folder in path.parents:
                if folder not in self.other_logs_:
                    self.other_logs_[folder] = _read_log(folder / RUN_LOG)[0]
                entry = self.other_logs_[folder].get(str(path.relative_to(folder)))
                if entry is not None and entry.mtime_ns == mtime_ns:
                    return entry
        return None

    def record(self, dest: Path, mtime_ns: int, stamp: str, source: Path | None) -> None:
        """Note that these settings wrote an output in the folder, which then had this
        modification time, from this input (None: stdin) with this stamp (`input_stamp`)."""
        output = str(dest.relative_to(self.outdir))
        entry = _Entry(self.signature, mtime_ns, stamp, input_names(source))
        self.entries[output] = entry
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(("\n" if self.torn else "") + self._line(output, entry))
        self.torn = False

    @staticmethod
    def _line(output: str, entry: _Entry) -> str:
        line = {
            "output": output,
            "signature": entry.signature,
            "mtime_ns": entry.mtime_ns,
            "input": entry.stamp,
        }
        if entry.source is not None:
            line["source"] = list(entry.source)
        return json.dumps(line) + "\n"


def input_names(path: Path | None) -> tuple[str, ...]:
    """An input's absolute path as given and its real path (one when they agree); ("",) for
    stdin. A symlink retargeted since, or a file reached through another link, is the same
    input by either."""
    if path is None:
        return ("",)
    return tuple(dict.fromkeys((str(path.absolute()), str(real_path(path)))))


def input_stamp(path: Path | None) -> str:
    """What tells an input file's content changed without reading it: its size, modification
    and change times (a copy keeping an old modification time still has a new change time);
    "" for stdin or a file that cannot be stat'ed."""
    try:
        info = path.stat() if path is not None else None
    except OSError:
        return ""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}" if info is not None else ""
