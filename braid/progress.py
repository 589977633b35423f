"""How far long work has come: a roster commit, a linkage run.

Long work says what it is doing with ``step``; whoever started it chooses
where that goes with ``reporting``: a file beside the database, read by the
page that shows a background task, or lines on the command line. Work that
nobody watches reports to nothing.

The file stands outside the database on purpose: the work writes inside one
transaction, which nobody else can see into until it commits (and which, on
SQLite, holds the only write lock), while its progress must be seen as it
goes. Web processes and task workers therefore share the data directory.
"""

import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Protocol, TextIO

from django.conf import settings

# A report is written at most this often, in seconds, unless its step changes.
EVERY = 1.0
_KEY = re.compile(r"^[a-z0-9-]+$")


class Reporter(Protocol):
    def __call__(self, message: str, done: int | None, total: int | None) -> None: ...


_reporter: ContextVar[Reporter | None] = ContextVar("braid_progress", default=None)


def step(message: str, done: int | None = None, total: int | None = None) -> None:
    """Say what the work is doing now, and how much of it is done if known."""
    reporter = _reporter.get()
    if reporter is not None:
        reporter(str(message), done, total)


@contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    """Send the steps of the work done inside to ``reporter``, or nowhere."""
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)


def path_for(key: str) -> Path:
    if not _KEY.match(key):
        raise ValueError(f"not a progress key: {key!r}")
    return Path(settings.DATA_DIR) / "progress" / f"{key}.json"


class _Throttled:
    """A reporter that passes on each new step, and its counts once a second.

    The last count of a step is always passed on.
    """

    def __init__(self) -> None:
        self._last = ("", 0.0)

    def __call__(self, message: str, done: int | None, total: int | None) -> None:
        now = time.monotonic()
        last_message, last_time = self._last
        if message == last_message and now - last_time < EVERY and done != total:
            return
        self._last = (message, now)
        self.write(message, done, total)

    def write(self, message: str, done: int | None, total: int | None) -> None:
        raise NotImplementedError


class FileReporter(_Throttled):
    """Keep the latest step in a file under the data directory."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.path = path_for(key)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.started = time.time()

    def write(self, message: str, done: int | None, total: int | None) -> None:
        report = {
            "step": message,
            "done": done,
            "total": total,
            "started": self.started,
            "updated": time.time(),
        }
        # Written whole and renamed, so that a reader never sees half of it.
        partial = self.path.with_suffix(".part")
        # Steps say nothing of a child, but the folder is the owner's alone.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(json.dumps(report))
        os.replace(partial, self.path)

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


class StreamReporter(_Throttled):
    """Print each step, and its count at most once a second, on a stream."""

    def __init__(self, stream: TextIO | Any) -> None:
        super().__init__()
        self.stream = stream

    def write(self, message: str, done: int | None, total: int | None) -> None:
        self.stream.write(describe(message, done, total) + "\n")
        if flush := getattr(self.stream, "flush", None):
            flush()


def read(key: str) -> dict[str, Any] | None:
    """Return the latest report of the work under ``key``, if any."""
    try:
        report = json.loads(path_for(key).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return report if isinstance(report, dict) else None


def describe(message: str, done: int | None, total: int | None) -> str:
    if done is None:
        return message
    if total:
        return f"{message}: {done:,} / {total:,}"
    return f"{message}: {done:,}"
