"""``python -m braid`` runs the ``braid`` command where it is not on PATH."""

from braid.cli import main

main()
