"""Committing a staged roster from its page, and what the page says after."""

from django.urls import reverse

from braid.intake import services
from braid.intake.models import BatchStatus
from tests.factories import PASSWORD
from tests.intake.rosters import AVA, MIA, roster


def stage(people, community, *rows: str):
    return services.stage_roster(
        user=people.district_staff,
        organization=community.district,
        program=community.district_roll,
        filename="roster.csv",
        content=roster(*rows),
    )


def commit(client, batch) -> str:
    client.login(username="district-staff", password=PASSWORD)
    response = client.post(reverse("intake:commit", args=[batch.pk]), follow=True)
    return response.content.decode()


def test_the_commit_says_how_the_records_were_linked(client, people, community):
    batch = stage(people, community, AVA, MIA)

    page = commit(client, batch)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    assert (
        "The roster is committed. Linking: 0 records joined children already "
        "known, 2 new children, 0 pairs for review, 0 possible duplicates."
    ) in page


def test_one_new_child_is_said_in_the_singular(client, people, community):
    page = commit(client, stage(people, community, AVA))

    assert "1 new child," in page
    assert "1 new children" not in page


def test_records_linked_again_are_counted_on_the_page(client, people, community):
    commit(client, stage(people, community, "00101,Quinn,Yarrow,2011-09-09,F,5"))
    services.import_roster(
        user=people.club_staff,
        organization=community.club,
        program=community.club_program,
        filename="club.csv",
        content=roster("c1,Ava,Okafor,2015-03-07,F,5"),
    )

    page = commit(client, stage(people, community, AVA))

    assert "1 changed record linked again, 1 record moved to another child" in page


def test_another_organizations_staff_cannot_commit(client, people, community, quiet):
    batch = stage(people, community, AVA)
    client.login(username="club-staff", password=PASSWORD)

    response = client.post(reverse("intake:commit", args=[batch.pk]))

    assert response.status_code == 404
    assert quiet.take() == [f"django.request: Not Found: /intake/{batch.pk}/commit/"]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.STAGED
