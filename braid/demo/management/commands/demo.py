import logging
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from braid.community.models import Organization
from braid.demo import sharing
from braid.demo.address import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    Address,
    check_free,
    parse_address,
)
from braid.demo.generator import DemoCommunity, build_community
from braid.demo.setup import (
    LOGINS_FILE,
    create_community,
    discard_unfinished,
    import_rosters,
    missing_organizations,
    new_passwords,
    pending_rosters,
    reset_passwords,
    write_logins,
)

# The task worker the demo runs beside its web server.
WORKER = [sys.executable, "-m", "braid", "db_worker", "--no-startup-delay"]


class Command(BaseCommand):
    help = (
        "Set up a synthetic demo community (generated children only), import its "
        "rosters through intake, print a login for each kind of person and serve "
        f"Braid on http://{DEFAULT_HOST}:{DEFAULT_PORT}/ (or --address). Run "
        "again, it finishes a demo that was interrupted and serves it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help="the generator's seed, used when the demo is first set up",
        )
        parser.add_argument("--no-serve", action="store_true", help="set up, then stop")
        parser.add_argument(
            "--address",
            default=f"{DEFAULT_HOST}:{DEFAULT_PORT}",
            help="where to serve: PORT or HOST:PORT",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve = not options["no_serve"]
        address = parse_address(options["address"])
        if serve:
            # Before the minute of setting up, not after it.
            check_free(address)

        call_command("migrate", interactive=False, verbosity=0)
        logins = Path(settings.DATA_DIR) / LOGINS_FILE
        with _operator_log_quiet():
            community = build_community(options["seed"])
            self._set_up(community, options["seed"], logins)

        self._print_logins(logins, address if serve else None)
        if serve:
            with _task_worker():
                call_command("runserver", str(address), use_reloader=False)

    def _set_up(self, community: DemoCommunity, seed: int, logins: Path) -> None:
        """Set the demo up, or finish what an interrupted run left."""
        fresh = not Organization.objects.exists()
        if fresh:
            self.stdout.write(
                _("Generating the demo community (seed %(seed)s)...") % {"seed": seed}
            )
            passwords = new_passwords()
            create_community(community, passwords)
            # Written before the rosters are imported, so that an interruption
            # during the import does not lose the only copy of the passwords.
            write_logins(logins, passwords)
        else:
            self._check_is_the_demo(community)
            if not logins.exists():
                self.stdout.write(
                    _("The demo's logins were lost: its people get new passwords.")
                )
                passwords = new_passwords()
                reset_passwords(passwords)
                write_logins(logins, passwords)

        pending = pending_rosters(community)
        if not fresh and not pending:
            self.stdout.write(_("The demo community is already set up."))
        elif not fresh:
            self.stdout.write(
                _(
                    "The demo community was not finished: importing the rosters "
                    "it lacks."
                )
            )
        discard_unfinished(pending)
        for line in import_rosters(pending):
            self.stdout.write(line)
        if not sharing.is_set_up():
            agreements, consents = sharing.set_up_sharing(seed)
            self.stdout.write(
                _("Data-sharing: %(agreements)s agreements, %(consents)s consents.")
                % {"agreements": agreements, "consents": consents}
            )

    def _check_is_the_demo(self, community: DemoCommunity) -> None:
        missing = missing_organizations(community)
        if not missing:
            return
        if len(missing) == len(community.organizations):
            raise CommandError(
                _(
                    "This database holds a community that is not the demo's, and "
                    "`braid demo` leaves it alone. Set BRAID_DATA_DIR (or "
                    "DATABASE_URL) to another place for the demo."
                )
            )
        raise CommandError(
            _(
                "The demo community was changed (it lacks %(slugs)s) and cannot be "
                "finished: `make clean` removes it, then `make demo` starts over."
            )
            % {"slugs": ", ".join(missing)}
        )

    def _print_logins(self, logins: Path, address: Address | None) -> None:
        if address is None:
            self.stdout.write(_("Sign in as:"))
        else:
            self.stdout.write(_("Sign in at %(url)s as:") % {"url": address.url})
        self.stdout.write(logins.read_text(), ending="")


@contextmanager
def _task_worker() -> Iterator[None]:
    """Run a task worker beside the demo's web server, and stop it after.

    Large rosters are committed by the worker; a deployment runs
    ``braid db-worker`` as a service of its own instead. The worker has a
    session of its own, so that Ctrl-C reaches the demo alone, which then
    asks the worker once to stop after the roster it is committing; a second
    Ctrl-C stops it at once (that commit then fails, changing nothing).
    """
    worker = subprocess.Popen(WORKER, start_new_session=True)
    # Stopped by a signal, or its terminal closed, the demo still stops its
    # worker.
    previous = {s: signal.signal(s, _exit) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _stop(worker)


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is not None:
        return
    worker.send_signal(signal.SIGINT)
    try:
        worker.wait()
    except KeyboardInterrupt:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@contextmanager
def _operator_log_quiet() -> Iterator[None]:
    # The demo says what it does itself; intake's operator log would say each
    # step twice.
    braid_log = logging.getLogger("braid")
    level = braid_log.level
    braid_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        braid_log.setLevel(level)
