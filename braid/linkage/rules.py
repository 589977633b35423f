"""The rules that keep a pair from an automatic link, whatever its score.

Twins and other children of one family born the same day share everything a
model weighs except their first names, so a high score says little about
them; two different state student IDs mean two children unless a person
finds the IDs wrong, and one state ID on records that otherwise describe two
children is a keying error for a person to sort out; a date of birth and a
gender that both disagree mean another child with the same name.
"""

from typing import Any

import jellyfish

from braid.linkage import names
from braid.linkage.clustering import Hold
from braid.linkage.scoring import ScoredPair

# Below this Jaro-Winkler similarity two first names are clearly different
# names, not one name with a slip in it.
DIFFERENT_FIRST_NAMES = 0.88
# Edits within which a first name no dictionary knows is read as a misspelt
# form of the other, not as another child's name.
TYPO_EDITS = 2
# From this Jaro-Winkler similarity each name matches the other record's
# name in the other column: one child's names swapped, with slips in them.
# Twins never look like that.
SWAPPED_NAMES = 0.8


def hold_for(scored: ScoredPair, review_weight: float) -> Hold | None:
    """Return the rule that keeps this pair from an automatic link, if any.

    ``review_weight`` is the review threshold: one state ID on a pair that
    scores below it is held for review all the same.
    """
    state_a, state_b = scored.values["state_id"]
    if state_a and state_b and state_a != state_b:
        return Hold.DIFFERENT_IDS
    # One state ID on records that look like brothers and sisters, or share
    # nothing else at all, is a keying error a person must see.
    one_id = bool(state_a) and state_a == state_b
    if one_id and scored.weight < review_weight:
        return Hold.SAME_ID
    # Brothers and sisters are often of two genders born years apart; the
    # rule that tells them apart comes first, so that they are not queued.
    if might_be_siblings(scored.values):
        return Hold.SAME_ID if one_id else Hold.SIBLINGS
    if born_apart_as_another_gender(scored.values):
        return Hold.DIFFERENT_BIRTH
    if might_be_twins(scored.values):
        return Hold.TWINS
    return None


def born_apart_as_another_gender(values: dict[str, tuple[Any, Any]]) -> bool:
    """Tell whether the date of birth and the gender both say another child.

    Each alone is a slip a roster makes; both at once, beside a shared name
    and a neighbouring address, are a cousin or a neighbour with the name.
    """
    born_a, born_b = values["dob"]
    gender_a, gender_b = values["gender"]
    if not (born_a and born_b and gender_a and gender_b) or gender_a == gender_b:
        return False
    return not _close_dates(born_a, born_b)


def might_be_siblings(values: dict[str, tuple[Any, Any]]) -> bool:
    """Tell whether nothing of the child agrees, only the family's details.

    Brothers and sisters share a surname, an address and a guardian, which
    add up to a high score; without a first name or a date of birth in
    common, that is a family, not one child.
    """
    born_a, born_b = values["dob"]
    if born_a is None or born_b is None or _close_dates(born_a, born_b):
        return False
    first_a, first_b = values["first"]
    if not first_a or not first_b:
        return False
    return _clearly_different_first_names(values)


def _close_dates(a: str, b: str) -> bool:
    """Tell whether two YYYYMMDD dates differ only by a usual slip."""
    if a == b or a == b[:4] + b[6:8] + b[4:6]:
        return True
    if sum(x != y for x, y in zip(a, b, strict=True)) == 1:
        return True
    return a[4:] == b[4:] and abs(int(a[:4]) - int(b[:4])) == 1


def might_be_twins(values: dict[str, tuple[Any, Any]]) -> bool:
    """Tell whether two records could be two children of one family."""
    born_a, born_b = values["dob"]
    if born_a is None or born_a != born_b:
        return False
    if not _same_family(values):
        return False
    return _clearly_different_first_names(values)


def _same_family(values: dict[str, tuple[Any, Any]]) -> bool:
    last_a, last_b = values["last"]
    if last_a and last_b:
        if last_a == last_b:
            return True
        parts_a, parts_b = values["last_parts"]
        if set(parts_a or ()) & set(parts_b or ()):
            return True
    address_a, address_b = values["address"]
    zip_a, zip_b = values["zip"]
    return bool(address_a) and address_a == address_b and zip_a == zip_b


def _clearly_different_first_names(values: dict[str, tuple[Any, Any]]) -> bool:
    first_a, first_b = values["first"]
    if not first_a or not first_b or first_a == first_b:
        return False
    if first_a == values["last"][1] or first_b == values["last"][0]:
        # Swapped with the surname: the same name in another column.
        return False
    if _swapped(first_a, values["last"][1]) and _swapped(first_b, values["last"][0]):
        # Both names in each other's columns, misspelt on the way.
        return False
    if len(first_a) == 1 or len(first_b) == 1:
        # An initial stands for a name; it is not another child's name.
        return False
    forms_a, forms_b = values["first_forms"]
    if set(forms_a or ()) & set(forms_b or ()):
        return False
    if _another_name_in_a_part(first_a, first_b):
        return True
    if names.gendered_forms(first_a, first_b):
        return True
    gender_a, gender_b = values["gender"]
    if gender_a and gender_b and gender_a != gender_b:
        return True
    if _two_names(first_a, first_b):
        # Ava and Mia, and Ava and Ana or Jack and Jace too, for parents
        # often give twins names a letter apart.
        return True
    edits = jellyfish.damerau_levenshtein_distance(first_a, first_b)
    if edits <= (TYPO_EDITS if min(len(first_a), len(first_b)) > 4 else 1):
        # Kate and Kawe, Kiera and Kidras: a name and a slip of the pen. In a
        # name of four letters or fewer, two slips leave another name.
        return False
    similarity = jellyfish.jaro_winkler_similarity(first_a, first_b)
    return similarity < DIFFERENT_FIRST_NAMES


def _another_name_in_a_part(a: str, b: str) -> bool:
    """Tell whether two compound names differ by a whole name in a part.

    Mary-Kate and Mary-Ann, Jean-Luc and Jean-Paul: the shared part makes
    the two look alike, but each differing part is a name of its own.
    """
    parts_a, parts_b = a.replace("-", " ").split(), b.replace("-", " ").split()
    if len(parts_a) < 2 or len(parts_a) != len(parts_b):
        return False
    differing = [(x, y) for x, y in zip(parts_a, parts_b, strict=True) if x != y]
    return bool(differing) and all(_two_names(x, y) for x, y in differing)


def _two_names(a: str, b: str) -> bool:
    """Tell whether two known names are neither a spelling nor a short form."""
    if not (names.is_known_name(a) and names.is_known_name(b)):
        return False
    return not set(names.first_name_forms(a)) & set(names.first_name_forms(b))


def _swapped(first: str, other_last: str | None) -> bool:
    if not other_last:
        return False
    return jellyfish.jaro_winkler_similarity(first, other_last) >= SWAPPED_NAMES
