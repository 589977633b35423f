"""What the linkage compares: a source record turned into one row of features.

Every value here is derived from the record alone, so the same record gives
the same row whether it is linked on arrival or in a full re-link. Missing
values are ``None``: SQL equality never pairs two missing values.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import Any

from braid.children.models import Gender, SourceRecord
from braid.children.normalize import id_key
from braid.linkage.names import (
    first_name_forms,
    fold_accents,
    phonetic,
    surname_parts,
)

# The columns of a feature row, in the order Splink receives them.
COLUMNS = (
    "record_id",
    "organization_id",
    "first",
    "first_forms",
    "last",
    "last_parts",
    "dob",
    "dob_swap",
    "dob_md",
    "dob_year",
    "gender",
    "zip",
    "address",
    "school",
    "grade",
    "guardian",
    "state_id",
    "block_name",
    "block_name_rev",
    "block_zip_first",
    "block_zip_last",
    "block_zip_day",
    "block_dob_first",
    "block_dob_last",
    "block_dob_initials",
)

# The fields a record's features are computed from.
SOURCE_FIELDS = (
    "pk",
    "organization_id",
    "first_name_key",
    "last_name_key",
    "birth_date",
    "gender",
    "zip_code",
    "address",
    "school",
    "grade",
    "guardian_name",
    "state_id_key",
)

_STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "boulevard": "blvd",
    "place": "pl",
    "apartment": "apt",
    "unit": "apt",
    "suite": "ste",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "circle": "cir",
    "terrace": "ter",
    "parkway": "pkwy",
    "highway": "hwy",
}
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class BlockingKeys:
    name: str
    zip_first: str
    zip_last: str
    zip_day: str
    dob_first: str
    dob_last: str
    dob_initials: str


# The stored columns of ``BlockingKeys``, in the order of its fields.
STORED_BLOCKING_KEYS = tuple(f"block_{key.name}" for key in fields(BlockingKeys))
# The stored keys ``set_keys`` fills in.
KEY_FIELDS = ("state_id_key", *STORED_BLOCKING_KEYS)


def blocking_keys(
    first: str, last: str, birth_date: date | None, zip_code: str, gender: str = ""
) -> BlockingKeys:
    """Return the keys a record is looked up by when a new roster arrives."""
    zip5 = zip_code[:5]
    sex = "" if gender == Gender.UNKNOWN else gender
    first_sound, last_sound = phonetic(first), phonetic(last)
    return BlockingKeys(
        name=f"{first_sound}|{last_sound}" if first_sound and last_sound else "",
        # In one ZIP code a name's first letters are shared by dozens of
        # children; with the other name's initial, by a few.
        zip_first=f"{zip5}|{first[:3]}|{last[:1]}" if zip5 and first else "",
        zip_last=f"{zip5}|{last[:3]}|{first[:1]}" if zip5 and last else "",
        # A birthday in one ZIP code is shared by dozens of children of a
        # county; with the gender, by half as many. Data without gender (the
        # key's last part empty) loses nothing by it.
        zip_day=f"{zip5}|{birth_date:%m%d}|{sex}" if zip5 and birth_date else "",
        # A date of birth alone is shared by a hundred and fifty children in
        # a community of a million; with an initial, by a handful.
        dob_first=f"{birth_date:%Y%m%d}|{first[:1]}" if birth_date and first else "",
        dob_last=f"{birth_date:%Y%m%d}|{last[:1]}" if birth_date and last else "",
        # Both initials in alphabetical order: the same key whichever column
        # each name was written in, so that a first name and a surname
        # swapped, with slips in both, still meet.
        dob_initials=(
            f"{birth_date:%Y%m%d}|{''.join(sorted(first[:1] + last[:1]))}"
            if birth_date and first and last
            else ""
        ),
    )


def set_keys(record: SourceRecord) -> None:
    """Fill in the record's linkage keys from its current values."""
    record.state_id_key = id_key(record.state_id)
    keys = blocking_keys(
        record.first_name_key,
        record.last_name_key,
        record.birth_date,
        record.zip_code,
        record.gender,
    )
    for key in fields(keys):
        setattr(record, f"block_{key.name}", getattr(keys, key.name))


def address_key(address: str) -> str:
    """Return the form under which two spellings of an address match."""
    words = text_key(address).split()
    return " ".join(_STREET_WORDS.get(word, word) for word in words)


@lru_cache(maxsize=65536)
def text_key(text: str) -> str:
    """Return free text (a school, a guardian) as plain lower-case words."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(_WORD.findall(folded))


def row(values: Mapping[str, Any], keys: BlockingKeys | None = None) -> dict[str, Any]:
    """Return the feature row for one record's ``SOURCE_FIELDS`` values.

    ``keys`` are the record's stored blocking keys (``set_keys``), when the
    caller read them, so that they need not be worked out again.
    """
    first_key = values["first_name_key"] or ""
    last_key = values["last_name_key"] or ""
    # Names are compared with accents folded, since many systems strip them.
    # Blocking keys come from the keys as written, as set_keys stores them.
    first = fold_accents(first_key) or None
    last = fold_accents(last_key) or None
    born: date | None = values["birth_date"]
    zip5 = (values["zip_code"] or "")[:5] or None
    gender = values["gender"]
    if keys is None:
        keys = blocking_keys(first_key, last_key, born, zip5 or "", gender or "")
    return {
        "record_id": values["pk"],
        "organization_id": values["organization_id"],
        "first": first,
        # The keys as stored, for counting how many records hold each name.
        "first_key": first_key or None,
        "last_key": last_key or None,
        "first_forms": list(first_name_forms(first)) if first else None,
        "last": last,
        "last_parts": list(surname_parts(last)) if last else None,
        "dob": f"{born:%Y%m%d}" if born else None,
        "dob_swap": _swapped(born),
        "dob_md": f"{born:%m%d}" if born else None,
        "dob_year": born.year if born else None,
        "gender": gender if gender and gender != Gender.UNKNOWN else None,
        "zip": zip5,
        "address": address_key(values["address"]) or None,
        "school": text_key(values["school"]) or None,
        "grade": values["grade"] or None,
        "guardian": text_key(values["guardian_name"]) or None,
        "state_id": values["state_id_key"] or None,
        **{f"block_{k.name}": getattr(keys, k.name) or None for k in fields(keys)},
        "block_name_rev": _reversed(keys.name) or None,
    }


def rows_from_records(records: Iterable[SourceRecord]) -> list[dict[str, Any]]:
    return [row({name: getattr(r, name) for name in SOURCE_FIELDS}) for r in records]


def _reversed(name_key: str) -> str:
    """Return a name key with the first and last names' sounds swapped."""
    first, _, last = name_key.partition("|")
    return f"{last}|{first}" if name_key else ""


def _swapped(born: date | None) -> str | None:
    # A day and month that are the same read the same either way round, and
    # a day past 12 cannot be a month: neither is evidence of a swap.
    if born is None or born.day == born.month or born.day > 12:
        return None
    return f"{born.year:04d}{born.day:02d}{born.month:02d}"
