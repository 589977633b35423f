"""A write refused because SQLite is held by a long commit says to wait."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from braid.intake import services
from tests.factories import PASSWORD
from tests.intake.rosters import AVA, roster


def upload(client, community):
    client.login(username="district-staff", password=PASSWORD)
    return client.post(
        reverse("intake:upload"),
        {
            "organization": community.district.pk,
            "program": community.district_roll.pk,
            "as_of": "2026-09-01",
            "file": SimpleUploadedFile("fall.csv", roster(AVA)),
        },
    )


def test_a_locked_database_is_a_page_saying_to_wait(
    client, people, community, monkeypatch, quiet
):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "stage_roster", locked)

    response = upload(client, community)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Nothing of yours was saved. Try again in a minute." in (
        response.content.decode()
    )
    assert quiet.take() == [
        "braid.busy: POST /intake/upload/ answered 503: the database is busy with "
        "a long write (such as a large roster's commit)",
        "django.request: Service Unavailable: /intake/upload/",
    ]


def test_other_database_errors_are_not_called_busy(
    client, people, community, monkeypatch, quiet
):
    def broken(**kwargs):
        raise OperationalError("no such table: intake_rosterbatch")

    monkeypatch.setattr(services, "stage_roster", broken)
    client.raise_request_exception = False

    response = upload(client, community)

    assert response.status_code == 500
    assert quiet.take() == ["django.request: Internal Server Error: /intake/upload/"]
