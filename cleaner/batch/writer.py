"""The one way outputs are written: into a temporary file beside the target, renamed over
it only when writing finished, so a reader never sees a partial file."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

#: suffix of the temporary files; leftovers of a killed run are removed on the next
TMP_SUFFIX = ".cleaner-tmp"
#: the file in an output folder that records what made its outputs (not *.json: `cleaner
#: review` reads those as outputs)
RUN_RECORD = ".cleaner-run"


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
def atomic_output(dest: Path, *, compress: bool = False) -> Iterator[IO[str]]:
    """A UTF-8 text stream (gzip'd when `compress`) whose content replaces `dest` only when
    the block ends without an exception; otherwise `dest` is left as it was."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=TMP_SUFFIX)
    tmp = Path(name)
    try:
        os.chmod(tmp, _MODE)
        if compress:
            os.close(fd)
            with gzip.open(tmp, "wt", encoding="utf-8") as out:
                yield out
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                yield out
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(dest: Path, content: str) -> None:
    """Write a whole file atomically (see atomic_output)."""
    with atomic_output(dest) as out:
        out.write(content)


def remove_leftovers(outdir: Path) -> int:
    """Delete temporary files a killed run left in the output folder; returns how many."""
    count = 0
    if outdir.is_dir():
        for tmp in outdir.rglob(f".*{TMP_SUFFIX}"):
            tmp.unlink(missing_ok=True)
            count += 1
    return count


def outputs_made_since(outdir: Path, signature: dict[str, Any]) -> tuple[float, bool]:
    """The time from which outputs in `outdir` were made with `signature`, and whether an
    earlier run there used another one.

    A new signature is recorded with the time now: outputs older than that were made with
    other settings (or by an interrupted run with them), so a rerun redoes them.
    """
    record = outdir / RUN_RECORD
    try:
        earlier = json.loads(record.read_text(encoding="utf-8"))
    except FileNotFoundError:
        earlier = None
    except (OSError, ValueError):
        earlier = {}  # unreadable or not ours: treat as made with other settings
    if isinstance(earlier, dict) and earlier.get("signature") == signature:
        since = earlier.get("since")
        if isinstance(since, int | float):
            return float(since), False
    now = time.time()
    write_atomic(record, json.dumps({"signature": signature, "since": now}, indent=1) + "\n")
    return now, earlier is not None
