"""Settings come from the environment; the embedded default needs none."""

import json
import os
import subprocess
import sys

import pytest

SHOW = (
    "import json, braid.settings as s; db = s.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), "
    "'key': s.SECRET_KEY, 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
    "'threshold': s.BRAID_SUPPRESSION_THRESHOLD, "
    "'max_roster_bytes': s.BRAID_MAX_ROSTER_BYTES, 'time_zone': s.TIME_ZONE}))"
)

# Opens the embedded database as Braid does, writes to it, and reports the
# permissions of the database's files while the connection is still open.
WRITE_AND_SHOW_MODES = (
    "import json, os, pathlib, django; "
    "os.environ['DJANGO_SETTINGS_MODULE'] = 'braid.settings'; django.setup(); "
    "from django.conf import settings; from django.db import connection; "
    "cursor = connection.cursor(); cursor.execute('create table t (x integer)'); "
    "cursor.execute('insert into t values (1)'); "
    "folder = pathlib.Path(settings.DATA_DIR); "
    "print(json.dumps({p.name: p.stat().st_mode & 0o777 "
    "for p in [folder, *folder.glob('braid.sqlite3*')]}))"
)

SETTINGS_VARIABLES = {
    "DATABASE_URL",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DEBUG",
    "BRAID_SUPPRESSION_THRESHOLD",
    "BRAID_MAX_ROSTER_BYTES",
    "BRAID_TIME_ZONE",
    "BRAID_LOG_LEVEL",
}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def settings_with(env: dict[str, str]) -> dict:
    result = run_python(SHOW, env)
    assert result.returncode == 0, result.stderr
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


def test_the_numbers_are_read(tmp_path):
    found = settings_with(
        {
            "BRAID_DATA_DIR": str(tmp_path),
            "BRAID_SUPPRESSION_THRESHOLD": " 5 ",
            "BRAID_MAX_ROSTER_BYTES": "1000",
            "BRAID_TIME_ZONE": "Europe/Madrid",
        }
    )

    assert found["threshold"] == 5
    assert found["max_roster_bytes"] == 1000
    assert found["time_zone"] == "Europe/Madrid"


def test_empty_numbers_mean_the_defaults(tmp_path):
    found = settings_with(
        {
            "BRAID_DATA_DIR": str(tmp_path),
            "BRAID_SUPPRESSION_THRESHOLD": "",
            "BRAID_MAX_ROSTER_BYTES": "",
        }
    )

    assert found["threshold"] == 11
    assert found["max_roster_bytes"] == 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("BRAID_SUPPRESSION_THRESHOLD", "abc", "a whole number of at least 2"),
        ("BRAID_SUPPRESSION_THRESHOLD", "0", "a whole number of at least 2"),
        ("BRAID_SUPPRESSION_THRESHOLD", "1", "a whole number of at least 2"),
        ("BRAID_SUPPRESSION_THRESHOLD", "-11", "a whole number of at least 2"),
        ("BRAID_SUPPRESSION_THRESHOLD", "10.5", "a whole number of at least 2"),
        ("BRAID_MAX_ROSTER_BYTES", "50MB", "a whole number of at least 1"),
        ("BRAID_MAX_ROSTER_BYTES", "0", "a whole number of at least 1"),
        ("BRAID_TIME_ZONE", "Mars/Olympus", "a time zone name"),
        ("BRAID_LOG_LEVEL", "loud", "one of DEBUG, INFO"),
        ("DEBUG", "ture", "1 or 0"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable_and_the_value(
    tmp_path, variable, value, expected
):
    result = run_python(SHOW, {"BRAID_DATA_DIR": str(tmp_path), variable: value})

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert f"{variable} must be" in last_line
    assert expected in last_line
    assert repr(value) in last_line


def test_braid_reports_a_bad_value_in_one_line_without_a_traceback(tmp_path):
    result = run_python(
        "from braid.cli import main; main(['braid', 'check'])",
        {"BRAID_DATA_DIR": str(tmp_path), "BRAID_SUPPRESSION_THRESHOLD": "abc"},
    )

    assert result.returncode == 1
    assert result.stderr == (
        "braid: BRAID_SUPPRESSION_THRESHOLD must be a whole number of at least 2, "
        "not 'abc'.\n"
    )


def test_a_secret_key_file_that_cannot_be_read_is_named(tmp_path):
    missing = tmp_path / "no-such-key"

    result = run_python(
        SHOW, {"BRAID_DATA_DIR": str(tmp_path), "SECRET_KEY_FILE": str(missing)}
    )

    assert result.returncode != 0
    assert f"SECRET_KEY_FILE is '{missing}', which cannot be read" in result.stderr


def test_the_data_folder_and_the_database_files_are_for_their_owner_only(tmp_path):
    data = tmp_path / "data"

    result = run_python(WRITE_AND_SHOW_MODES, {"BRAID_DATA_DIR": str(data)})

    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout)
    assert modes.pop("data") == 0o700
    assert modes.pop("braid.sqlite3") == 0o600
    # SQLite in WAL mode keeps these beside the database while it is open.
    assert modes == {"braid.sqlite3-wal": 0o600, "braid.sqlite3-shm": 0o600}
    assert (data / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_database_made_readable_by_others_is_made_owner_only(tmp_path):
    for name in ["braid.sqlite3", "braid.sqlite3-wal", "braid.sqlite3-journal"]:
        (tmp_path / name).touch(mode=0o644)
        (tmp_path / name).chmod(0o644)

    settings_with({"BRAID_DATA_DIR": str(tmp_path)})

    for name in ["braid.sqlite3", "braid.sqlite3-wal", "braid.sqlite3-journal"]:
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "mysql://braid:s3cret@db.example.org/braid",
            "mysql://braid:***@db.example.org/braid",
        ),
        ("mysql://db.example.org/braid", "mysql://db.example.org/braid"),
        ("oracle://braid:s3cret@[db/braid", "oracle://…"),
    ],
)
def test_a_database_braid_does_not_support_is_refused_without_its_password(
    tmp_path, url, shown
):
    result = run_python(SHOW, {"BRAID_DATA_DIR": str(tmp_path), "DATABASE_URL": url})

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "DATABASE_URL must be a postgres://, postgresql:// or sqlite://" in last_line
    assert repr(shown) in last_line
    assert "s3cret" not in result.stderr


def braid_command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_python(f"from braid.cli import main; main(['braid', *{args!r}])", env)


def test_braid_names_a_database_it_cannot_open_in_one_line(tmp_path):
    missing = tmp_path / "no-such-folder" / "braid.sqlite3"

    result = braid_command(
        {"BRAID_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{missing}"},
        "link",
        "status",
    )

    assert result.returncode == 1
    assert result.stderr == (
        f"braid: Cannot connect to the database at {missing}: "
        "unable to open database file.\n"
    )


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs a PostgreSQL server (DATABASE_URL)",
)
def test_braid_names_a_postgresql_database_that_does_not_exist_without_the_password(
    tmp_path,
):
    import dj_database_url

    server = dj_database_url.parse(os.environ["DATABASE_URL"])
    host, port = server["HOST"] or "127.0.0.1", server["PORT"] or 5432
    url = f"postgres://{server['USER']}:{server['PASSWORD'] or 'pw'}@{host}:{port}/"

    result = braid_command(
        {"BRAID_DATA_DIR": str(tmp_path), "DATABASE_URL": url + "braid_no_such_db"},
        "link",
        "status",
    )

    assert result.returncode == 1
    assert result.stderr == (
        f"braid: Cannot connect to the database at postgresql://{host}:{port}/"
        'braid_no_such_db: database "braid_no_such_db" does not exist.\n'
    )


def test_documents_are_stored_readable_by_their_owner_only(settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path / "documents")
    name = storage.save("consents/scan.pdf", ContentFile(b"%PDF-1.4\n"))

    path = tmp_path / "documents" / name
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
