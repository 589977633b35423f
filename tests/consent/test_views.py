"""The staff pages for a child's consents, tried by each kind of person."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from braid.community.models import Role
from braid.community.services import add_member
from braid.consent import services
from braid.consent.evaluation import ConsentFacts, Request, evaluate
from braid.consent.forms import start_of
from braid.consent.models import Consent, ConsentEvent, Guardian
from tests.consent.conftest import close_quietly, upload
from tests.factories import PASSWORD, MembershipFactory, SourceRecordFactory

PEOPLE = [
    "steward",
    "district_staff",
    "club_staff",
    "analyst",
    "evaluator",
    "parent",
    "outsider",
]
# Who reaches a child held by the district: its staff and the steward.
REACHES = {"steward", "district_staff"}


def page_of(response) -> str:
    return response.content.decode()


def entry(version, guardian, **changes) -> dict:
    today = timezone.localdate()
    data = {
        "form_version": version.pk,
        "signed_by": f"guardian-{guardian.pk}",
        "signed_on": today.isoformat(),
        "decision": "permit",
        "recipient_kinds": ["city-service"],
        "purposes": ["program-evaluation"],
        "categories": ["attendance", "assessments"],
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "until_event": "",
        "method": "paper",
        "scan": upload(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class TestWhoReachesTheChild:
    @pytest.fixture
    def urls(self, child, consent, guardian):
        return [
            reverse("consent:child", args=[child.public_id]),
            reverse("consent:add", args=[child.public_id]),
            reverse("consent:guardian_add", args=[child.public_id]),
            reverse("consent:resign", args=[consent.pk]),
            reverse("consent:revoke", args=[consent.pk]),
            reverse("consent:scan", args=[consent.pk]),
        ]

    @pytest.mark.parametrize("who", PEOPLE)
    def test_each_person(self, client, people, urls, who, quiet):
        client.force_login(getattr(people, who))

        refused = 0
        for url in urls:
            response = client.get(url)
            # The steward opens the scan too, to verify the consent.
            expected = 200 if who in REACHES else 404
            refused += expected == 404
            assert response.status_code == expected, (who, url)
            if hasattr(response, "streaming_content"):
                close_quietly(response)
        assert len(quiet.take()) == refused

    def test_anonymous_people_are_sent_to_sign_in(self, client, urls):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))

    def test_an_unknown_community_id_is_not_found(self, client, people, quiet):
        client.force_login(people.steward)
        url = reverse("consent:child", args=["0000000000"])
        assert client.get(url).status_code == 404
        assert quiet.take() == [f"django.request: Not Found: {url}"]


class TestTheConsentsPage:
    def test_staff_see_status_history_and_guardian_names(
        self, client, people, child, consent
    ):
        services.revoke(consent, timezone.now(), people.district_staff, "letter")
        client.force_login(people.district_staff)

        page = page_of(client.get(reverse("consent:child", args=[child.public_id])))

        assert child.public_id in page
        assert "Revoked" in page and "letter" in page
        assert "Pat Example (mother)" in page
        record = child.source_records.get()
        assert record.last_name not in page and record.first_name not in page

    def test_the_steward_sees_guardians_by_number_only(
        self, client, people, child, guardian
    ):
        client.force_login(people.steward)

        page = page_of(client.get(reverse("consent:child", args=[child.public_id])))

        assert "Pat Example" not in page
        assert f"Guardian {guardian.pk} (mother)" in page
        assert reverse("consent:guardian_restrict", args=[guardian.pk]) in page

    def test_the_status_is_shown_for_a_chosen_moment(
        self, client, people, child, consent
    ):
        client.force_login(people.district_staff)
        url = reverse("consent:child", args=[child.public_id])
        before = (consent.valid_from - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

        assert "Not yet in force" in page_of(client.get(url, {"at": before}))
        assert "In force" in page_of(client.get(url))

    def test_its_queries_do_not_grow_with_the_consents(
        self, client, people, child, terms
    ):
        client.force_login(people.district_staff)
        url = reverse("consent:child", args=[child.public_id])
        services.give_consent(**terms())
        client.get(url)
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        for _ in range(3):
            consent = services.give_consent(**terms())
            services.revoke(consent, timezone.now(), people.district_staff)
        with CaptureQueriesContext(connection) as four:
            client.get(url)

        assert len(four) == len(one)


class TestEnteringAPaperConsent:
    def test_staff_enter_a_signed_form_with_its_scan(
        self, client, people, child, version, guardian
    ):
        client.force_login(people.district_staff)

        response = client.post(
            reverse("consent:add", args=[child.public_id]), entry(version, guardian)
        )

        assert response.status_code == 302
        consent = Consent.objects.get()
        assert consent.guardian == guardian and consent.method == "paper"
        assert consent.categories == ["attendance", "assessments"]
        assert consent.valid_until is not None
        assert timezone.localtime(consent.valid_until).date() == (
            timezone.localdate() + timedelta(days=366)
        )

    def test_an_exception_on_the_form_becomes_a_nested_provision(
        self, client, people, child, version, guardian, community
    ):
        client.force_login(people.district_staff)

        client.post(
            reverse("consent:add", args=[child.public_id]),
            entry(
                version,
                guardian,
                except1_recipients=[community.funder.pk],
                except1_categories=["assessments"],
            ),
        )

        assert Consent.objects.get().provisions == [
            {
                "decision": "deny",
                "recipients": [community.funder.pk],
                "categories": ["assessments"],
            }
        ]

    def test_a_scan_that_is_not_a_pdf_png_or_jpeg_is_refused(
        self, client, people, child, version, guardian
    ):
        client.force_login(people.district_staff)
        fake = upload(b"MZ\x90\x00 an executable", "scan.pdf")

        response = client.post(
            reverse("consent:add", args=[child.public_id]),
            entry(version, guardian, scan=fake),
        )

        assert response.status_code == 200
        assert "must be a PDF, PNG or JPEG" in page_of(response)
        assert not Consent.objects.exists()

    def test_each_missing_part_is_shown_beside_its_field(
        self, client, people, child, version, guardian
    ):
        client.force_login(people.district_staff)

        response = client.post(
            reverse("consent:add", args=[child.public_id]),
            entry(version, guardian, purposes=None, scan=None, valid_until=None),
        )

        form = response.context["form"]
        assert "The purposes are missing." in form.errors["purposes"]
        assert "The scan of the signed form is missing." in form.errors["scan"]
        assert any("end date" in e for e in form.errors["valid_until"])
        assert not Consent.objects.exists()

    def test_the_forms_text_is_in_the_readers_language(
        self, client, people, child, version
    ):
        client.force_login(people.district_staff)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

        page = page_of(client.get(reverse("consent:add", args=[child.public_id])))

        assert "QUÉ SE PUEDE COMPARTIR" in page
        assert "WHAT MAY BE SHARED" not in page

    def test_re_signing_supersedes_the_old_consent(
        self, client, people, consent, version, guardian
    ):
        client.force_login(people.district_staff)

        response = client.post(
            reverse("consent:resign", args=[consent.pk]),
            entry(version, guardian, categories=["attendance"]),
        )

        assert response.status_code == 302
        assert Consent.objects.get(supersedes=consent).categories == ["attendance"]


class TestRevoking:
    def test_the_page_asks_before_revoking(self, client, people, consent):
        client.force_login(people.district_staff)
        url = reverse("consent:revoke", args=[consent.pk])

        page = page_of(client.get(url))
        assert "does not" in page or "not undone" in page
        assert not ConsentEvent.objects.exists()

        at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        response = client.post(url, {"at": at, "note": "letter of 3 May"})

        assert response.status_code == 302
        assert ConsentEvent.objects.get().kind == "revoked"

    def test_a_second_revocation_is_refused_on_the_page(self, client, people, consent):
        services.revoke(consent, timezone.now(), people.district_staff)
        client.force_login(people.district_staff)
        at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

        response = client.post(reverse("consent:revoke", args=[consent.pk]), {"at": at})

        assert "already revoked" in page_of(response)
        assert ConsentEvent.objects.count() == 1

    def test_the_event_page_is_only_for_consents_given_until_an_event(
        self, client, people, consent, terms, quiet
    ):
        client.force_login(people.district_staff)
        url = reverse("consent:event", args=[consent.pk])
        assert client.get(url).status_code == 404
        assert quiet.take() == [f"django.request: Not Found: {url}"]

        until = services.give_consent(**terms(valid_until=None, until_event="June"))
        at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        client.post(reverse("consent:event", args=[until.pk]), {"at": at})

        assert ConsentEvent.objects.get().kind == "event-occurred"


class TestTheScan:
    def test_it_is_downloaded_as_an_attachment_of_its_own_type(
        self, client, people, consent
    ):
        client.force_login(people.district_staff)

        response = client.get(reverse("consent:scan", args=[consent.pk]))

        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="consent-{consent.pk}.pdf"'
        )
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        close_quietly(response)

    def test_other_organizations_staff_do_not_reach_it(
        self, client, people, consent, quiet
    ):
        client.force_login(people.club_staff)
        url = reverse("consent:scan", args=[consent.pk])

        assert client.get(url).status_code == 404
        assert quiet.take() == [f"django.request: Not Found: {url}"]

    def test_an_electronic_consent_has_no_scan(
        self, client, people, terms, child, quiet
    ):
        own = services.add_guardian(
            child, "Sam", "", "", "", people.district_staff, account=people.parent
        )
        consent = services.give_consent(
            **terms(guardian=own, method="electronic", scan=None, user=people.parent)
        )
        client.force_login(people.district_staff)
        url = reverse("consent:scan", args=[consent.pk])

        assert client.get(url).status_code == 404
        assert quiet.take() == [f"django.request: Not Found: {url}"]


class TestGuardiansOnThePage:
    def test_staff_add_a_guardian(self, client, people, child):
        client.force_login(people.district_staff)

        response = client.post(
            reverse("consent:guardian_add", args=[child.public_id]),
            {"name": "Ana Example", "relationship": "grandmother"},
        )

        assert response.status_code == 302
        assert Guardian.objects.get().name == "Ana Example"

    def test_the_steward_records_a_court_order(self, client, people, guardian):
        client.force_login(people.steward)
        url = reverse("consent:guardian_restrict", args=[guardian.pk])
        at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

        assert client.get(url).status_code == 200
        response = client.post(url, {"at": at, "note": "Order 12-345"})

        assert response.status_code == 302
        guardian.refresh_from_db()
        assert guardian.restricted_at is not None

    def test_staff_may_not_and_others_do_not_see_the_guardian(
        self, client, people, guardian, community, quiet
    ):
        url = reverse("consent:guardian_restrict", args=[guardian.pk])
        client.force_login(people.district_staff)
        assert client.get(url).status_code == 403
        client.force_login(people.club_staff)
        assert client.get(url).status_code == 404
        assert quiet.take() == [
            f"django.request: Forbidden (Permission denied): {url}",
            f"django.request: Not Found: {url}",
        ]

        admin = add_member(
            username="district-admin",
            organization=community.district,
            role=Role.ORG_ADMIN,
            password=PASSWORD,
        )
        client.force_login(admin)
        assert client.get(url).status_code == 200


def test_a_merged_childs_id_leads_to_the_survivor(client, people, child, community):
    other = SourceRecordFactory(organization=community.district).child
    other.merged_into = child
    other.save()
    client.force_login(people.district_staff)

    response = client.get(reverse("consent:child", args=[other.public_id]))

    assert response["Location"] == reverse("consent:child", args=[child.public_id])


class TestRefusalsNameEverything:
    def test_a_bad_scan_is_named_beside_every_other_missing_part(
        self, client, people, child, version, guardian
    ):
        client.force_login(people.district_staff)

        response = client.post(
            reverse("consent:add", args=[child.public_id]),
            entry(
                version,
                guardian,
                purposes=None,
                valid_until=None,
                scan=upload(b"MZ\x90\x00 an executable", "scan.pdf"),
            ),
        )

        errors = response.context["form"].errors
        assert errors["scan"] == ["The scan must be a PDF, PNG or JPEG file."]
        assert "The purposes are missing." in errors["purposes"]
        assert any("end date" in e for e in errors["valid_until"])
        assert not Consent.objects.exists()


class TestAFutureRevocationOnThePage:
    def test_it_is_refused_with_a_clear_message(self, client, people, consent):
        client.force_login(people.district_staff)
        url = reverse("consent:revoke", args=[consent.pk])

        response = client.post(url, {"at": "2099-01-01T00:00"})

        assert "still to come" in page_of(response)
        assert not ConsentEvent.objects.exists()
        at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        assert client.post(url, {"at": at}).status_code == 302


class TestConsentsThatNoLongerCount:
    def test_a_restricted_guardians_consent_says_so_and_is_not_re_signed(
        self, client, people, child, consent, guardian
    ):
        services.restrict_guardian(
            guardian, timezone.now(), "Order 12-345", people.steward
        )
        client.force_login(people.district_staff)

        page = page_of(client.get(reverse("consent:child", args=[child.public_id])))

        assert "No longer counts: the guardian is restricted by a court order" in page
        assert reverse("consent:resign", args=[consent.pk]) not in page
        assert reverse("consent:revoke", args=[consent.pk]) in page

    def test_a_parents_consent_for_a_student_of_18_says_so(
        self, client, people, child, terms
    ):
        # The factory's records give 7 March 2015: 18 on 7 March 2033.
        consent = services.give_consent(
            **terms(valid_until=None, until_event="the end of high school")
        )
        client.force_login(people.district_staff)
        url = reverse("consent:child", args=[child.public_id])

        before = page_of(client.get(url, {"at": "2033-03-06T12:00"}))
        after = page_of(client.get(url, {"at": "2033-03-07T12:00"}))

        assert "In force" in before
        assert "No longer counts: the student is 18" in after
        assert reverse("consent:resign", args=[consent.pk]) in after


class TestSeparateExceptions:
    def test_two_exclusions_become_two_sibling_provisions(
        self, client, people, child, version, guardian, community
    ):
        client.force_login(people.district_staff)

        client.post(
            reverse("consent:add", args=[child.public_id]),
            entry(
                version,
                guardian,
                recipient_kinds=["funder", "city-service"],
                except1_recipient_kinds=["funder"],
                except2_categories=["assessments"],
            ),
        )

        consent = Consent.objects.get()
        assert consent.provisions == [
            {"decision": "deny", "recipient_kinds": ["funder"]},
            {"decision": "deny", "categories": ["assessments"]},
        ]
        facts = [ConsentFacts(consent)]
        now = timezone.now()

        def asked(kind: str, category: str) -> bool:
            request = Request(0, kind, "program-evaluation", category, now)
            return bool(evaluate(facts, request, date(2015, 3, 7)))

        assert not asked("funder", "attendance")
        assert not asked("city-service", "assessments")
        assert asked("city-service", "attendance")

    def test_re_signing_starts_from_each_exception(self, people, terms, community):
        from braid.consent.forms import initial_from

        tree = [
            {"decision": "deny", "recipient_kinds": ["funder"]},
            {"decision": "deny", "categories": ["assessments"]},
        ]
        consent = services.give_consent(**terms(provisions=tree))

        initial = initial_from(consent)

        assert initial["except1_recipient_kinds"] == ["funder"]
        assert initial["except2_categories"] == ["assessments"]
        assert initial["except2_decision"] == "deny"


def test_someone_acting_for_two_organizations_is_asked_which_records_it(
    client, people, child, version, guardian, community
):
    SourceRecordFactory(organization=community.club, child=child)
    MembershipFactory(user=people.district_staff, organization=community.club)
    client.force_login(people.district_staff)
    url = reverse("consent:add", args=[child.public_id])

    assert "Recorded for" in page_of(client.get(url))
    response = client.post(url, entry(version, guardian))
    assert response.context["form"].errors["organization"] == [
        "Which of your organizations records this is missing."
    ]

    client.post(url, entry(version, guardian, organization=community.district.pk))
    assert Consent.objects.get().organization == community.district


def test_the_days_a_consent_is_in_force_read_as_they_were_entered(
    client, people, child, terms
):
    services.give_consent(
        **terms(
            signed_at=start_of(date(2026, 8, 20)),
            valid_from=start_of(date(2026, 9, 1)),
            valid_until=start_of(date(2027, 8, 2)),
        )
    )
    client.force_login(people.district_staff)

    page = client.get(reverse("consent:child", args=[child.public_id]))

    text = page.content.decode()
    assert "from 09/01/2026" in text and "through 08/01/2027" in text
    assert "midnight" not in text
