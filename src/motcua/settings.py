"""The one settings module of motcua, driven by environment variables.

Every variable is read through the small typed helpers below so that a bad value fails at start-up
with a clear message instead of somewhere deep in a request. ``MOTCUA_ENV`` selects the profile:
``development`` (the default, what ``make run`` uses), ``test`` or ``production``.
"""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from motcua.core import storageconf

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from exc


def env_json(name: str, default: Any) -> Any:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be JSON, got {raw!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# The test profile is set by tests/settings.py (pytest's DJANGO_SETTINGS_MODULE), not guessed here.
ENV = env_str("MOTCUA_ENV", "development")
if ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("MOTCUA_ENV must be development, test or production.")
PRODUCTION = ENV == "production"

DEBUG = env_bool("MOTCUA_DEBUG", not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env_str("MOTCUA_SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("MOTCUA_SECRET_KEY must be at least 50 characters in production.")
else:
    # Only for development and tests; production refuses to start without its own key.
    SECRET_KEY = env_str("MOTCUA_SECRET_KEY", "django-insecure-motcua-development-key-" + "x" * 24)

# System checks an operator has decided to silence, by id (e.g. motcua.E001 for `make cluster`, the model of a
# province on one machine, which citizens reach at localhost).
SILENCED_SYSTEM_CHECKS = env_list("MOTCUA_SILENCED_CHECKS", [])

ALLOWED_HOSTS = env_list("MOTCUA_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("MOTCUA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",  # its system checks (a policy in the settings format of django-csp 3 is reported)
    # The second factor of staff sign-in (TOTP, motcua.accounts.middleware): before motcua.accounts, whose admin
    # takes the TOTP devices' admin page away (it shows every person's secret).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # serves the API docs from its packaged static files, not from a CDN
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "motcua.core",
    "motcua.accounts",
    "motcua.calendars",
    "motcua.catalogue",
    "motcua.dossiers",
    "motcua.documents",
    "motcua.notifications",
    "motcua.feedback",
    "motcua.surveys",
    "motcua.integrations",
    "motcua.insight",
    "motcua.portal",
    "motcua.stats",
    "motcua.scorecards",
]

MIDDLEWARE = [
    "motcua.core.middleware.HeadAsGetMiddleware",  # first: everything after it sees HEAD as GET
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise: the policies go with every response, static files too (docs/security.md §5).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside WhiteNoise (static files keep their long-lived headers): nothing else is stored by a cache.
    "motcua.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After the locale (its messages are in the caller's language), before any view reads the input.
    "motcua.core.middleware.UserTextMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor; then staff who have not are
    # kept to the second-factor pages (docs/security.md "Second factor for staff").
    "django_otp.middleware.OTPMiddleware",
    "motcua.accounts.middleware.SecondFactorMiddleware",
    # Inside the session middleware: the session's own save is not the user's write (motcua.core.dbrouter).
    "motcua.core.dbrouter.ReadYourWritesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database locked past its busy timeout (SQLite under a long write) answers 503, not 500.
    "motcua.core.middleware.BusyDatabaseMiddleware",
    # Must be last: it turns locked-out login attempts into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.core.context_processors.site",
                "motcua.accounts.context_processors.navigation",
                "motcua.integrations.vneid.context_processors.vneid",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite by default (WAL, immediate transactions so writers queue instead of failing);
# PostgreSQL when DATABASE_URL is set, with psycopg 3's connection pool.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Behind PgBouncer in transaction mode (docs/operations.md "PgBouncer") a server connection serves a client only
# for one transaction, so nothing may outlive a transaction on it: no server-side cursors (Django's .iterator()
# would open one WITH HOLD), no server-side prepared statements (psycopg prepares a query after 5 uses), and no
# pool of our own (PgBouncer is the pool; Django keeps one cheap connection to it per thread).
DB_PGBOUNCER = env_bool("MOTCUA_DB_PGBOUNCER", False)


# SQLite in WAL mode with immediate transactions, so that concurrent writers queue (up to 20 s) instead of failing.
SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
    ),
}


def _database(url: str) -> dict[str, Any]:
    db: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0, conn_health_checks=False))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # A SQLite file named by URL is run as the default one is: without these, writers fail at once with
        # "database is locked" instead of queueing (deferred transactions cannot wait to upgrade their lock).
        db["CONN_MAX_AGE"] = 600
        db["OPTIONS"] = {**SQLITE_OPTIONS, **db.get("OPTIONS", {})}
        return db
    if db["ENGINE"] != "django.db.backends.postgresql":
        return db
    options = db.setdefault("OPTIONS", {})
    if DB_PGBOUNCER:
        db["DISABLE_SERVER_SIDE_CURSORS"] = True
        db["CONN_MAX_AGE"] = env_int("MOTCUA_DB_CONN_MAX_AGE", 60)
        db["CONN_HEALTH_CHECKS"] = True
        options["prepare_threshold"] = None
    elif env_bool("MOTCUA_DB_POOL", True):
        options["pool"] = {
            "min_size": env_int("MOTCUA_DB_POOL_MIN", 2),
            "max_size": env_int("MOTCUA_DB_POOL_MAX", 10),
            "timeout": 10,
        }
    return db


if DATABASE_URL:
    DATABASES = {"default": _database(DATABASE_URL)}
    # A read replica (motcua.core.dbrouter): dashboards, reports and exports read from it while it is less than
    # MOTCUA_DB_REPLICA_MAX_LAG seconds behind; everything else, and every write, goes to the primary.
    DB_REPLICA_URL = os.environ.get("MOTCUA_DB_REPLICA_URL", "")
    if DB_REPLICA_URL:
        _replica = _database(DB_REPLICA_URL)
        # A replica that does not answer must not hold a leader's dashboard: give up quickly, use the primary.
        _replica.setdefault("OPTIONS", {})["connect_timeout"] = env_int("MOTCUA_DB_REPLICA_CONNECT_TIMEOUT", 2)
        _replica["TEST"] = {"MIRROR": "default"}  # the tests' replica is the primary's test database
        DATABASES["replica"] = _replica
        DATABASE_ROUTERS = ["motcua.core.dbrouter.ReplicaRouter"]
        MOTCUA_DB_REPLICA_MAX_LAG = float(env_str("MOTCUA_DB_REPLICA_MAX_LAG", "10"))
        MOTCUA_DB_REPLICA_PIN_SECONDS = env_int("MOTCUA_DB_REPLICA_PIN_SECONDS",
                                                max(15, int(MOTCUA_DB_REPLICA_MAX_LAG * 2)))
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("MOTCUA_SQLITE_PATH", str(VAR_DIR / "motcua.sqlite3")),
            "CONN_MAX_AGE": 600,
            "OPTIONS": SQLITE_OPTIONS,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Authentication -------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # The name and phone live in full_name and phone here, not in Django's first_name/last_name.
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "full_name", "email", "phone")}},
    # Accent-insensitive: refuses "nguyenvanan1" for Nguyễn Văn An (issue 21, finding 9).
    {"NAME": "motcua.accounts.validators.PersonalInformationValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# How long a "Quên mật khẩu" link works (seconds); Django's default of three days is long for a link that
# opens an account holding personal data.
PASSWORD_RESET_TIMEOUT = env_int("MOTCUA_PASSWORD_RESET_TIMEOUT", 2 * 3600)
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Login throttling: 5 failures per username and client lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("MOTCUA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("MOTCUA_LOGIN_THROTTLING", True)

# The client's address (login lockout, rate limits): ``motcua.core.throttle.client_address``. X-Forwarded-For is
# believed only from these reverse proxies (addresses or networks, comma-separated); empty: the peer's address.
MOTCUA_TRUSTED_PROXIES = env_list("MOTCUA_TRUSTED_PROXIES", [])
for _proxy in MOTCUA_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"MOTCUA_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network.") from _exc
AXES_CLIENT_IP_CALLABLE = "motcua.core.throttle.client_address"

# The second factor (docs/security.md "Second factor for staff"): every officer, leader, inspector, appraiser and
# administrator (and anyone with access to the admin site) signs in with a password and then a code from an
# authenticator app (TOTP, RFC 6238) or a one-time recovery code. Off only where an operator says so explicitly.
MOTCUA_STAFF_2FA = env_bool("MOTCUA_STAFF_2FA", True)
# Wrong codes in one sign-in before the session is signed out (the password must be given again, and wrong
# passwords are counted by django-axes above). Each device also slows tries down: 1, 2, 4, 8 … seconds
# between tries after successive failures (django-otp's throttling, reset by a right code).
MOTCUA_2FA_FAILURE_LIMIT = env_int("MOTCUA_2FA_FAILURE_LIMIT", 5)
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_TOTP_ISSUER = env_str("MOTCUA_2FA_ISSUER", "motcua")
# Security keys and passkeys (WebAuthn), the other second factor (motcua.accounts.passkeys): the RP ID and origin are
# those of MOTCUA_PUBLIC_BASE_URL (else the request's host); a ceremony's challenge expires after this many seconds.
MOTCUA_WEBAUTHN_TIMEOUT = env_int("MOTCUA_WEBAUTHN_TIMEOUT", 300)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("MOTCUA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("MOTCUA_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("MOTCUA_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Language, time ---------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["motcua.formats"]

# --- Static files -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production WhiteNoise serves the source folders, DEBUG or not (`motcua serve` runs with DEBUG off so that
# the app's own error pages show), and sees edited files; production serves what collectstatic gathered.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG or ENV == "development"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
MEDIA_ROOT = Path(os.environ.get("MOTCUA_MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files: local files under MEDIA_ROOT unless MOTCUA_STORAGE_BACKEND names another Django storage
# class (dotted path), with its keyword arguments as a JSON object in MOTCUA_STORAGE_OPTIONS.
# MOTCUA_STORAGE_URL (s3://BUCKET?endpoint_url=...) puts them in an S3-compatible object store that every app
# server sees (motcua.core.storageconf, docs/operations.md "Files in object storage"); it wins over the two above.
STORAGE_URL = os.environ.get("MOTCUA_STORAGE_URL", "")
STORAGES = {
    "default": storageconf.parse(STORAGE_URL) if STORAGE_URL else {
        "BACKEND": env_str("MOTCUA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env_json("MOTCUA_STORAGE_OPTIONS", {}),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Cache -------------------------------------------------------------------------------------------
# The rate limits (public tracking, portal.throttle) count in this cache, so several app servers must share
# one: MOTCUA_CACHE_URL=redis://HOST:6379/DB (Django's RedisCache). Unset: each process's local memory,
# which is right for one process only.
CACHE_URL = os.environ.get("MOTCUA_CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("MOTCUA_CACHE_URL must be a redis://, rediss:// or unix:// address.")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": env_str("MOTCUA_CACHE_PREFIX", "motcua")}}
    # Sessions read from the shared cache (no database query per request on every app server) and written
    # through to the database, so a Redis restart does not sign every officer out in the middle of a dossier.
    SESSION_ENGINE = env_str("MOTCUA_SESSION_ENGINE", "django.contrib.sessions.backends.cached_db")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- E-mail -------------------------------------------------------------------------------------------
# Django's SMTP settings, each from MOTCUA_EMAIL_<NAME>; the e-mail notice channel uses them unless
# MOTCUA_NOTIFY_CHANNELS gives it its own options (docs/notifications.md).
EMAIL_BACKEND = env_str("MOTCUA_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("MOTCUA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("MOTCUA_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("MOTCUA_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("MOTCUA_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MOTCUA_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("MOTCUA_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("MOTCUA_EMAIL_TIMEOUT", 30)
# The address notices come from; each e-mail notice shows the dossier's agency as the sender's name
# (motcua.notifications.channels.email). Unset: noreply@ the host of MOTCUA_PUBLIC_BASE_URL (/healthz warns in
# production).
MOTCUA_EMAIL_FROM = env_str("MOTCUA_EMAIL_FROM", "")
DEFAULT_FROM_EMAIL = MOTCUA_EMAIL_FROM or "noreply@" + (
    urlsplit(os.environ.get("MOTCUA_PUBLIC_BASE_URL", "")).hostname or "localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notices (docs/notifications.md) ---------------------------------------------------------------------
# Each a JSON value; unset = the defaults of motcua.notifications.conf (development: console and outbox files;
# production: e-mail only).
_notify_channels = env_json("MOTCUA_NOTIFY_CHANNELS", None)
if _notify_channels is not None:
    if not isinstance(_notify_channels, dict):
        raise ImproperlyConfigured("MOTCUA_NOTIFY_CHANNELS must be a JSON object {kind: {BACKEND, OPTIONS}}.")
    MOTCUA_NOTIFY_CHANNELS = _notify_channels
_notify_order = env_json("MOTCUA_NOTIFY_ORDER", None)
if _notify_order is not None:
    MOTCUA_NOTIFY_ORDER = list(_notify_order)
_notify_retry = env_json("MOTCUA_NOTIFY_RETRY", None)
if _notify_retry is not None:
    MOTCUA_NOTIFY_RETRY = dict(_notify_retry)

# --- Background work ----------------------------------------------------------------------------------
# One machine: the database backend (django-tasks-db), whose queue is the task table. A province:
# MOTCUA_TASKS_URL=redis://HOST:6379/N puts the queue in Redis and runs RQ workers (django-tasks-rq), so that
# background work scales out and stays off the primary database (docs/operations.md "Background work on Redis").
# `motcua worker` starts the worker of whichever is configured.
TASKS_URL = os.environ.get("MOTCUA_TASKS_URL", "")
if TASKS_URL:
    if not TASKS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("MOTCUA_TASKS_URL must be a redis://, rediss:// or unix:// address.")
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # DEFAULT_TIMEOUT: the longest a job may run before RQ stops it (a year's register export is the longest).
    RQ_QUEUES = {"default": {"URL": TASKS_URL, "DEFAULT_TIMEOUT": env_int("MOTCUA_TASKS_TIMEOUT", 1800)}}
    # Every job is retried (motcua.core.rq): a job whose worker died is handed to another worker instead of
    # being set aside, and a failure from a service that was briefly away is tried again later.
    RQ = {"QUEUE_CLASS": "motcua.core.rq.RetryingQueue"}
    MOTCUA_TASKS_RETRY = env_json("MOTCUA_TASKS_RETRY", [30, 300, 1800])
else:
    TASKS = {
        "default": {
            "BACKEND": os.environ.get(
                "MOTCUA_TASKS_BACKEND",
                "django_tasks.backends.immediate.ImmediateBackend"
                if ENV == "test"
                else "django_tasks_db.DatabaseBackend",
            )
        }
    }

# --- Logging --------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MOTCUA_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- motcua ---------------------------------------------------------------------------------------------
# The agency this installation serves, shown in the header and footer of every page. The defaults
# are demo placeholders, not the agency's real contacts: set them per deployment. The unit tree in
# the database holds the authoritative records.
MOTCUA_SITE = {
    "agency_name": os.environ.get("MOTCUA_AGENCY_NAME", "Sở Xây dựng tỉnh Lâm Đồng"),
    "province_name": os.environ.get("MOTCUA_PROVINCE_NAME", "Tỉnh Lâm Đồng"),
    "address": os.environ.get(
        "MOTCUA_AGENCY_ADDRESS", "Phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng"
    ),
    "hotline": os.environ.get("MOTCUA_HOTLINE", "0263 000 000"),
    "email": os.environ.get("MOTCUA_AGENCY_EMAIL", "motcua@example.gov.vn"),
}
MOTCUA_DEMO_CREDENTIALS_FILE = VAR_DIR / "demo-credentials.txt"

# --- Dossiers ---------------------------------------------------------------------------------------------
MOTCUA_MAX_FILE_BYTES = env_int("MOTCUA_MAX_FILE_BYTES", 20 * 1024 * 1024)
MOTCUA_MAX_DOSSIER_BYTES = env_int("MOTCUA_MAX_DOSSIER_BYTES", 100 * 1024 * 1024)
MOTCUA_ORPHAN_GRACE_SECONDS = env_int("MOTCUA_ORPHAN_GRACE_SECONDS", 3600)
# The public address: the receipt's QR code and every link in a notice (motcua.core.links). Production must
# set it (/healthz warns); empty = the host of the request for the QR code, and for notices the address
# ``motcua serve`` listens on, else http://localhost:8000.
MOTCUA_PUBLIC_BASE_URL = os.environ.get("MOTCUA_PUBLIC_BASE_URL", "")

# Papers signed in the agency's name and their public verification (docs/signing.md). Comma-separated paths:
# the trusted roots (PEM) and the certificate revocation lists (DER or PEM); fetching CRLs and OCSP over the
# network is off unless MOTCUA_SIGNING_FETCH; a time-stamping authority when MOTCUA_SIGNING_TSA_URL is set.
# Outside production, the demo's sample root (var/signing/root.pem, made by `motcua demo`) is trusted by default.
_DEMO_SIGNING = VAR_DIR / "signing"
MOTCUA_SIGNING_TRUST_ROOTS = env_str("MOTCUA_SIGNING_TRUST_ROOTS", "" if PRODUCTION or not (
    _DEMO_SIGNING / "root.pem").exists() else str(_DEMO_SIGNING / "root.pem"))
MOTCUA_SIGNING_CRLS = env_str("MOTCUA_SIGNING_CRLS", "" if PRODUCTION or not (
    _DEMO_SIGNING / "root.crl").exists() else str(_DEMO_SIGNING / "root.crl"))
MOTCUA_SIGNING_FETCH = env_bool("MOTCUA_SIGNING_FETCH", False)
MOTCUA_SIGNING_TSA_URL = env_str("MOTCUA_SIGNING_TSA_URL", "")
MOTCUA_SIGNING_FONT = env_str("MOTCUA_SIGNING_FONT", "")
# The two digits AA of Circular 04/2025's code format for nationally centralised systems; empty = base format.
MOTCUA_CENTRAL_SYSTEM_CODE = os.environ.get("MOTCUA_CENTRAL_SYSTEM_CODE", "")
# When an online dossier's processing time starts: at "submission" or at "acceptance" by the desk. Like the
# switches of the processing section below, this only seeds the first rule set of a new installation (read
# once, by the migration that creates the table); afterwards the dated rule sets in the admin hold it and each
# dossier keeps the copy made at its receipt (docs/rules.md).
MOTCUA_ONLINE_CLOCK_FROM = env_str("MOTCUA_ONLINE_CLOCK_FROM", "submission")
if MOTCUA_ONLINE_CLOCK_FROM not in {"submission", "acceptance"}:
    raise ImproperlyConfigured("MOTCUA_ONLINE_CLOCK_FROM must be submission or acceptance.")
# A dossier may carry one file per page of each document: allow more files per request than Django's 100.
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("MOTCUA_MAX_FILES_PER_REQUEST", 500)

# --- Citizen portal -----------------------------------------------------------------------------------------
MOTCUA_TRACKING_RATE_LIMIT = env_int("MOTCUA_TRACKING_RATE_LIMIT", 10)  # look-ups per client per window
MOTCUA_TRACKING_RATE_WINDOW = env_int("MOTCUA_TRACKING_RATE_WINDOW", 600)  # seconds
MOTCUA_RATING_VALID_DAYS = env_int("MOTCUA_RATING_VALID_DAYS", 60)
MOTCUA_REGISTRATION_CODE_MINUTES = env_int("MOTCUA_REGISTRATION_CODE_MINUTES", 10)
# Registration messages (codes, or the notice to an existing account) to one e-mail or phone, and registrations
# and new codes asked by one client (its address: core.throttle.client_address) per window.
MOTCUA_REGISTRATION_CODES_PER_HOUR = env_int("MOTCUA_REGISTRATION_CODES_PER_HOUR", 3)
MOTCUA_REGISTRATION_CODES_PER_DAY = env_int("MOTCUA_REGISTRATION_CODES_PER_DAY", 10)
MOTCUA_REGISTRATION_RATE_LIMIT = env_int("MOTCUA_REGISTRATION_RATE_LIMIT", 5)
MOTCUA_REGISTRATION_RATE_WINDOW = env_int("MOTCUA_REGISTRATION_RATE_WINDOW", 3600)  # seconds
# Registrations (name, e-mail or phone, password hash) are deleted this many days after their code expired,
# confirmed or not: their purpose is over (``motcua portal sweep``, scheduled below; docs/security.md).
MOTCUA_REGISTRATION_KEEP_DAYS = env_int("MOTCUA_REGISTRATION_KEEP_DAYS", 7)

# --- Satisfaction surveys (issue 16, ``motcua.surveys``) ----------------------------------------------------------
# The questionnaire a citizen answers about one dossier (link in the result notice, QR code, kiosk), by code.
MOTCUA_SURVEY_DOSSIER_FORM = env_str("MOTCUA_SURVEY_DOSSIER_FORM", "dossier")
# A group (an agency, a month, an officer...) with fewer answers than this shows no index: small groups would
# point at the few people who answered, and their figures mean little.
MOTCUA_SURVEY_MIN_GROUP = env_int("MOTCUA_SURVEY_MIN_GROUP", 5)
# The department's satisfaction score from the overall index: "share" (index × points), "bands" (full points
# at 90% or more) or "linear:a:b" (0 points at a, full at b); out of MOTCUA_SURVEY_SCORE_POINTS.
MOTCUA_SURVEY_SCORE_FORMULA = env_str("MOTCUA_SURVEY_SCORE_FORMULA", "share")
MOTCUA_SURVEY_SCORE_POINTS = env_int("MOTCUA_SURVEY_SCORE_POINTS", 25)
# A campaign's one reminder goes to the unanswered invitations this many days after they were sent
# (``motcua surveys remind``, scheduled below).
MOTCUA_SURVEY_REMINDER_DAYS = env_int("MOTCUA_SURVEY_REMINDER_DAYS", 7)

# --- Reform scorecards (issue 17): the staff evaluation ---------------------------------------------------------
# How an officer's reform results suggest a level of the yearly civil-servant classification (Decree 90/2020/
# NĐ-CP as amended by Decree 48/2023/NĐ-CP [unverified: the 2025 Law on Cadres and Civil Servants may have a
# newer decree]; codes: ``scorecards.choices.StaffLevel``). Advice only: the leader decides, with a note when the
# decision differs. Rules are read in order, the first whose conditions all hold gives the level ("" = no
# suggestion). Conditions: "no_data" (no Circular 01/2018 score in the period), "band" (a list of "full",
# "70_to_100", "under_70": Art. 14's officer bands), "complaints_min" / "complaints_max" (substantiated complaints
# about the officer),
# "late_max" (dossiers ended late), "satisfaction_min" (the index of the questions about the officer; met when
# there are no or too few answers). "excellent" is never suggested: the law asks for outstanding results the data
# do not show (initiatives, tasks beyond the plan, the unit's own results) — only the leader can say so.
# A substantiated complaint already costs the dossier's indicator 7 (Circular 01/2018 Art. 13); over a year's
# work it withholds "good" rather than making the year "not completed" on its own — a province that weighs it
# more adds a rule {"if": {"complaints_min": N}, "level": "not_completed"} before the others.
MOTCUA_SCORECARD_STAFF_MAPPING = [
    {"if": {"no_data": True}, "level": ""},
    {"if": {"band": ["under_70"]}, "level": "not_completed"},
    {"if": {"band": ["full"], "satisfaction_min": 0.9, "late_max": 0, "complaints_max": 0}, "level": "good"},
    {"if": {"band": ["full", "70_to_100"]}, "level": "completed"},
]

# --- Processing (issue 6): seeds of the first rule set only (docs/rules.md) -----------------------------------
# How a refusal after appraisal is coded among the national statuses: 9 (done, with a refusal document) or
# 8 (stopped). The mapping is not confirmed (domain notes, dossier-lifecycle §10), so it is a setting.
MOTCUA_REFUSAL_STATUS = env_int("MOTCUA_REFUSAL_STATUS", 9)
if MOTCUA_REFUSAL_STATUS not in {8, 9}:
    raise ImproperlyConfigured("MOTCUA_REFUSAL_STATUS must be 8 or 9.")
MOTCUA_STEP_WORKING_DAYS = env_int("MOTCUA_STEP_WORKING_DAYS", 1)  # budget of a step the procedure leaves open
MOTCUA_SUPPLEMENT_WORKING_DAYS = env_int("MOTCUA_SUPPLEMENT_WORKING_DAYS", 3)  # Decree 61/2018 Art. 19(4)
MOTCUA_CONSULTATION_WORKING_DAYS = env_int("MOTCUA_CONSULTATION_WORKING_DAYS", 5)  # when the procedure sets none
# When a procedure version does not say: the legal time restarts after a supplement (Decree 61/2018
# Art. 19(4)) — "restart" — or the clock pauses and the time left continues — "pause".
MOTCUA_SUPPLEMENT_RULE = env_str("MOTCUA_SUPPLEMENT_RULE", "restart")
if MOTCUA_SUPPLEMENT_RULE not in {"restart", "pause"}:
    raise ImproperlyConfigured("MOTCUA_SUPPLEMENT_RULE must be restart or pause.")

# --- National Public Service Portal (DVCQG) synchronisation (``motcua.integrations.dvcqg``, docs/integrations.md)
# The base URL of DVCQG's (or the provincial integration platform's) synchronisation API. With it set, every
# dossier change writes the records DVCQG is owed (MOTCUA_DVCQG_SYNC can force that on or off) and the worker
# pushes them. Credentials: OAuth 2 client credentials (client id and secret, token path in the mapping), or a
# static key sent as "Authorization: Bearer <key>".
MOTCUA_DVCQG_URL = env_str("MOTCUA_DVCQG_URL", "").rstrip("/")
MOTCUA_DVCQG_SYNC = env_bool("MOTCUA_DVCQG_SYNC", bool(MOTCUA_DVCQG_URL))
MOTCUA_DVCQG_CLIENT_ID = env_str("MOTCUA_DVCQG_CLIENT_ID", "")
MOTCUA_DVCQG_CLIENT_SECRET = env_str("MOTCUA_DVCQG_CLIENT_SECRET", "")
MOTCUA_DVCQG_API_KEY = env_str("MOTCUA_DVCQG_API_KEY", "")
# A JSON file of endpoints, field names, date formats and code lists (integrations/dvcqg/data/mapping.json is
# the default): the national specification changes, the code does not have to.
MOTCUA_DVCQG_MAPPING = env_str("MOTCUA_DVCQG_MAPPING", "")
MOTCUA_DVCQG_TIMEOUT = env_int("MOTCUA_DVCQG_TIMEOUT", 10)
MOTCUA_DVCQG_MAX_ATTEMPTS = env_int("MOTCUA_DVCQG_MAX_ATTEMPTS", 12)
MOTCUA_DVCQG_BACKOFF_SECONDS = env_int("MOTCUA_DVCQG_BACKOFF_SECONDS", 30)
MOTCUA_DVCQG_BACKOFF_MAX_SECONDS = env_int("MOTCUA_DVCQG_BACKOFF_MAX_SECONDS", 3600)
MOTCUA_DVCQG_LEASE_SECONDS = env_int("MOTCUA_DVCQG_LEASE_SECONDS", 120)
# DuocThanhToanTrucTuyen for a dossier paid online: 1 on DVCQG's payment platform, 2 on a ministry's or the
# province's gateway (national-portal-sync.md §2).
MOTCUA_DVCQG_PAID_ONLINE_CODE = env_int("MOTCUA_DVCQG_PAID_ONLINE_CODE", 1)

# --- Periodic jobs (``motcua scheduler``, started by ``motcua serve``) ------------------------------------------
# Each job is a command line after ``motcua`` and its period in seconds (0 = not run by the scheduler, e.g.
# when cron runs it). Every job is idempotent.
MOTCUA_SCHEDULE = {
    "dossiers tick": env_int("MOTCUA_TICK_SECONDS", 300),
    "notifications retry": env_int("MOTCUA_RETRY_SECONDS", 120),
    "dossiers sweep-orphans": env_int("MOTCUA_SWEEP_SECONDS", 24 * 3600),
    # The event table's monthly partitions three months ahead (PostgreSQL; nothing to do on SQLite).
    "dossiers partitions": env_int("MOTCUA_PARTITIONS_SECONDS", 24 * 3600),
    # Feedback and petitions (PAKN): late items flagged, orphan files swept (``motcua feedback``).
    "feedback tick": env_int("MOTCUA_TICK_SECONDS", 300),
    "feedback sweep": env_int("MOTCUA_SWEEP_SECONDS", 24 * 3600),
    # Satisfaction surveys: the reminder of each campaign once it is due (``motcua surveys remind``).
    "surveys remind": env_int("MOTCUA_SURVEY_REMIND_SECONDS", 3600),
    # Reform scorecards: the automatic leaves of every open assessment follow the data until it locks
    # (``motcua scorecards recompute``).
    "scorecards recompute": env_int("MOTCUA_SCORECARD_RECOMPUTE_SECONDS", 6 * 3600),
    # DVCQG: push what the on-commit tasks have not (a dead worker, DVCQG down) and reconcile once a day;
    # both do nothing when MOTCUA_DVCQG_URL is unset (``motcua dvcqg``).
    "dvcqg push": env_int("MOTCUA_DVCQG_PUSH_SECONDS", 60),
    "dvcqg reconcile": env_int("MOTCUA_DVCQG_RECONCILE_SECONDS", 24 * 3600),
    # Online payment (``motcua payments``): orders left unpaid past their validity are asked about once more,
    # then closed as abandoned; yesterday's provider statement is checked against our records. Both do nothing
    # while MOTCUA_PAYMENT_PROVIDER is off.
    "payments expire": env_int("MOTCUA_PAYMENT_EXPIRE_SECONDS", 600),
    "payments reconcile": env_int("MOTCUA_PAYMENT_RECONCILE_SECONDS", 24 * 3600),
    # The public results of handling (/thong-ke/cong-khai/ and its open data) computed again (``motcua stats
    # publish``): the pages show the last computation and when it was made.
    "stats publish": env_int("MOTCUA_PUBLISH_RESULTS_SECONDS", 900),
    # Background exports (core.exports): those left waiting enqueued again; expired ones deleted with their files.
    "exports resume": env_int("MOTCUA_EXPORT_RESUME_SECONDS", 300),
    "exports sweep": env_int("MOTCUA_EXPORT_SWEEP_SECONDS", 3600),
}
# --- Tamper evidence of the dossier event log (docs/security.md §3, docs/operations.md) ----------------------------
# Each event's hash is an HMAC-SHA-256 under this key, kept outside the database: one who can write the database
# but does not hold the key cannot recompute a chain. Required in production (check motcua.E002); development and
# tests derive one from SECRET_KEY. Keys retired by a rotation stay here, comma-separated, to verify old events.
MOTCUA_AUDIT_KEY = env_str("MOTCUA_AUDIT_KEY", "")
MOTCUA_AUDIT_OLD_KEYS = env_list("MOTCUA_AUDIT_OLD_KEYS", [])
# Where ``motcua audit checkpoint`` writes the signed heads of every chain; keep it off the database's machine,
# ideally on write-once storage (docs/operations.md).
MOTCUA_AUDIT_CHECKPOINT_DIR = Path(os.environ.get("MOTCUA_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit-checkpoints"))
MOTCUA_SCHEDULE["audit checkpoint"] = env_int("MOTCUA_AUDIT_CHECKPOINT_SECONDS", 24 * 3600)
# Personal data whose purpose is over: expired registrations (``motcua portal sweep``).
MOTCUA_SCHEDULE["portal sweep"] = env_int("MOTCUA_SWEEP_SECONDS", 24 * 3600)
# Integrity flags (``motcua insight scan``, docs/insight-integrity.md): the whole event history scanned once a
# night by default; idempotent (a reviewed flag is left as reviewed).
MOTCUA_SCHEDULE["insight scan"] = env_int("MOTCUA_INSIGHT_SCAN_SECONDS", 24 * 3600)
# The rules' thresholds, operating choices and not law (``insight.integrity.rules.Thresholds`` lists them with
# their defaults), e.g. MOTCUA_INSIGHT_THRESHOLDS='{"resubmit_days": 14, "burst_min": 6}'.
MOTCUA_INSIGHT_THRESHOLDS = env_json("MOTCUA_INSIGHT_THRESHOLDS", {})
# Retention periods of the citizen side's own records (``motcua portal retention``, daily), in days, 0 = never.
# Operating choices, not periods of law (docs/security.md, "Personal data rights"): drafts nobody touched, the text
# of sent notices (off by default: a notice may belong to a dossier's record; to be checked). Dossiers follow
# their procedure's period (below, ``dossiers retention``); feedback and survey answers have no period yet.
MOTCUA_RETENTION_DRAFT_DAYS = env_int("MOTCUA_RETENTION_DRAFT_DAYS", 180)
MOTCUA_RETENTION_NOTICE_BODY_DAYS = env_int("MOTCUA_RETENTION_NOTICE_BODY_DAYS", 0)
MOTCUA_SCHEDULE["portal retention"] = env_int("MOTCUA_RETENTION_SECONDS", 24 * 3600)
# Dossiers past their procedure's retention period (``Procedure.retention_years``, from the agency's own list of
# retention periods; empty = kept): put on a destruction list for the head of the agency's decision, and those of
# approved lists anonymised (``motcua dossiers retention``). Nothing is anonymised without an approved list.
MOTCUA_SCHEDULE["dossiers retention"] = env_int("MOTCUA_RETENTION_SECONDS", 24 * 3600)
# The agency answers a citizen's request about the data of a dossier (correction, deletion, restriction,
# objection) within this many working days: an operating choice, not the time limit of Decree 356/2025/NĐ-CP,
# which is to be checked against its text.
MOTCUA_CORRECTION_ANSWER_WORKING_DAYS = env_int("MOTCUA_CORRECTION_ANSWER_WORKING_DAYS", 10)
# Lateness prediction (docs/insight-prediction.md): a model learnt again from the history once a day, every open
# dossier scored every hour (``motcua insight train`` / ``score``); a dossier is at risk from this probability.
MOTCUA_SCHEDULE["insight train"] = env_int("MOTCUA_INSIGHT_TRAIN_SECONDS", 24 * 3600)
MOTCUA_SCHEDULE["insight score"] = env_int("MOTCUA_INSIGHT_SCORE_SECONDS", 3600)
MOTCUA_INSIGHT_RISK_THRESHOLD = float(os.environ.get("MOTCUA_INSIGHT_RISK_THRESHOLD", "0.3"))
# The model learns from the dossiers received in this many months before the latest one.
MOTCUA_INSIGHT_TRAIN_MONTHS = env_int("MOTCUA_INSIGHT_TRAIN_MONTHS", 24)
# The key of the HMAC over the model's artefact (checked before it is unpickled); empty: derived from SECRET_KEY.
MOTCUA_INSIGHT_KEY = env_str("MOTCUA_INSIGHT_KEY", "")

# Exports of more rows than this are built in the background (core.exports): a register PDF renders about 30
# dossiers a second on one core, so 60 rows keep a request within about 2 s.
MOTCUA_EXPORT_SYNC_MAX = env_int("MOTCUA_EXPORT_SYNC_MAX", 60)
MOTCUA_EXPORT_KEEP_HOURS = env_int("MOTCUA_EXPORT_KEEP_HOURS", 24)

# --- Login with VNeID (issue 19, ``motcua.integrations.vneid``; docs/integrations-vneid.md) -----------------------
# Citizens sign in through the national electronic identification with OpenID Connect (authorization code + PKCE).
# Unset issuer: no VNeID button, and the sign-in pages say it is not configured. The issuer is the discovery base:
# its /.well-known/openid-configuration gives the endpoints and the keys. The claim mapping (which claim holds the
# 12-digit personal identification number, the name, the level, and the level's values) is a JSON object completed
# by the defaults of motcua.integrations.vneid.conf: VNeID's own claim names come with a province's registration.
MOTCUA_VNEID_ISSUER = env_str("MOTCUA_VNEID_ISSUER", "")
MOTCUA_VNEID_CLIENT_ID = env_str("MOTCUA_VNEID_CLIENT_ID", "")
MOTCUA_VNEID_CLIENT_SECRET = env_str("MOTCUA_VNEID_CLIENT_SECRET", "")
MOTCUA_VNEID_SCOPES = env_str("MOTCUA_VNEID_SCOPES", "openid profile")
MOTCUA_VNEID_CLAIMS = env_json("MOTCUA_VNEID_CLAIMS", {})
MOTCUA_VNEID_TIMEOUT = env_int("MOTCUA_VNEID_TIMEOUT", 10)  # seconds for each call to the provider
if not isinstance(MOTCUA_VNEID_CLAIMS, dict):
    raise ImproperlyConfigured("MOTCUA_VNEID_CLAIMS must be a JSON object.")
if MOTCUA_VNEID_ISSUER:
    if not MOTCUA_VNEID_CLIENT_ID:
        raise ImproperlyConfigured("MOTCUA_VNEID_ISSUER is set: set MOTCUA_VNEID_CLIENT_ID too.")
    if "openid" not in MOTCUA_VNEID_SCOPES.split():
        raise ImproperlyConfigured("MOTCUA_VNEID_SCOPES must include openid.")
    if PRODUCTION and not MOTCUA_VNEID_ISSUER.startswith("https://"):
        raise ImproperlyConfigured("MOTCUA_VNEID_ISSUER must be an https:// address in production.")

# --- Online payment of fees and charges (issue 19, ``motcua.integrations.payments``) ---------------------------
# docs/integrations-payments.md. The platform's API is not public: the client is JSON over HTTPS with an
# HMAC-SHA256 signature keyed with the shared secret; field names and paths are settings, to be filled from the
# platform's specification. Off ("") by default: the desk confirms payments by hand, as before.
MOTCUA_PAYMENT_PROVIDER = env_str("MOTCUA_PAYMENT_PROVIDER", "")
if MOTCUA_PAYMENT_PROVIDER not in {"", "dvcqg", "gateway"}:
    raise ImproperlyConfigured("MOTCUA_PAYMENT_PROVIDER must be empty (off), dvcqg or gateway.")
MOTCUA_PAYMENT_URL = env_str("MOTCUA_PAYMENT_URL", "")
MOTCUA_PAYMENT_MERCHANT = env_str("MOTCUA_PAYMENT_MERCHANT", "")
MOTCUA_PAYMENT_SECRET = env_str("MOTCUA_PAYMENT_SECRET", "")
# The DVCQG flag DuocThanhToanTrucTuyen the payments of this provider set: 1 on the DVCQG platform, 2 on a
# ministry's or the province's gateway; 0 = the provider's own (dvcqg 1, gateway 2).
MOTCUA_PAYMENT_KIND = env_int("MOTCUA_PAYMENT_KIND", 0)
if MOTCUA_PAYMENT_KIND not in {0, 1, 2}:
    raise ImproperlyConfigured("MOTCUA_PAYMENT_KIND must be 0, 1 or 2.")
MOTCUA_PAYMENT_TIMEOUT_SECONDS = env_int("MOTCUA_PAYMENT_TIMEOUT_SECONDS", 10)
# How long an order waits for its payment before it is closed as abandoned (the provider's own limit wins
# when it is shorter).
MOTCUA_PAYMENT_EXPIRY_MINUTES = env_int("MOTCUA_PAYMENT_EXPIRY_MINUTES", 30)
# Where the provider posts its notices; empty = MOTCUA_PUBLIC_BASE_URL + /ket-noi/thanh-toan/callback/.
MOTCUA_PAYMENT_CALLBACK_URL = env_str("MOTCUA_PAYMENT_CALLBACK_URL", "")
# Our field name → the platform's, and operation → path (JSON objects); unset keys keep the defaults of
# ``payments.providers``.
MOTCUA_PAYMENT_FIELDS = env_json("MOTCUA_PAYMENT_FIELDS", {})
MOTCUA_PAYMENT_PATHS = env_json("MOTCUA_PAYMENT_PATHS", {})
# The platform's codes: "ok" (the result code of success) and the order states "paid", "pending", "failed",
# "cancelled", "refunded" as the platform spells them.
MOTCUA_PAYMENT_CODES = env_json("MOTCUA_PAYMENT_CODES", {})
for _name in ("MOTCUA_PAYMENT_FIELDS", "MOTCUA_PAYMENT_PATHS", "MOTCUA_PAYMENT_CODES"):
    if not isinstance(globals()[_name], dict):
        raise ImproperlyConfigured(f"{_name} must be a JSON object.")

# --- Integrations: the catalogue in step with the national procedures database (docs/integrations.md) --------
# Where the national procedure records are read (a JSON list, or an object holding it, as the mapping's
# "records" says); empty = no scheduled comparison. The exchange format is not public: the field names and
# code lists are in a JSON mapping, the shipped one unless MOTCUA_NATIONAL_CATALOGUE_MAPPING names another file.
MOTCUA_NATIONAL_CATALOGUE_URL = env_str("MOTCUA_NATIONAL_CATALOGUE_URL", "")
MOTCUA_NATIONAL_CATALOGUE_MAPPING = env_str("MOTCUA_NATIONAL_CATALOGUE_MAPPING", "")
MOTCUA_NATIONAL_CATALOGUE_TIMEOUT = env_int("MOTCUA_NATIONAL_CATALOGUE_TIMEOUT", 30)  # seconds
# Extra request headers (JSON object), e.g. {"Authorization": "Bearer …"} when the platform (LGSP) asks for one.
MOTCUA_NATIONAL_CATALOGUE_HEADERS = env_json("MOTCUA_NATIONAL_CATALOGUE_HEADERS", {})
# The daily comparison (``motcua national-catalogue check``); off while no URL is configured.
MOTCUA_SCHEDULE["national-catalogue check"] = (
    env_int("MOTCUA_NATIONAL_CATALOGUE_CHECK_SECONDS", 24 * 3600) if MOTCUA_NATIONAL_CATALOGUE_URL else 0)

# --- Backups (motcua.core.backup, docs/operations.md "Backups") ---------------------------------------------------
# ``motcua backup`` writes here (default var/backups); with the folder set, the scheduler makes one archive a day and
# keeps the newest MOTCUA_BACKUP_KEEP. The folder belongs on another disk or machine than the database.
MOTCUA_BACKUP_DIR = env_str("MOTCUA_BACKUP_DIR", "")
MOTCUA_BACKUP_KEEP = env_int("MOTCUA_BACKUP_KEEP", 14)
MOTCUA_SCHEDULE["backup"] = env_int("MOTCUA_BACKUP_SECONDS", 24 * 3600) if MOTCUA_BACKUP_DIR else 0

# --- Content Security Policy and Permissions-Policy (docs/security.md §5) ------------------------------------
# Every page loads its scripts, styles, fonts and images from this site only; no page has an inline script, an
# inline event handler, a style attribute or a <style> block (tests/core/test_csp.py checks the templates), so
# the policy needs neither 'unsafe-inline' nor nonces. Images may also be data: URIs (the QR codes of the receipt
# and of a payment are SVG data URIs, documents.legal.qr_data_uri; Swagger UI's icons in its CSS). Forms post to
# this site, and to the payment platform's page: the "Pay online" form's answer redirects there, and Chromium
# checks form-action on that redirect. MOTCUA_CSP_FORM_ACTION lists further origins (comma-separated) if the
# platform's payment page is on another host than MOTCUA_PAYMENT_URL.
def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


MOTCUA_CSP_FORM_ACTION = [o for o in [_origin(MOTCUA_PAYMENT_URL)] if o] + [
    _origin(o) or o for o in env_list("MOTCUA_CSP_FORM_ACTION", [])]
# Report-only: the browsers report what the policy would block and block nothing (to try a change of policy on a
# live installation first). Violations are reported to /csp-report (logged, rate-limited) in both modes.
MOTCUA_CSP_REPORT_ONLY = env_bool("MOTCUA_CSP_REPORT_ONLY", False)
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *MOTCUA_CSP_FORM_ACTION],
        "report-uri": ["/csp-report"],
        # Behind HTTPS only: a page that still names an http:// address of this site loads it over https.
        "upgrade-insecure-requests": PRODUCTION,
    },
}
if MOTCUA_CSP_REPORT_ONLY:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
# Powerful browser features no page uses are off for every response and every frame: no page reads the camera,
# the microphone or the position, and payment is the platform's own page (no Payment Request API). Passkeys
# (WebAuthn, the staff's second factor) stay allowed on this site's own pages.
PERMISSIONS_POLICY: dict[str, list[str]] = {feature: [] for feature in (
    "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "camera", "display-capture",
    "encrypted-media", "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi",
    "payment", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking")}
PERMISSIONS_POLICY |= {"publickey-credentials-get": ["self"], "publickey-credentials-create": ["self"]}
