"""What the linkage pages share."""

from django.core.exceptions import PermissionDenied

from braid.access import policy
from braid.http import AuthenticatedRequest


def require_steward(request: AuthenticatedRequest) -> None:
    decision = policy.can_manage_linkage(request.user)
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))
