"""Committing a roster: all of it or nothing, and what it changes."""

import datetime

import pytest

from braid.children.models import Child, SourceRecord
from braid.intake import services
from braid.intake.models import BatchStatus, RosterBatch
from braid.records.models import Enrollment
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

    assert outcome.preview.counts()["changed"] == 1
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
    rows = [f"{n:05d},Child{n},Family{n},2015-03-07,F,5" for n in range(600)]
    with django_assert_max_num_queries(40):
        outcome = send(roster(*rows))
    assert outcome.preview.counts()["new"] == 600
