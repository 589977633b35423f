"""Scored pairs into children: the rules no score overrides."""

from braid.linkage.clustering import Hold, Problem, cluster, solve

AUTO, REVIEW = 6.0, -2.0


def problem(weights, organization=None, **kwargs):
    records = {r for pair in weights for r in pair}
    organization = organization or {r: r for r in records}
    return Problem(
        organization=organization,
        weights=weights,
        auto_link=AUTO,
        review=REVIEW,
        **kwargs,
    )


def clusters_of(result):
    return sorted(sorted(c) for c in result.clusters)


def test_strong_pairs_across_organizations_make_one_child():
    result = cluster(problem({(1, 2): 20.0, (2, 3): 15.0, (1, 3): 12.0}))

    assert clusters_of(result) == [[1, 2, 3]]
    assert result.review == {}


def test_a_chain_is_not_closed_when_its_ends_do_not_match():
    # A-B 0.99, B-C 0.96, A-C 0.02, as match weights.
    weights = {(1, 2): 12.0, (2, 3): 8.0, (1, 3): -10.0}

    result = cluster(problem(weights))

    assert clusters_of(result) == [[1, 2], [3]]
    assert result.review[(2, 3)] == Hold.CHAIN


def test_a_chain_whose_ends_are_only_in_doubt_is_closed():
    # A-C between the thresholds: the score does not call them two children.
    weights = {(1, 2): 12.0, (2, 3): 8.0, (1, 3): -1.2}

    result = cluster(problem(weights))

    assert clusters_of(result) == [[1, 2, 3]]
    assert result.review == {}


def test_an_unscored_end_of_a_chain_is_scored_before_joining():
    asked = []

    def score(pairs):
        asked.extend(sorted(pairs))
        return {(1, 3): 9.0}

    result = solve(problem({(1, 2): 12.0, (2, 3): 8.0}), score)

    assert asked == [(1, 3)]
    assert clusters_of(result) == [[1, 2, 3]]


def test_a_chain_end_that_cannot_be_scored_counts_as_no_match():
    result = solve(problem({(1, 2): 12.0, (2, 3): 8.0}), lambda pairs: {})

    assert clusters_of(result) == [[1, 2], [3]]
    assert result.review[(2, 3)] == Hold.CHAIN


def test_two_records_of_one_organization_are_a_duplicate_to_resolve():
    result = cluster(problem({(1, 2): 25.0}, organization={1: 7, 2: 7}))

    assert clusters_of(result) == [[1], [2]]
    assert result.review[(1, 2)] == Hold.DUPLICATE


def test_a_child_takes_one_record_per_organization():
    # Records 2 and 3 are one organization's; the stronger one is linked and
    # the close runner-up is held for a person rather than guessed at.
    weights = {(1, 2): 20.0, (1, 3): 10.0}
    result = cluster(problem(weights, organization={1: 1, 2: 5, 3: 5}))

    assert clusters_of(result) == [[1, 2], [3]]
    assert result.review[(1, 3)] == Hold.COMPETING


def test_two_equally_good_candidates_in_one_organization_are_not_guessed_between():
    weights = {(1, 2): 20.0, (1, 3): 19.5}
    result = cluster(problem(weights, organization={1: 1, 2: 5, 3: 5}))

    assert clusters_of(result) == [[1], [2], [3]]
    assert result.review == {(1, 2): Hold.COMPETING, (1, 3): Hold.COMPETING}


def test_a_person_saying_different_children_is_never_overridden():
    result = cluster(problem({(1, 2): 30.0}, different=[(1, 2)]))

    assert clusters_of(result) == [[1], [2]]
    assert result.review == {}


def test_a_person_saying_the_same_child_holds_even_without_a_score():
    result = cluster(problem({(1, 2): -30.0}, groups=[[1, 2]]))

    assert clusters_of(result) == [[1, 2]]


def test_a_rule_holds_a_strong_pair_for_review():
    result = cluster(problem({(1, 2): 30.0}, holds={(1, 2): Hold.TWINS}))

    assert clusters_of(result) == [[1], [2]]
    assert result.review == {(1, 2): Hold.TWINS}


def test_existing_children_are_not_merged_by_a_newcomer():
    # 1 and 2 are two existing children; -1 is a new record matching both.
    weights = {(-1, 1): 20.0, (-1, 2): 12.0}
    result = cluster(
        problem(
            weights, organization={-1: 3, 1: 1, 2: 2}, groups=[[1], [2]], fixed=[1, 2]
        )
    )

    assert clusters_of(result) == [[-1, 1], [2]]
    assert result.review[(-1, 2)] == Hold.COMPETING


def test_pairs_between_the_thresholds_wait_for_review():
    result = cluster(problem({(1, 2): 2.0, (3, 4): -5.0}))

    assert clusters_of(result) == [[1], [2], [3], [4]]
    assert result.review == {(1, 2): None}


def test_a_middling_score_inside_one_organization_is_not_flagged():
    result = cluster(problem({(1, 2): 2.0}, organization={1: 7, 2: 7}))

    assert result.review == {}


def test_twins_on_one_roster_are_not_flagged_as_a_duplicate():
    result = cluster(
        problem({(1, 2): 25.0}, organization={1: 7, 2: 7}, holds={(1, 2): Hold.TWINS})
    )

    assert result.review == {}
