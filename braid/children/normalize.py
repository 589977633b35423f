"""How names, IDs and other text are cleaned, compared and masked."""

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")

# Characters that show nothing, left behind by copy and paste or by files
# joined together. None of them is part of how a name is spelt.
_INVISIBLE = re.compile("[\ufeff\u200b\u2060]")

_APOSTROPHES = frozenset("\u2019\u2018\u02bc`\u00b4\u2032'")
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d")
_SPACED_HYPHEN = re.compile(r" ?-+ ?")

_ALPHANUMERIC_RUN = re.compile(r"[^\W_]+")


def clean_text(value: str) -> str:
    """Return ``value`` as it should be kept and shown: tidy, same spelling."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    return _WHITESPACE.sub(" ", text).strip()


def id_key(value: str) -> str:
    """Return the form under which two identifiers are the same identifier."""
    return unicodedata.normalize("NFC", value).strip().casefold()


def name_key(value: str) -> str:
    """Return the form under which two spellings of a name match.

    Apostrophes and other punctuation count as spaces and every kind of dash
    as a hyphen; accents are kept, since José and Jose may be two children.
    """
    text = unicodedata.normalize("NFC", value).casefold()
    text = "".join(_name_character(character) for character in text)
    text = _WHITESPACE.sub(" ", text).strip()
    return _SPACED_HYPHEN.sub("-", text).strip(" -")


def _name_character(character: str) -> str:
    if character in _HYPHENS:
        return "-"
    if character in _APOSTROPHES:
        return " "
    category = unicodedata.category(character)
    if category == "Cf":
        return ""
    if character.isalnum() or category.startswith("M"):
        return character
    return " "


def mask(value: str) -> str:
    """Return ``value`` with digits and all but a word's first letter hidden.

    Used wherever a value has to be pointed at in a message or a log line
    without being shown: ``John Smith`` becomes ``J*** S****``, ``3/7/2015``
    becomes ``*/*/****`` and ``S901`` becomes ``S***``.
    """
    text = unicodedata.normalize("NFC", value)
    return _ALPHANUMERIC_RUN.sub(_mask_run, text)


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    # A digit says too much on its own: the first digit of an unpadded day or
    # month is the whole of it. A word of one character would be shown whole.
    if len(run) == 1 or not run[0].isalpha():
        return "*" * len(run)
    return run[0] + "*" * (len(run) - 1)
