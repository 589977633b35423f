"""A page that says the database is busy, instead of a bare server error.

On SQLite one write at a time holds the database: a large roster's commit
holds it for a minute or more, and a request that must write meanwhile (a
sign-in, an upload) waits, then fails with "database is locked". That is
not a fault to report but a moment to wait, and the page says so.
"""

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

# Seconds a browser or a script is told to wait before asking again.
RETRY_AFTER = 30


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        if "database is locked" not in str(exception):
            return None
        logger.warning(
            "%s %s answered 503: the database is busy with a long write "
            "(such as a large roster's commit)",
            request.method,
            request.path,
        )
        response = render(request, "busy.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
