"""The ``braid`` console command: Django's management commands, renamed."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, accepting hyphenated names."""
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        # Commands are Python modules, so their names use underscores; people
        # type ``braid import-roster`` as the documentation spells it.
        args[1] = args[1].replace("-", "_")
    args[0] = "braid"

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braid.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
