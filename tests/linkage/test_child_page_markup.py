"""How the steward's child page writes its errors and its dates."""

import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from braid.children.models import Child
from braid.linkage import decisions
from tests.factories import SourceRecordFactory

DESCRIBED_BY = re.compile(r'aria-describedby="([^"]*)"')


@pytest.fixture
def merged(community, people) -> tuple[Child, Child]:
    """Child A with child B merged into it by the steward."""
    a, b = Child.objects.create(), Child.objects.create()
    SourceRecordFactory(organization=community.district, local_id="A1", child=a)
    SourceRecordFactory(organization=community.clinic, local_id="B1", child=b)
    decisions.merge(a, b, people.steward)
    b.refresh_from_db()
    return a, b


def missing_descriptions(page: str) -> set[str]:
    """Return the ids an aria-describedby names that no element carries."""
    named = {name for found in DESCRIBED_BY.findall(page) for name in found.split()}
    return {name for name in named if f'id="{name}"' not in page}


def test_the_merge_forms_error_is_its_own_element_under_the_named_id(
    client, people, merged
):
    a, _ = merged
    client.force_login(people.steward)

    response = client.post(
        reverse("linkage:merge", args=[a.public_id]), {"other": "NOPE"}
    )

    page = response.content.decode()
    assert 'aria-describedby="id_other_helptext id_other_error"' in page
    assert missing_descriptions(page) == set()
    assert re.search(
        r'<small class="issue-error" id="id_other_error" role="alert">'
        r"No child has the community ID NOPE.</small>",
        page,
    )
    assert re.search(r'<label for="id_other">[^<]*</label>', page)


def test_the_child_page_writes_every_timestamp_one_way(client, people, merged):
    a, b = merged
    client.force_login(people.steward)

    response = client.get(reverse("linkage:child", args=[a.public_id]))

    page = response.content.decode()
    merged_at = timezone.localtime(b.merged_at)
    assert formats.date_format(merged_at, "SHORT_DATETIME_FORMAT") in page
    assert formats.date_format(merged_at, "DATE_FORMAT") not in page
