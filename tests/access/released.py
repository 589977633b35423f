"""Entries in the record of disclosures, and ways around its guards."""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.contrib.auth.models import User
from django.db import connection, transaction

from braid.access.disclosures import Entry, record_release
from braid.access.models import Disclosure
from braid.children.models import Child, SourceRecord
from braid.community.models import Organization

MIGRATION = importlib.import_module(
    "braid.access.migrations.0002_disclosure_append_only"
)


def release(
    user: User,
    organization: Organization,
    children: list[Child],
    *,
    purpose: str = "service-coordination",
    legal_basis: str = "consent",
    release: str = "page",
    reference: str = "/children/1/",
    categories: tuple[str, ...] = ("attendance",),
    at: datetime | None = None,
    grounds: list[dict[str, object]] | None = None,
) -> list[Disclosure]:
    """Record one release of the given children, as a release would.

    Unless told its grounds, each entry names the child's records, if it has
    any, as released by their contributors.
    """
    entries = [
        Entry(
            child_id=child.pk,
            categories=categories,
            purpose=purpose,
            legal_basis=legal_basis,
            level="identifiable",
            grounds=grounds
            if grounds is not None
            else _grounds(child, organization, categories[0]),
        )
        for child in children
    ]
    with transaction.atomic():
        return record_release(
            user=user,
            organization=organization,
            release=release,
            reference=reference,
            entries=entries,
            at=at,
        )


def _grounds(
    child: Child, organization: Organization, category: str
) -> list[dict[str, object]]:
    records = list(
        SourceRecord.objects.filter(child=child)
        .order_by("pk")
        .values_list("pk", "organization_id")
    )
    named = records or [(None, organization.pk)]
    return [
        {
            "contributor": contributor,
            "record": record,
            "category": category,
            "agreement": 3,
            "consent": 7,
            "consent_version": 2,
        }
        for record, contributor in named
    ]


def run_sql(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def remove(where: str) -> None:
    """Delete the entries ``where`` picks, with the index of the records they
    released first, as anyone removing entries would have to."""
    run_sql(
        "DELETE FROM access_disclosedrecord WHERE disclosure_id IN "
        f"(SELECT id FROM access_disclosure WHERE {where})"
    )
    run_sql(f"DELETE FROM access_disclosure WHERE {where}")


@contextmanager
def unguarded() -> Iterator[None]:
    """Drop the append-only triggers for a while, as an intruder would."""
    for statement in MIGRATION.DROP[connection.vendor]:
        run_sql(statement)
    try:
        yield
    finally:
        for statement in MIGRATION.CREATE[connection.vendor]:
            run_sql(statement)
