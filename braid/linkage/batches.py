"""Long lists of ids, cut into pieces a query can take."""

import gc
import operator
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import reduce
from typing import Any, TypeVar

from django.db import connection
from django.db.models import F, Q
from django.db.models.lookups import In

T = TypeVar("T")

# Comfortably below SQLite's limit on query parameters. PostgreSQL takes
# up to 65,535 a query, and every round trip costs it more than SQLite.
CHUNK = 900
POSTGRES_CHUNK = 20_000


def in_chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    size = POSTGRES_CHUNK if connection.vendor == "postgresql" else CHUNK
    for start in range(0, len(items), size):
        yield items[start : start + size]


class AnyOf(In):
    """An ``IN`` list that PostgreSQL receives as one array.

    Spelled out one placeholder a value, a list of thousands costs Django and
    the driver more than the server spends on the query.
    """

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column, params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection) for v in self.rhs]
        # The column's type without its length: varchar(24) would cut a longer
        # value down to one the column may hold.
        array = field.cast_db_type(connection).partition("(")[0] + "[]"
        return f"{column} = ANY(%s::{array})", [*params, values]


def any_of(wanted: Mapping[str, Collection[Any]]) -> Iterator[Q]:
    """Yield filters that together select the rows holding any wanted value.

    ``wanted`` maps a column to its values. PostgreSQL takes them all in one
    query: each query costs it a round trip and, on a table not yet
    analysed, a pass over every row. SQLite takes one column's values a chunk
    at a time, below its limit on parameters.
    """
    if not any(wanted.values()):
        return
    if connection.vendor == "postgresql":
        yield reduce(
            operator.or_,
            (Q(AnyOf(F(column), sorted(values))) for column, values in wanted.items()),
        )
        return
    for column, values in wanted.items():
        for chunk in in_chunks(sorted(values)):
            yield Q(**{f"{column}__in": chunk})


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
