"""A supervised pool of worker processes: tasks in, results out in input order (or as they
finish); a stuck or dead worker costs only its current task, and workers end with the
process that started them."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import CleanerError, TimeLimitError, WorkerError

#: seconds a worker may overrun the time limit before it is killed from outside
HARD_LIMIT_GRACE = 3.0
#: how often the pool checks for stuck workers when none has finished (seconds)
_POLL = 0.5
#: finished results held back, waiting for a slower earlier one, before feeding stops
_MAX_AHEAD = 1000
#: how often a worker checks that the main process is still there (seconds)
_PARENT_CHECK = 1.0
#: how long the pool waits for a worker that died to be reaped, for its exit code (seconds)
_REAP_WAIT = 1.0

logger = logging.getLogger(__name__)


def ordered_map(
    work: Callable[[Any], Any],
    tasks: Iterable[Any],
    workers: int,
    time_limit: float | None,
    lost: Callable[[Any, CleanerError], Any],
    in_order: bool = True,
) -> Iterator[Any]:
    """`map(work, tasks)` in `workers` processes (or in this one), results in input order
    (`in_order=False`: as they finish, for work whose results need no order).

    Worker processes take one task at a time; tasks are read lazily. A worker still busy
    HARD_LIMIT_GRACE seconds after the time limit (stuck in C code the soft limit cannot
    interrupt), or one that dies (killed, out of memory), costs only its current task:
    `lost(task, error)` stands in for its result, and a fresh worker takes the next task.
    So does an unexpected exception (a bug), in any process, its traceback logged; a
    CleanerError the work raises is raised here, from any process.
    """
    safe = functools.partial(guarded, work, lost)
    if workers <= 1:
        yield from map(safe, tasks)
        return
    pool = _Pool(safe, workers, None if time_limit is None else time_limit + HARD_LIMIT_GRACE)
    try:
        yield from pool.run(tasks, lost, in_order)
    finally:
        pool.close()


def guarded(work: Callable[[Any], Any], lost: Callable[[Any, CleanerError], Any], task: Any) -> Any:
    """`work(task)`, or `lost(task, WorkerError)` with the traceback logged when it raises
    anything but a CleanerError: a bug on one input costs that input only."""
    try:
        return work(task)
    except CleanerError:
        raise  # the work's own errors are its to report (or to stop the batch with)
    except Exception as exc:
        # logged, not printed: a pipeline routes it (with no logging set up, it goes to stderr)
        logger.error("cleaning one input failed on a bug in cleaner", exc_info=True)
        return lost(
            task,
            WorkerError(
                f"unexpected {type(exc).__name__}: {exc} (a bug in cleaner: its traceback is logged)"
            ),
        )


@dataclass
class _Raised:
    """A CleanerError the work raised in a worker process, sent back to be raised again."""

    error: CleanerError


def _serve(conn: Any, work: Callable[[Any], Any], main: int) -> None:
    """A worker process's loop: receive (index, task), send back (index, result), until None
    or until the main process (pid `main`) is gone."""
    # Ctrl-C reaches every process of the terminal's group; the parent handles it (stopping
    # the batch, killing busy workers), so a worker's own traceback would only be noise
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command line's handler, inherited by fork
    # the main process's pid comes from it: one killed before this line ran is no longer the parent
    threading.Thread(target=_end_with, args=(main,), name="cleaner-orphan-check", daemon=True).start()
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        index, task = message
        try:
            result = work(task)
        except CleanerError as exc:  # the work's own error: raised in the main process, as in-process
            result = _Raised(exc)
        conn.send((index, result))


def _end_with(main: int) -> None:
    """End this worker once the process that started it is gone, idle or busy (a thread of its own).

    A main process killed on its own (kill, the OOM killer) closes no pipe that later workers
    inherited, and no hard limit watches a busy worker once it is gone: orphaned workers
    would live on, holding a pipeline's stdout open.
    """
    while os.getppid() == main:
        time.sleep(_PARENT_CHECK)
    os._exit(1)


def _ending(code: int | None) -> str:
    """How a process ended, from its exit code (negative: the signal that killed it)."""
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


@dataclass
class _Worker:
    process: Any
    conn: Any
    index: int = -1
    busy: bool = False
    task: Any = None
    started: float = 0.0


def _next_finished(done: dict[int, Any]) -> int:
    """The result to hand over next when order does not matter: any but an error first (the
    error ends the run; results already made are not lost with it)."""
    return min((k for k, r in done.items() if not isinstance(r, _Raised)), default=min(done))


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
            target=_serve, args=(child, self.work, os.getpid()), name="cleaner-worker", daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        self.workers[self.workers.index(worker)] = self._start()

    def run(
        self, tasks: Iterable[Any], lost: Callable[[Any, CleanerError], Any], in_order: bool = True
    ) -> Iterator[Any]:
        done: dict[int, Any] = {}
        try:
            yield from self._run(tasks, lost, in_order, done)
        except KeyboardInterrupt:
            if not in_order:
                # results already made (a batch's outputs already written) are handed over
                # before the run stops, to be logged; close() stops the workers still busy
                yield from (r for r in done.values() if not isinstance(r, _Raised))
                for worker in self.workers:
                    if worker.busy and worker.conn.poll():
                        with contextlib.suppress(EOFError, OSError):
                            result = worker.conn.recv()[1]
                            worker.busy = False
                            if not isinstance(result, _Raised):
                                yield result
            raise

    def _run(
        self,
        tasks: Iterable[Any],
        lost: Callable[[Any, CleanerError], Any],
        in_order: bool,
        done: dict[int, Any],
    ) -> Iterator[Any]:
        from multiprocessing.connection import wait

        pending = enumerate(tasks)
        more = True
        issued = emitted = 0
        source_error: Exception | None = None
        while more or emitted < issued:
            for slot, worker in enumerate(self.workers):
                if more and not worker.busy and len(done) < _MAX_AHEAD:
                    try:
                        item = next(pending, None)
                    except Exception as exc:  # the tasks' source failed (an archive cut short):
                        source_error, item = exc, None  # the tasks before it still come out first
                    if item is None:
                        more = False
                        break
                    try:
                        worker.conn.send(item)
                    except OSError:  # it died idle (killed from outside): a fresh one takes the task
                        self._replace(worker)
                        worker = self.workers[slot]
                        worker.conn.send(item)
                    worker.index, worker.task = item
                    worker.busy, worker.started = True, time.monotonic()
                    issued += 1
            busy = {w.conn: w for w in self.workers if w.busy}
            for conn in wait(list(busy), timeout=_POLL) if busy else ():
                worker = busy[conn]
                try:
                    index, result = worker.conn.recv()
                except (EOFError, OSError):
                    worker.process.join(timeout=_REAP_WAIT)  # reaped: its exit code says how it ended
                    message = (
                        f"the worker process died on it ({_ending(worker.process.exitcode)}; out of memory?)"
                    )
                    done[worker.index] = lost(worker.task, WorkerError(message))
                    self._replace(worker)
                    continue
                worker.busy, worker.task = False, None
                done[index] = result
                if isinstance(result, _Raised):
                    more = False  # the run ends with it: no task after it is started
            now = time.monotonic()
            for worker in list(self.workers):
                if worker.busy and self.hard_limit and now - worker.started > self.hard_limit:
                    message = f"still running {self.hard_limit:g} s after it started; its worker was killed"
                    done[worker.index] = lost(worker.task, TimeLimitError(message))
                    self._replace(worker)
            while done and (emitted in done or not in_order):
                result = done.pop(emitted if in_order else _next_finished(done))
                # raised where map() in one process raises it: after the results before it
                if isinstance(result, _Raised):
                    raise result.error
                yield result
                emitted += 1
        if source_error is not None:
            raise source_error

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
