"""The community's default consent form, made by a data migration."""

from braid.community.models import OrganizationKind
from braid.consent.models import ConsentForm
from braid.records.models import Category


def test_the_sharing_form_exists_in_english_and_spanish(version):
    assert ConsentForm.objects.get(slug="sharing").current() == version
    assert version.text("en") == version.text_en
    assert version.text("es") == version.text_es
    assert version.title("es").startswith("Compartir")
    assert "voluntary" not in version.text_es
    assert "voluntario" in version.text_es
    assert "Saying yes is your choice" in version.text_en


def test_it_states_every_record_both_purposes_and_every_class_of_recipient(version):
    assert version.categories == Category.values
    assert version.purposes == ["service-coordination", "program-evaluation"]
    assert version.recipient_kinds == OrganizationKind.values
    assert version.published_at is not None


def test_its_words_say_what_ferpa_asks_in_both_languages(version):
    english, spanish = version.text_en, version.text_es
    for words in ["WHAT MAY BE SHARED", "WHY IT MAY BE SHARED", "WHO MAY RECEIVE"]:
        assert words in english
    for words in ["QUÉ SE PUEDE COMPARTIR", "PARA QUÉ", "QUIÉN PUEDE RECIBIRLO"]:
        assert words in spanish
    assert "take back (revoke)" in english and "retirar (revocar)" in spanish
    assert "parent portal" in english and "portal para padres" in spanish
    assert "does not undo" in english and "No deshace" in spanish
    assert "18th birthday" in english and "these rights pass to your child" in english
    assert "18 años" in spanish
