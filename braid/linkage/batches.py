"""Long lists of ids, cut into pieces a query can take."""

from collections.abc import Iterator, Sequence
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
