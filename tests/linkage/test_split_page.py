"""What the child's page says after a split, in English and in Spanish."""

import pytest
from django.urls import reverse

from braid.children.models import Child, SourceRecord
from braid.linkage import decisions
from tests.factories import SourceRecordFactory


@pytest.fixture
def merged_into_a(community, people):
    """Child A (a1, a2) with child B (b1) merged into it."""
    a, b = Child.objects.create(), Child.objects.create()
    a1 = SourceRecordFactory(organization=community.district, local_id="A1", child=a)
    a2 = SourceRecordFactory(organization=community.club, local_id="A2", child=a)
    b1 = SourceRecordFactory(organization=community.clinic, local_id="B1", child=b)
    decisions.merge(a, b, people.steward)
    return a, b, (a1, a2, b1)


def split(client, child: Child, records, **extra):
    return client.post(
        reverse("linkage:split", args=[child.public_id]),
        {"records": [r.pk for r in records]},
        follow=True,
        **extra,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_split_that_sends_the_merged_records_back_says_so(
    client, people, merged_into_a
):
    a, b, (a1, a2, _) = merged_into_a
    client.force_login(people.steward)

    response = split(client, a, [a1, a2])

    assert messages_of(response) == [
        f"The 1 record child {b.public_id} brought in by a merge went back to it; "
        f"the records you chose keep ID {a.public_id}."
    ]


def test_a_split_of_the_merged_records_names_the_child_they_went_back_to(
    client, people, merged_into_a
):
    a, b, (_, _, b1) = merged_into_a
    client.force_login(people.steward)

    response = split(client, a, [b1])

    assert messages_of(response) == [f"1 record separated into child {b.public_id}."]


def test_the_message_is_in_spanish(client, people, merged_into_a):
    a, b, (a1, a2, _) = merged_into_a
    client.force_login(people.steward)

    response = split(client, a, [a1, a2], HTTP_ACCEPT_LANGUAGE="es")

    [message] = messages_of(response)
    assert message.startswith("El 1 registro que el niño")
    assert b.public_id in message and a.public_id in message


def test_a_record_a_person_placed_shows_no_weight_from_an_earlier_link(
    client, community, people
):
    a = Child.objects.create()
    record = SourceRecordFactory(
        organization=community.district, child=a, link_rule="model", link_weight=31.9
    )
    b = SourceRecordFactory(organization=community.club)
    decisions.merge(a, b.child, people.steward)
    SourceRecord.objects.filter(pk=record.pk).update(link_rule="human")
    client.force_login(people.steward)

    page = client.get(reverse("linkage:child", args=[a.public_id])).content.decode()

    assert "Decided by a person" in page and "31.9" not in page
