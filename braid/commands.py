"""What every ``braid`` command shares."""

import getpass
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
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


def shell_user() -> User:
    """Return the account standing for whoever runs a command in the shell.

    Whoever runs a command already holds the database, so what the command
    does is recorded under their login name (``shell:LOGIN``), an account
    that cannot sign in.
    """
    user, created = get_user_model().objects.get_or_create(
        username=f"shell:{getpass.getuser()}"[:150], defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user
