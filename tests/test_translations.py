"""The Spanish catalog: complete, compiled, faithful to its placeholders."""

import ast
import gettext
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from braid.community.models import Role
from braid.reporter.render import notes
from braid.reporter.suppression import suppress
from braid.reporter.tables import CountTable

MESSAGES = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES"
PO = MESSAGES / "django.po"
MO = MESSAGES / "django.mo"

# Counts that pick each of the Spanish plural forms: one, a round million
# ("1000000 de niños"), and any other.
PLURAL_SAMPLES = {0: 1, 1: 1_000_000, 2: 3}

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{\s*\w+\s*\}\}")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def read_po(path: Path) -> list[Entry]:
    """Return a PO file's messages, without its header or obsolete ones."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] = ("msgid", 0)

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.msgid:
                entries.append(entry)
            entry = Entry()
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, _, text = line.partition(" ")
            target = _target(keyword)
            _append(entry, target, ast.literal_eval(text))
    return entries


def _target(keyword: str) -> tuple[str, int]:
    if keyword.startswith("msgstr["):
        return ("msgstr", int(keyword[len("msgstr[") : -1]))
    return (keyword, 0)


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif name == "msgid":
        entry.msgid += text
    elif name == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    else:
        entry.msgstr[index] = entry.msgstr.get(index, "") + text


def placeholders(text: str) -> list[str]:
    # "%%" is a literal percent sign, as in the strptime codes "%%m/%%d/%%Y".
    found = PLACEHOLDER.findall(text.replace("%%", ""))
    return sorted(re.sub(r"\s+", "", placeholder) for placeholder in found)


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return read_po(PO)


def test_the_catalog_has_the_messages_of_the_pages(entries):
    msgids = {entry.msgid for entry in entries}

    assert {"Sign in to Braid", "Send a roster", "Download CSV"} <= msgids


def test_every_spanish_message_is_translated_and_none_is_fuzzy(entries):
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]

    assert untranslated == []
    assert fuzzy == []


def test_every_plural_has_each_spanish_form(entries):
    plurals = [entry for entry in entries if entry.msgid_plural is not None]

    assert plurals
    for entry in plurals:
        assert sorted(entry.msgstr) == sorted(PLURAL_SAMPLES), entry.msgid


def test_the_compiled_catalog_holds_what_the_po_says(entries):
    # After a checkout the files' times say little; their messages must agree.
    data = MO.read_bytes()
    with MO.open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)

    stored = struct.unpack("<I", data[8:12])[0] - 1  # less the header
    assert stored == len(entries)
    for entry in entries:
        if entry.msgctxt is not None:
            spanish = catalog.pgettext(entry.msgctxt, entry.msgid)
            assert spanish == entry.msgstr[0], (entry.msgctxt, entry.msgid)
            continue
        if entry.msgid_plural is None:
            assert catalog.gettext(entry.msgid) == entry.msgstr[0], entry.msgid
            continue
        for form, n in PLURAL_SAMPLES.items():
            spanish = catalog.ngettext(entry.msgid, entry.msgid_plural, n)
            assert spanish == entry.msgstr[form], (entry.msgid, n)


def test_the_compiled_catalog_is_not_older_than_the_po():
    # Two seconds of slack: a checkout writes the .mo just before the .po.
    assert MO.stat().st_mtime >= PO.stat().st_mtime - 2


def test_each_translation_keeps_the_placeholders_of_its_message(entries):
    wrong = []
    for entry in entries:
        for form, text in entry.msgstr.items():
            source = entry.msgid if form == 0 else entry.msgid_plural or entry.msgid
            if placeholders(text) != placeholders(source):
                wrong.append((entry.msgid, form, text))

    assert wrong == []


def test_the_hidden_count_marker_is_the_same_in_spanish(entries):
    marker = next(e for e in entries if e.msgid.startswith("%(marker)s marks"))

    assert marker.msgstr[0].startswith("%(marker)s ")


def test_strings_from_the_code_come_out_in_spanish():
    with translation.override("es"):
        assert translation.gettext("Send a roster") == "Enviar una lista de inscripción"
        assert translation.gettext("Rosters") == "Listas de inscripción"
        assert str(Role.STEWARD.label).startswith("Responsable de la comunidad")
        problems = translation.ngettext(
            "%(counter)s problem to fix", "%(counter)s problems to fix", 3
        )
        assert problems % {"counter": 3} == "3 problemas por corregir"


def test_english_stays_english_outside_spanish():
    with translation.override("en"):
        assert translation.gettext("Send a roster") == "Send a roster"


def test_a_reports_note_on_hidden_counts_reads_in_spanish():
    table = CountTable(
        row_dimension="organization",
        row_labels=["Norte", "Sur", "Este"],
        row_totals=[3, 40, 50],
        grand_total=90,
        rows_overlap=True,
    )

    with translation.override("es"):
        found = notes(suppress(table, 11))

    assert found[0].startswith("<11 indica un número oculto: un conteo de 1 a 10")
    assert "no es la suma de las filas" in found[1]


def test_the_login_page_is_in_spanish_for_a_browser_that_asks_for_it(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es")
    page = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="es">' in page
    assert "Inicie sesión en Braid" in page
    assert "Contraseña" in page
    assert "Sign in to Braid" not in page


def test_the_language_cookie_turns_the_login_page_spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Inicie sesión en Braid" in page
    assert "Sign in to Braid" not in page


def test_the_login_page_stays_english_for_an_english_browser(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Sign in to Braid" in page
    assert "Inicie sesión en Braid" not in page
