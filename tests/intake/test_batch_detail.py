"""The page of one roster: its preview before commit, its outcome after."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from braid.intake import services
from tests.factories import PASSWORD
from tests.intake.rosters import AVA, roster


@pytest.fixture
def staged(community, people):
    return services.stage_roster(
        user=people.district_staff,
        organization=community.district,
        program=community.district_roll,
        filename="roster.csv",
        content=roster(AVA, "00102,,Okafor,,F,5", "00103,Leo,,2014-11-30,M,6"),
    )


def test_the_preview_shows_a_dash_where_a_name_or_date_is_not_given(
    client, people, staged
):
    client.login(username="district-staff", password=PASSWORD)

    page = client.get(reverse("intake:batch", args=[staged.pk])).content.decode()

    assert "<td>— Okafor</td><td>—</td>" in page
    assert "<td>Leo —</td><td>2014-11-30</td>" in page
    assert "None" not in page
    assert "1 row has no date of birth (line 3)" in page
    assert "1 row has no first name (line 3)" in page
    assert "1 row has no last name (line 4)" in page


def test_the_steward_sees_what_a_staged_batch_would_change_but_not_its_rows(
    client, people, staged
):
    client.login(username="steward", password=PASSWORD)

    page = client.get(reverse("intake:batch", args=[staged.pk])).content.decode()

    assert '<span class="number" id="count-new">3</span>' in page
    assert "The staff of Riverbend Schools have not committed this roster" in page
    assert "Okafor" not in page
    assert 'id="commit"' not in page
    assert reverse("intake:discard", args=[staged.pk]) not in page


def test_the_roster_list_does_not_show_zero_counts_for_a_staged_batch(
    client, people, staged
):
    client.login(username="steward", password=PASSWORD)

    page = client.get(reverse("intake:list")).content.decode()

    assert "Counted once committed or rejected" in page


def test_a_roster_ending_most_of_the_program_is_flagged_above_the_commit_button(
    client, community, people
):
    rows = [f"{n:05d},Child{n},Family{n},2015-03-07,F,5" for n in range(12)]
    services.import_roster(
        user=people.district_staff,
        organization=community.district,
        program=community.district_roll,
        filename="fall.csv",
        content=roster(*rows),
        as_of=datetime.date(2026, 9, 1),
    )
    batch = services.stage_roster(
        user=people.district_staff,
        organization=community.district,
        program=community.district_roll,
        filename="three.csv",
        content=roster(*rows[:1]),
        as_of=datetime.date(2026, 10, 1),
    )
    client.login(username="district-staff", password=PASSWORD)

    page = client.get(reverse("intake:batch", args=[batch.pk])).content.decode()

    warning = page.index("This roster would end 11 of the 12 open enrollments")
    assert page.rindex('role="alert"', 0, warning) > page.index("count-ended")
    assert warning < page.index('id="commit"')


def test_the_upload_forms_date_is_one_a_date_field_reads_in_any_language(
    client, people
):
    client.login(username="district-staff", password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    page = client.get(reverse("intake:upload")).content.decode()

    assert f'value="{timezone.localdate().isoformat()}"' in page
