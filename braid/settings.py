"""Django settings for Braid, read from the environment.

Variables: DATABASE_URL (PostgreSQL; SQLite in the data folder when absent),
SECRET_KEY or SECRET_KEY_FILE, DEBUG, ALLOWED_HOSTS, BRAID_DATA_DIR,
BRAID_SUPPRESSION_THRESHOLD, BRAID_MAX_ROSTER_BYTES, BRAID_BACKGROUND_ROWS,
BRAID_TIME_ZONE, BRAID_LOG_LEVEL, BRAID_STATIC_ROOT.

A value that cannot be used stops Braid with ImproperlyConfigured naming the
variable and the value. These messages are in English: translations need the
settings they would be reporting on.
"""

import contextlib
import os
import secrets
import urllib.parse
import zoneinfo
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent

# The data folder holds children's names and dates of birth (in the SQLite
# database) and the secret key: only its owner may read it.
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (on or off), not {value!r}.")


def _whole_number(name: str, default: int, minimum: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of at least {minimum}, not {value!r}."
        )
    return number


def _time_zone(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip() or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be a time zone name such as America/Chicago, not {value!r}."
        ) from None
    return value


def _log_level(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip().upper() or default
    if value not in _LOG_LEVELS:
        raise ImproperlyConfigured(
            f"{name} must be one of {', '.join(_LOG_LEVELS)}, not {os.environ[name]!r}."
        )
    return value


def _data_dir() -> Path:
    configured = os.environ.get("BRAID_DATA_DIR")
    if configured:
        data_dir = Path(configured).expanduser().resolve()
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        data_dir = Path(xdg) / "braid"
    # A folder that already exists keeps its permissions: it may be one the
    # operator chose and shares with other things.
    data_dir.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    return data_dir


def _secret_key(data_dir: Path) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if os.environ.get("SECRET_KEY_FILE"):
        return _secret_key_from(Path(os.environ["SECRET_KEY_FILE"]))

    # The embedded default keeps a key of its own beside its database, made
    # once with owner-only permissions, so that sessions survive a restart.
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def _secret_key_from(path: Path) -> str:
    try:
        key = path.read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"SECRET_KEY_FILE is {str(path)!r}, which cannot be read: {error.strerror}."
        ) from None
    if not key:
        raise ImproperlyConfigured(f"SECRET_KEY_FILE {str(path)!r} is empty.")
    return key


# Braid is tested on these two; dj-database-url would take others and leave
# Django to fail later, in a traceback, for want of their drivers.
_DATABASE_SCHEMES = {"postgres", "postgresql", "sqlite"}


def _database_url(url: str) -> dict[str, Any]:
    scheme = url.partition("://")[0].lower()
    if scheme not in _DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            "DATABASE_URL must be a postgres://, postgresql:// or sqlite:// "
            f"address, not {_without_password(url)!r}."
        )
    try:
        return dict(dj_database_url.parse(url))
    except ValueError as error:
        # The address may hold a password, so it is not repeated here.
        raise ImproperlyConfigured(f"DATABASE_URL cannot be used: {error}") from None


def _without_password(url: str) -> str:
    """Return a database address with its password, if any, hidden."""
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:
        # An address that cannot even be read is named by its scheme alone.
        return url.partition("://")[0] + "://…"
    if password is None:
        return url
    user = urllib.parse.quote(parts.username or "", safe="")
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _private_sqlite(path: Path) -> Path:
    """Create the database file owner-only, and tighten one made before."""
    # SQLite gives its -wal, -shm and -journal files the database file's
    # permissions when it creates them; older ones are tightened here.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    os.close(fd)
    for suffix in ("", "-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists() and companion.stat().st_mode & 0o077:
            with contextlib.suppress(PermissionError):
                # Another owner's file is theirs to guard.
                companion.chmod(PRIVATE_FILE)
    return path


DATA_DIR = _data_dir()
SECRET_KEY = _secret_key(DATA_DIR)
DEBUG = _flag("DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "braid.community",
    "braid.children",
    "braid.records",
    "braid.intake",
    "braid.linkage",
    "braid.agreements",
    "braid.consent",
    "braid.access",
    "braid.reporter",
    "braid.demo",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "braid.busy.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "braid.urls"
WSGI_APPLICATION = "braid.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "braid.access.context_processors.navigation",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": _database_url(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_private_sqlite(DATA_DIR / "braid.sqlite3")),
            "OPTIONS": {
                # WAL lets reports read while an import writes; the immediate
                # transaction mode makes a writer wait for the lock instead of
                # failing half-way through an import.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = _time_zone("BRAID_TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic writes here for a production web server; WhiteNoise serves
# from it, and from the package itself through the finders.
STATIC_ROOT = Path(os.environ.get("BRAID_STATIC_ROOT") or DATA_DIR / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Signed agreements and consent scans: never served as static files, only
# through pages that ask the decision point.
MEDIA_ROOT = DATA_DIR / "documents"
MEDIA_URL = "/documents/"
# They name children and guardians: owner-only, like the database.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Static files are served from the package itself, so that the embedded
# default needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Rosters are read in memory; a county's largest roster is a few megabytes.
BRAID_MAX_ROSTER_BYTES = _whole_number(
    "BRAID_MAX_ROSTER_BYTES", default=50 * 1024 * 1024, minimum=1
)
FILE_UPLOAD_MAX_MEMORY_SIZE = BRAID_MAX_ROSTER_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Long work leaves the request and runs in a task worker (`braid db_worker`),
# which takes its tasks from the database: no broker to run.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A roster of more rows than this is committed from the page as a task, its
# progress shown while it runs; a smaller one is committed at once.
BRAID_BACKGROUND_ROWS = _whole_number("BRAID_BACKGROUND_ROWS", default=2000, minimum=0)

# Counts from 1 to threshold - 1 are never shown; a threshold of 1 would show
# every count, so 2 is the least that still hides anything.
BRAID_SUPPRESSION_THRESHOLD = _whole_number(
    "BRAID_SUPPRESSION_THRESHOLD", default=11, minimum=2
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        "stopped_task": {"()": "braid.logs.StoppedTaskFilter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "loggers": {
        "braid": {
            "handlers": ["console"],
            "level": _log_level("BRAID_LOG_LEVEL", "INFO"),
        },
        "django_tasks": {"filters": ["stopped_task"]},
    },
}
