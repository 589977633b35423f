"""Committing a roster: all of it or nothing, and what it changes."""

import datetime

import pytest
from django.utils import timezone

from braid.children.models import Child, SourceRecord
from braid.intake import services
from braid.intake.models import BatchStatus, RosterBatch
from braid.records.models import Enrollment
from tests.factories import ProgramFactory
from tests.intake.rosters import AVA, LEO, MIA, roster

FIRST_DAY = datetime.date(2026, 8, 24)
LATER = datetime.date(2026, 9, 21)


@pytest.fixture
def send(community, people):
    def send(content: bytes, *, as_of=FIRST_DAY, program=None, org=None, **options):
        return services.import_roster(
            user=people.district_staff,
            organization=org or community.district,
            program=program or community.district_roll,
            filename="roster.csv",
            content=content,
            as_of=as_of,
            **options,
        )

    return send


def test_it_commits_a_new_roster_and_records_the_batch(send, people):
    outcome = send(roster(AVA, MIA, LEO))

    assert outcome.committed
    assert outcome.preview.counts() == {
        "new": 3,
        "changed": 0,
        "unchanged": 0,
        "ended": 0,
    }
    batch = RosterBatch.objects.get()
    assert batch.status == BatchStatus.COMMITTED
    assert batch.uploaded_by == people.district_staff
    assert len(batch.checksum) == 64
    assert (batch.new_count, batch.row_count) == (3, 3)
    assert batch.content is None
    assert SourceRecord.objects.count() == 3
    assert Child.objects.count() == 3
    assert Enrollment.objects.filter(start_date=FIRST_DAY, end_date=None).count() == 3


def test_it_keeps_ids_as_strings_with_their_leading_zeros(send):
    send(roster(AVA))

    record = SourceRecord.objects.get()
    assert record.local_id == "00101"
    assert record.birth_date == datetime.date(2015, 3, 7)


def test_it_compares_ids_trimmed_and_without_case(send):
    send(roster("ab-7,Ava,Okafor,2015-03-07,F,5"))
    outcome = send(roster(" AB-7 ,Ava,Okafor,2015-03-07,F,5"), as_of=LATER)

    assert outcome.preview.counts()["unchanged"] == 1
    assert SourceRecord.objects.count() == 1


def test_sending_the_same_file_again_changes_nothing(send):
    send(roster(AVA, MIA, LEO))
    before = list(SourceRecord.objects.values_list("pk", "updated_at", "child_id"))

    outcome = send(roster(AVA, MIA, LEO))

    assert outcome.committed
    assert outcome.preview.counts() == {
        "new": 0,
        "changed": 0,
        "unchanged": 3,
        "ended": 0,
    }
    assert [n.code for n in outcome.preview.notices] == ["same_file"]
    assert (
        list(SourceRecord.objects.values_list("pk", "updated_at", "child_id")) == before
    )
    assert Enrollment.objects.count() == 3


def test_a_child_missing_from_the_next_roster_is_ended_not_deleted(send):
    send(roster(AVA, MIA, LEO))

    outcome = send(roster(AVA, MIA), as_of=LATER)

    assert outcome.preview.counts() == {
        "new": 0,
        "changed": 0,
        "unchanged": 2,
        "ended": 1,
    }
    ended = Enrollment.objects.get(end_date__isnull=False)
    assert ended.end_date == LATER
    assert ended.ended_by == outcome.batch
    assert ended.source_record.local_id == "00103"
    assert SourceRecord.objects.count() == 3


def test_a_child_back_on_the_roster_gets_a_new_enrollment(send):
    send(roster(AVA, LEO))
    send(roster(AVA), as_of=datetime.date(2026, 9, 1))

    outcome = send(roster(AVA, LEO), as_of=LATER)

    assert outcome.preview.counts()["unchanged"] == 2
    (notice,) = [n for n in outcome.preview.notices if n.code == "joined"]
    assert notice.message.startswith(
        "1 child already known to Riverbend Schools joins this roster (line 3) "
        "and is enrolled from 2026-09-21."
    )
    leo = Enrollment.objects.filter(source_record__local_id="00103").order_by(
        "start_date"
    )
    assert [(e.start_date, e.end_date) for e in leo] == [
        (FIRST_DAY, datetime.date(2026, 9, 1)),
        (LATER, None),
    ]


def test_a_changed_record_is_updated_and_counted_as_changed(send):
    send(roster(AVA))

    outcome = send(roster("00101,Ava,Okafor-Reyes,2015-03-07,F,6"), as_of=LATER)

    assert outcome.preview.counts()["changed"] == 1
    (_, _, fields) = outcome.preview.changed[0]
    assert set(fields) == {"last_name", "grade"}
    record = SourceRecord.objects.get()
    assert (record.last_name, record.last_name_key, record.grade) == (
        "Okafor-Reyes",
        "okafor-reyes",
        "6",
    )


def test_a_column_absent_from_a_roster_leaves_what_is_known(send):
    send(roster(AVA))

    send(
        roster(
            "00101,Ava,Okafor,2015-03-07", header="Student ID,First Name,Last Name,DOB"
        ),
        as_of=LATER,
    )

    assert SourceRecord.objects.get().grade == "5"


def test_rows_without_a_name_or_a_date_of_birth_are_committed_as_given(send):
    outcome = send(roster(AVA, "00102,,Okafor,,F,5", "00103,Leo,,2014-11-30,M,6"))

    assert outcome.committed, outcome.preview.errors
    assert sorted(n.code for n in outcome.preview.notices) == [
        "no_birth_date",
        "no_first_name",
        "no_last_name",
    ]
    assert outcome.batch.issues["notices"]
    stored = SourceRecord.objects.order_by("local_id").values_list(
        "first_name", "first_name_key", "last_name", "last_name_key", "birth_date"
    )
    assert list(stored)[1:] == [
        ("", "", "Okafor", "okafor", None),
        ("Leo", "leo", "", "", datetime.date(2014, 11, 30)),
    ]


def test_a_roster_without_dates_sent_again_is_unchanged(send):
    content = roster("00102,,Okafor,,F,5", "00104,Noor,Haddad,,F,4")
    send(content)

    outcome = send(content, as_of=LATER)

    assert outcome.committed, outcome.preview.errors
    assert outcome.preview.counts()["unchanged"] == 2


def test_a_roster_with_a_bad_row_is_rejected_whole(send):
    outcome = send(roster(AVA, "00102,Mia,Okafor,2015-02-31,F,5", LEO))

    assert not outcome.committed
    assert outcome.batch.status == BatchStatus.REJECTED
    error = outcome.batch.issues["errors"][0]
    assert (error["line"], error["column"]) == (3, "DOB")
    assert "Mia" not in error["message"]
    assert SourceRecord.objects.count() == 0
    assert Child.objects.count() == 0


def test_a_crash_in_the_middle_leaves_the_database_as_it_was(send, monkeypatch, quiet):
    send(roster(AVA))
    before = (
        SourceRecord.objects.count(),
        Child.objects.count(),
        Enrollment.objects.count(),
    )

    def crash(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "_end_enrollments", crash)
    with pytest.raises(RuntimeError):
        send(roster(MIA, LEO), as_of=LATER)

    after = (
        SourceRecord.objects.count(),
        Child.objects.count(),
        Enrollment.objects.count(),
    )
    assert after == before
    assert Enrollment.objects.filter(end_date__isnull=False).count() == 0
    failed = RosterBatch.objects.latest("pk")
    assert failed.status == BatchStatus.FAILED
    assert failed.issues["errors"][0]["code"] == "internal_error"
    assert quiet.take() == [
        f"braid.intake.services: roster batch {failed.pk} failed; nothing was changed"
    ]


def test_a_roster_older_than_the_last_committed_one_is_refused(send):
    send(roster(AVA), as_of=LATER)

    outcome = send(roster(AVA, MIA), as_of=FIRST_DAY)

    assert not outcome.committed
    assert [e.code for e in outcome.preview.errors] == ["out_of_order"]
    assert SourceRecord.objects.count() == 1


def test_a_dry_run_changes_nothing_but_is_recorded(send):
    outcome = send(roster(AVA, MIA), dry_run=True)

    assert outcome.preview.counts()["new"] == 2
    assert SourceRecord.objects.count() == 0
    assert outcome.batch.status == BatchStatus.DISCARDED
    assert outcome.batch.new_count == 2


def test_a_program_of_another_organization_is_refused(send, community):
    with pytest.raises(services.IntakeError, match="does not belong"):
        send(roster(AVA), program=community.club_program)


def test_committing_a_large_roster_takes_a_fixed_number_of_queries(
    send, django_assert_max_num_queries
):
    firsts = ["Ava", "Noah", "Mia", "Liam", "Zoe", "Mateo", "Ines", "Kai"]
    lasts = ["Okafor", "Brennan", "Ruiz", "Nguyen", "Park", "Haddad", "Cole"]
    rows = [
        f"{n:05d},{firsts[n % 8]},{lasts[n % 7]}-{n},"
        f"20{10 + n % 9}-{1 + n % 12:02d}-{1 + n % 28:02d},F,5"
        for n in range(600)
    ]
    # Linking the new records against the index adds a fixed number of
    # lookups, whatever the roster's size.
    with django_assert_max_num_queries(70):
        outcome = send(roster(*rows))
    assert outcome.preview.counts()["new"] == 600


def test_known_children_new_to_a_program_count_as_unchanged_not_changed(
    send, community
):
    send(roster(AVA, MIA))
    summer = ProgramFactory(organization=community.district, slug="summer")

    outcome = send(roster(AVA, MIA, LEO), program=summer, as_of=LATER)

    assert outcome.preview.counts() == {
        "new": 1,
        "changed": 0,
        "unchanged": 2,
        "ended": 0,
    }
    (notice,) = [n for n in outcome.preview.notices if n.code == "joined"]
    assert "2 children already known to Riverbend Schools join" in notice.message
    assert "(lines 2, 3)" in notice.message
    assert Enrollment.objects.filter(program=summer, start_date=LATER).count() == 3
    assert outcome.batch.unchanged_count == 2


def test_a_known_child_joining_with_new_details_counts_as_changed(send, community):
    send(roster(AVA))
    summer = ProgramFactory(organization=community.district, slug="summer")

    outcome = send(
        roster("00101,Ava,Okafor,2015-03-07,F,6"), program=summer, as_of=LATER
    )

    assert outcome.preview.counts()["changed"] == 1
    assert "joined" in [n.code for n in outcome.preview.notices]
    assert Enrollment.objects.filter(program=summer).count() == 1


def test_a_blank_name_or_date_of_birth_keeps_what_is_known(send):
    send(roster(AVA, LEO))

    outcome = send(
        roster("00101,,Okafor,,F,5", "00103,Leo,,2014-11-30,M,6"), as_of=LATER
    )

    assert outcome.committed, outcome.preview.errors
    assert outcome.preview.counts()["unchanged"] == 2
    stored = SourceRecord.objects.order_by("local_id").values_list(
        "first_name", "first_name_key", "last_name", "last_name_key", "birth_date"
    )
    assert list(stored) == [
        ("Ava", "ava", "Okafor", "okafor", datetime.date(2015, 3, 7)),
        ("Leo", "leo", "Brennan", "brennan", datetime.date(2014, 11, 30)),
    ]


def test_a_blank_beside_a_real_change_updates_only_the_change(send):
    send(roster(AVA))

    outcome = send(roster("00101,,Okafor-Reyes,,F,5"), as_of=LATER)

    (_, _, fields) = outcome.preview.changed[0]
    assert fields == ["last_name"]
    record = SourceRecord.objects.get()
    assert (record.first_name, record.last_name, record.birth_date) == (
        "Ava",
        "Okafor-Reyes",
        datetime.date(2015, 3, 7),
    )


def test_a_name_first_given_on_a_later_roster_is_stored(send):
    send(roster("00102,,Okafor,,F,5"))

    outcome = send(roster(MIA), as_of=LATER)

    assert outcome.preview.changed[0][2] == ["first_name", "birth_date"]
    record = SourceRecord.objects.get()
    assert (record.first_name, record.birth_date) == ("Mia", datetime.date(2015, 3, 7))


def test_a_roster_as_of_a_day_still_to_come_is_refused(send):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(services.IntakeError, match="a day still to come"):
        send(roster(AVA), as_of=tomorrow)

    assert not RosterBatch.objects.exists()


def test_a_staged_batch_as_of_a_day_to_come_cannot_be_committed(send, community):
    batch = services.stage_roster(
        user=community.district.memberships.get().user,
        organization=community.district,
        program=None,
        filename="roster.csv",
        content=roster(AVA),
    )
    # As a batch staged before future days were refused at staging.
    RosterBatch.objects.filter(pk=batch.pk).update(as_of=datetime.date(2062, 9, 1))
    batch.refresh_from_db()

    outcome = services.commit(batch, batch.uploaded_by)

    assert [e.code for e in outcome.preview.errors] == ["future_as_of"]
    assert SourceRecord.objects.count() == 0


def test_a_child_born_after_the_roster_date_is_a_row_error(send):
    outcome = send(
        roster(AVA, "00104,Noor,Haddad,2026-08-25,F,K"),
        as_of=datetime.date(2026, 8, 24),
    )

    assert not outcome.committed
    (error,) = outcome.preview.errors
    assert (error.code, error.line, error.column) == ("after_as_of", 3, "DOB")


def test_an_organization_not_contributing_rosters_is_refused(community, people):
    with pytest.raises(services.IntakeError, match="not set up to contribute"):
        services.import_roster(
            user=people.outsider,
            organization=community.clinic,
            program=None,
            filename="roster.csv",
            content=roster(AVA),
        )

    assert not RosterBatch.objects.exists()


def test_a_roster_ending_most_of_a_program_warns_before_it_is_committed(send):
    rows = [f"{n:05d},Child{n},Family{n},2015-03-07,F,5" for n in range(13)]
    send(roster(*rows))

    outcome = send(roster(*rows[:2]), as_of=LATER, dry_run=True)

    assert outcome.preview.ok
    (warning,) = outcome.preview.warnings
    assert warning.code == "ends_most_enrollments"
    assert warning.message.startswith(
        "This roster would end 11 of the 13 open enrollments of Enrolled. Is it "
        "really the full roster of Enrolled?"
    )
    summary = services.summary(outcome)
    assert summary["warnings"] == [warning.as_dict()]
    assert outcome.batch.issues["warnings"] == [warning.as_dict()]


@pytest.mark.parametrize("kept", [3, 7])
def test_a_roster_ending_few_or_under_half_gives_no_warning(send, kept):
    # Keeping 3 of 13 ends 10, not more than ten; keeping 7 ends under half.
    rows = [f"{n:05d},Child{n},Family{n},2015-03-07,F,5" for n in range(13)]
    send(roster(*rows))

    outcome = send(roster(*rows[:kept]), as_of=LATER, dry_run=True)

    assert outcome.preview.warnings == []


def test_a_new_upload_discards_the_organizations_stale_staged_batches(
    send, community, people, caplog
):
    def stage(organization, user):
        return services.stage_roster(
            user=user,
            organization=organization,
            program=None,
            filename="killed.csv",
            content=roster(AVA),
            as_of=FIRST_DAY,
        )

    stale = stage(community.district, people.district_staff)
    recent = stage(community.district, people.district_staff)
    other = stage(community.club, people.club_staff)
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    RosterBatch.objects.filter(pk__in=[stale.pk, other.pk]).update(
        uploaded_at=two_days_ago
    )

    caplog.set_level("INFO", logger="braid.intake.services")
    send(roster(MIA), as_of=LATER)

    stale.refresh_from_db()
    assert (stale.status, stale.content) == (BatchStatus.DISCARDED, None)
    assert stale.decided_at is not None
    assert [n["code"] for n in stale.issues["notices"]] == ["stale"]
    statuses = RosterBatch.objects.filter(pk__in=[recent.pk, other.pk])
    assert set(statuses.values_list("status", flat=True)) == {BatchStatus.STAGED}
    assert (
        "discarded 1 stale staged roster batches of organization district"
        in caplog.messages
    )
