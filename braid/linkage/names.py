"""What record linkage knows about names: nicknames, spellings, parts, sound.

Every function takes keys made by ``braid.children.normalize.name_key``
(casefolded, accents kept, apostrophes as spaces, dashes as hyphens), or
such keys with accents folded by ``fold_accents``, as the linkage compares
them.

First names
===========

``first_name_forms`` gives each first name a set of *forms*; two first names
are a nickname or spelling match when their forms meet. The forms of a name
are:

- the key itself, and the key with accents folded and spaces and hyphens
  dropped, so that José meets Jose and Mary Ann meets Maryann;
- ``#`` and a group's first spelling, for each group of Braid's own table
  the name belongs to, either as a spelling or as a diminutive;
- for a nickname in the ``nicknames`` package, the formal names it is a
  nickname of, and those names' Braid groups.

Braid's table is ``data/child_name_variants.csv``: UTF-8 CSV with the
header ``spellings,diminutives`` and one group per row. ``spellings`` is one
name written every way parents and registrars spell it, separated by ``|``;
the first spelling names the group. ``diminutives`` are the short forms and
pet names a child with that name goes by, separated by ``|``, and may be
empty. A name is a spelling of at most one group but may be a diminutive of
several: Alex is in Alexander's, Alexandra's and Alejandro's groups. Names
are written as people write them (capitals, accents, spaces) and keyed with
``name_key`` and accent folding when the table is read. One group stands for
one name: Adedayo and Oladayo are two groups that share the diminutive Dayo,
never one group.

Two different formal names never meet only because they share a nickname.
A formal name's forms are the name and its groups, never its nicknames;
a nickname carries the formal names it shortens. So ``alex`` meets both
``alexander`` and ``alexandra`` while those two stay apart. The package's
list is filtered so that this holds: an entry counts only when the name it
shortens is a formal name (not itself anyone's nickname there, or spelt in
Braid's table), when the nickname is not a name Braid's table spells (the
table alone speaks for those, so Anna is not taken for a nickname of Hannah
nor Michael for one of Miguel), and when the two are not the masculine and
feminine forms of one name. Nothing is followed transitively.
"""

import csv
import functools
import importlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import jellyfish
import nicknames

from braid.children.normalize import name_key

_TABLE_FILE = "data/child_name_variants.csv"

# Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSABLE = str.maketrans(
    {"æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i"}
)
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Sized well above the number of distinct first names in a large county's
# records, so that a linkage run computes each name's forms once.
_CACHE_SIZE = 1 << 18


def first_name_forms(key: str) -> tuple[str, ...]:
    """Return a first name's sorted forms; two names match when forms meet."""
    return _first_name_forms(key)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _first_name_forms(key: str) -> tuple[str, ...]:
    if not key:
        return ()

    folded = _fold(key)
    forms = {key, folded}
    forms.update(_forms_index().get(folded, ()))
    return tuple(sorted(forms))


def gendered_forms(a: str, b: str) -> bool:
    """Tell whether two first names are a name's masculine and feminine forms.

    Mateo and Matea, Daniel and Danielle, Louis and Louise are; a typo such as
    Jonh, two spellings of one name, or the same name twice are not.
    """
    return _gendered_keys(a, b)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _gendered_keys(a: str, b: str) -> bool:
    if not a or not b:
        return False
    folded_a, folded_b = _fold(a), _fold(b)
    if folded_a == folded_b:
        return False
    return _gendered(folded_a, folded_b)


# Masculine and feminine pairs that no ending rule below finds.
_GENDERED_PAIRS: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in (
        ("alexander", "alexandria"),
        ("alexandre", "alexandra"),
        ("alexandre", "alexandrie"),
        ("andres", "andrea"),
        ("andrew", "andrea"),
        ("antoine", "antoinette"),
        ("bernard", "bernadette"),
        ("carlos", "carlota"),
        ("charles", "charlotte"),
        ("christian", "christina"),
        ("christian", "christine"),
        ("claude", "claudette"),
        ("claude", "claudia"),
        ("claude", "claudine"),
        ("cristian", "cristina"),
        ("dominic", "dominique"),
        ("dominick", "dominique"),
        ("emil", "emily"),
        ("emile", "emilie"),
        ("esteban", "estefania"),
        ("eugene", "eugenia"),
        ("eugene", "eugenie"),
        ("francis", "frances"),
        ("frederic", "frederique"),
        ("frederick", "frederica"),
        ("george", "georgette"),
        ("george", "georgia"),
        ("george", "georgina"),
        ("george", "georgine"),
        ("giovanni", "giovanna"),
        ("henry", "henrietta"),
        ("jaylen", "jaylin"),
        ("jaylen", "jaylynn"),
        ("john", "jane"),
        ("john", "joan"),
        ("jose", "josefa"),
        ("jose", "josefina"),
        ("julian", "julia"),
        ("kai", "kaia"),
        ("kristian", "kristina"),
        ("michael", "michelle"),
        ("nicholas", "nicole"),
        ("nicolas", "nicole"),
        ("nicolas", "nicolette"),
        ("oliver", "olivia"),
        ("olivier", "olivia"),
        ("patrick", "patricia"),
        ("stephan", "stephanie"),
        ("stephane", "stephanie"),
        ("stephen", "stephanie"),
        ("steven", "stephanie"),
        ("william", "wilhelmina"),
    )
)

# Women's names that the ending rules would otherwise read as a man's name
# with a feminine ending added: Ann and Anna, Carol and Caroline, Kristin and
# Kristina are two women's names, not a brother and a sister. Any spelling
# of these names counts too.
_FEMININE_BASES = _words(
    "alexus alice ariel carmen carol cecile chantal christin crystal dawn diane "
    "eden ellen erin evelyn gillian gisel helen jasmin jazmin jillian joan karin "
    "kim kristen kristin lauren lilian lillian lily luz marian mariel megan miriam "
    "monique muriel rachel raquel rose susan vivian yasmin"
)
_FEMININE_ENDINGS = ("ann", "bel", "lyn", "lynn", "a", "i", "y")

# Men's names that end as a feminine form would.
_MASCULINE_FORMS = _words(
    "alexandre augustine clemente constantine dante elia enrique ezra felipe "
    "filipe gianluca jesse jorge jose joshua luca mika misha nikita sasha "
    "vicente vincente zayne"
)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _gendered(a: str, b: str) -> bool:
    table = _table()
    # Names in one group are one name, or a name and its short form: Dani is
    # short for Daniel and for Daniela alike.
    if table.related(a, b):
        return False

    # A rule that holds for any spelling of either name holds for the name:
    # Karla is Carlos's feminine because Carla is.
    spellings_a, spellings_b = (
        set(table.spellings_like(a)),
        set(table.spellings_like(b)),
    )
    for x in spellings_a:
        for y in spellings_b:
            if frozenset((x, y)) in _GENDERED_PAIRS:
                return True
            if y in _feminine_forms(x) and not _slip_of(y, spellings_a - {x}):
                return True
            if x in _feminine_forms(y) and not _slip_of(x, spellings_b - {y}):
                return True
    return False


def _slip_of(name: str, spellings: Iterable[str]) -> bool:
    """Tell whether a name nobody bears is a slip of one of these spellings.

    Charlote is Charlot with an e added, but first of all Charlotte with a t
    lost: a typo of the name itself, not the feminine of its short form.
    Roberta, one letter from Robert, is a name in its own right.
    """
    if name in _known_names():
        return False
    return any(jellyfish.damerau_levenshtein_distance(name, s) <= 1 for s in spellings)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _feminine_forms(name: str) -> frozenset[str]:
    """Return the names that would be feminine forms of ``name``."""
    table = _table()
    if len(name) < 3 or name.endswith(_FEMININE_ENDINGS):
        return frozenset()
    # A short form such as Lil or Juli is nobody's masculine name.
    if table.is_diminutive(name):
        return frozenset()
    # Kayl and Kayla, Georg and George: a name with its last letter lost is
    # a typo unless the shorter one is a name in its own right.
    if name not in _known_names():
        return frozenset()
    if any(spelling in _FEMININE_BASES for spelling in table.spellings_like(name)):
        return frozenset()
    return frozenset(_feminine_candidates(name) - _MASCULINE_FORMS)


def _feminine_candidates(m: str) -> set[str]:
    # Mateo and Matea, Daniel and Daniela, Paul and Pauline, Victor and
    # Victoria: the endings Romance and English names take. Names that drop a
    # final e (Claude and Claudia) are listed in _GENDERED_PAIRS instead, since
    # Adele and Adeline would otherwise pass for a brother and a sister.
    candidates = {m + suffix for suffix in ("a", "ette", "ine", "ina", "ia")}
    if len(m) >= 4:
        # Louis/Louise; Jac and Jace are two boys.
        candidates.add(m + "e")

    last, stem = m[-1], m[:-1]
    if last in "ln":
        # Gabriel/Gabrielle, Jean/Jeanne, Brian/Brianna, Jean/Jeannette.
        candidates.update(m + last + suffix for suffix in ("a", "e", "ette"))
    if last == "o":
        candidates.add(stem + "a")
    if last == "s":
        # Georges/Georgette.
        candidates.add(stem + "ette")
    if m.endswith(("us", "os")):
        # Julius/Julia, Carlos/Carla.
        candidates.add(m[:-2] + "a")
    if m.endswith("er"):
        # Alexander/Alexandra, Peter/Petra.
        candidates.add(m[:-2] + "ra")
    return candidates


# Particles that join a surname without being one: "de la Cruz" is filed
# under Cruz as often as under De la Cruz.
_PARTICLES = _words(
    "de del la las los van von der den da das do dos du di y e bin ibn al el le st"
)
# Prefixes that forms write both apart and together: O'Neil reaches the key
# as "o neil", other offices write ONeil or O Neil.
_JOINED_PREFIXES = frozenset(("o", "d", "l", "mc", "mac"))


def surname_parts(key: str) -> tuple[str, ...]:
    """Return the parts of a surname that another record may use on its own.

    ``garcia-lopez`` and ``garcia lopez`` give ``("garcia", "lopez")``;
    particles are dropped unless they are the whole name, and a prefix such as
    the O of O'Neil is joined to what follows it.
    """
    words = [word for chunk in key.split("-") for word in _joined(chunk.split())]

    parts = [w for w in words if w not in _PARTICLES and len(w) >= 2]
    if not parts:
        parts = [w for w in words if w not in _PARTICLES] or words
    return tuple(dict.fromkeys(parts))


def _joined(tokens: list[str]) -> list[str]:
    words: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in _JOINED_PREFIXES and index + 1 < len(tokens):
            words.append(token + tokens[index + 1])
            index += 2
        else:
            words.append(token)
            index += 1
    return words


def phonetic(key: str) -> str:
    """Return a code under which names that sound alike fall together.

    The code is Metaphone of the whole key with accents folded and spaces and
    hyphens dropped. Of the pairs of spellings of one name in Braid's table
    (Jayden and Jaydon, Catherine and Kathryn), Metaphone gives 75% the same
    code and NYSIIS 52%; Soundex gives 81% but in blocks a third larger, and
    splits Catherine from Katherine on the first letter. Names in a script
    Metaphone cannot read keep their folded key as their code.
    """
    return _phonetic(key)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _phonetic(key: str) -> str:
    folded = _fold(key)
    letters = "".join(c for c in folded if c in _ASCII_LETTERS)
    if not letters:
        return folded
    return str(jellyfish.metaphone(letters))


def fold_accents(key: str) -> str:
    """Return a name key with its accents folded, keeping spaces and hyphens.

    Letters are read in their compatibility forms too, so that full-width
    ``ｓｅａｎ`` is ``sean``: some systems keep accents and some strip them,
    and a child's records must meet across them. Only the linkage compares
    folded keys; names are kept and shown as written.
    """
    return _fold_accents(key)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _fold_accents(key: str) -> str:
    decomposed = unicodedata.normalize("NFKD", key.translate(_UNDECOMPOSABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold(key: str) -> str:
    """Return ``key`` without accents, spaces or hyphens, for lookups only."""
    return fold_accents(key).replace(" ", "").replace("-", "")


def _lookup_key(name: str) -> str:
    return _fold(name_key(name))


@dataclass(frozen=True)
class VariantGroup:
    id: str
    spellings: tuple[str, ...]
    diminutives: tuple[str, ...]


@dataclass(frozen=True)
class _VariantTable:
    groups: tuple[VariantGroup, ...]
    group_of_spelling: dict[str, str]
    groups_of_name: dict[str, frozenset[str]]
    spellings_of_group: dict[str, frozenset[str]]

    def related(self, a: str, b: str) -> bool:
        groups = self.groups_of_name.get(a, frozenset())
        return not groups.isdisjoint(self.groups_of_name.get(b, frozenset()))

    def is_diminutive(self, name: str) -> bool:
        return name in self.groups_of_name and name not in self.group_of_spelling

    def spellings_like(self, name: str) -> Iterable[str]:
        group = self.group_of_spelling.get(name)
        if group is None:
            return (name,)
        return self.spellings_of_group[group]


def variant_groups() -> tuple[VariantGroup, ...]:
    """Return Braid's groups of spellings and diminutives, keyed for lookup."""
    return _table().groups


@functools.cache
def _table() -> _VariantTable:
    text = resources.files("braid.linkage").joinpath(_TABLE_FILE).read_text("utf-8")
    return _build_table(text.splitlines())


def _build_table(lines: Iterable[str]) -> _VariantTable:
    groups = tuple(_read_groups(lines))

    group_of_spelling: dict[str, str] = {}
    groups_of_name: defaultdict[str, set[str]] = defaultdict(set)
    for group in groups:
        for spelling in group.spellings:
            if spelling in group_of_spelling:
                raise ValueError(
                    f"{spelling!r} is a spelling of both "
                    f"{group_of_spelling[spelling]} and {group.id}"
                )
            group_of_spelling[spelling] = group.id
        for name in group.spellings + group.diminutives:
            groups_of_name[name].add(group.id)

    return _VariantTable(
        groups=groups,
        group_of_spelling=group_of_spelling,
        groups_of_name={name: frozenset(ids) for name, ids in groups_of_name.items()},
        spellings_of_group={group.id: frozenset(group.spellings) for group in groups},
    )


def _read_groups(lines: Iterable[str]) -> Iterable[VariantGroup]:
    for row in csv.DictReader(lines):
        spellings = _names(row["spellings"])
        if not spellings:
            continue
        # Diminutives that are also spellings of the group add nothing.
        diminutives = tuple(
            name for name in _names(row["diminutives"]) if name not in spellings
        )
        yield VariantGroup("#" + spellings[0], spellings, diminutives)


def _names(field: str | None) -> tuple[str, ...]:
    keys = (_lookup_key(name) for name in (field or "").split("|"))
    return tuple(dict.fromkeys(key for key in keys if key))


@functools.cache
def _forms_index() -> dict[str, frozenset[str]]:
    """Map each known name's lookup key to its forms beyond the name itself."""
    table = _table()
    index: defaultdict[str, set[str]] = defaultdict(set)
    for name, group_ids in table.groups_of_name.items():
        index[name].update(group_ids)

    for formal, nickname in _nickname_pairs(table):
        index[nickname].add(formal)
        group = table.group_of_spelling.get(formal)
        if group is not None:
            index[nickname].add(group)
    return {name: frozenset(forms) for name, forms in index.items()}


def is_known_name(key: str) -> bool:
    """Tell whether a first name is one Braid's dictionaries spell."""
    return _fold(key) in _known_names() or key in _known_names()


# Locales whose given names count as names, beside Braid's own table.
_NAME_LOCALES = ("en_US", "es_MX", "es_ES", "pt_BR", "fr_FR", "it_IT")


@functools.cache
def _known_names() -> frozenset[str]:
    """Return every first name Braid knows to be a name.

    Those are the spellings and short forms of Braid's table, the formal
    names of the nicknames package and the name lists of the community's
    languages.
    """
    formal = {
        _lookup_key(triplet.name1)
        for triplet in nicknames.name_triplets()
        if triplet.relationship == "has_nickname"
    }
    return frozenset(_table().groups_of_name) | formal | _faker_first_names()


def _faker_first_names() -> set[str]:
    # Faker's name lists are a wide dictionary of given names in the
    # languages of the community's families.
    found: set[str] = set()
    for locale in _NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}")
        for attribute in ("first_names_male", "first_names_female", "first_names"):
            names = getattr(provider.Provider, attribute, ())
            found.update(_lookup_key(name) for name in names)
    return found


def _nickname_pairs(table: _VariantTable) -> Iterable[tuple[str, str]]:
    """Yield the ``nicknames`` package's (formal name, nickname) pairs kept."""
    pairs = {
        (_lookup_key(triplet.name1), _lookup_key(triplet.name2))
        for triplet in nicknames.name_triplets()
        if triplet.relationship == "has_nickname"
    }
    shortened = {nickname for _, nickname in pairs}
    # The package lists some names in both directions (Bill as a nickname of
    # William and William of Bill) and nicknames of nicknames (Fred of Bill).
    # Counting only names that are never anyone's nickname, or that Braid's
    # table spells as names, keeps the pairs that shorten a formal name.
    formal = {name for name, _ in pairs if name not in shortened}
    formal.update(table.group_of_spelling)

    for name, nickname in sorted(pairs):
        if name == nickname or name not in formal:
            continue
        # Braid's table alone says what a name it spells abbreviates: were a
        # formal name given the forms of its nickname Jamie, every formal
        # name with that nickname would meet it.
        if nickname in table.group_of_spelling:
            continue
        if _gendered(name, nickname):
            continue
        yield name, nickname
