"""Settings come from the environment; the embedded default needs none."""

import json
import os
import subprocess
import sys

SHOW = (
    "import json, braid.settings as s; db = s.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), "
    "'key': s.SECRET_KEY, 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS}))"
)


def settings_with(env: dict[str, str]) -> dict:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}
    }
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_embedded_default_is_sqlite_with_a_key_kept_in_the_data_folder(tmp_path):
    first = settings_with({"BRAID_DATA_DIR": str(tmp_path)})
    second = settings_with({"BRAID_DATA_DIR": str(tmp_path)})

    assert first["engine"] == "django.db.backends.sqlite3"
    assert first["name"] == str(tmp_path / "braid.sqlite3")
    assert first["key"] == second["key"]
    assert len(first["key"]) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["debug"] is False


def test_database_url_chooses_postgresql(tmp_path):
    found = settings_with(
        {
            "BRAID_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://braid@db.example.org:5432/braid",
        }
    )

    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "braid"


def test_the_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("a-key-from-a-file\n")

    found = settings_with(
        {"BRAID_DATA_DIR": str(tmp_path), "SECRET_KEY_FILE": str(key_file)}
    )

    assert found["key"] == "a-key-from-a-file"
    assert not (tmp_path / "secret_key").exists()


def test_debug_and_allowed_hosts_are_read(tmp_path):
    found = settings_with(
        {
            "BRAID_DATA_DIR": str(tmp_path),
            "DEBUG": "1",
            "ALLOWED_HOSTS": "braid.example.org, x",
        }
    )

    assert found["debug"] is True
    assert found["hosts"] == ["braid.example.org", "x"]
