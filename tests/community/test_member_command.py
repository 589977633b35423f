"""`braid member add`: people, their roles and their passwords."""

import io

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from braid.community.models import Membership
from tests.factories import OrganizationFactory

GOOD_PASSWORD = "river-heron-lantern-42"


@pytest.fixture
def schools(db):
    return OrganizationFactory(name="Riverbend Schools", slug="schools")


@pytest.fixture
def parks(db):
    return OrganizationFactory(name="Parks", slug="parks")


def member(*args: str, stdin: str | None = None, monkeypatch=None) -> str:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("member", *args, stdout=out)
    return out.getvalue()


def test_a_new_user_is_added_with_the_password_given(schools, monkeypatch):
    printed = member(
        "add",
        "maria",
        "--org",
        "schools",
        "--role",
        "staff",
        "--password-stdin",
        stdin=GOOD_PASSWORD + "\n",
        monkeypatch=monkeypatch,
    )

    assert printed == (
        "Added the user maria, with the password given, as staff of schools.\n"
    )
    assert authenticate(username="maria", password=GOOD_PASSWORD)
    assert Membership.objects.get().role == "staff"


def test_a_new_user_without_a_password_is_told_how_to_set_one(schools):
    printed = member("add", "maria", "--org", "schools", "--role", "staff")

    assert "cannot sign in until a password is set" in printed
    assert "braid changepassword maria" in printed
    assert not User.objects.get(username="maria").has_usable_password()


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("a", "too short"),
        ("password123", "too common"),
        ("48213957612", "entirely numeric"),
        ("", "The password is empty"),
        ("\n", "The password is empty"),
    ],
)
def test_a_weak_or_empty_password_is_refused(schools, monkeypatch, password, refusal):
    with pytest.raises(CommandError, match=refusal):
        member(
            "add",
            "maria",
            "--org",
            "schools",
            "--role",
            "staff",
            "--password-stdin",
            stdin=password,
            monkeypatch=monkeypatch,
        )

    assert not User.objects.exists()
    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    ("username", "refusal"),
    [
        ("", "The user name may not be empty"),
        ("bad user name!!", "may hold only letters, digits"),
        ("x" * 151, "longer than 150"),
    ],
)
def test_a_user_name_that_is_not_one_is_refused(schools, username, refusal):
    with pytest.raises(CommandError, match=refusal):
        member("add", username, "--org", "schools", "--role", "staff")

    assert not User.objects.exists()


def test_a_bad_email_is_refused(schools):
    with pytest.raises(CommandError, match="valid email"):
        member("add", "maria", "--org", "schools", "--role", "staff", "--email", "x")

    assert not User.objects.exists()


def test_a_password_for_an_existing_user_is_refused_and_changes_nothing(
    schools, parks, monkeypatch
):
    member("add", "maria", "--org", "schools", "--role", "staff")
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD_PASSWORD + "\n"))

    with pytest.raises(CommandError) as refused:
        member("add", "maria", "--org", "parks", "--role", "staff", "--password-stdin")

    message = str(refused.value)
    assert "The user maria already exists" in message
    assert "password stays as it was" in message
    assert "braid changepassword maria" in message
    assert not User.objects.get(username="maria").has_usable_password()
    assert list(Membership.objects.values_list("organization__slug", flat=True)) == [
        "schools"
    ]


def test_an_existing_user_gets_another_role_and_is_told_the_password_stayed(
    schools, parks
):
    member("add", "maria", "--org", "schools", "--role", "staff")

    printed = member("add", "maria", "--org", "parks", "--role", "analyst")

    assert printed == (
        "maria, an existing user whose password was not changed, is now analyst "
        "of parks.\n"
    )
    assert Membership.objects.filter(user__username="maria").count() == 2


def test_a_role_held_already_is_said_to_change_nothing(schools):
    member("add", "maria", "--org", "schools", "--role", "staff")

    printed = member("add", "maria", "--org", "schools", "--role", "staff")

    assert printed == "maria was already staff of schools; nothing changed.\n"
    assert Membership.objects.count() == 1


def test_an_unknown_organization_is_named(db):
    with pytest.raises(CommandError, match="No organization nowhere"):
        member("add", "maria", "--org", "nowhere", "--role", "staff")
