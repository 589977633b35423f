"""The comparisons and blocking rules of Braid's linkage model, for Splink.

Built for children's records: nicknames and spelling variants of first
names, hyphenated and two-part surnames, the usual slips in a date of birth
(day and month swapped, one digit wrong, the year off by one), and an
address compared together with its ZIP code so that the model weighs a home,
not its separate parts. Every level is written so that Splink can render it
for DuckDB and for Spark alike.
"""

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

# Rare names count for more than common ones, but a name seen once in a
# small community is not proof of identity: the adjustment stops at a
# frequency of one in ten thousand.
TF_MINIMUM_U = 1e-4

SWAPPED_NAMES = '"first_l" = "last_r" AND "last_l" = "first_r"'
# How alike a name must be to the other record's name in the other column to
# count as that name put in the wrong place, with a slip in it.
SWAP_SIMILARITY = 0.88
SWAPPED_WITH_SLIPS = (
    f'jaro_winkler_similarity("first_l", "last_r") >= {SWAP_SIMILARITY} '
    f'AND jaro_winkler_similarity("last_l", "first_r") >= {SWAP_SIMILARITY}'
)
# One of the names in the other column and the other name lost or replaced:
# a roster that shifted a column, or a clerk who typed the surname first.
ONE_NAME_MOVED = (
    f'jaro_winkler_similarity("first_l", "last_r") >= {SWAP_SIMILARITY} '
    f'OR jaro_winkler_similarity("last_l", "first_r") >= {SWAP_SIMILARITY}'
)


def _level(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


def first_name() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="first_name",
        comparison_description="First name",
        comparison_levels=[
            cll.NullLevel("first"),
            cll.ExactMatchLevel("first").configure(
                tf_adjustment_column="first",
                tf_minimum_u_value=TF_MINIMUM_U,
                label_for_charts="same",
            ),
            _level(SWAPPED_NAMES, "swapped with the last name"),
            _level(SWAPPED_WITH_SLIPS, "swapped with the last name, with slips"),
            # Weighed by how common the commoner of the two names is, as the
            # exact level is: William and Liam, both common, must not count
            # for more than Liam and Liam.
            cll.ArrayIntersectLevel("first_forms").configure(
                label_for_charts="nickname or other spelling",
                tf_adjustment_column="first",
                tf_minimum_u_value=TF_MINIMUM_U,
            ),
            cll.JaroWinklerLevel("first", 0.92).configure(
                label_for_charts="nearly the same"
            ),
            _level(
                '(length("first_l") = 1 OR length("first_r") = 1) '
                'AND substr("first_l", 1, 1) = substr("first_r", 1, 1)',
                "initial agrees",
            ),
            cll.JaroWinklerLevel("first", 0.8).configure(label_for_charts="similar"),
            _level(ONE_NAME_MOVED, "one name in the other column"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def last_name() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="last_name",
        comparison_description="Last name",
        comparison_levels=[
            cll.NullLevel("last"),
            cll.ExactMatchLevel("last").configure(
                tf_adjustment_column="last",
                tf_minimum_u_value=TF_MINIMUM_U,
                label_for_charts="same",
            ),
            # Counted once, under the first name: two comparisons both
            # rewarding one swap would double the evidence.
            _level(SWAPPED_NAMES, "swapped with the first name").configure(
                m_probability=0.01,
                u_probability=0.01,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
            _level(
                SWAPPED_WITH_SLIPS, "swapped with the first name, with slips"
            ).configure(
                m_probability=0.01,
                u_probability=0.01,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
            cll.ArrayIntersectLevel("last_parts").configure(
                label_for_charts="shares a part"
            ),
            cll.JaroWinklerLevel("last", 0.92).configure(
                label_for_charts="nearly the same"
            ),
            cll.JaroWinklerLevel("last", 0.8).configure(label_for_charts="similar"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def birth_date() -> cl.CustomComparison:
    # Dates are compared as YYYYMMDD strings only to count differing digits;
    # no level measures how alike two dates look as text.
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_description="Date of birth",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob").configure(label_for_charts="same"),
            _level('"dob_l" = "dob_swap_r"', "day and month swapped"),
            cll.LevenshteinLevel("dob", 1).configure(
                label_for_charts="one digit different"
            ),
            _level(
                '"dob_md_l" = "dob_md_r" AND abs("dob_year_l" - "dob_year_r") = 1',
                "a year off",
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def gender() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="gender",
        comparison_description="Gender",
        comparison_levels=[
            cll.NullLevel("gender"),
            cll.ExactMatchLevel("gender").configure(label_for_charts="same"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def home() -> cl.CustomComparison:
    # One comparison for the ZIP code and the street address: scored apart,
    # the two would count a shared home twice and teach the model households
    # instead of children.
    return cl.CustomComparison(
        output_column_name="home",
        comparison_description="Address and ZIP code",
        comparison_levels=[
            _level('"zip_l" IS NULL OR "zip_r" IS NULL', "not given").configure(
                is_null_level=True
            ),
            _level('"address_l" = "address_r" AND "zip_l" = "zip_r"', "same address"),
            cll.And(
                cll.JaroWinklerLevel("address", 0.9), cll.ExactMatchLevel("zip")
            ).configure(label_for_charts="similar address, same ZIP"),
            cll.ExactMatchLevel("zip").configure(label_for_charts="same ZIP"),
            cll.LevenshteinLevel("zip", 1).configure(
                label_for_charts="ZIP one digit different"
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def school() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="school",
        comparison_description="School and grade",
        comparison_levels=[
            _level(
                '("school_l" IS NULL OR "school_r" IS NULL) '
                'AND ("grade_l" IS NULL OR "grade_r" IS NULL)',
                "not given",
            ).configure(is_null_level=True),
            _level(
                '"school_l" = "school_r" AND "grade_l" = "grade_r"',
                "same school and grade",
            ),
            cll.ExactMatchLevel("school").configure(label_for_charts="same school"),
            cll.ExactMatchLevel("grade").configure(label_for_charts="same grade"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def guardian() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="guardian",
        comparison_description="Guardian name",
        comparison_levels=[
            cll.NullLevel("guardian"),
            cll.ExactMatchLevel("guardian").configure(label_for_charts="same"),
            cll.JaroWinklerLevel("guardian", 0.88).configure(
                label_for_charts="similar"
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def state_id() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="state_id",
        comparison_description="State student ID",
        comparison_levels=[
            cll.NullLevel("state_id"),
            cll.ExactMatchLevel("state_id").configure(label_for_charts="same"),
            # A state assigns one ID per student: two records of one child
            # with two IDs are a keying error, rarer than EM on a community
            # that seldom has both IDs would guess.
            cll.ElseLevel().configure(
                label_for_charts="different",
                m_probability=0.002,
                fix_m_probability=True,
            ),
        ],
    )


def blocking_rules() -> list[Any]:
    """Return the rules that pick the pairs worth scoring.

    Each has a stored key on the source record, so that the records a new
    roster must be compared with are found by index (see ``candidates``).
    """
    return [
        block_on("block_dob_first"),
        block_on("block_dob_last"),
        block_on("block_dob_initials"),
        block_on("block_name"),
        {"blocking_rule": '"l"."block_name" = "r"."block_name_rev"'},
        block_on("block_zip_first"),
        block_on("block_zip_last"),
        block_on("block_zip_day"),
        block_on("state_id"),
    ]


def settings(probability_two_random_records_match: float) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            first_name(),
            last_name(),
            birth_date(),
            gender(),
            home(),
            school(),
            guardian(),
            state_id(),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=probability_two_random_records_match,
        additional_columns_to_retain=["organization_id"],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        max_iterations=25,
    )
