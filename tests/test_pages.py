"""Every page, tried by each kind of person."""

import pytest
from django.urls import reverse

from braid.intake import services
from tests.factories import PASSWORD
from tests.intake.rosters import AVA, MIA, roster

PEOPLE = [
    "steward",
    "district_staff",
    "club_staff",
    "analyst",
    "evaluator",
    "parent",
    "outsider",
]

# What each person gets from each page: 200 shown, 403 refused, 404 not there
# for them.
EXPECTED = {
    "home": dict.fromkeys(PEOPLE, 200),
    "intake:upload": {
        **dict.fromkeys(PEOPLE, 403),
        "district_staff": 200,
        "club_staff": 200,
    },
    "intake:list": {
        **dict.fromkeys(PEOPLE, 403),
        "steward": 200,
        "district_staff": 200,
        "club_staff": 200,
        "outsider": 200,
    },
    "children:list": {
        **dict.fromkeys(PEOPLE, 403),
        "district_staff": 200,
        "club_staff": 200,
        "outsider": 200,
    },
    "reporter:counts": {
        **dict.fromkeys(PEOPLE, 403),
        "steward": 200,
        "analyst": 200,
        "evaluator": 200,
    },
    "reporter:export": {
        **dict.fromkeys(PEOPLE, 403),
        "steward": 200,
        "analyst": 200,
        "evaluator": 200,
    },
    "batch": {
        **dict.fromkeys(PEOPLE, 404),
        "steward": 200,
        "district_staff": 200,
    },
}


@pytest.fixture
def committed_batch(community, people):
    return services.import_roster(
        user=people.district_staff,
        organization=community.district,
        program=community.district_roll,
        filename="roster.csv",
        content=roster(AVA, MIA),
    ).batch


def url_of(page, batch):
    if page == "batch":
        return reverse("intake:batch", args=[batch.pk])
    return reverse(page)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("page", list(EXPECTED))
def test_each_person_gets_what_their_role_allows(
    client, people, committed_batch, page, person, quiet
):
    client.login(username=getattr(people, person).get_username(), password=PASSWORD)

    response = client.get(url_of(page, committed_batch))

    assert response.status_code == EXPECTED[page][person]
    if response.status_code != 200:
        # Django logs every refusal; that one is expected here.
        (logged,) = quiet.take()
        assert logged.startswith("django.request: ")


@pytest.mark.parametrize("page", list(EXPECTED))
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(
    client, committed_batch, page
):
    response = client.get(url_of(page, committed_batch))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_contributor_sees_its_own_children_by_name(client, people, committed_batch):
    client.login(username="district-staff", password=PASSWORD)

    page = client.get(reverse("children:list")).content.decode()

    assert "Okafor" in page


def test_another_organizations_staff_sees_none_of_its_children(
    client, people, committed_batch
):
    client.login(username="club-staff", password=PASSWORD)

    page = client.get(reverse("children:list")).content.decode()

    assert "Okafor" not in page


def test_the_steward_sees_a_batch_outcome_without_names(
    client, people, committed_batch
):
    client.login(username="steward", password=PASSWORD)

    page = client.get(
        reverse("intake:batch", args=[committed_batch.pk])
    ).content.decode()

    assert committed_batch.checksum in page
    assert "Okafor" not in page


@pytest.mark.parametrize(
    "path",
    ["vendor/pico/pico.min.css", "vendor/htmx/htmx.min.js", "braid/braid.css"],
)
def test_the_vendored_styles_and_scripts_are_served_by_braid_itself(client, path):
    from django.templatetags.static import static

    response = client.get(static(path))

    assert response.status_code == 200
    body = response.streaming_content if response.streaming else [response.content]
    assert b"".join(body)
