"""Linking roster by roster and linking everyone at once agree."""

from braid.linkage.clustering import Hold, Problem, cluster

# A child known to two organizations (D, C), and two records of a third
# organization (X, Y) that match it about equally: brothers, or a record and
# its duplicate. Which of them is the child's is a guess.
ORGANIZATION = {1: 10, 2: 20, 3: 30, 4: 30}
D, C, X, Y = 1, 2, 3, 4
BETWEEN_ROSTERS = {(D, X): 11.2, (D, Y): 9.8, (C, X): 9.4, (C, Y): 8.0}


def clusters(result) -> list[set[int]]:
    return sorted(result.clusters, key=min)


def test_a_tie_below_a_stronger_link_is_held_in_a_full_relink_too():
    full = cluster(
        Problem(
            organization=ORGANIZATION,
            weights={(D, C): 43.3, **BETWEEN_ROSTERS},
            auto_link=2.0,
            review=-2.0,
        )
    )
    incremental = cluster(
        Problem(
            organization=ORGANIZATION,
            weights=BETWEEN_ROSTERS,
            auto_link=2.0,
            review=-2.0,
            groups=[[D, C]],
            fixed={D, C},
        )
    )

    assert clusters(full) == clusters(incremental) == [{D, C}, {X}, {Y}]
    assert full.review[(D, X)] == full.review[(D, Y)] == Hold.COMPETING


def test_a_clear_winner_among_rivals_is_still_linked():
    weights = {(D, C): 43.3, (D, X): 11.2, (D, Y): 4.0, (C, X): 9.4, (C, Y): 3.0}

    result = cluster(
        Problem(organization=ORGANIZATION, weights=weights, auto_link=2.0, review=-2.0)
    )

    assert clusters(result) == [{D, C, X}, {Y}]
