"""Cleaning on a Dask cluster, beyond one machine (needs `news-cleaner[dask]`).

`clean_bag` maps cleaning over a `dask.bag` of paths or records; `run_on_cluster` runs the
jobs of `cleaner clean IN... -o OUT --scheduler ADDRESS` there. The `Cleaner` travels to the
workers as its model path and settings (a few hundred bytes) and each worker process loads
the model once. Workers run tasks in threads: the per-document time limit works there too.
Paths are read, and outputs written, by the workers: on a real cluster they must see the
same file system (NFS, a shared volume) under the same paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import numbers
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .api import Cleaner, Kind, check_kind
from .batch.files import MAX_INPUT_BYTES, kind_of, read_input, run_job
from .batch.plan import Job, Outcome
from .batch.pool import guarded
from .batch.records import clean_record, cleaned_fields
from .batch.report import Failure
from .errors import CleanerError, ConfigError, InputError, SchedulerError

#: jobs per Dask task: large enough to hide the scheduler's per-task cost (~1 ms)
PARTITION_SIZE = 16
#: how long to try to reach a scheduler before giving up (seconds)
CONNECT_TIMEOUT = 10
#: how much longer than CONNECT_TIMEOUT a connection that hangs in distributed is waited for (seconds)
CONNECT_MARGIN = 5


def clean_bag(
    bag: Any,
    cleaner: Cleaner | None = None,
    *,
    field: str = "html",
    kind: Kind = "auto",
    max_bytes: int = MAX_INPUT_BYTES,
) -> Any:
    """Map cleaning over a dask.bag of paths (str or Path) or of records (dicts).

    A record comes back with `clean_text`, `removed` and `blank_lines_dropped` added, as with
    `cleaner clean --jsonl`; a path becomes `{"path", "clean_text", "removed", ...}` alike.
    An item that cannot be cleaned comes back with `clean_error: {"path", "error",
    "message"}` instead (a `Failure`; its path is the item's path, else the record's url),
    so that one bad page does not fail the whole computation.

    >>> import dask.bag as db  # doctest: +SKIP
    >>> clean_bag(db.read_text("pages/*.jsonl").map(json.loads), field="html").to_textfiles(...)
    """
    # checked here, once: on the workers a bad option would fail every item, or the whole computation
    from dask.bag import Bag

    if not isinstance(bag, Bag):
        raise ConfigError(
            f"bag must be a dask.bag.Bag (dask.bag.from_sequence(items)), not {type(bag).__name__}"
        )
    check_kind(kind)
    if not isinstance(field, str) or not field:
        raise ConfigError(f"field must name the records' field to clean, not {field!r}")
    if cleaner is not None and not isinstance(cleaner, Cleaner):
        raise ConfigError(f"cleaner must be a cleaner.Cleaner, not {type(cleaner).__name__}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, numbers.Integral) or max_bytes < 1:
        raise ConfigError(f"max_bytes must be a positive whole number of bytes, not {max_bytes!r}")
    cleaner = cleaner if cleaner is not None else Cleaner()
    return bag.map(_clean_item, cleaner=cleaner, field=field, kind=kind, max_bytes=max_bytes)


#: longer than any path the system takes (Linux's PATH_MAX): a str item this long is text
MAX_PATH_CHARS = 4096
#: how much of a string item that is not a path its error keeps as the item's "path"
SHOWN_CHARS = 60


def _clean_item(item: Any, *, cleaner: Cleaner, field: str, kind: Kind, max_bytes: int) -> dict[str, Any]:
    page = (
        isinstance(item, str)
        and ("\n" in item or "<" in item or len(item) > MAX_PATH_CHARS)
        and not os.path.lexists(item)  # a file may be named "odd<name>.html"
    )
    shown = f"{item[:SHOWN_CHARS]}…" if page and len(item) > SHOWN_CHARS else str(item)
    record: dict[str, Any] = item if isinstance(item, dict) else {"path": shown}
    try:
        if not isinstance(item, dict | str | os.PathLike):
            raise InputError(f"a bag item must be a path or a record (dict), not {type(item).__name__}")
        if page:  # bag.map(read_text) or a bag of pages' text: a str item is a path
            raise InputError(
                f"a str item is a path, and this one reads as a page's text: give records "
                f"({{{field!r}: page}}) or paths"
            )
        if isinstance(item, dict):
            return clean_record(cleaner, item, field, kind, max_bytes)
        path = Path(item)
        return {
            **record,
            **cleaned_fields(cleaner.clean(read_input(path, max_bytes), kind=kind_of(path, kind))),
        }
    except CleanerError as exc:
        where = str(record.get("path") or record.get("url") or "<record>")
        return {**record, "clean_error": Failure.of(where, exc).to_dict()}


@contextlib.contextmanager
def connect(scheduler: str, workers: int | None = None) -> Iterator[Any]:
    """A Dask client for `tcp://HOST:PORT`, or for a new local cluster when `scheduler` is 'local'.

    Raises SchedulerError, within CONNECT_TIMEOUT + CONNECT_MARGIN seconds, when the scheduler
    cannot be reached: never a silent fallback to local work. A local cluster stops with the block.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise SchedulerError("running on Dask needs distributed: pip install 'news-cleaner[dask]'") from exc
    if scheduler == "local":
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.CRITICAL,  # workers losing the scheduler at shutdown is not news
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    with _reached(scheduler) as client:
        yield client


def _reached(scheduler: str) -> Any:
    """A client of the scheduler at `scheduler`, or SchedulerError (within CONNECT_TIMEOUT + CONNECT_MARGIN
    when nothing there speaks Dask's protocol)."""
    try:
        _handshake(scheduler)
        from distributed import Client

        return Client(scheduler, timeout=CONNECT_TIMEOUT)
    # anything distributed raises (refused, timed out, TLS not configured) is this address's failure
    except Exception as exc:
        # a server in another protocol: no greeting back (a timeout), or garbage read as a frame
        # length ("HTTP/1.0 400" asks for petabytes)
        if isinstance(exc, MemoryError | TimeoutError):
            reason = "something answers there, but not as a Dask scheduler"
        else:
            reason = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        raise SchedulerError(
            f"cannot reach the Dask scheduler at {scheduler} ({reason}); is it running, "
            "and is the address right (the scheduler's port, not its dashboard's)?"
        ) from exc


def _handshake(scheduler: str) -> None:
    """Greet the scheduler in Dask's protocol, or raise what went wrong, within CONNECT_TIMEOUT (+ a margin).

    distributed's Client waits for the greeting's reply without a timeout: a server that never
    answers in its protocol (the dashboard's port given by mistake) would hang it. Here the wait
    is cancelled at the deadline, in an event loop of its own (the caller may be running one),
    with the connection settings (TLS) the Client would use.
    """
    from distributed.comm import connect as comm_connect
    from distributed.security import Security

    options = Security().get_connection_args("client")

    async def greet() -> None:
        comm = await asyncio.wait_for(
            comm_connect(scheduler, timeout=CONNECT_TIMEOUT, **options), CONNECT_TIMEOUT + CONNECT_MARGIN
        )
        await comm.close()

    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(greet())
        except Exception as exc:  # raised again in the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="cleaner-dask-handshake", daemon=True)
    thread.start()
    thread.join()  # bounded: the greeting is cancelled at its deadline
    if failed:
        raise failed[0]


def run_on_cluster(client: Any, cleaner: Cleaner, jobs: Sequence[Job], **options: Any) -> Iterator[Outcome]:
    """The local batch's `run_all`, on a Dask cluster: outcomes in input order, failures collected."""
    import dask.bag as db

    if not jobs:
        return
    # workers run in their own folders: paths go as absolute ones, outcomes come back with the jobs as given
    sent = [replace(j, src=_absolute(j.src), dest=_absolute(j.dest)) for j in jobs]
    bag = db.from_sequence(sent, partition_size=PARTITION_SIZE).map(_run, cleaner=cleaner, options=options)
    given = iter(jobs)
    for future in client.compute(bag.to_delayed()):
        for outcome in future.result():
            yield replace(outcome, job=next(given))


def _absolute(path: Path | None) -> Path | None:
    return path.absolute() if path is not None else None


def _run(job: Job, *, cleaner: Cleaner, options: dict[str, Any]) -> Outcome:
    return guarded(functools.partial(run_job, cleaner, **options), Outcome.failed, job)
