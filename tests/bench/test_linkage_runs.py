"""The linkage benchmark's runs: each on a data folder removed when it ends."""

import subprocess
import tempfile
from pathlib import Path

import pytest

from bench import linkage


@pytest.fixture
def folders(monkeypatch, tmp_path) -> list[Path]:
    """Stand in for each data set's process: fill its folder, note where."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("BRAID_BENCH_KEEP", raising=False)
    made: list[Path] = []

    def run(args, env, check):
        folder = Path(env["BRAID_DATA_DIR"])
        (folder / "braid.sqlite3").write_text("synthetic children")
        made.append(folder)
        if args[-1] == "febrl3":
            raise subprocess.CalledProcessError(1, args)

    monkeypatch.setattr(subprocess, "run", run)
    return made


def test_each_data_set_gets_a_folder_removed_when_its_run_ends(folders):
    linkage.run_apart("demo")
    linkage.run_apart("febrl4")

    demo, febrl4 = folders
    assert demo.name.startswith("braid-bench-demo-")
    assert febrl4.name.startswith("braid-bench-febrl4-")
    assert not demo.exists() and not febrl4.exists()


def test_a_failed_run_removes_its_folder_too(folders):
    with pytest.raises(subprocess.CalledProcessError):
        linkage.run_apart("febrl3")

    assert len(folders) == 1
    assert not folders[0].exists()


def test_braid_bench_keep_keeps_the_folder_and_says_where(folders, monkeypatch, capsys):
    monkeypatch.setenv("BRAID_BENCH_KEEP", "1")

    linkage.run_apart("demo")

    assert (folders[0] / "braid.sqlite3").exists()
    assert capsys.readouterr().err == f"demo: data kept in {folders[0]}\n"
