"""Drafting, signing, ending and restricting agreements: the services."""

import datetime
import logging
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from braid.agreements import services
from braid.agreements.models import (
    Agreement,
    AgreementState,
    LegalBasis,
    Level,
    Purpose,
    Signature,
    Withholding,
)
from braid.community.models import OrganizationKind
from braid.records.models import Category
from tests.agreements.conftest import (
    PDF,
    days,
    make_agreement,
    noon,
    pdf_upload,
    sign_all,
    today,
)


def terms(community, **changes) -> services.Terms:
    values = {
        "title": "Attendance for the fund",
        "contributors": [community.district],
        "recipients": [community.funder],
        "recipient_kinds": [],
        "categories": [Category.ATTENDANCE],
        "level": Level.AGGREGATE,
        "purposes": [Purpose.FUNDER_REPORTING],
        "legal_basis": LegalBasis.CONSENT,
        "starts_on": today(),
        "ends_on": today() + days(365),
        **changes,
    }
    return services.Terms(**values)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def files_in(folder: Path) -> list[str]:
    """Return the names of the files kept there, as the model names them."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file()
    )


class TestDrafting:
    def test_the_steward_drafts_an_agreement(self, community, people):
        agreement = services.create_agreement(
            terms(community, recipient_kinds=[OrganizationKind.CITY_SERVICE]),
            people.steward,
        )

        assert agreement.created_by == people.steward
        assert list(agreement.contributors.all()) == [community.district]
        assert list(agreement.recipients.all()) == [community.funder]
        assert agreement.recipient_kinds == ["city-service"]
        assert agreement.state() == AgreementState.DRAFT

    def test_choices_are_kept_in_their_own_order(self, community, people):
        agreement = services.create_agreement(
            terms(
                community,
                categories=[Category.SERVICES, Category.DEMOGRAPHICS],
                purposes=[Purpose.AUDIT, Purpose.SERVICE_COORDINATION],
            ),
            people.steward,
        )

        assert agreement.categories == ["demographics", "services"]
        assert agreement.purposes == ["service-coordination", "audit"]

    @pytest.mark.parametrize("person", ["district_staff", "analyst", "evaluator"])
    def test_nobody_but_the_steward_drafts(self, community, people, person):
        with pytest.raises(PermissionDenied, match="Only the community's steward"):
            services.create_agreement(terms(community), getattr(people, person))

    def test_an_org_admin_does_not_draft_either(self, community, admins):
        with pytest.raises(PermissionDenied):
            services.create_agreement(terms(community), admins.district)

    def test_a_draft_without_parties_or_choices_names_each_missing_term(
        self, community, people
    ):
        empty = terms(
            community,
            title=" ",
            contributors=[],
            recipients=[],
            categories=[],
            purposes=[],
        )

        with pytest.raises(ValidationError) as excinfo:
            services.create_agreement(empty, people.steward)

        assert errors_of(excinfo) == {
            "title": ["Give the agreement a title."],
            "contributors": ["Choose at least one contributing organization."],
            "recipients": [
                "Choose at least one recipient organization or class of recipients."
            ],
            "categories": ["Choose at least one data category."],
            "purposes": ["Choose at least one purpose."],
        }

    def test_a_class_of_recipients_is_enough_without_named_ones(
        self, community, people
    ):
        agreement = services.create_agreement(
            terms(community, recipients=[], recipient_kinds=[OrganizationKind.FUNDER]),
            people.steward,
        )

        assert agreement.covers_recipient(community.funder)
        assert not agreement.covers_recipient(community.clinic)

    def test_unknown_choices_are_refused(self, community, people):
        wrong = terms(
            community,
            categories=["shoe-size"],
            purposes=["curiosity"],
            recipient_kinds=["alien"],
            level="everything",
            legal_basis="whim",
        )

        with pytest.raises(ValidationError) as excinfo:
            services.create_agreement(wrong, people.steward)

        assert errors_of(excinfo) == {
            "categories": ["Unknown choices: shoe-size."],
            "purposes": ["Unknown choices: curiosity."],
            "recipient_kinds": ["Unknown choices: alien."],
            "level": ["Choose the level granted."],
            "legal_basis": ["Choose the legal basis."],
        }

    def test_the_end_date_must_come_after_the_start(self, community, people):
        backwards = terms(community, ends_on=today(), destruction_on=today())

        with pytest.raises(ValidationError) as excinfo:
            services.create_agreement(backwards, people.steward)

        assert errors_of(excinfo) == {
            "ends_on": ["The end date must come after the start date."],
            "destruction_on": ["The destruction date must come after the start date."],
        }

    def test_dates_outside_1990_to_2100_are_refused(self, community, people):
        wild = terms(
            community,
            starts_on=datetime.date(1, 1, 1),
            ends_on=datetime.date(9999, 12, 31),
            destruction_on=datetime.date(9999, 12, 31),
        )

        with pytest.raises(ValidationError) as excinfo:
            services.create_agreement(wild, people.steward)

        between = "Give a date between 1990-01-01 and 2100-12-31."
        assert errors_of(excinfo) == {
            "starts_on": [between],
            "ends_on": [between],
            "destruction_on": [between],
        }

    def test_an_agreement_runs_for_ten_years_at_most(self, community, people):
        start = datetime.date(2026, 9, 1)
        too_long = terms(community, starts_on=start, ends_on=datetime.date(2036, 9, 2))

        with pytest.raises(ValidationError) as excinfo:
            services.create_agreement(too_long, people.steward)

        assert errors_of(excinfo) == {
            "ends_on": [
                "An agreement runs for at most 10 years: end it by 2036-09-01, "
                "and draft a new one for the time after."
            ]
        }

    def test_ten_years_to_the_day_and_the_edges_of_the_range_are_accepted(
        self, community, people
    ):
        first = terms(
            community,
            starts_on=datetime.date(1990, 1, 1),
            ends_on=datetime.date(2000, 1, 1),
        )
        last = terms(
            community,
            starts_on=datetime.date(2090, 12, 31),
            ends_on=datetime.date(2100, 12, 31),
            destruction_on=datetime.date(2100, 12, 31),
        )

        services.create_agreement(first, people.steward)
        services.create_agreement(last, people.steward)

    def test_a_term_from_29_february_ends_by_28_february(self, community, people):
        leap = terms(
            community,
            starts_on=datetime.date(2028, 2, 29),
            ends_on=datetime.date(2038, 3, 1),
        )

        with pytest.raises(ValidationError, match="end it by 2038-02-28"):
            services.create_agreement(leap, people.steward)

    @pytest.mark.parametrize(
        "basis", [LegalBasis.FERPA_STUDIES, LegalBasis.FERPA_AUDIT]
    )
    def test_a_ferpa_exception_requires_scope_data_list_and_destruction_date(
        self, community, people, basis
    ):
        with pytest.raises(ValidationError) as excinfo:
            services.create_agreement(
                terms(community, legal_basis=basis), people.steward
            )

        errors = errors_of(excinfo)
        assert sorted(errors) == ["data_list", "destruction_on", "scope"]
        label = LegalBasis(basis).label
        assert errors["scope"] == [
            f"Under the {label} the agreement must state its scope: the purpose "
            "and what the study or evaluation covers."
        ]
        assert errors["data_list"] == [
            f"Under the {label} the agreement must list the data disclosed."
        ]
        assert errors["destruction_on"] == [
            f"Under the {label} the agreement must set the date by which the "
            "recipient destroys the data."
        ]

    def test_a_ferpa_exception_with_its_terms_is_drafted(self, community, people):
        agreement = services.create_agreement(
            terms(
                community,
                legal_basis=LegalBasis.FERPA_STUDIES,
                scope="  A study of summer learning loss. ",
                data_list="Reading scores, spring and fall.",
                destruction_on=today() + days(400),
            ),
            people.steward,
        )

        assert agreement.scope == "A study of summer learning loss."
        assert agreement.destruction_on == today() + days(400)

    def test_the_log_names_ids_only(self, community, people, caplog):
        caplog.set_level(logging.INFO, logger="braid.agreements")

        agreement = services.create_agreement(
            terms(community, title="Zebulon's study"), people.steward
        )

        assert caplog.messages == [
            f"agreement {agreement.pk} drafted by user {people.steward.pk}"
        ]


class TestChangingADraft:
    def test_a_draft_nobody_signed_can_be_changed(self, community, people, agreement):
        changed = terms(community, title="Renamed", categories=[Category.SERVICES])

        services.update_draft(agreement, changed, people.steward)

        agreement.refresh_from_db()
        assert agreement.title == "Renamed"
        assert agreement.categories == ["services"]
        assert list(agreement.contributors.all()) == [community.district]

    def test_the_terms_are_frozen_once_a_party_has_signed(
        self, community, people, agreement
    ):
        services.sign(agreement, community.backbone, people.steward)

        with pytest.raises(services.AgreementError, match="its terms are final"):
            services.update_draft(
                agreement, terms(community, title="Renamed"), people.steward
            )

        agreement.refresh_from_db()
        assert agreement.title == "Program evaluation 2026"

    def test_a_change_is_checked_like_a_new_draft(self, community, people, agreement):
        with pytest.raises(ValidationError):
            services.update_draft(
                agreement, terms(community, contributors=[]), people.steward
            )

    def test_only_the_steward_changes_a_draft(self, community, admins, agreement):
        with pytest.raises(PermissionDenied):
            services.update_draft(agreement, terms(community), admins.district)


class TestLifecycle:
    def test_an_agreement_is_a_draft_until_every_party_has_signed(
        self, community, people, admins, agreement
    ):
        services.sign(agreement, community.backbone, people.steward)
        services.sign(agreement, community.district, admins.district)
        services.sign(agreement, community.club, admins.club)
        assert agreement.state() == AgreementState.DRAFT

        services.sign(agreement, community.funder, admins.funder)

        assert agreement.state() == AgreementState.ACTIVE
        assert [s.organization for s in agreement.signatures.all()] == [
            community.backbone,
            community.district,
            community.club,
            community.funder,
        ]

    def test_signed_before_its_start_active_from_it_expired_after_its_end(
        self, community, people
    ):
        agreement = make_agreement(
            community,
            people.steward,
            starts_on=today() + days(10),
            ends_on=today() + days(100),
            destruction_on=None,
            legal_basis=LegalBasis.CONSENT,
        )
        sign_all(agreement, people.steward)

        assert agreement.state(timezone.now()) == AgreementState.SIGNED
        assert agreement.state(noon(today() + days(9))) == AgreementState.SIGNED
        assert agreement.state(noon(today() + days(10))) == AgreementState.ACTIVE
        assert agreement.state(noon(today() + days(100))) == AgreementState.ACTIVE
        assert agreement.state(noon(today() + days(101))) == AgreementState.EXPIRED

    def test_access_ends_by_itself_on_the_destruction_date(self, community, people):
        agreement = make_agreement(
            community,
            people.steward,
            starts_on=today() - days(1),
            ends_on=today() + days(100),
            destruction_on=today() + days(50),
        )
        sign_all(agreement, people.steward)

        assert agreement.state(noon(today() + days(49))) == AgreementState.ACTIVE
        assert agreement.state(noon(today() + days(50))) == AgreementState.EXPIRED

    def test_a_draft_past_its_end_is_expired_not_a_draft(self, community, people):
        agreement = make_agreement(
            community,
            people.steward,
            starts_on=today() - days(400),
            ends_on=today() - days(1),
            destruction_on=None,
            legal_basis=LegalBasis.CONSENT,
        )
        Signature.objects.create(
            agreement=agreement,
            organization=community.backbone,
            signed_by=people.steward,
            signed_at=timezone.now() - days(300),
        )

        assert agreement.state(noon(today() - days(1))) == AgreementState.DRAFT
        assert agreement.state() == AgreementState.EXPIRED

    def test_a_draft_past_its_destruction_date_is_expired(self, community, people):
        agreement = make_agreement(
            community, people.steward, destruction_on=today() + days(5)
        )

        assert agreement.state(noon(today() + days(4))) == AgreementState.DRAFT
        assert agreement.state(noon(today() + days(5))) == AgreementState.EXPIRED

    def test_a_terminated_draft_past_its_end_is_terminated(self, community, people):
        agreement = make_agreement(community, people.steward)
        services.terminate(agreement, people.steward, "Never signed.")

        later = noon(agreement.ends_on + days(1))
        assert agreement.state(later) == AgreementState.TERMINATED

    def test_terminated_it_grants_nothing_from_that_moment(
        self, community, people, active
    ):
        before = timezone.now()

        services.terminate(active, people.steward, "The program closed.")

        active.refresh_from_db()
        assert active.state(before) == AgreementState.ACTIVE
        assert active.state() == AgreementState.TERMINATED
        assert active.state(noon(today() + days(30))) == AgreementState.TERMINATED
        assert active.terminated_by == people.steward
        assert active.termination_reason == "The program closed."

    def test_only_the_window_between_all_signatures_and_the_end_is_active(
        self, community, people, agreement
    ):
        signed_at = timezone.now()
        sign_all(agreement, people.steward, signed_at)
        moments = {
            "before signing": signed_at - days(1),
            "signed": signed_at,
            "last day": noon(agreement.ends_on),
            "after the end": noon(agreement.ends_on + days(1)),
        }

        states = {name: agreement.state(at) for name, at in moments.items()}

        assert states == {
            "before signing": AgreementState.DRAFT,
            "signed": AgreementState.ACTIVE,
            "last day": AgreementState.ACTIVE,
            "after the end": AgreementState.EXPIRED,
        }


class TestSigning:
    def test_an_org_admin_signs_for_their_organization(
        self, community, admins, agreement
    ):
        signature = services.sign(agreement, community.district, admins.district)

        assert signature.signed_by == admins.district
        assert signature.organization == community.district
        assert signature.signed_at <= timezone.now()

    def test_the_steward_signs_for_the_backbone(self, community, people, agreement):
        services.sign(agreement, community.backbone, people.steward)

        assert agreement.signatures.get().organization == community.backbone

    def test_the_steward_does_not_sign_for_a_partner(
        self, community, people, agreement
    ):
        with pytest.raises(PermissionDenied, match="Only an admin of Riverbend"):
            services.sign(agreement, community.district, people.steward)

    def test_staff_do_not_sign(self, community, people, agreement):
        with pytest.raises(PermissionDenied):
            services.sign(agreement, community.district, people.district_staff)

    def test_an_admin_signs_only_for_their_own_organization(
        self, community, admins, agreement
    ):
        with pytest.raises(PermissionDenied):
            services.sign(agreement, community.club, admins.district)

    def test_an_organization_outside_the_agreement_does_not_sign(
        self, community, admins, agreement
    ):
        with pytest.raises(PermissionDenied, match="is not a party"):
            services.sign(agreement, community.clinic, admins.clinic)

    def test_a_party_signs_once(self, community, admins, agreement):
        services.sign(agreement, community.district, admins.district)

        with pytest.raises(services.AgreementError, match="already signed"):
            services.sign(agreement, community.district, admins.district)

        assert Signature.objects.count() == 1

    def test_a_terminated_agreement_is_not_signed(
        self, community, people, admins, agreement
    ):
        services.terminate(agreement, people.steward, "Drafted by mistake.")

        with pytest.raises(services.AgreementError, match="terminated"):
            services.sign(agreement, community.district, admins.district)

    def test_an_agreement_past_its_end_is_not_signed(self, community, people, admins):
        old = make_agreement(
            community,
            people.steward,
            starts_on=today() - days(400),
            ends_on=today() - days(1),
            destruction_on=today(),
        )

        with pytest.raises(services.AgreementError, match="has ended"):
            services.sign(old, community.district, admins.district)

    def test_an_agreement_past_its_destruction_date_is_not_signed(
        self, community, people, admins
    ):
        destroyed = make_agreement(
            community,
            people.steward,
            starts_on=today() - days(100),
            ends_on=today() + days(100),
            destruction_on=today(),
        )

        with pytest.raises(services.AgreementError, match="destruction date"):
            services.sign(destroyed, community.district, admins.district)

        assert not destroyed.signatures.exists()


class TestTerminating:
    def test_a_reason_is_required(self, people, active):
        with pytest.raises(ValidationError) as excinfo:
            services.terminate(active, people.steward, "  ")

        assert errors_of(excinfo) == {
            "reason": ["Say why the agreement is terminated."]
        }
        active.refresh_from_db()
        assert active.terminated_at is None

    def test_an_admin_of_a_party_may_end_it(self, admins, active):
        services.terminate(active, admins.funder, "The grant ended.")

        assert active.state() == AgreementState.TERMINATED

    @pytest.mark.parametrize("person", ["district_staff", "analyst", "outsider"])
    def test_others_may_not(self, people, active, person):
        with pytest.raises(PermissionDenied):
            services.terminate(active, getattr(people, person), "No.")

    def test_an_admin_outside_the_agreement_may_not(self, admins, active):
        with pytest.raises(PermissionDenied):
            services.terminate(active, admins.clinic, "No.")

    def test_it_is_terminated_once(self, people, active):
        services.terminate(active, people.steward, "Once.")

        with pytest.raises(services.AgreementError, match="already been terminated"):
            services.terminate(active, people.steward, "Twice.")


class TestDocument:
    def test_the_signed_pdf_is_kept_under_a_name_of_its_own(
        self, people, agreement, documents
    ):
        services.attach_document(
            agreement, pdf_upload(name="Jane Doe.pdf"), people.steward
        )

        agreement.refresh_from_db()
        assert agreement.document.name.startswith("agreements/agreement-")
        assert "Jane" not in agreement.document.name
        assert (documents / agreement.document.name).read_bytes() == PDF

    def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(
        self, people, agreement
    ):
        fake = pdf_upload(b"PK\x03\x04 a zip file", name="agreement.pdf")

        with pytest.raises(ValidationError, match="The file is not a PDF"):
            services.attach_document(agreement, fake, people.steward)

        agreement.refresh_from_db()
        assert not agreement.document

    def test_a_file_over_the_size_cap_is_refused(self, people, agreement, monkeypatch):
        monkeypatch.setattr(services, "MAX_DOCUMENT_BYTES", 10)

        with pytest.raises(ValidationError, match="the largest document accepted"):
            services.attach_document(agreement, pdf_upload(), people.steward)

    def test_only_the_steward_attaches_it(self, admins, agreement):
        with pytest.raises(PermissionDenied):
            services.attach_document(agreement, pdf_upload(), admins.district)

    def test_once_a_party_has_signed_the_document_is_final(
        self, community, people, agreement, documents
    ):
        services.attach_document(agreement, pdf_upload(), people.steward)
        services.sign(agreement, community.backbone, people.steward)

        with pytest.raises(services.AgreementError, match="draft a new agreement"):
            services.attach_document(
                agreement, pdf_upload(PDF + b"% forged\n"), people.steward
            )

        agreement.refresh_from_db()
        assert (documents / agreement.document.name).read_bytes() == PDF
        assert files_in(documents) == [agreement.document.name]

    def test_a_signed_agreement_without_a_document_takes_one(
        self, people, active, documents
    ):
        services.attach_document(active, pdf_upload(), people.steward)

        active.refresh_from_db()
        assert files_in(documents) == [active.document.name]

    def test_a_drafts_document_is_replaced_and_the_old_file_removed(
        self, people, agreement, documents, django_capture_on_commit_callbacks
    ):
        services.attach_document(agreement, pdf_upload(), people.steward)
        newer = PDF + b"% second draft\n"

        with django_capture_on_commit_callbacks(execute=True):
            services.attach_document(agreement, pdf_upload(newer), people.steward)

        agreement.refresh_from_db()
        assert files_in(documents) == [agreement.document.name]
        assert (documents / agreement.document.name).read_bytes() == newer

    def test_a_replacement_that_fails_keeps_the_old_file(
        self, people, agreement, documents, django_capture_on_commit_callbacks
    ):
        services.attach_document(agreement, pdf_upload(), people.steward)
        kept = Agreement.objects.get(pk=agreement.pk).document.name

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            services.attach_document(
                agreement, pdf_upload(PDF + b"% lost\n"), people.steward
            )
            raise RuntimeError("the request failed after the upload")

        assert callbacks == []
        assert (documents / kept).read_bytes() == PDF
        assert Agreement.objects.get(pk=agreement.pk).document.name == kept


class TestWithholding:
    def test_a_contributor_withholds_a_category_from_a_recipient(
        self, community, admins, active
    ):
        withholding = services.withhold(
            active,
            community.district,
            Category.ASSESSMENTS,
            community.funder,
            admins.district,
            "Scores are not final.",
        )

        now = timezone.now()
        assert withholding.in_force(now)
        assert withholding.covers(Category.ASSESSMENTS, community.funder)
        assert not withholding.covers(Category.ATTENDANCE, community.funder)
        assert not withholding.covers(Category.ASSESSMENTS, community.club)
        assert withholding.started_by == admins.district

    def test_withholding_everything_covers_every_category_and_recipient(
        self, community, admins, active
    ):
        withholding = services.withhold(active, community.club, "", None, admins.club)

        assert withholding.covers(Category.ATTENDANCE, community.funder)
        assert withholding.covers(Category.ASSESSMENTS, community.clinic)

    def test_lifting_ends_it_from_that_moment_and_keeps_the_record(
        self, community, admins, active
    ):
        withholding = services.withhold(
            active, community.district, "", None, admins.district
        )
        before = timezone.now()

        services.lift(withholding, admins.district)

        withholding.refresh_from_db()
        assert withholding.in_force(before)
        assert not withholding.in_force(timezone.now())
        assert withholding.lifted_by == admins.district
        assert Withholding.objects.count() == 1

    def test_only_an_admin_of_the_contributor_withholds(
        self, community, people, admins, active
    ):
        for user in (people.district_staff, people.steward, admins.club):
            with pytest.raises(PermissionDenied):
                services.withhold(active, community.district, "", None, user)

    def test_a_recipient_is_not_a_contributor(self, community, admins, active):
        with pytest.raises(PermissionDenied, match="does not contribute"):
            services.withhold(active, community.funder, "", None, admins.funder)

    def test_a_category_the_agreement_does_not_share_is_refused(
        self, community, admins, active
    ):
        with pytest.raises(ValidationError, match="does not share that category"):
            services.withhold(
                active, community.district, Category.SERVICES, None, admins.district
            )

    def test_a_recipient_the_agreement_does_not_cover_is_refused(
        self, community, admins, active
    ):
        with pytest.raises(ValidationError, match="Eastside Clinic receives nothing"):
            services.withhold(
                active, community.district, "", community.clinic, admins.district
            )

    def test_the_same_withholding_is_not_made_twice(self, community, admins, active):
        services.withhold(active, community.district, "", None, admins.district)

        with pytest.raises(services.AgreementError, match="already withheld"):
            services.withhold(active, community.district, "", None, admins.district)

    def test_only_the_contributors_admin_lifts_it(
        self, community, people, admins, active
    ):
        withholding = services.withhold(
            active, community.district, "", None, admins.district
        )

        for user in (people.steward, admins.club, people.district_staff):
            with pytest.raises(PermissionDenied):
                services.lift(withholding, user)

    def test_a_withholding_is_lifted_once(self, community, admins, active):
        withholding = services.withhold(
            active, community.district, "", None, admins.district
        )
        services.lift(withholding, admins.district)

        with pytest.raises(services.AgreementError, match="already been lifted"):
            services.lift(withholding, admins.district)
