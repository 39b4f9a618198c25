"""Tribune's one settings module.

Every deployment knob is an environment variable read through the tiny typed
helpers below (the healthchecks habit): SQLite in ``$TRIBUNE_DATA_DIR`` by
default, PostgreSQL through ``DATABASE_URL``, Redis through ``REDIS_URL``.
"""

import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from tribune.lib import secret_key

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("TRIBUNE_DATA_DIR", Path.cwd() / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG")
# Never a key in the code (anyone could forge signed links with it): SECRET_KEY
# from the environment, or a random key drawn on the first start on this data
# directory and kept in it, owner-readable only (tribune/lib/secret_key.py).
# `tribune serve` refuses a public address with a weak key or a key file others can read.
SECRET_KEY_FILE = None if os.environ.get("SECRET_KEY") else secret_key.key_file(DATA_DIR)
SECRET_KEY = os.environ.get("SECRET_KEY") or secret_key.load_or_create(DATA_DIR)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "huey.contrib.djhuey",
    # With "ninja" installed, django-ninja serves Swagger UI from its own static
    # files rather than a CDN (the API docs load nothing from the internet).
    "ninja",
    "csp",
    "tribune.lib",
    "tribune.organisations",
    "tribune.constitution",
    "tribune.offices",
    "tribune.members",
    "tribune.audit",
    "tribune.elections",
    "tribune.factions",
    "tribune.debate",
    "tribune.assemblies",
    "tribune.archive",
    "tribune.education",
    "tribune.struggles",
    "tribune.networks",
    "tribune.accounts",
    "tribune.web",
    "tribune.ops",
    "tribune.outbox",
    "tribune.federation",
]

MIDDLEWARE = [
    # First, so its latency covers every other layer (tribune/ops/middleware.py).
    "tribune.ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tribune.accounts.language.LanguageMiddleware",
    "tribune.web.middleware.RuleViolationMiddleware",
]

ROOT_URLCONF = "tribune.urls"

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
            ],
        },
    },
]

ASGI_APPLICATION = "tribune.asgi.application"
WSGI_APPLICATION = "tribune.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'tribune.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with connections kept open between requests (tribune/lib/sqlite).
    DATABASES["default"]["ENGINE"] = "tribune.lib.sqlite"
    # WAL lets readers run beside the writer; synchronous=FULL makes every
    # committed (acknowledged) write durable across a power cut; IMMEDIATE
    # transactions take the write lock up front instead of failing mid-way.
    # secure_delete overwrites deleted rows with zeros, so a replaced or resealed
    # ballot leaves nothing in free pages (tribune/elections/sealing.py).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;"
            "PRAGMA secure_delete=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests run on a file, not the default shared in-memory database, which
    # ignores busy timeouts: concurrency tests need threads that wait for the
    # write lock. One file per test process, so parallel runs never collide.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["CONN_MAX_AGE"] == 0 and envint("DB_POOL_SIZE", "16"):
    # Under ASGI each request runs in a thread of its own, so without a pool every
    # request would open a PostgreSQL connection (several ms); psycopg_pool keeps them.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": envint("DB_POOL_SIZE", "16"),
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): email login with verification, rate limits, TOTP.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "tribune.accounts.adapter.AccountAdapter"
# Failed logins are limited per account first (5 in 5 minutes): guessing one
# person's password is stopped without touching anyone else, and tries on an
# account already stopped do not use up its address's allowance. Per client
# address the limit is set for credential stuffing (many accounts from one
# machine), high enough that a union office or a congress hall behind one NAT
# is not locked out by a colleague's typos (LOGIN_FAILURES_PER_ADDRESS).
LOGIN_FAILURES_PER_ADDRESS = os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "100/10m")
if not re.fullmatch(r"\d+/\d*[smhd]", LOGIN_FAILURES_PER_ADDRESS):
    raise ImproperlyConfigured("LOGIN_FAILURES_PER_ADDRESS is a count per period, e.g. 100/10m")
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": f"5/5m/key,{LOGIN_FAILURES_PER_ADDRESS}/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# The client address behind reverse proxies (django-allauth's own settings):
# TRUSTED_PROXY_COUNT proxies of ours each append to X-Forwarded-For, so the
# address that many entries from the right is the client's; with 0 (the
# default) the header is ignored, since anyone can send it. A proxy that puts
# the client address in a header of its own names it in TRUSTED_CLIENT_IP_HEADER
# (e.g. X-Real-IP); the proxy must overwrite whatever the client sent there.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
LOGIN_REDIRECT_URL = "/"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tribune"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tribune@localhost")
# Seconds before a mail server that does not answer counts as a failed attempt.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "60")
# Tribune's own emails (notices, digests, invitations) go through the outbox
# (tribune/outbox, docs/deploy.md): minutes to wait after each failed attempt,
# then failed (one attempt more than waits); sent and failed emails are deleted
# this many days after their last attempt.
TRIBUNE_MAIL_RETRY_MINUTES = [
    int(m) for m in envlist("TRIBUNE_MAIL_RETRY_MINUTES", "1,5,30,120,720")
]
TRIBUNE_MAIL_KEEP_DAYS = envint("TRIBUNE_MAIL_KEEP_DAYS", "30")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Login rate limits must hold across worker processes, so the default cache
    # is the database, not process memory. The vote rate limit never uses it: a
    # voter's attempts carry time and must not sit beside the box (lib/ratelimit.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tribune_cache",
            # Room for every active voter's rate-limit counter: culling must not
            # forget a counter mid-minute and so lift the limit.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }

# Background work (the election clock, by-elections, petition lapses) runs on huey:
# embedded in SQLite by default, on Redis when REDIS_URL is set. `tribune serve`
# starts a worker; `tribune run_huey` runs one on its own.
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "tribune", "url": REDIS_URL}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "tribune",
        "filename": str(DATA_DIR / "huey.sqlite3"),
    }
HUEY["immediate"] = False
# The idle worker polls the queue less and less often, up to this many seconds
# between looks (huey's default, 10); tests of several servers set it lower.
HUEY["consumer"] = {"max_delay": float(os.environ.get("TRIBUNE_WORKER_MAX_DELAY", "10"))}

LANGUAGE_CODE = "en"
# Each language is named in itself: the chooser is read by someone who may not read the other.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A visitor's choice of language outlives the browser session (an account keeps its own).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from the source folders when collectstatic has not run (dev, tests).
SERVESTATIC_USE_FINDERS = True
STATICFILES_DIRS = [BASE_DIR / "static"]

# Served over HTTPS (HTTPS=1; assumed when CSRF_TRUSTED_ORIGINS are https://):
# the session and CSRF cookies are Secure, so a browser never sends them over
# plain HTTP where anyone on the path could read them. SECURE_COOKIES is the
# older name. HSTS_SECONDS > 0 tells browsers to use only HTTPS for that long
# (sent on HTTPS responses only; start small, it cannot be taken back early).
HTTPS = envbool(
    "HTTPS",
    os.environ.get("SECURE_COOKIES")
    or str(any(origin.startswith("https://") for origin in CSRF_TRUSTED_ORIGINS)),
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", "0")
# Behind a declared proxy (TRUSTED_PROXY_COUNT or TRUSTED_CLIENT_IP_HEADER) the
# request's scheme is the proxy's X-Forwarded-Proto; the proxy must set it on
# every request, overwriting what the client sent. Without one it is ignored.
if ALLAUTH_TRUSTED_PROXY_COUNT or ALLAUTH_TRUSTED_CLIENT_IP_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): pages load scripts, styles, images,
# fonts and connections from this server only, and run no inline script, style
# or event handler, so text that slips past the Markdown sanitiser still cannot
# run, and no page depends on (or tells) another site. data: images are the
# TOTP QR code and Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Provisional committees of new organisations lapse after this many days
# unless the membership elects them (MISSION: no position is permanent).
TRIBUNE_PROVISIONAL_DAYS = envint("TRIBUNE_PROVISIONAL_DAYS", "90")
# Who may found a new organisation on this server: "open" (anyone logged in),
# "approval" (requests wait for `tribune founding approve`) or "closed".
TRIBUNE_FOUNDING = os.environ.get("TRIBUNE_FOUNDING", "approval")
# The server's public address, for links in emails sent outside a request.
TRIBUNE_SITE_URL = os.environ.get("TRIBUNE_SITE_URL", "http://127.0.0.1:8000")
TRIBUNE_DEMO_PASSWORD = os.environ.get("TRIBUNE_DEMO_PASSWORD", "tribune-demo")

# The audit key (Ed25519) that signs checkpoints of the audit chain and keys the
# log's pseudonyms. Kept outside the database, created on first use (mode 0600);
# back it up with the data directory, and keep it off the database's backups.
TRIBUNE_AUDIT_KEY_FILE = os.environ.get("TRIBUNE_AUDIT_KEY_FILE") or str(
    DATA_DIR / "audit-signing-key.pem"
)

# Federation between Tribune servers (tribune/federation, docs/federation.md). The
# server key (Ed25519) signs every request to other servers; like the audit key it
# is a file in the data directory (mode 0600), never in the database or its backups.
TRIBUNE_FEDERATION_KEY_FILE = os.environ.get("TRIBUNE_FEDERATION_KEY_FILE") or str(
    DATA_DIR / "federation-server-key.pem"
)
# A message to another server that fails is tried again after this many seconds,
# doubling each time up to the cap, and given up after TRIBUNE_FEDERATION_GIVE_UP_HOURS.
TRIBUNE_FEDERATION_RETRY_SECONDS = envint("TRIBUNE_FEDERATION_RETRY_SECONDS", "30")
TRIBUNE_FEDERATION_RETRY_CAP_SECONDS = envint("TRIBUNE_FEDERATION_RETRY_CAP_SECONDS", "3600")
TRIBUNE_FEDERATION_GIVE_UP_HOURS = envint("TRIBUNE_FEDERATION_GIVE_UP_HOURS", "48")
# Other servers are fetched only at public addresses unless this is set (servers linked
# on a private network; the test harness): see federation.links.fetch.
TRIBUNE_FEDERATION_PRIVATE_ADDRESSES = envbool("TRIBUNE_FEDERATION_PRIVATE_ADDRESSES", "0")

# Operations (tribune/ops, docs/deploy.md). Backups: `tribune backup`, and one
# every night at TRIBUNE_BACKUP_HOUR (UTC; empty: none) by the task worker,
# keeping the newest TRIBUNE_BACKUP_KEEP in TRIBUNE_BACKUP_DIR.
TRIBUNE_BACKUP_DIR = os.environ.get("TRIBUNE_BACKUP_DIR") or str(DATA_DIR / "backups")
TRIBUNE_BACKUP_KEEP = envint("TRIBUNE_BACKUP_KEEP", "7")
TRIBUNE_BACKUP_HOUR = os.environ.get("TRIBUNE_BACKUP_HOUR", "3")
# /metrics answers only a request bearing this token (Authorization: Bearer ...);
# without one set, /metrics does not exist (404).
TRIBUNE_METRICS_TOKEN = os.environ.get("TRIBUNE_METRICS_TOKEN", "")
# /healthz reports the task worker unhealthy when it has not run for this long.
TRIBUNE_HEALTH_WORKER_MAX_AGE = envint("TRIBUNE_HEALTH_WORKER_MAX_AGE", "300")
# One JSON line per request (route, status, latency; no personal data) on stdout.
TRIBUNE_REQUEST_LOG = envbool("TRIBUNE_REQUEST_LOG", "True")
# Behind the documented proxy, which redirects plain HTTP itself, Django may also
# redirect (SSL_REDIRECT=1); the health check and metrics stay reachable over
# plain HTTP on the server itself, for monitors that ask there.
SECURE_SSL_REDIRECT = envbool("SSL_REDIRECT")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = envbool("HSTS_PRELOAD")
# Submitting the domain to the browsers' preload list is a commitment, not a setting
# a deploy check should demand (Django's security.W021).
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"bare": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "bare",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "tribune.requests": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        # Django's own line for each 4xx ("Not Found: /o/x/members/42/") names the path,
        # and with it a member's id: the JSON line above says route and status instead.
        # Server errors (5xx) are still logged with their path and traceback, to be fixed.
        "django.request": {"level": "ERROR"},
    },
}
