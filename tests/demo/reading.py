"""Read the demo rosters back the simple way, to check what they hold."""

import csv
import datetime
import io
import re

from openpyxl import load_workbook

from braid.demo.generator import DemoCommunity, DemoRoster
from braid.demo.generator.rosters import HEADER_FIELDS

Record = dict[str, str | datetime.date]

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_xlsx(roster: DemoRoster) -> bool:
    return roster.content.startswith(b"PK\x03\x04")


def encoding(roster: DemoRoster) -> str:
    if is_xlsx(roster):
        return "xlsx"
    if roster.content.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        roster.content.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def text(roster: DemoRoster) -> str:
    return roster.content.decode(encoding(roster))


def delimiter(roster: DemoRoster) -> str:
    return csv.Sniffer().sniff(text(roster).splitlines()[0], ",;\t").delimiter


def headers(roster: DemoRoster) -> list[str]:
    if is_xlsx(roster):
        sheet = load_workbook(io.BytesIO(roster.content)).active
        assert sheet is not None
        return [str(cell.value) for cell in sheet[1]]
    return next(csv.reader(io.StringIO(text(roster)), delimiter=delimiter(roster)))


def raw_rows(roster: DemoRoster) -> list[list[object]]:
    """Return the data rows as the file holds them: text or a sheet's cells."""
    if is_xlsx(roster):
        sheet = load_workbook(io.BytesIO(roster.content)).active
        assert sheet is not None
        return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    reader = csv.reader(io.StringIO(text(roster)), delimiter=delimiter(roster))
    return [list(row) for row in list(reader)[1:] if row]


def records(roster: DemoRoster) -> list[Record]:
    """Return each row as field -> value, with the date of birth as a date."""
    key = (roster.filename, roster.content, roster.date_format)
    if key not in _records:
        _records[key] = _read_records(roster)
    return _records[key]


# Most tests read the same rosters again; reading them once keeps the
# suite quick.
_records: dict[tuple[str, bytes, str | None], list[Record]] = {}


def _read_records(roster: DemoRoster) -> list[Record]:
    fields = [HEADER_FIELDS[header] for header in headers(roster)]
    result = []
    for row in raw_rows(roster):
        record: Record = {
            name: "" if value is None else str(value)
            for name, value in zip(fields, row, strict=True)
        }
        birth = row[fields.index("birth_date")]
        record["birth_date"] = birth_date(roster, birth)
        result.append(record)
    return result


def birth_date(roster: DemoRoster, value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    assert isinstance(value, str), value
    if roster.date_format:
        return datetime.datetime.strptime(value, roster.date_format).date()
    if _ISO.fullmatch(value):
        return datetime.date.fromisoformat(value)
    return datetime.datetime.strptime(value, "%m/%d/%Y").date()


def district(community: DemoCommunity) -> DemoRoster:
    return next(r for r in community.rosters if r.organization == "riverbend-schools")


def program_rosters(community: DemoCommunity) -> list[DemoRoster]:
    return [r for r in community.rosters if r.organization != "riverbend-schools"]


def district_by_person(community: DemoCommunity) -> dict[str, Record]:
    roster = district(community)
    return dict(zip(roster.truth, records(roster), strict=True))


def pairs_with_district(
    community: DemoCommunity,
) -> list[tuple[DemoRoster, Record, Record]]:
    """Return (roster, program row, district row) for each district child."""
    school = district_by_person(community)
    pairs = []
    for roster in program_rosters(community):
        for person, record in zip(roster.truth, records(roster), strict=True):
            if person in school:
                pairs.append((roster, record, school[person]))
    return pairs
