"""`braid link export`: the mapping as CSV, safe to open in a spreadsheet."""

import csv
import io

from django.core.management import call_command

from tests.factories import OrganizationFactory, SourceRecordFactory


def export() -> list[list[str]]:
    out = io.StringIO()
    call_command("link", "export", "--format", "csv", stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_ids_that_a_spreadsheet_would_run_as_formulas_are_made_inert(db):
    organization = OrganizationFactory(slug="parks")
    ids = ['=HYPERLINK("http://x")', "+1", "-2", "@sum", "\tt", "\rr", "00123"]
    for local_id in ids:
        SourceRecordFactory(
            organization=organization,
            local_id=local_id,
            first_name="Ava",
            last_name="Okafor",
        )

    rows = export()

    exported = sorted(row[1] for row in rows[1:])
    assert exported == sorted(
        [
            '\'=HYPERLINK("http://x")',
            "'+1",
            "'-2",
            "'@sum",
            "'\tt",
            "'\rr",
            "00123",
        ]
    )
    assert rows[0] == ["organization", "local_id", "child_id"]
