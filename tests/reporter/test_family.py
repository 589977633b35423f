"""Every number of a day's tables, named once whichever table shows it."""

from braid.reporter.family import Family

from .factories import community

PROGRAMS = {
    "Heron: After-School": "Heron",
    "Heron: Teen Nights": "Heron",
    "Open Book: Reading Buddies": "Open Book",
    "District": "District",
}


def family() -> Family:
    return Family(
        community(
            [
                (30, ["Heron: After-School"], "F", "5–9", "3"),
                (4, ["Heron: After-School", "Heron: Teen Nights"], "M", "10–14", "5"),
                (25, ["Heron: Teen Nights", "District"], "M", "10–14", "6"),
                (40, ["Open Book: Reading Buddies", "District"], "F", "5–9", "2"),
                (12, ["District"], "X", "5–9", "2"),
            ],
            PROGRAMS,
        )
    )


def key(family: Family, *values: tuple[str, str]) -> tuple[int, ...]:
    return family.key([family.value_id(*value) for value in values])


def test_an_organization_with_one_program_is_that_program():
    f = family()
    open_book = ("organization", "Open Book")
    reading = ("program", "Open Book: Reading Buddies")

    assert key(f, open_book) == key(f, reading)
    assert key(f, open_book, ("gender", "F")) == key(f, reading, ("gender", "F"))
    assert f.counts[key(f, open_book)] == 40


def test_an_organizations_count_of_its_own_program_is_the_programs_total():
    f = family()
    heron = ("organization", "Heron")
    teen = ("program", "Heron: Teen Nights")

    assert key(f, heron, teen) == key(f, teen)
    assert key(f, heron) != key(f, teen)
    assert f.counts[key(f, heron)] == 59
    assert f.counts[key(f, teen)] == 29


def test_a_cell_of_another_organizations_program_is_a_number_of_its_own():
    f = family()

    crossed = key(f, ("organization", "District"), ("program", "Heron: Teen Nights"))

    assert len(crossed) == 2
    assert f.counts[crossed] == 25


def test_a_table_reads_its_numbers_from_the_family():
    f = family()

    table, keys = f.table(["organization", "program"], lambda d, v: v)

    assert table.row_labels == ["District", "Heron", "Open Book"]
    assert table.grand_total == 111
    # Open Book's count of Reading Buddies is the program's total.
    assert keys.cells[2][3] == keys.rows[2] == keys.columns[3]
    assert table.rows_overlap and table.columns_overlap


def test_every_line_is_counted_once_though_two_tables_show_it():
    f = family()
    genders = [("gender", g) for g in ["F", "M", "X"]]
    by_organization = tuple(key(f, ("organization", "Open Book"), g) for g in genders)
    by_program = tuple(
        key(f, ("program", "Open Book: Reading Buddies"), g) for g in genders
    )

    lines = [members for _, members, _ in f.lines if members == by_program]

    # The organization's row by gender and its program's row are one line.
    assert by_organization == by_program
    assert len(lines) == 1
