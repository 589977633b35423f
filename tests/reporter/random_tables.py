"""Seeded random communities of synthetic children: small and large groups,
rare values, children served by several programs, organizations with one
program or several."""

import random

from braid.reporter.population import Population

from .factories import community

GENDERS = ["F", "M", "X", "U"]
AGE_BANDS = ["0–4", "5–9", "10–14", "15–17", "18+"]
GRADES = ["PK", "K", "1", "2", "3", "4", "5", "6"]


def random_community(rng: random.Random) -> Population:
    """Make a community whose tables mix zeros, small and large counts."""
    programs: dict[str, str] = {}
    for o in range(rng.randint(1, 4)):
        organization = f"Org {o}"
        for p in range(rng.choice([1, 1, 2, 3])):
            # An organization enrolling children without a program stands as
            # its own program, as in the reports.
            name = (
                organization
                if p == 0 and rng.random() < 0.3
                else f"{organization}: P{p}"
            )
            programs[name] = organization
    names = list(programs)
    genders = GENDERS[: rng.randint(1, 4)]
    ages = rng.sample(AGE_BANDS, rng.randint(1, 4))
    grades = rng.sample(GRADES, rng.randint(1, 5))

    # Uneven weights make some values rare, so that small counts appear.
    weights = {
        "program": _weights(rng, names),
        "gender": _weights(rng, genders),
        "age": _weights(rng, ages),
        "grade": _weights(rng, grades),
    }
    children = []
    for _ in range(rng.choice([6, 25, 60, 150, 400])):
        served = rng.choices([1, 1, 1, 2, 3], k=1)[0]
        chosen = {rng.choices(names, weights["program"])[0] for _ in range(served)}
        children.append(
            (
                1,
                sorted(chosen),
                rng.choices(genders, weights["gender"])[0],
                rng.choices(ages, weights["age"])[0],
                rng.choices(grades, weights["grade"])[0],
            )
        )
    return community(children, programs)


def _weights(rng: random.Random, values: list[str]) -> list[float]:
    return [rng.choice([0.02, 0.1, 1.0, 3.0]) for _ in values]
