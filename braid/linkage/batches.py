"""Long lists of ids, cut into pieces a query can take."""

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection

T = TypeVar("T")

# Comfortably below SQLite's limit on query parameters. PostgreSQL takes
# up to 65,535 a query, and every round trip costs it more than SQLite.
CHUNK = 900
POSTGRES_CHUNK = 20_000


def in_chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    size = POSTGRES_CHUNK if connection.vendor == "postgresql" else CHUNK
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a large linking run.

    Linking a roster large beside its community holds a feature row for
    nearly every record (a million dicts and lists) while it makes millions
    more; each full collection walks all of them, and a 100,000-row roster
    set off 26 such collections, 28 s of a 140 s commit. Reference counting
    still frees everything the run drops; the few cycles left are collected
    once the collector is back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
