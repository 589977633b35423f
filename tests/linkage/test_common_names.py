"""A common name's nickname must not outweigh the name itself."""

import datetime

from braid.linkage.models import ReviewItem


def test_the_same_common_name_weighs_more_than_its_nickname(send, community):
    # A district where one boy in ten is a Liam, among them twins William and
    # Liam Ortiz; the club's Liam Ortiz is a better match for Liam than for
    # William.
    surnames = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Gray", "Hill"]
    others = ["Noah", "Mateo", "Elijah", "Lucas", "Levi", "Asher", "James", "Leo"]
    rows = []
    for n in range(240):
        first = "Liam" if n % 10 == 0 else others[n % len(others)]
        born = datetime.date(2010, 1, 1) + datetime.timedelta(days=n * 7)
        surname = f"{surnames[n % len(surnames)]}{n}"
        rows.append(f"X{n},,{first},{surname},{born},M,,")
    send(
        community.district,
        *rows,
        "D1,,William,Ortiz,2014-01-01,M,5 Elm St,50309",
        "D2,,Liam,Ortiz,2014-01-01,M,5 Elm St,50309",
    )
    send(community.club, "C1,,Liam,Ortiz,2014-01-01,M,5 Elm St,50309")

    weights = {
        (item.record_a.local_id, item.record_b.local_id): item.match_weight
        for item in ReviewItem.objects.filter(kind=ReviewItem.Kind.LINK)
    }
    assert weights[("D2", "C1")] > weights[("D1", "C1")]
