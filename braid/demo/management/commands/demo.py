import logging
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from braid.community.models import Organization
from braid.demo.setup import DEMO_PEOPLE, create_community, import_rosters

ADDRESS = "127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Set up a synthetic demo community (generated children only), import its "
        "rosters through intake, print a login for each kind of person and serve "
        f"Braid on http://{ADDRESS}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=2026, help="the generator's seed"
        )
        parser.add_argument("--no-serve", action="store_true", help="set up, then stop")
        parser.add_argument("--address", default=ADDRESS, help="where to serve")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        logins = Path(settings.DATA_DIR) / "demo-logins.txt"

        if Organization.objects.exists():
            self.stdout.write("The demo community is already set up.")
        else:
            self._set_up(options["seed"], logins)

        if logins.exists():
            self.stdout.write(logins.read_text())
        if not options["no_serve"]:
            call_command("runserver", options["address"], use_reloader=False)

    def _set_up(self, seed: int, logins: Path) -> None:
        self.stdout.write(f"Generating the demo community (seed {seed})...")
        passwords = {username: secrets.token_urlsafe(9) for username, *_ in DEMO_PEOPLE}
        # The demo says what it does itself; intake's operator log would say
        # each step twice.
        braid_log = logging.getLogger("braid")
        level = braid_log.level
        braid_log.setLevel(logging.WARNING)
        try:
            with transaction.atomic():
                community = create_community(seed, passwords)
            for line in import_rosters(community):
                self.stdout.write(line)
        finally:
            braid_log.setLevel(level)

        lines = ["Sign in at http://" + ADDRESS + "/ as:"]
        for username, _org, _role, description in DEMO_PEOPLE:
            lines.append(f"  {description:<44} {username:<18} {passwords[username]}")
        logins.write_text("\n".join(lines) + "\n")
        logins.chmod(0o600)
