"""The steward's home page: the community's counts and how records mapped."""

import pytest
from django.urls import reverse

from braid.children.models import LinkRule
from tests.factories import ChildFactory, SourceRecordFactory


def records(community, rule: str, count: int) -> None:
    for _ in range(count):
        SourceRecordFactory(organization=community.club, link_rule=rule)


@pytest.fixture
def mapped(community):
    """District records, each joined by a club record in one way or another."""
    for rule, count in [
        (LinkRule.MODEL, 3),
        (LinkRule.HUMAN, 1),
        (LinkRule.NEW_CHILD, 2),
    ]:
        for _ in range(count):
            child = ChildFactory()
            SourceRecordFactory(organization=community.district, child=child)
            SourceRecordFactory(
                organization=community.club, child=child, link_rule=rule
            )


def home_text(client, people) -> str:
    client.force_login(people.steward)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_mapping_says_how_each_record_came_to_its_child(client, people, mapped):
    text = home_text(client, people)

    assert "How the 12 source records came to their children:" in text
    assert "3 records were linked automatically: the linkage model" in text
    assert "1 record was placed by a person's decision" in text
    # The district's six records and the club's two that matched nothing.
    assert "8 records each started a new child" in text
    assert "same name and date of birth" not in text
    assert "6</span>children known to more than one organization" in text


def test_links_by_the_same_name_and_date_of_birth_are_told_when_there_are_some(
    client, people, community
):
    records(community, LinkRule.EXACT_NAME_DOB, 1)

    text = home_text(client, people)

    assert "1 record was linked by the same name and date of birth" in text
    assert "1 record started a new child" not in text
    assert "0 records each started a new child" in text


def test_a_community_without_records_is_told_so(client, people):
    text = home_text(client, people)

    assert "No source record yet" in text
    assert "linked automatically" not in text


@pytest.mark.parametrize("count", [1, 20])
def test_the_steward_home_takes_a_fixed_number_of_queries(
    client, people, community, count, django_assert_num_queries
):
    for rule in LinkRule.values:
        records(community, rule, count)
    client.force_login(people.steward)

    with django_assert_num_queries(12):
        client.get(reverse("home"))
