"""The agreement pages, tried by each kind of person."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from braid.agreements import services
from braid.agreements.models import Agreement, AgreementState, Signature, Withholding
from braid.community.models import OrganizationKind, Role
from braid.community.services import add_member
from braid.records.models import Category
from tests.agreements.conftest import (
    PDF,
    days,
    make_agreement,
    pdf_upload,
    sign_all,
    today,
)
from tests.factories import PASSWORD, OrganizationFactory

# Who reads an agreement between the backbone, the district, the club and
# the funder: every member of a party, whatever the role.
READERS = ["steward", "district_admin", "district_staff", "analyst", "evaluator"]


@pytest.fixture
def person(people, admins):
    def find(name: str):
        if name.endswith("_admin"):
            return getattr(admins, name.removesuffix("_admin"))
        return getattr(people, name)

    return find


def page_of(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def detail(agreement: Agreement) -> str:
    return reverse("agreements:detail", args=[agreement.pk])


def form_data(community, **changes) -> dict[str, object]:
    return {
        "title": "Summer learning study",
        "contributors": [community.district.pk],
        "recipients": [community.funder.pk],
        "categories": ["attendance", "assessments"],
        "level": "deidentified",
        "purposes": ["research-study"],
        "legal_basis": "ferpa-studies",
        "starts_on": today().isoformat(),
        "ends_on": (today() + days(365)).isoformat(),
        "scope": "Summer learning loss in grades 3 to 5.",
        "data_list": "Spring and fall reading scores.",
        "destruction_on": (today() + days(400)).isoformat(),
        **changes,
    }


@pytest.fixture
def by_class(community, people) -> Agreement:
    """An active agreement from the district to every funder, none named."""
    agreement = make_agreement(
        community,
        people.steward,
        title="District data for every funder",
        contributors=[community.district],
        recipients=[],
        recipient_kinds=[OrganizationKind.FUNDER],
    )
    sign_all(agreement, people.steward, timezone.now() - days(1))
    return agreement


class TestWhoReadsAgreements:
    @pytest.mark.parametrize("name", READERS)
    def test_members_of_a_party_read_the_list_and_the_agreement(
        self, client, person, agreement, name
    ):
        client.force_login(person(name))

        listed = client.get(reverse("agreements:list"))
        shown = client.get(detail(agreement))

        assert listed.status_code == 200
        assert "Program evaluation 2026" in page_of(listed)
        assert shown.status_code == 200
        assert "Program evaluation 2026" in page_of(shown)

    @pytest.mark.parametrize("name", ["clinic_admin", "outsider"])
    def test_members_of_other_organizations_do_not_see_it_at_all(
        self, client, person, agreement, quiet, name
    ):
        client.force_login(person(name))

        listed = client.get(reverse("agreements:list"))
        shown = client.get(detail(agreement))
        document = client.get(reverse("agreements:document", args=[agreement.pk]))

        assert listed.status_code == 200
        assert "Program evaluation 2026" not in page_of(listed)
        assert "No agreements yet." in page_of(listed)
        assert shown.status_code == 404
        assert document.status_code == 404
        assert len(quiet.take()) == 2

    def test_a_person_of_no_organization_may_not_open_the_list(
        self, client, people, agreement, quiet
    ):
        client.force_login(people.parent)

        listed = client.get(reverse("agreements:list"))
        shown = client.get(detail(agreement))

        assert listed.status_code == 403
        assert "you belong to none" in page_of(listed)
        assert shown.status_code == 404
        assert len(quiet.take()) == 2

    def test_a_named_recipients_members_read_only_their_own_agreements(
        self, client, community, people, agreement, quiet
    ):
        other = make_agreement(
            community,
            people.steward,
            title="Clinic referrals",
            recipients=[community.clinic],
        )
        client.force_login(people.analyst)

        page = page_of(client.get(reverse("agreements:list")))

        assert "Program evaluation 2026" in page
        assert "Clinic referrals" not in page
        assert client.get(detail(other)).status_code == 404
        assert len(quiet.take()) == 1

    def test_members_of_an_organization_in_a_class_of_recipients_read_it(
        self, client, community, people, admins, by_class
    ):
        services.attach_document(by_class, pdf_upload(), people.steward)
        another_funder = OrganizationFactory(kind=OrganizationKind.FUNDER)
        newcomer = add_member(
            username="second-fund-staff",
            organization=another_funder,
            role=Role.STAFF,
            password=PASSWORD,
        )

        for reader in [admins.funder, people.analyst, newcomer]:
            client.force_login(reader)
            listed = client.get(reverse("agreements:list"))
            shown = client.get(detail(by_class))
            document = client.get(reverse("agreements:document", args=[by_class.pk]))

            assert "District data for every funder" in page_of(listed)
            assert shown.status_code == 200
            assert document.status_code == 200
            assert b"".join(document.streaming_content) == PDF

    def test_a_class_recipient_signs_nothing_and_ends_nothing(
        self, client, admins, by_class
    ):
        client.force_login(admins.funder)

        page = page_of(client.get(detail(by_class)))

        assert "Sign the agreement" not in page
        assert "Terminate the agreement" not in page
        assert "Withhold data" not in page

    def test_organizations_of_another_class_do_not_see_it(
        self, client, admins, by_class, quiet
    ):
        client.force_login(admins.clinic)

        listed = client.get(reverse("agreements:list"))
        shown = client.get(detail(by_class))
        document = client.get(reverse("agreements:document", args=[by_class.pk]))

        assert "District data for every funder" not in page_of(listed)
        assert shown.status_code == 404
        assert document.status_code == 404
        assert len(quiet.take()) == 2

    @pytest.mark.parametrize(
        "name,args",
        [
            ("agreements:list", []),
            ("agreements:create", []),
            ("agreements:detail", ["pk"]),
            ("agreements:edit", ["pk"]),
            ("agreements:document", ["pk"]),
        ],
    )
    def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(
        self, client, agreement, name, args
    ):
        url = reverse(name, args=[agreement.pk for _ in args])

        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("name", ["sign", "terminate", "attach", "withhold"])
    def test_a_visitor_who_is_not_signed_in_changes_nothing(
        self, client, agreement, name
    ):
        response = client.post(reverse(f"agreements:{name}", args=[agreement.pk]))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert not Signature.objects.exists()


class TestTheList:
    def test_each_agreement_is_listed_with_its_state_now(
        self, client, community, people, agreement, active
    ):
        client.force_login(people.steward)

        response = client.get(reverse("agreements:list"))

        states = {row["agreement"].pk: row["state"] for row in response.context["rows"]}
        assert states == {
            agreement.pk: AgreementState.DRAFT,
            active.pk: AgreementState.ACTIVE,
        }
        page = page_of(response)
        assert "Active evaluation" in page and "Draft" in page
        assert "Riverbend Schools, Youth Club" in page
        assert "Draft an agreement" in page

    def test_the_list_is_filtered_by_state(self, client, people, agreement, active):
        client.force_login(people.steward)

        response = client.get(reverse("agreements:list"), {"state": "active"})

        assert [row["agreement"] for row in response.context["rows"]] == [active]
        assert "Program evaluation 2026" not in page_of(response)

    def test_a_state_with_no_agreement_says_so(self, client, people, agreement):
        client.force_login(people.steward)

        response = client.get(reverse("agreements:list"), {"state": "terminated"})

        assert "No agreement is in this state." in page_of(response)

    def test_an_unknown_state_shows_them_all(self, client, people, agreement, active):
        client.force_login(people.steward)

        response = client.get(reverse("agreements:list"), {"state": "nonsense"})

        assert len(response.context["rows"]) == 2

    def test_only_the_steward_is_offered_a_new_draft(self, client, admins, agreement):
        client.force_login(admins.district)

        page = page_of(client.get(reverse("agreements:list")))

        assert "Draft an agreement" not in page

    def test_the_list_asks_the_database_a_bounded_number_of_times(
        self, client, community, people, django_assert_max_num_queries
    ):
        for n in range(5):
            make_agreement(community, people.steward, title=f"Agreement {n}")
        client.force_login(people.steward)
        client.get(reverse("agreements:list"))

        # Session, user, memberships and their programs, agreements and three
        # prefetches; the model's parties() looks the backbone up once for
        # each agreement listed.
        with django_assert_max_num_queries(8 + 5):
            response = client.get(reverse("agreements:list"))

        assert len(response.context["rows"]) == 5

    def test_a_class_recipients_list_asks_a_bounded_number_of_times(
        self, client, community, people, admins, django_assert_num_queries
    ):
        def list_as_funder(rows: int) -> None:
            client.force_login(admins.funder)
            client.get(reverse("agreements:list"))
            # Session, user, memberships and their programs, the classes of
            # every agreement, agreements and three prefetches; parties()
            # looks the backbone up once for each agreement listed.
            with django_assert_num_queries(9 + rows):
                response = client.get(reverse("agreements:list"))
            assert len(response.context["rows"]) == rows

        for n in range(2):
            make_agreement(
                community,
                people.steward,
                title=f"For funders {n}",
                recipients=[],
                recipient_kinds=[OrganizationKind.FUNDER],
            )
        list_as_funder(2)
        for n in range(4):
            make_agreement(
                community,
                people.steward,
                title=f"More for funders {n}",
                recipients=[],
                recipient_kinds=[OrganizationKind.FUNDER, OrganizationKind.HEALTH],
            )
            make_agreement(community, people.steward, title=f"Named {n}")

        list_as_funder(10)


class TestDrafting:
    @pytest.mark.parametrize(
        "name", ["district_admin", "district_staff", "analyst", "evaluator"]
    )
    def test_nobody_but_the_steward_opens_the_form(
        self, client, person, agreement, quiet, name
    ):
        client.force_login(person(name))

        new = client.get(reverse("agreements:create"))
        edit = client.get(reverse("agreements:edit", args=[agreement.pk]))
        posted = client.post(reverse("agreements:create"), {"title": "Mine"})

        assert (new.status_code, edit.status_code, posted.status_code) == (
            403,
            403,
            403,
        )
        assert Agreement.objects.count() == 1
        assert len(quiet.take()) == 3

    def test_the_form_offers_each_choice_as_a_checkbox(self, client, people):
        client.force_login(people.steward)

        page = page_of(client.get(reverse("agreements:create")))

        assert 'type="checkbox" name="categories" value="guardian-contact"' in page
        assert 'type="checkbox" name="purposes" value="funder-reporting"' in page
        assert 'type="checkbox" name="recipient_kinds" value="funder"' in page
        assert 'type="checkbox" name="contributors"' in page
        assert 'type="radio" name="legal_basis" value="ferpa-studies"' in page
        assert "csrfmiddlewaretoken" in page

    def test_the_steward_drafts_an_agreement(self, client, community, people):
        client.force_login(people.steward)

        response = client.post(
            reverse("agreements:create"), form_data(community), follow=True
        )

        agreement = Agreement.objects.get()
        assert response.redirect_chain == [(detail(agreement), 302)]
        assert messages_of(response) == [
            "The draft is saved. Each party signs it next."
        ]
        assert agreement.legal_basis == "ferpa-studies"
        assert list(agreement.contributors.all()) == [community.district]
        assert agreement.created_by == people.steward

    def test_each_missing_term_is_named_by_its_field(self, client, community, people):
        client.force_login(people.steward)
        data = form_data(community, scope="", data_list="", destruction_on="")
        del data["contributors"], data["categories"]

        response = client.post(reverse("agreements:create"), data)

        assert response.status_code == 200
        form = response.context["form"]
        assert set(form.errors) == {
            "contributors",
            "categories",
            "scope",
            "data_list",
            "destruction_on",
        }
        page = page_of(response)
        assert "Choose at least one contributing organization." in page
        assert "Choose at least one data category." in page
        assert not Agreement.objects.exists()

    def test_the_ferpa_terms_are_asked_for_when_the_rest_is_in_order(
        self, client, community, people
    ):
        client.force_login(people.steward)
        data = form_data(community, scope="", data_list="", destruction_on="")

        response = client.post(reverse("agreements:create"), data)

        form = response.context["form"]
        assert set(form.errors) == {"scope", "data_list", "destruction_on"}
        assert "must list the data disclosed" in page_of(response)
        assert not Agreement.objects.exists()

    def test_an_empty_form_names_every_missing_term(self, client, people):
        client.force_login(people.steward)

        response = client.post(
            reverse("agreements:create"), {"legal_basis": "ferpa-audit"}
        )

        assert set(response.context["form"].errors) == {
            "title",
            "contributors",
            "categories",
            "level",
            "purposes",
            "starts_on",
            "ends_on",
            "scope",
            "data_list",
            "destruction_on",
        }
        page = page_of(response)
        assert "Give the start date." in page
        assert "The draft is not saved" in page

    def test_the_end_date_before_the_start_is_refused(self, client, community, people):
        client.force_login(people.steward)
        data = form_data(community, ends_on=today().isoformat())

        response = client.post(reverse("agreements:create"), data)

        assert response.context["form"].errors == {
            "ends_on": ["The end date must come after the start date."]
        }

    def test_dates_of_year_1_or_9999_are_refused(self, client, community, people):
        client.force_login(people.steward)
        data = form_data(community, starts_on="0001-01-01", ends_on="9999-12-31")

        response = client.post(reverse("agreements:create"), data)

        between = "Give a date between 1990-01-01 and 2100-12-31."
        assert response.context["form"].errors == {
            "starts_on": [between],
            "ends_on": [between],
        }
        assert not Agreement.objects.exists()

    def test_a_draft_is_changed_on_the_same_form(
        self, client, community, people, agreement
    ):
        client.force_login(people.steward)
        url = reverse("agreements:edit", args=[agreement.pk])

        shown = client.get(url)
        client.post(url, form_data(community, title="Renamed"))

        assert shown.context["form"].initial["title"] == "Program evaluation 2026"
        agreement.refresh_from_db()
        assert agreement.title == "Renamed"

    def test_a_signed_agreement_is_not_offered_for_change(
        self, client, community, people, agreement
    ):
        services.sign(agreement, community.backbone, people.steward)
        client.force_login(people.steward)

        response = client.post(
            reverse("agreements:edit", args=[agreement.pk]),
            form_data(community, title="Renamed"),
            follow=True,
        )

        assert response.redirect_chain == [(detail(agreement), 302)]
        assert "its terms are final" in messages_of(response)[0]
        agreement.refresh_from_db()
        assert agreement.title == "Program evaluation 2026"
        assert "Change the draft" not in page_of(response)


class TestTheAgreementPage:
    def test_every_term_is_shown(self, client, people, agreement):
        client.force_login(people.district_staff)

        page = page_of(client.get(detail(agreement)))

        for text in [
            "Riverbend Schools, Youth Club",
            "Community Fund",
            "Attendance, Assessments",
            "De-identified child-level",
            "Program evaluation",
            "FERPA audit or evaluation exception",
            agreement.starts_on.isoformat(),
            agreement.ends_on.isoformat(),
            "Outcomes of the after-school programs.",
            "Attendance rates; reading and math scores.",
            agreement.destruction_on.isoformat(),
        ]:
            assert text in page

    def test_parties_are_shown_with_who_signed_and_when(
        self, client, community, people, admins, agreement
    ):
        services.sign(agreement, community.district, admins.district)
        client.force_login(people.club_staff)

        response = client.get(detail(agreement))

        parties = {
            row["organization"].slug: row["signature"]
            for row in response.context["parties"]
        }
        assert set(parties) == {"backbone", "district", "club", "funder"}
        assert parties["district"].signed_by == admins.district
        assert parties["club"] is None
        page = page_of(response)
        assert "district-admin" in page and "Not signed yet" in page
        assert "Draft" in page

    def test_a_missing_signed_document_is_pointed_out(self, client, people, active):
        client.force_login(people.steward)

        page = page_of(client.get(detail(active)))

        assert "The signed agreement (PDF) is not attached yet." in page
        assert "Download the signed agreement" not in page

    def test_party_staff_are_offered_no_action(self, client, people, agreement):
        client.force_login(people.district_staff)

        page = page_of(client.get(detail(agreement)))

        assert "Sign the agreement" not in page
        assert "Terminate the agreement" not in page
        assert "Withhold data" not in page
        assert "Attach the signed document" not in page

    def test_a_contributors_admin_is_offered_signing_withholding_and_ending(
        self, client, admins, agreement
    ):
        client.force_login(admins.district)

        response = client.get(detail(agreement))

        page = page_of(response)
        assert "Sign the agreement" in page
        assert "Withhold data" in page
        assert "Terminate the agreement" in page
        assert "Attach the signed document" not in page
        assert "Change the draft" not in page

    def test_the_steward_is_offered_the_draft_the_document_and_the_backbones_name(
        self, client, community, people, agreement
    ):
        client.force_login(people.steward)

        response = client.get(detail(agreement))

        page = page_of(response)
        assert "Change the draft" in page
        assert "Attach the signed document" in page
        assert "Withhold data" not in page
        form = response.context["sign_form"]
        assert list(form.fields["organization"].queryset) == [community.backbone]


class TestSigning:
    def test_an_org_admin_signs_for_their_organization(
        self, client, community, admins, agreement
    ):
        client.force_login(admins.district)

        response = client.post(
            reverse("agreements:sign", args=[agreement.pk]),
            {"organization": community.district.pk},
            follow=True,
        )

        assert messages_of(response) == [
            "You signed the agreement for Riverbend Schools."
        ]
        signature = Signature.objects.get()
        assert (signature.organization, signature.signed_by) == (
            community.district,
            admins.district,
        )
        assert response.context["sign_form"] is None

    def test_an_admin_may_not_sign_for_another_party(
        self, client, community, admins, agreement
    ):
        client.force_login(admins.district)

        response = client.post(
            reverse("agreements:sign", args=[agreement.pk]),
            {"organization": community.club.pk},
        )

        assert response.status_code == 200
        assert "You may not sign for that organization." in page_of(response)
        assert not Signature.objects.exists()

    def test_party_staff_may_not_sign(
        self, client, community, people, agreement, quiet
    ):
        client.force_login(people.district_staff)

        response = client.post(
            reverse("agreements:sign", args=[agreement.pk]),
            {"organization": community.district.pk},
        )

        assert response.status_code == 403
        assert not Signature.objects.exists()
        assert len(quiet.take()) == 1

    def test_an_admin_outside_the_agreement_finds_nothing_to_sign(
        self, client, community, admins, agreement, quiet
    ):
        client.force_login(admins.clinic)

        response = client.post(
            reverse("agreements:sign", args=[agreement.pk]),
            {"organization": community.clinic.pk},
        )

        assert response.status_code == 404
        assert len(quiet.take()) == 1

    def test_the_last_signature_makes_it_active(
        self, client, community, people, admins, agreement
    ):
        for organization, user in [
            (community.backbone, people.steward),
            (community.district, admins.district),
            (community.club, admins.club),
        ]:
            services.sign(agreement, organization, user)
        client.force_login(admins.funder)

        client.post(
            reverse("agreements:sign", args=[agreement.pk]),
            {"organization": community.funder.pk},
        )

        assert agreement.state() == AgreementState.ACTIVE

    def test_a_draft_past_its_end_is_expired_and_offers_no_signing(
        self, client, community, admins
    ):
        lapsed = make_agreement(
            community,
            admins.district,
            starts_on=today() - days(400),
            ends_on=today() - days(1),
            destruction_on=today() + days(10),
        )
        client.force_login(admins.district)

        response = client.get(detail(lapsed))

        assert response.context["state"] == AgreementState.EXPIRED
        assert "Expired" in page_of(response)
        assert "Sign the agreement" not in page_of(response)

    def test_a_post_without_the_csrf_token_is_refused(
        self, community, admins, agreement, quiet
    ):
        client = Client(enforce_csrf_checks=True)
        client.force_login(admins.district)

        response = client.post(
            reverse("agreements:sign", args=[agreement.pk]),
            {"organization": community.district.pk},
        )

        assert response.status_code == 403
        assert not Signature.objects.exists()
        assert len(quiet.take()) == 1


class TestTerminating:
    def test_a_reason_is_required(self, client, admins, active):
        client.force_login(admins.funder)

        response = client.post(
            reverse("agreements:terminate", args=[active.pk]), {"reason": ""}
        )

        assert response.status_code == 200
        assert "Say why the agreement is terminated." in page_of(response)
        active.refresh_from_db()
        assert active.terminated_at is None

    def test_an_admin_of_a_party_terminates_it(self, client, admins, active):
        client.force_login(admins.funder)

        response = client.post(
            reverse("agreements:terminate", args=[active.pk]),
            {"reason": "The grant ended."},
            follow=True,
        )

        assert messages_of(response) == [
            "The agreement is terminated; from now on it grants nothing."
        ]
        assert response.context["state"] == AgreementState.TERMINATED
        page = page_of(response)
        assert "The grant ended." in page
        assert "funder-admin" in page
        assert "Terminate the agreement" not in page

    def test_party_staff_may_not(self, client, people, active, quiet):
        client.force_login(people.district_staff)

        response = client.post(
            reverse("agreements:terminate", args=[active.pk]), {"reason": "No."}
        )

        assert response.status_code == 403
        active.refresh_from_db()
        assert active.terminated_at is None
        assert len(quiet.take()) == 1


class TestTheDocument:
    def test_the_steward_attaches_the_signed_pdf(self, client, people, active):
        client.force_login(people.steward)

        response = client.post(
            reverse("agreements:attach", args=[active.pk]),
            {"document": pdf_upload()},
            follow=True,
        )

        assert messages_of(response) == ["The signed document is attached."]
        active.refresh_from_db()
        assert active.document
        assert "Download the signed agreement (PDF)" in page_of(response)

    def test_a_file_that_is_not_a_pdf_is_refused(self, client, people, active):
        client.force_login(people.steward)

        response = client.post(
            reverse("agreements:attach", args=[active.pk]),
            {"document": pdf_upload(b"<html>not a pdf</html>", name="x.pdf")},
        )

        assert response.status_code == 200
        assert "The file is not a PDF." in page_of(response)
        active.refresh_from_db()
        assert not active.document

    def test_only_the_steward_attaches_it(self, client, admins, active, quiet):
        client.force_login(admins.district)

        response = client.post(
            reverse("agreements:attach", args=[active.pk]),
            {"document": pdf_upload()},
        )

        assert response.status_code == 403
        assert len(quiet.take()) == 1

    @pytest.mark.parametrize("name", READERS)
    def test_every_party_member_downloads_it(
        self, client, person, people, active, name
    ):
        services.attach_document(active, pdf_upload(), people.steward)
        client.force_login(person(name))

        response = client.get(reverse("agreements:document", args=[active.pk]))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="agreement-{active.pk}.pdf"'
        )
        assert b"".join(response.streaming_content) == PDF

    @pytest.mark.parametrize("name", ["clinic_admin", "outsider", "parent"])
    def test_nobody_else_downloads_it(
        self, client, person, people, active, quiet, name
    ):
        services.attach_document(active, pdf_upload(), people.steward)
        client.force_login(person(name))

        response = client.get(reverse("agreements:document", args=[active.pk]))

        assert response.status_code == 404
        assert len(quiet.take()) == 1

    def test_a_signed_agreements_document_is_final(
        self, client, people, active, documents
    ):
        services.attach_document(active, pdf_upload(), people.steward)
        client.force_login(people.steward)

        page = page_of(client.get(detail(active)))
        response = client.post(
            reverse("agreements:attach", args=[active.pk]),
            {"document": pdf_upload(PDF + b"% forged\n")},
            follow=True,
        )

        assert "Replace the signed document" not in page
        assert messages_of(response) == [
            "A party has signed this agreement, so its signed document is final. "
            "To change it, draft a new agreement."
        ]
        active.refresh_from_db()
        assert (documents / active.document.name).read_bytes() == PDF

    def test_a_drafts_document_may_still_be_replaced(self, client, people, agreement):
        services.attach_document(agreement, pdf_upload(), people.steward)
        client.force_login(people.steward)

        page = page_of(client.get(detail(agreement)))

        assert "Replace the signed document" in page

    def test_an_agreement_without_a_document_has_none_to_download(
        self, client, people, active, quiet
    ):
        client.force_login(people.steward)

        response = client.get(reverse("agreements:document", args=[active.pk]))

        assert response.status_code == 404
        assert len(quiet.take()) == 1


class TestWithholding:
    def test_a_contributors_admin_withholds_a_category(
        self, client, community, admins, active
    ):
        client.force_login(admins.district)

        response = client.post(
            reverse("agreements:withhold", args=[active.pk]),
            {
                "contributor": community.district.pk,
                "category": "assessments",
                "recipient": community.funder.pk,
                "reason": "Scores under review.",
            },
            follow=True,
        )

        assert messages_of(response) == ["The data is withheld from now on."]
        withholding = Withholding.objects.get()
        assert withholding.category == Category.ASSESSMENTS
        assert withholding.recipient == community.funder
        page = page_of(response)
        assert "Scores under review." in page and "In force" in page

    def test_a_category_outside_the_agreement_is_not_offered(
        self, client, community, admins, active
    ):
        client.force_login(admins.district)

        response = client.post(
            reverse("agreements:withhold", args=[active.pk]),
            {"contributor": community.district.pk, "category": "services"},
        )

        assert response.status_code == 200
        assert "Select a valid choice" in page_of(response)
        assert not Withholding.objects.exists()

    def test_withholding_the_same_twice_is_explained(
        self, client, community, admins, active
    ):
        services.withhold(active, community.district, "", None, admins.district)
        client.force_login(admins.district)

        response = client.post(
            reverse("agreements:withhold", args=[active.pk]),
            {"contributor": community.district.pk},
        )

        assert "This is already withheld." in page_of(response)
        assert Withholding.objects.count() == 1

    @pytest.mark.parametrize("name", ["funder_admin", "district_staff", "steward"])
    def test_nobody_but_a_contributors_admin_withholds(
        self, client, community, person, active, quiet, name
    ):
        client.force_login(person(name))

        response = client.post(
            reverse("agreements:withhold", args=[active.pk]),
            {"contributor": community.district.pk},
        )

        assert response.status_code == 403
        assert not Withholding.objects.exists()
        assert len(quiet.take()) == 1

    def test_the_admin_lifts_it_and_the_record_stays(
        self, client, community, admins, active
    ):
        withholding = services.withhold(
            active, community.district, "", None, admins.district
        )
        client.force_login(admins.district)

        response = client.post(
            reverse("agreements:lift", args=[active.pk, withholding.pk]), follow=True
        )

        assert messages_of(response) == ["The withholding is lifted."]
        withholding.refresh_from_db()
        assert withholding.lifted_by == admins.district
        page = page_of(response)
        assert "Every category" in page and "Every recipient" in page
        assert "In force" not in page

    def test_another_admin_may_not_lift_it(
        self, client, community, admins, active, quiet
    ):
        withholding = services.withhold(
            active, community.district, "", None, admins.district
        )
        client.force_login(admins.club)

        response = client.post(
            reverse("agreements:lift", args=[active.pk, withholding.pk])
        )

        assert response.status_code == 403
        withholding.refresh_from_db()
        assert withholding.lifted_at is None
        assert len(quiet.take()) == 1

    def test_a_withholding_of_another_agreement_is_not_found_here(
        self, client, community, people, admins, agreement, active, quiet
    ):
        withholding = services.withhold(
            active, community.district, "", None, admins.district
        )
        client.force_login(admins.district)

        response = client.post(
            reverse("agreements:lift", args=[agreement.pk, withholding.pk])
        )

        assert response.status_code == 404
        assert len(quiet.take()) == 1


def test_the_state_is_read_at_the_moment_of_the_request(client, community, people):
    ended = make_agreement(
        community,
        people.steward,
        starts_on=today() - days(400),
        ends_on=today() - days(1),
        destruction_on=today() + days(10),
    )
    sign_all(ended, people.steward, timezone.now() - days(401))
    client.force_login(people.steward)

    response = client.get(detail(ended))

    assert response.context["state"] == AgreementState.EXPIRED
    assert "Expired" in page_of(response)
