from django.http import HttpRequest

from braid.access import policy


def navigation(request: HttpRequest) -> dict[str, object]:
    """Tell the page layout which sections the signed-in person may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "steward": policy.is_steward(user),
            "records": bool(policy.record_organizations(user)),
            "upload": bool(policy.roster_organizations(user)),
            "reports": bool(policy.can_read_aggregates(user)),
            "agreements": bool(policy.memberships(user)),
            "admin": user.is_staff,
        }
    }
