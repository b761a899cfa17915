"""A per-document time limit that works in any thread, without signals.

SIGALRM only reaches the main thread, and Dask, Scrapy and web servers clean documents in
other threads. Instead, one watchdog thread per process raises `TimeLimitError` inside a
thread that overruns its deadline (CPython's `PyThreadState_SetAsyncExc`). The exception
lands at the next Python bytecode the thread runs, which in trafilatura is within
milliseconds: its slow paths are Python loops over the tree. A thread stuck inside a single
C call cannot be interrupted this way; `batch` kills such worker processes from outside.
"""

from __future__ import annotations

import ctypes
import heapq
import itertools
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .errors import TimeLimitError

#: how often the watchdog wakes when no deadline is due sooner (seconds)
_IDLE_WAIT = 60.0
#: after firing, the exception is raised again this often until the block ends: library code
#: with a broad `except Exception` (trafilatura has some) may swallow one
_REFIRE = 0.2
#: a thread inside an import is not interrupted (the exception would leave the module's
#: import lock held and every other thread waiting on it): the watchdog looks again this soon
_IMPORT_WAIT = 0.01
_set_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)
# the same function called with NULL: cancels an exception not yet raised
_clear_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)


@dataclass(order=True)
class _Deadline:
    at: float
    seq: int
    thread_id: int = field(compare=False)
    seconds: float = field(compare=False)
    active: bool = field(default=True, compare=False)
    fired: bool = field(default=False, compare=False)


class _Watchdog:
    """One daemon thread per process that fires the earliest pending deadline."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._heap: list[_Deadline] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float) -> _Deadline:
        deadline = _Deadline(time.monotonic() + seconds, next(self._seq), threading.get_ident(), seconds)
        with self._lock:
            heapq.heappush(self._heap, deadline)
            if self._thread is None or not self._thread.is_alive():
                # a forked child inherits the object but not the thread: start one here
                self._thread = threading.Thread(target=self._run, name="cleaner-time-limit", daemon=True)
                self._thread.start()
            if self._heap[0] is deadline:
                self._lock.notify()
        return deadline

    def disarm(self, deadline: _Deadline) -> None:
        with self._lock:
            deadline.active = False
            if deadline.fired:
                # the exception may still be pending: cancel it so it cannot escape later
                _clear_async_exc(deadline.thread_id, None)

    def _run(self) -> None:
        with self._lock:
            while True:
                while self._heap and not self._heap[0].active:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._lock.wait(_IDLE_WAIT)
                    continue
                due = self._heap[0]
                wait = due.at - time.monotonic()
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                heapq.heappop(self._heap)
                if _importing(due.thread_id):
                    due.at = time.monotonic() + _IMPORT_WAIT
                else:
                    due.fired = True
                    _set_async_exc(due.thread_id, TimeLimitError)
                    due.at = time.monotonic() + _REFIRE
                heapq.heappush(self._heap, due)


def _importing(thread_id: int) -> bool:
    """Whether a thread is running an import (a frame of importlib's bootstrap on its stack)."""
    frame = sys._current_frames().get(thread_id)
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


_WATCHDOG = _Watchdog()


def _reset_after_fork() -> None:
    # the parent's watchdog thread does not survive a fork and its lock may have been held
    global _WATCHDOG
    _WATCHDOG = _Watchdog()


os.register_at_fork(after_in_child=_reset_after_fork)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimitError in this thread if the block runs longer than `seconds` (None: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    deadline = _WATCHDOG.arm(seconds)
    message = f"took longer than the {seconds:g} s time limit"
    try:
        yield
    except TimeLimitError as exc:
        if deadline.fired:
            raise TimeLimitError(message) from exc
        raise
    finally:
        while True:  # a late exception may land inside disarm() itself: disarm again
            try:
                _WATCHDOG.disarm(deadline)
                break
            except TimeLimitError:
                continue
    if deadline.fired:
        # the block finished, but only after swallowing the exception: its result is suspect
        raise TimeLimitError(message)
