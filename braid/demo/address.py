"""Where the demo serves, and whether it can."""

import errno
import re
import socket
from dataclasses import dataclass

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

# What Django's runserver accepts: PORT, HOST:PORT or [IPv6]:PORT.
_ADDRESS = re.compile(
    r"^(?:(?P<host>\d{1,3}(?:\.\d{1,3}){3}|\[[a-fA-F0-9:]+\]"
    r"|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*):)?(?P<port>\d+)$"
)


@dataclass(frozen=True)
class Address:
    host: str  # an IPv6 address keeps its brackets, as in a URL
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self}/"


def parse_address(text: str) -> Address:
    """Read PORT or HOST:PORT, as `braid demo --address` takes it."""
    found = _ADDRESS.match(text.strip())
    port = int(found["port"]) if found else 0
    if found is None or not 1 <= port <= 65535:
        raise CommandError(
            _(
                "%(address)s is not an address to serve on: give a port from 1 to "
                "65535, or HOST:PORT, e.g. 127.0.0.1:8011."
            )
            % {"address": text}
        )
    return Address(host=found["host"] or DEFAULT_HOST, port=port)


def check_free(address: Address) -> None:
    """Raise CommandError, saying how to choose another, if it cannot serve."""
    ipv6 = address.host.startswith("[")
    host = address.host.strip("[]")
    family = socket.AF_INET6 if ipv6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # The development server sets this option too, so that a port
            # still closing from the last run counts as free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, address.port))
    except OSError as error:
        raise CommandError(_problem(address, error)) from None


def _problem(address: Address, error: OSError) -> str:
    other = Address(address.host, address.port + 1 if address.port < 65535 else 8011)
    values = {
        "address": str(address),
        "port": address.port,
        "host": address.host,
        "other_port": other.port,
        "other": str(other),
    }
    how = (
        _(
            "Choose another port: `make demo PORT=%(other_port)s`, or "
            "`braid demo --address %(other)s`."
        )
        % values
    )
    if error.errno == errno.EADDRNOTAVAIL or isinstance(error, socket.gaierror):
        return (
            _(
                "%(host)s is not an address of this machine: serve on "
                "127.0.0.1 instead (`braid demo --address 127.0.0.1:%(port)s`)."
            )
            % values
        )
    if error.errno == errno.EADDRINUSE:
        said = _(
            "Port %(port)s on %(host)s is already in use, perhaps by another "
            "Braid still running."
        )
    elif error.errno == errno.EACCES:
        said = _(
            "You may not serve on port %(port)s: ports below 1024 need the "
            "system administrator's rights."
        )
    else:
        said = _("Braid cannot serve on %(address)s.")
    return f"{said % values} {how}"
