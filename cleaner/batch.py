"""Files and folders in, files out: plan the jobs, read safely, write atomically.

Knows nothing about features or models: it calls `Cleaner.clean`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from .api import Cleaner, Kind
from .document import GZIP_MAGIC, gunzip
from .errors import CleanerError, InputError
from .filter import CleanResult

Format = Literal["text", "json"]
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp"}
TEXT_SUFFIXES = {".txt", ".text", ".md"}
STDIN = "-"
#: suffix of write_atomic's temporary files; leftovers of a killed run are removed on the next
TMP_SUFFIX = ".cleaner-tmp"
#: jobs handed to a worker process at a time
CHUNK = 4
#: inputs larger than this are refused unread (configurable with --max-size)
MAX_INPUT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Job:
    """One input (a path, or None for stdin) and where its output goes (None: stdout)."""

    src: Path | None
    dest: Path | None
    display: str


@dataclass
class Outcome:
    """What happened to one job."""

    job: Job
    result: CleanResult | None = None
    error: str | None = None
    error_type: str | None = None
    skipped: bool = False

    def error_record(self) -> dict[str, str]:
        """The failure as one JSON-ready record for the --errors file."""
        return {"path": self.job.display, "error": self.error_type or "Error", "message": self.error or ""}


def output_suffix(fmt: Format) -> str:
    """The suffix appended to an input's name to make its output's name."""
    return ".json" if fmt == "json" else ".txt"


def real_path(path: Path) -> Path:
    """The path with symlinks resolved; a symlink loop resolves to the absolute path itself."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python raises RuntimeError on symlink loops
        return path.absolute()


def plan(inputs: list[str], outdir: Path | None, fmt: Format) -> tuple[list[Job], list[Outcome]]:
    """Expand inputs into jobs (folders recursively); inputs that do not exist become failures."""
    suffix = output_suffix(fmt)
    jobs: list[Job] = []
    failed: list[Outcome] = []
    out_resolved = real_path(outdir) if outdir else None
    for given in inputs:
        if given == STDIN:
            jobs.append(Job(None, outdir / f"stdin{suffix}" if outdir else None, "<stdin>"))
            continue
        path = Path(given)
        if path.is_dir():
            for file in _walk(path, skip=out_resolved):
                rel = file.relative_to(path)
                dest = outdir / rel.parent / f"{rel.name}{suffix}" if outdir else None
                jobs.append(Job(file, dest, str(file)))
        elif path.exists() or path.is_symlink():
            jobs.append(Job(path, outdir / f"{path.name}{suffix}" if outdir else None, str(path)))
        else:
            failed.append(
                Outcome(Job(path, None, str(path)), error="no such file or folder", error_type="InputError")
            )
    # two inputs mapping to one output (same relative name under two folders): the first
    # keeps it, the others fail by name; nothing is overwritten
    first: dict[Path, Job] = {}
    unique: list[Job] = []
    for job in jobs:
        if job.dest is None:
            unique.append(job)
        elif job.dest in first:
            message = f"output {job.dest} is already the output of {first[job.dest].display}; clean the folders separately"
            failed.append(Outcome(job, error=message, error_type="InputError"))
        else:
            first[job.dest] = job
            unique.append(job)
    return unique, failed


def _walk(root: Path, skip: Path | None) -> Iterator[Path]:
    """Files under a folder in sorted order, not following symlinked folders, skipping `skip`."""
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if skip is None or real_path(here / d) != skip)
        for name in sorted(filenames):
            yield here / name


def read_input(path: Path, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """Read a regular file's bytes; special files and files over `max_bytes` are refused unread."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise InputError("vanished or a broken symlink") from exc
    except OSError as exc:
        raise InputError(f"cannot stat: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file (FIFO, device or socket): skipped without reading")
    if info.st_size > max_bytes:
        raise InputError(
            f"{info.st_size:,} bytes, over the {max_bytes:,}-byte limit (raise it with --max-size)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from exc
    if data.startswith(GZIP_MAGIC):
        # the limit is on the page, not on its compressed size: a 300 KB .gz can hold 100 MB
        try:
            return gunzip(data, max_bytes)
        except InputError as exc:
            raise InputError(f"{exc} (raise the limit with --max-size)") from exc
    return data


def kind_of(path: Path | None, forced: Kind) -> Kind:
    """HTML or text by the file's extension unless forced; 'auto' sniffs the content."""
    if forced != "auto" or path is None:
        return forced
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "auto"


def render(result: CleanResult, fmt: Format, display: str) -> str:
    """The output file's content: clean text plus a final newline, or a JSON object."""
    if fmt == "json":
        return json.dumps({"path": display, **result.to_dict()}, ensure_ascii=False, indent=1) + "\n"
    return f"{result.text}\n" if result.text else ""


def write_atomic(dest: Path, content: str) -> None:
    """Write via a temporary file in the same folder and a rename: never a partial file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_leftovers(outdir: Path) -> int:
    """Delete temporary files a killed run left in the output folder; returns how many."""
    count = 0
    if outdir.is_dir():
        for tmp in outdir.rglob(f".*{TMP_SUFFIX}"):
            tmp.unlink(missing_ok=True)
            count += 1
    return count


def up_to_date(job: Job) -> bool:
    """Whether the job's output exists and is newer than its input (a rerun can skip it)."""
    if job.src is None or job.dest is None:
        return False
    try:
        return job.dest.stat().st_mtime >= job.src.stat().st_mtime
    except OSError:
        return False


def run_job(
    cleaner: Cleaner,
    job: Job,
    *,
    fmt: Format,
    kind: Kind,
    url: str | None,
    inputs: set[Path],
    force: bool = False,
    max_bytes: int = MAX_INPUT_BYTES,
) -> Outcome:
    """Clean one input and write (or return) its output; errors become the outcome's message.

    An output newer than its input is left alone unless `force`: rerunning a batch finishes
    only what is missing or stale.
    """
    try:
        if job.dest is not None and real_path(job.dest) in inputs:
            raise InputError(f"output {job.dest} would overwrite an input file; choose another -o folder")
        if not force and up_to_date(job):
            return Outcome(job, skipped=True)
        data = sys.stdin.buffer.read() if job.src is None else read_input(job.src, max_bytes)
        result = cleaner.clean(data, url=url, kind=kind_of(job.src, kind), with_metadata=fmt == "json")
        if job.dest is not None:
            write_atomic(job.dest, render(result, fmt, job.display))
        return Outcome(job, result=result)
    except CleanerError as exc:
        return Outcome(job, error=str(exc), error_type=type(exc).__name__)
    except OSError as exc:
        return Outcome(job, error=f"cannot write output: {exc.strerror or exc}", error_type="OutputError")


def run_all(cleaner: Cleaner, jobs: Sequence[Job], workers: int = 1, **options: Any) -> Iterator[Outcome]:
    """Run jobs and yield their outcomes in input order, in `workers` processes or in this one."""
    if any(j.src is None for j in jobs):
        workers = 1  # stdin is this process's
    work = functools.partial(run_job, cleaner, **options)
    yield from ordered_map(work, jobs, min(workers, len(jobs)), cleaner.settings.time_limit, _lost_job)


def _lost_job(job: Job, error: CleanerError) -> Outcome:
    return Outcome(job, error=str(error), error_type=type(error).__name__)


#: seconds a worker may overrun the time limit before it is killed from outside
HARD_LIMIT_GRACE = 3.0
#: how often the pool checks for stuck workers when none has finished (seconds)
_POLL = 0.5
#: finished results held back, waiting for a slower earlier one, before feeding stops
_MAX_AHEAD = 1000


def ordered_map(
    work: Callable[[Any], Any],
    tasks: Iterable[Any],
    workers: int,
    time_limit: float | None,
    lost: Callable[[Any, CleanerError], Any],
) -> Iterator[Any]:
    """`map(work, tasks)` in `workers` processes (or in this one), results in input order.

    Worker processes take one task at a time; tasks are read lazily. A worker still busy
    HARD_LIMIT_GRACE seconds after the time limit (stuck in C code the soft limit cannot
    interrupt), or one that dies (killed, out of memory), costs only its current task:
    `lost(task, error)` stands in for its result, and a fresh worker takes the next task.
    """
    if workers <= 1:
        yield from map(work, tasks)
        return
    pool = _Pool(work, workers, None if time_limit is None else time_limit + HARD_LIMIT_GRACE)
    try:
        yield from pool.run(tasks, lost)
    finally:
        pool.close()


def _serve(conn: Any, work: Callable[[Any], Any]) -> None:
    """A worker process's loop: receive (index, task), send back (index, result), until None."""
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        index, task = message
        conn.send((index, work(task)))


@dataclass
class _Worker:
    process: Any
    conn: Any
    index: int = -1
    busy: bool = False
    task: Any = None
    started: float = 0.0


class _Pool:
    """Worker processes fed one task at a time, watched from this process."""

    def __init__(self, work: Callable[[Any], Any], size: int, hard_limit: float | None):
        import multiprocessing

        self.context = multiprocessing.get_context()
        self.work = work
        self.hard_limit = hard_limit
        self.workers = [self._start() for _ in range(size)]

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(
            target=_serve, args=(child, self.work), name="cleaner-worker", daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self.workers[self.workers.index(worker)] = self._start()

    def run(self, tasks: Iterable[Any], lost: Callable[[Any, CleanerError], Any]) -> Iterator[Any]:
        import time
        from multiprocessing.connection import wait

        from .errors import TimeLimitError, WorkerError

        pending = enumerate(tasks)
        more = True
        done: dict[int, Any] = {}
        issued = emitted = 0
        while more or emitted < issued:
            for worker in self.workers:
                if more and not worker.busy and len(done) < _MAX_AHEAD:
                    item = next(pending, None)
                    if item is None:
                        more = False
                        break
                    worker.index, worker.task = item
                    worker.busy, worker.started = True, time.monotonic()
                    worker.conn.send(item)
                    issued += 1
            busy = {w.conn: w for w in self.workers if w.busy}
            for conn in wait(list(busy), timeout=_POLL) if busy else ():
                worker = busy[conn]
                try:
                    index, result = worker.conn.recv()
                except (EOFError, OSError):
                    code = worker.process.exitcode
                    message = f"the worker process died on it (exit code {code}; out of memory?)"
                    done[worker.index] = lost(worker.task, WorkerError(message))
                    self._replace(worker)
                    continue
                done[index] = result
                worker.busy, worker.task = False, None
            now = time.monotonic()
            for worker in list(self.workers):
                if worker.busy and self.hard_limit and now - worker.started > self.hard_limit:
                    message = f"still running {self.hard_limit:g} s after it started; its worker was killed"
                    done[worker.index] = lost(worker.task, TimeLimitError(message))
                    self._replace(worker)
            while emitted in done:
                yield done.pop(emitted)
                emitted += 1

    def close(self) -> None:
        for worker in self.workers:
            if not worker.busy:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
            else:
                worker.process.kill()
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()


@dataclass
class StreamStats:
    """What a JSONL run did."""

    records: int = 0
    failed: int = 0
    lines_removed: int = 0


def _open_text(path: Path | None, mode: str) -> Any:
    """A text stream for a path (gzip'd when it ends in .gz), or stdin/stdout for None."""
    import gzip

    if path is None:
        return contextlib.nullcontext(sys.stdin if "r" in mode else sys.stdout)
    errors = "replace" if "r" in mode else "strict"
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8", errors=errors)
    return open(path, mode, encoding="utf-8", errors=errors)


def clean_jsonl(
    cleaner: Cleaner,
    sources: Sequence[Path | None],
    dest: Path | None,
    *,
    field: str,
    kind: Kind,
    on_error: Callable[[str, CleanerError], None],
    workers: int = 1,
) -> StreamStats:
    """Clean one field of every JSONL record, keeping the other fields and the record order.

    Each record gains `clean_text` and `removed` (line, text, score, reason). The record's
    `url`, if any, is passed to extraction. A broken line or a record without the field is
    reported through `on_error(where, error)` and left out. `.gz` paths are (de)compressed;
    None means stdin/stdout. A file output is written atomically. Records are cleaned in
    `workers` processes, read lazily and written in order.
    """
    stats = StreamStats()
    work = functools.partial(_clean_line, cleaner, field, kind)
    with jsonl_output(dest) as write:
        lines = _numbered_lines(sources)
        for where, record in ordered_map(work, lines, workers, cleaner.settings.time_limit, _lost_task):
            if isinstance(record, CleanerError):
                stats.failed += 1
                on_error(where, record)
                continue
            stats.records += 1
            stats.lines_removed += len(record["removed"])
            write(record)
    return stats


def _numbered_lines(sources: Sequence[Path | None]) -> Iterator[tuple[str, str]]:
    """(file:line, line) of every non-blank line of the sources, in order."""
    for src in sources:
        where = "<stdin>" if src is None else str(src)
        with _open_text(src, "r") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    yield f"{where}:{number}", line


def _clean_line(cleaner: Cleaner, field: str, kind: Kind, task: tuple[str, str]) -> tuple[str, Any]:
    where, line = task
    return where, _clean_record(cleaner, line, field, kind)


def _lost_task(task: tuple[str, Any], error: CleanerError) -> tuple[str, CleanerError]:
    return task[0], error


@contextlib.contextmanager
def jsonl_output(dest: Path | None) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A writer of JSONL records to stdout (None) or to a file, atomically, gzip'd for .gz.

    The file appears only when the block ends without an exception.
    """
    tmp: Path | None = None
    if dest is not None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=TMP_SUFFIX + dest.suffix)
        os.close(fd)
        tmp = Path(name)
    try:
        with _open_text(tmp, "w") as out:
            yield lambda record: out.write(json.dumps(record, ensure_ascii=False) + "\n")
        if tmp is not None and dest is not None:
            os.replace(tmp, dest)
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _clean_record(cleaner: Cleaner, line: str, field: str, kind: Kind) -> dict[str, Any] | CleanerError:
    """The cleaned record of one JSONL line, or the reason it cannot be cleaned."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        return InputError(f"not a JSON object: {exc}")
    try:
        return clean_record(cleaner, record, field, kind)
    except CleanerError as exc:
        return exc


def clean_record(cleaner: Cleaner, record: dict[str, Any], field: str, kind: Kind = "auto") -> dict[str, Any]:
    """A copy of the record with `clean_text` and `removed` added, from cleaning `record[field]`.

    The record's `url`, if a string, is passed to extraction. Raises InputError for a record
    that is not a dict or lacks the field, and the cleaning errors as they come.
    """
    if not isinstance(record, dict):
        raise InputError("not a JSON object")
    value = record.get(field)
    if not isinstance(value, str):
        raise InputError(f"no string field {field!r}")
    url = record.get("url") if isinstance(record.get("url"), str) else None
    result = cleaner.clean(value, url=url, kind=kind)
    return {**record, "clean_text": result.text, "removed": [asdict(r) for r in result.removed]}
