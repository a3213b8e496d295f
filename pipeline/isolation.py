"""One untrusted file's work at a time in a child process that can be killed.

The child runs under an address-space limit, each call has a timeout, and a child that
crashes, hangs or hits the limit is killed and restarted for the next call, so a hostile
or huge PDF costs one failure record and never the run. The child is started once and
reused, so its imports and models (``warmup``) are paid once, before any file's timeout.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable
from typing import Any

# A child's start-up (imports, model loading) happens before it takes a file, so no file's
# timeout pays for it; this bounds the start-up itself.
STARTUP_SECONDS = 120.0
# Set in the child before it imports anything, because address space reserved up front
# counts against the memory limit: numerical libraries start one thread per core (one file
# needs one), and Arrow's default allocator reserves ~1 GB on first use.
CHILD_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "ARROW_DEFAULT_MEMORY_POOL": "system",
}


class TaskFailed(Exception):
    """The child did not return a result: ``status`` is "timeout" or "failed"; ``seconds``
    is the time the call took once the child was ready (a restart after the previous file
    killed the child is not this file's time)."""

    def __init__(self, status: str, error: str, seconds: float):
        super().__init__(error)
        self.status, self.error, self.seconds = status, error, seconds


class StartFailed(RuntimeError):
    """The child process could not start or prepare (imports, model): no file can be read,
    so this is an error of the whole run, not of one file."""


class _ChildError:
    """An exception raised inside the child, sent back as text (it may not pickle)."""

    def __init__(self, message: str):
        self.message = message


def _limit_memory(max_memory_mb: int) -> None:
    import resource

    limit = int(max_memory_mb) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child_main(conn, max_memory_mb: int, warmup: tuple[str, tuple] | None) -> None:
    os.environ.update(CHILD_ENV)
    _limit_memory(max_memory_mb)
    if warmup is not None:
        try:
            module, _, name = warmup[0].partition(":")
            getattr(importlib.import_module(module), name)(*warmup[1])
        except Exception as exc:
            conn.send(_ChildError(f"{type(exc).__name__}: {exc}".splitlines()[0][:300]))
            return
    conn.send("ready")
    while True:
        job = conn.recv()
        if job is None:
            return
        func, args = job
        try:
            result = func(*args)
        except Exception as exc:  # tasks report bad files themselves; this is a last resort
            result = _ChildError(f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
        conn.send(result)


class IsolatedProcess:
    """A reusable child process that runs ``func(*args)`` calls one at a time.

    ``warmup`` ("package.module:function" and its arguments) runs in the child when it
    starts, e.g. to import the extraction libraries and load the model; it is named rather
    than passed so that its module is imported only after CHILD_ENV is set.
    """

    def __init__(
        self,
        max_memory_mb: int,
        timeout_seconds: float,
        warmup: tuple[str, tuple] | None = None,
    ):
        self.max_memory_mb = max_memory_mb
        self.timeout_seconds = timeout_seconds
        self.warmup = warmup
        self._ctx = mp.get_context("spawn")
        self._proc = None
        self._conn = None

    def _start(self) -> None:
        """Start the child and wait until it is ready; raises StartFailed if it is not."""
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=_child_main, args=(child, self.max_memory_mb, self.warmup), daemon=True
        )
        try:
            proc.start()
        except Exception as exc:
            parent.close()
            raise StartFailed(f"worker process failed to start: {type(exc).__name__}: {exc}") from exc
        finally:
            child.close()
        self._proc, self._conn = proc, parent
        try:
            message = parent.recv() if parent.poll(STARTUP_SECONDS) else None
            if message == "ready":
                return
            if isinstance(message, _ChildError):
                error = f"worker process failed to start: {message.message}"
            else:
                error = f"worker process not ready after {STARTUP_SECONDS:g} s"
        except (EOFError, OSError):
            error = f"worker process failed to start ({self._exit_reason()})"
        self._stop(kill=True)
        raise StartFailed(error)

    def _exit_reason(self) -> str:
        self._proc.join(2)  # the pipe closes a moment before the exit code is known
        code = self._proc.exitcode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            if -code in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS):
                # C parsers abort or crash when an allocation fails under RLIMIT_AS
                return f"killed by {name}, e.g. out of memory under max_memory_mb {self.max_memory_mb}"
            return f"killed by {name}"
        return f"exit code {code}"

    def _stop(self, kill: bool = False) -> None:
        if self._proc is None:
            return
        if kill:
            self._proc.kill()
        else:
            try:
                self._conn.send(None)
            except OSError:
                pass
        self._proc.join(5)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()
        self._conn.close()
        self._proc = self._conn = None

    def call(self, func: Callable, *args: Any) -> Any:
        """``func(*args)`` in the child; raises TaskFailed on a timeout, crash or error
        (and StartFailed when the child cannot start at all)."""
        if self._proc is None:
            self._start()
        start = time.perf_counter()
        try:
            self._conn.send((func, args))
            if not self._conn.poll(self.timeout_seconds):
                self._stop(kill=True)
                raise TaskFailed(
                    "timeout",
                    f"no result after {self.timeout_seconds:g} s",
                    time.perf_counter() - start,
                )
            result = self._conn.recv()
        except (EOFError, OSError) as exc:  # a crash, or the memory limit hit in C code
            error = f"worker process died ({self._exit_reason()}; {type(exc).__name__})"
            self._stop(kill=True)
            raise TaskFailed("failed", error, time.perf_counter() - start) from exc
        if isinstance(result, _ChildError):
            raise TaskFailed("failed", result.message, time.perf_counter() - start)
        return result

    def close(self) -> None:
        """Stop the child process."""
        self._stop()

    def __enter__(self) -> IsolatedProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
