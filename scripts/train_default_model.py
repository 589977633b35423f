"""Train the linkage model Braid starts from, on a generated community.

A new community has too few records for EM, so Braid ships a model trained
on a synthetic community (a different seed from the demo's) and links its
first rosters with it; `braid link train` replaces it once the community's
own records are enough. Rerun this after changing the comparisons:

    .venv/bin/python scripts/train_default_model.py
"""

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 7
OUTPUT = ROOT / "braid" / "linkage" / "data" / "default_model.json"


def main() -> None:
    os.environ["BRAID_DATA_DIR"] = tempfile.mkdtemp(prefix="braid-default-model-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braid.settings")
    sys.path.insert(0, str(ROOT))
    OUTPUT.unlink(missing_ok=True)

    import django

    django.setup()
    from django.core.management import call_command

    from braid.demo.generator import build_community
    from braid.demo.setup import create_community, import_rosters, new_passwords
    from braid.linkage import training

    call_command("migrate", verbosity=0)
    community = build_community(SEED)
    create_community(community, new_passwords())
    for line in import_rosters(community.rosters):
        print(line)

    model = training.train()
    parameters = model.parameters
    # The identity of one training run means nothing to the next.
    parameters.pop("linker_uid", None)
    training = {"records": model.training["records"], "seed": SEED}
    shipped = {"parameters": parameters, "training": training}
    OUTPUT.write_text(json.dumps(shipped, indent=1, sort_keys=True) + "\n")
    print(f"Wrote {OUTPUT.relative_to(ROOT)} ({model.training['records']} records)")


if __name__ == "__main__":
    main()
