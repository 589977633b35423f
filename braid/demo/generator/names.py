"""Names for the demo children and the ways rosters get them wrong."""

import random
import unicodedata


def _listed(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(","))


# Names parents actually give children today, so that the nickname and
# spelling tables below meet the names they are meant for. Faker's own
# lists lean towards adults' names.
CHILD_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "F": _listed(
            "Olivia, Emma, Charlotte, Amelia, Ava, Sophia, Isabella, Mia, Evelyn,"
            " Harper, Abigail, Emily, Elizabeth, Mackenzie, Madison, Samantha,"
            " Katherine, Alexandra, Natalie, Chloe, Zoe, Aaliyah, Brianna, Kaitlyn,"
            " Gabriella, Margaret, Riley, Nevaeh, Layla, Hannah, Destiny, Jasmine"
        ),
        "M": _listed(
            "Liam, Noah, Oliver, William, James, Benjamin, Lucas, Henry, Alexander,"
            " Jayden, Michael, Daniel, Matthew, Joseph, Christopher, Nicholas,"
            " Jacob, Zachary, Anthony, Jonathan, Robert, Andrew, Aiden, Brayden,"
            " Elijah, Isaiah, Jaylen, DeShawn, Malik, Xavier"
        ),
    },
    "es": {
        "F": _listed(
            "Sofía, Valentina, Camila, Ximena, Isabella, Guadalupe, María José,"
            " Renata, Daniela, Mariana, Valeria, Inés, Lucía, Natalia, Alejandra"
        ),
        "M": _listed(
            "Mateo, Santiago, Sebastián, Alejandro, José, Diego, Emiliano,"
            " Leonardo, Francisco, Jesús, Eduardo, Nicolás, Julián, Andrés, Matías,"
            " Miguel Ángel"
        ),
    },
}

# The names a child goes by at the club or on the team, and the spellings a
# registrar hears: each formal name with the forms other rosters use.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Will", "Billy", "Liam"),
    "Elizabeth": ("Liz", "Beth", "Eliza"),
    "Jayden": ("Jaden", "Jaiden", "Jaydon"),
    "Mackenzie": ("Kenzie", "McKenzie"),
    "Alejandro": ("Alex", "Ale"),
    "Sofía": ("Sofia", "Sophia"),
    "Sophia": ("Sofia",),
    "Alexander": ("Alex", "Xander"),
    "Robert": ("Bobby", "Rob"),
    "Katherine": ("Kate", "Katie", "Kathryn"),
    "Christopher": ("Chris",),
    "Matthew": ("Matt",),
    "Michael": ("Mike", "Mikey"),
    "Nicholas": ("Nick", "Nico"),
    "Benjamin": ("Ben", "Benji"),
    "Daniel": ("Danny",),
    "Joseph": ("Joey", "Joe"),
    "Jonathan": ("Jon", "Johnny"),
    "Samantha": ("Sam", "Sammy"),
    "Abigail": ("Abby", "Abbie"),
    "Isabella": ("Bella", "Izzy"),
    "Gabriella": ("Gabby", "Gabriela"),
    "Alexandra": ("Alex", "Lexi", "Sasha"),
    "Margaret": ("Maggie", "Meg"),
    "Jacob": ("Jake",),
    "Zachary": ("Zach", "Zack"),
    "Anthony": ("Tony",),
    "Francisco": ("Paco", "Frank"),
    "José": ("Jose", "Pepe"),
    "Guadalupe": ("Lupe", "Lupita"),
    "Jesús": ("Jesus", "Chuy"),
    "Eduardo": ("Lalo",),
    "Kaitlyn": ("Katelyn", "Caitlin"),
    "Aiden": ("Aidan", "Ayden"),
    "Brayden": ("Braden", "Braydon"),
    "Madison": ("Maddie", "Madisyn"),
    "Zoe": ("Zoë", "Zoey"),
    "Zoë": ("Zoe", "Zoey"),
    "Olivia": ("Liv", "Livvy"),
    "Emily": ("Emmy",),
    "Andrew": ("Andy", "Drew"),
    "Natalie": ("Nat",),
    "James": ("Jimmy", "Jamie"),
    "Charlotte": ("Charlie", "Lottie"),
    "Amelia": ("Millie",),
    "Evelyn": ("Evie",),
    "Santiago": ("Santi",),
    "Sebastián": ("Sebastian", "Sebas"),
    "Valentina": ("Vale",),
    "María José": ("Majo", "Maria Jose"),
    "Miguel Ángel": ("Miguel", "Miguel Angel"),
    "Nicolás": ("Nico", "Nicolas"),
    "Julián": ("Julian",),
    "Andrés": ("Andres",),
    "Matías": ("Matias", "Mati"),
    "Inés": ("Ines",),
    "Lucía": ("Lucia",),
    "Daniela": ("Dani",),
    "Mariana": ("Mari",),
    "Mateo": ("Matteo",),
}

# Twins whose names differ by a letter or two: the hardest pairs to keep
# apart, since everything else about them is the same.
NEAR_TWIN_NAMES: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (
    (("Mateo", "M"), ("Matea", "F")),
    (("Julian", "M"), ("Juliana", "F")),
    (("Daniel", "M"), ("Daniela", "F")),
    (("Gabriel", "M"), ("Gabriela", "F")),
    (("Adrian", "M"), ("Adriana", "F")),
    (("Aiden", "M"), ("Ayden", "M")),
    (("Jaylen", "M"), ("Jaylin", "F")),
    (("Eli", "M"), ("Ella", "F")),
    (("Kai", "M"), ("Kaia", "F")),
    (("Emma", "F"), ("Emmy", "F")),
)

# The curly apostrophe is written as an escape so that it cannot be mistaken
# for the straight one when reading the code.
CURLY = "\u2019"
STRAIGHT = "'"

APOSTROPHE_SURNAMES = ("O'Neil", f"D{CURLY}Angelo", "O'Connor", "D'Souza", "O'Malley")

# Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSABLE = str.maketrans({"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ø": "o"})


def strip_accents(text: str) -> str:
    """Return text as a system that only knows ASCII letters would keep it."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSABLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fit_cp1252(text: str) -> str:
    """Drop the accents Windows-1252 cannot encode, keeping those it can."""
    return "".join(c if _in_cp1252(c) else strip_accents(c) for c in text)


def _in_cp1252(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def typo(name: str, rng: random.Random) -> str:
    """Return name with one slip of the keyboard, never on its first letter."""
    positions = [i for i in range(1, len(name)) if name[i].isalpha()]
    if len(positions) < 3:
        return name

    for _ in range(10):
        i = rng.choice(positions)
        kind = rng.choice(("transpose", "drop", "double"))
        if kind == "transpose" and i + 1 < len(name) and name[i + 1].isalpha():
            slipped = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        elif kind == "drop":
            slipped = name[:i] + name[i + 1 :]
        else:
            slipped = name[: i + 1] + name[i] + name[i + 1 :]
        if slipped != name:
            return slipped
    return name


def surname_parts(surname: str) -> list[str]:
    return surname.replace("-", " ").split()


def surname_variant(surname: str, rng: random.Random) -> str:
    """Give a two-part surname as another office writes it."""
    parts = surname_parts(surname)
    if len(parts) < 2:
        return surname

    forms = {"-".join(parts), " ".join(parts), parts[-1]}
    # A particle such as "da" or "de" is never used alone as a surname.
    if parts[0][0].isupper():
        forms.add(parts[0])
    forms.discard(surname)
    return rng.choice(sorted(forms))


def apostrophe_variant(surname: str, rng: random.Random) -> str:
    """Swap straight and curly apostrophes or drop them, as forms do."""
    mark = CURLY if CURLY in surname else STRAIGHT
    other = STRAIGHT if mark == CURLY else CURLY
    return rng.choice((surname.replace(mark, other), surname.replace(mark, "")))


def has_apostrophe(text: str) -> bool:
    return STRAIGHT in text or CURLY in text


def ascii_email_part(text: str) -> str:
    kept = strip_accents(text).lower()
    return "".join(c for c in kept if c.isalnum())
