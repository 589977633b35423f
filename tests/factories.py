"""Factories for test data: generated people only."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from braid.children.models import Child, LinkRule, SourceRecord
from braid.children.normalize import id_key, name_key
from braid.community.models import Membership, Organization, OrganizationKind, Program
from braid.records.models import Enrollment

PASSWORD = "a-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = OrganizationKind.COMMUNITY_PROGRAM
    contributes_roster = True


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "staff"


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child


class SourceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceRecord

    organization = factory.SubFactory(OrganizationFactory)
    local_id = factory.Sequence(lambda n: f"{n:05d}")
    local_id_key = factory.LazyAttribute(lambda r: id_key(r.local_id))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    first_name_key = factory.LazyAttribute(lambda r: name_key(r.first_name))
    last_name_key = factory.LazyAttribute(lambda r: name_key(r.last_name))
    birth_date = datetime.date(2015, 3, 7)
    gender = "F"
    child = factory.SubFactory(ChildFactory)
    link_rule = LinkRule.NEW_CHILD
    linked_at = factory.LazyFunction(timezone.now)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    source_record = factory.SubFactory(SourceRecordFactory)
    organization = factory.LazyAttribute(lambda e: e.source_record.organization)
    program = None
    start_date = datetime.date(2026, 8, 24)
