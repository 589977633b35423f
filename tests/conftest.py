"""The people every page is tried by, and the community they belong to."""

import logging
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import translation

from braid.community.models import Organization, OrganizationKind, Program, Role
from braid.community.services import add_member
from tests.factories import PASSWORD, OrganizationFactory, ProgramFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Real password hashing costs a third of a second a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_documents(settings, tmp_path):
    # Signed agreements and consent scans a test saves stay with the test.
    settings.MEDIA_ROOT = tmp_path / "documents"


@pytest.fixture(autouse=True)
def english_after():
    # A page asked for in Spanish leaves Spanish active in the thread; the
    # next test's messages would be Spanish.
    yield
    translation.activate(settings.LANGUAGE_CODE)


class LoudRecords(logging.Handler):
    """Collects the warnings and errors logged while a test runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        """Return what was logged as "logger: message", and forget it."""
        taken, self.records = self.records, []
        return [f"{r.name}: {r.getMessage()}" for r in taken]


@pytest.fixture(autouse=True)
def quiet():
    """Fail a test that logs a warning or an error it did not expect.

    A test that expects one asks for this fixture and takes what it expects.
    """
    handler = LoudRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    assert not handler.records, handler.take()


def pytest_configure(config):
    # Braid's console handler would print every log line; the tests read
    # them from caplog instead.
    logging.getLogger("braid").handlers.clear()


@dataclass
class Community:
    backbone: Organization
    district: Organization
    club: Organization
    funder: Organization
    clinic: Organization
    district_roll: Program
    club_program: Program


@dataclass
class People:
    steward: AbstractBaseUser
    district_staff: AbstractBaseUser
    club_staff: AbstractBaseUser
    analyst: AbstractBaseUser
    evaluator: AbstractBaseUser
    parent: AbstractBaseUser
    outsider: AbstractBaseUser

    def all(self) -> dict[str, AbstractBaseUser]:
        return dict(vars(self))


@pytest.fixture
def community(db) -> Community:
    backbone = OrganizationFactory(
        name="Riverbend Collaborative",
        slug="backbone",
        kind=OrganizationKind.OTHER,
        is_backbone=True,
        contributes_roster=False,
        uses_data=True,
    )
    district = OrganizationFactory(
        name="Riverbend Schools", slug="district", kind=OrganizationKind.SCHOOL_DISTRICT
    )
    club = OrganizationFactory(name="Youth Club", slug="club")
    funder = OrganizationFactory(
        name="Community Fund",
        slug="funder",
        kind=OrganizationKind.FUNDER,
        contributes_roster=False,
        uses_data=True,
    )
    clinic = OrganizationFactory(
        name="Eastside Clinic",
        slug="clinic",
        kind=OrganizationKind.HEALTH,
        contributes_roster=False,
    )
    return Community(
        backbone=backbone,
        district=district,
        club=club,
        funder=funder,
        clinic=clinic,
        district_roll=ProgramFactory(
            organization=district, name="Enrolled", slug="enrolled"
        ),
        club_program=ProgramFactory(
            organization=club, name="After school", slug="after-school"
        ),
    )


@pytest.fixture
def people(community: Community) -> People:
    def member(
        username: str, organization: Organization, role: str
    ) -> AbstractBaseUser:
        return add_member(
            username=username, organization=organization, role=role, password=PASSWORD
        )

    return People(
        steward=member("steward", community.backbone, Role.STEWARD),
        district_staff=member("district-staff", community.district, Role.STAFF),
        club_staff=member("club-staff", community.club, Role.STAFF),
        analyst=member("analyst", community.funder, Role.ANALYST),
        evaluator=member("evaluator", community.backbone, Role.EVALUATOR),
        parent=UserFactory(username="parent"),
        outsider=member("outsider", community.clinic, Role.STAFF),
    )


@dataclass
class Admins:
    """An organization admin of each partner, who signs its agreements."""

    district: AbstractBaseUser
    club: AbstractBaseUser
    funder: AbstractBaseUser
    clinic: AbstractBaseUser


@pytest.fixture
def admins(community, people) -> Admins:
    def admin(username: str, organization) -> AbstractBaseUser:
        return add_member(
            username=username,
            organization=organization,
            role=Role.ORG_ADMIN,
            password=PASSWORD,
        )

    return Admins(
        district=admin("district-admin", community.district),
        club=admin("club-admin", community.club),
        funder=admin("funder-admin", community.funder),
        clinic=admin("clinic-admin", community.clinic),
    )
