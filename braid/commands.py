"""What every ``braid`` command shares."""

import logging
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    """A command whose ``-v 0`` quiets Braid's log too, not only its output.

    A command run from a schedule with ``-v 0`` should print nothing unless
    something went wrong: the operator's log lines at INFO are left out,
    warnings and errors still go to standard error.
    """

    def execute(self, *args: Any, **options: Any) -> Any:
        if options.get("verbosity", 1):
            return super().execute(*args, **options)
        braid_log = logging.getLogger("braid")
        level = braid_log.level
        braid_log.setLevel(max(level, logging.WARNING))
        try:
            return super().execute(*args, **options)
        finally:
            braid_log.setLevel(level)
