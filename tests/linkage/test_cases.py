"""The small cases the linkage must get right, sent through intake."""

import pytest

from braid.children.models import LinkRule, SourceRecord
from braid.intake import services
from braid.linkage import engine
from braid.linkage.clustering import Hold
from braid.linkage.models import ReviewItem
from tests.factories import SourceRecordFactory
from tests.intake.rosters import roster
from tests.linkage.conftest import DAY, HEADER, child_of


def test_twins_in_one_organization_are_two_children(send, community):
    send(
        community.district,
        "D1,,Ava,Okafor,2015-03-07,F,12 Elm St,50309",
        "D2,,Mia,Okafor,2015-03-07,F,12 Elm St,50309",
    )

    assert child_of(community.district, "D1") != child_of(community.district, "D2")


def test_twins_in_two_organizations_are_not_linked_to_each_other(send, community):
    send(community.district, "D1,,Ava,Okafor,2015-03-07,F,12 Elm St,50309")
    send(community.club, "C1,,Mia,Okafor,2015-03-07,F,12 Elm St,50309")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Jack", "Jace"),
        ("Ava", "Ana"),
        ("Noah", "Noa"),
        ("Kai", "Kay"),
        ("Mary-Kate", "Mary-Ann"),
        ("Jean-Luc", "Jean-Paul"),
        ("Lily-Rose", "Lily-Mae"),
    ],
)
def test_twins_with_names_a_letter_apart_are_not_linked(send, community, first, second):
    # Two names the dictionaries know, not a slip of the pen in one of them.
    send(community.district, f"D1,,{first},Fisher,2016-03-03,M,9 Cedar Ct,50309")
    send(community.club, f"C1,,{second},Fisher,2016-03-03,M,9 Cedar Ct,50309")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")
    assert ReviewItem.objects.get().reason == ReviewItem.Reason.TWINS


def test_a_slip_of_the_pen_in_a_twin_s_name_is_still_the_same_child(send, community):
    send(community.district, "D1,,Jacob,Fisher,2016-03-03,M,9 Cedar Ct,50309")
    send(community.club, "C1,,Jcaob,Fisher,2016-03-03,M,9 Cedar Ct,50309")

    assert child_of(community.district, "D1") == child_of(community.club, "C1")


def test_boy_and_girl_twins_with_one_letter_between_their_names_stay_apart(
    send, community
):
    send(community.district, "D1,,Mateo,Ruiz,2016-05-02,M,4 Oak Ave,50310")
    send(community.club, "C1,,Matea,Ruiz,2016-05-02,F,4 Oak Ave,50310")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")


def test_masculine_and_feminine_forms_stay_apart_without_a_gender(send, community):
    send(community.district, "D1,,Mateo,Ruiz,2016-05-02,,4 Oak Ave,50310")
    send(community.club, "C1,,Matea,Ruiz,2016-05-02,,4 Oak Ave,50310")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")


def test_two_different_state_ids_are_two_children(send, community):
    send(community.district, "D1,S123,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,S987,Noah,Kim,2015-03-07,M,,")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")
    item = ReviewItem.objects.get()
    assert item.reason == ReviewItem.Reason.DIFFERENT_IDS


def test_the_same_state_id_links_despite_a_misspelt_name(send, community):
    send(community.district, "D1,S555,Jonathan,Whitfield,2014-02-11,M,,")
    send(community.club, "C1,S555,Jonothan,Whitfeld,2014-02-11,M,,")

    assert child_of(community.district, "D1") == child_of(community.club, "C1")


def test_one_state_id_on_two_different_children_goes_to_review(send, community):
    # Nothing but the ID agrees: a keying error, neither a link nor nothing.
    send(community.district, "D1,S777,Tom,Lee,2010-01-01,M,,")
    send(community.club, "C1,S777,Zed,Park,2016-09-09,M,,")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")
    item = ReviewItem.objects.get()
    assert item.reason == ReviewItem.Reason.SAME_ID
    # A full re-link finds the pair too, though it scores below the floor.
    plan = engine.plan_relink()
    assert [p.hold for p in plan.review] == [Hold.SAME_ID]


def test_one_state_id_on_two_children_of_one_organization_goes_to_review(
    send, community
):
    send(
        community.district,
        "D1,S777,Tess,Kilby,2013-07-07,F,,",
        "D2,S777,Uma,Lorne,2014-08-08,F,,",
    )

    item = ReviewItem.objects.get()
    assert item.kind == ReviewItem.Kind.DUPLICATE
    assert item.reason == ReviewItem.Reason.SAME_ID


def test_brothers_with_no_state_id_are_neither_linked_nor_queued(send, community):
    send(community.district, "D1,,Tom,Lee,2010-01-01,M,8 Elm St,50309")
    send(community.club, "C1,,Sam,Lee,2013-09-09,M,8 Elm St,50309")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")
    assert not ReviewItem.objects.exists()


def test_a_day_and_month_swapped_birth_date_is_the_same_child(send, community):
    send(community.district, "D1,,Lily,Park,2015-03-07,F,,")
    send(community.club, "C1,,Lily,Park,2015-07-03,F,,")

    assert child_of(community.district, "D1") == child_of(community.club, "C1")


def test_a_nickname_is_the_same_child(send, community):
    send(community.district, "D1,,William,Ortiz,2013-08-19,M,,")
    send(community.club, "C1,,Billy,Ortiz,2013-08-19,M,,")

    assert child_of(community.district, "D1") == child_of(community.club, "C1")
    record = SourceRecord.objects.get(organization=community.club)
    assert record.link_rule == LinkRule.MODEL
    assert record.link_model is not None
    assert record.link_weight is not None and record.link_weight > 0


def test_a_nickname_with_another_birth_date_is_another_child(send, community):
    send(community.district, "D1,,William,Ortiz,2013-08-19,M,,")
    send(community.club, "C1,,Liam,Ortiz,2011-01-30,M,,")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")


def test_the_parts_of_a_two_part_surname_meet(send, community, people):
    send(community.district, "D1,,Sofia,Garcia-Lopez,2017-10-12,F,,")
    send(community.club, "C1,,Sofia,Lopez,2017-10-12,F,,")
    services.import_roster(
        user=people.club_staff,
        organization=community.club,
        program=None,
        filename="all.csv",
        content=roster("C2,,Sofia,Garcia Lopez,2017-10-12,F,,", header=HEADER),
        as_of=DAY,
    )

    district_child = child_of(community.district, "D1")
    assert child_of(community.club, "C1") == district_child
    # The club's second record of her is a duplicate for the club to resolve.
    assert child_of(community.club, "C2") != district_child
    item = ReviewItem.objects.get(kind=ReviewItem.Kind.DUPLICATE)
    records = {item.record_a.local_id, item.record_b.local_id}
    assert "C2" in records


def test_first_and_last_names_swapped_with_slips_are_the_same_child(send, community):
    send(community.district, "D1,,Kierra,Ninchich,2015-09-26,F,,50309")
    send(community.club, "C1,,Ninhcich,Kiera,2015-09-26,F,,50309")

    assert child_of(community.district, "D1") == child_of(community.club, "C1")


def test_swapped_names_at_one_address_are_one_child_not_twins(send, community):
    # Same date of birth and home, first names apart column by column: the
    # twin rule would hold them, but each name is the other's, misspelt.
    send(
        community.district,
        "D1,,Kierra,Ninchich,2015-09-26,F,12 Elm St,50309",
        "D2,,Dmitri,Wojcik,2014-04-11,M,8 Oak Ave,50310",
    )
    send(
        community.club,
        "C1,,Ninhcich,Kiera,2015-09-26,F,12 Elm St,50309",
        "C2,,Wojick,Dimitri,2014-04-11,M,8 Oak Ave,50310",
    )

    assert child_of(community.district, "D1") == child_of(community.club, "C1")
    assert child_of(community.district, "D2") == child_of(community.club, "C2")
    assert not ReviewItem.objects.filter(reason=ReviewItem.Reason.TWINS).exists()


def test_swapped_names_meet_with_nothing_in_common_but_the_initials(send, community):
    # No ZIP code on one side and a surname that no longer sounds the same:
    # only the date of birth with the two initials, in whichever column,
    # brings the records together.
    send(community.district, "D1,,Daniel,Nguyew,2012-05-18,M,,50157")
    send(community.club, "C1,,Nguyen,Daniel,2012-05-18,M,,")

    assert child_of(community.district, "D1") == child_of(community.club, "C1")


def test_curly_and_straight_apostrophes_are_one_name(send, community):
    send(community.district, "D1,,Liam,O'Neil,2016-01-05,M,,")
    send(community.club, "C9,,Liam,O’Neil,2016-01-05,M,,")

    assert child_of(community.district, "D1") == child_of(community.club, "C9")


def test_a_record_matching_two_children_equally_waits_for_a_person(send, community):
    send(
        community.district,
        "D1,,Noah,Kim,2015-03-07,M,,",
        "D2,,Noah,Kim,2015-03-07,M,,",
    )
    send(community.club, "C1,,Noah,Kim,2015-03-07,M,,")

    club_child = child_of(community.club, "C1")
    assert club_child not in {
        child_of(community.district, "D1"),
        child_of(community.district, "D2"),
    }
    reasons = set(
        ReviewItem.objects.filter(kind=ReviewItem.Kind.LINK).values_list(
            "reason", flat=True
        )
    )
    assert reasons == {ReviewItem.Reason.COMPETING}


def test_a_namesake_born_years_apart_as_another_gender_is_not_linked(send, community):
    # A rare name at a neighbouring address weighs a lot; the date of birth
    # and the gender both disagreeing say it is someone else.
    send(community.district, "D1,,Silas,Thornbury,2016-02-02,M,300 Elm St,55401")
    send(community.club, "C1,,Silas,Thornbury,2012-09-19,F,310 Elm St,55401")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")
    item = ReviewItem.objects.get()
    assert item.reason == ReviewItem.Reason.DIFFERENT_BIRTH


def test_a_brother_and_sister_at_one_address_are_neither_linked_nor_queued(
    community, people
):
    # A rare surname, the address, the ZIP code and the mother's name outweigh
    # first names that share a start; born a year apart as a girl and a boy,
    # they are a family, not one child.
    for staff, org, row in (
        (people.district_staff, community.district, "D1,,Adepeju,F,2017-03-27"),
        (people.club_staff, community.club, "C1,,Aderopo,M,2016-03-09"),
    ):
        outcome = services.import_roster(
            user=staff,
            organization=org,
            program=None,
            filename="r.csv",
            content=roster(
                f"{row},Oladipupo,9 Ash Ct,50314,Funmi Oladipupo",
                header="Student ID,State ID,First Name,Gender,DOB,Last Name,"
                "Address,ZIP,Guardian Name",
            ),
            as_of=DAY,
        )
        assert outcome.committed, outcome.preview.errors

    assert child_of(community.district, "D1") != child_of(community.club, "C1")
    assert not ReviewItem.objects.exists()


def test_a_different_child_is_a_new_child(send, community):
    send(community.district, "D1,,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,,Ava,Brennan,2012-06-21,F,,")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")
    record = SourceRecord.objects.get(organization=community.club)
    assert record.link_rule == LinkRule.NEW_CHILD


def test_a_child_s_record_blocking_did_not_find_is_still_weighed(send, community):
    # The clinic's record is one no key of the club's finds; linking the club's
    # record to the child still compares it with every record of the child.
    send(community.district, "D1,,Ava,Okafor,2015-03-07,F,12 Elm St,50309")
    district = SourceRecord.objects.get(local_id="D1")
    SourceRecordFactory(
        organization=community.clinic,
        child=district.child,
        first_name="Ava",
        last_name="Okafor",
        zip_code="50309",
    )

    send(community.club, "C1,,Ava,Okafor,2015-03-07,F,12 Elm St,50309")

    assert child_of(community.club, "C1") == district.child_id


def test_twins_each_linked_across_leave_no_pair_to_review(two_pairs_of_twins):
    # Ava and Mia each have their own record at both places: Ava at the
    # school against Mia at the club is no question any more.
    assert not ReviewItem.objects.exists()


def test_a_twin_seen_at_one_place_only_still_waits_against_the_other(twins):
    _records, item = twins

    assert item.reason == ReviewItem.Reason.TWINS
    assert ReviewItem.objects.get() == item
