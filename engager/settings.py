"""Project settings, all from the environment (see .env.example).

Development needs no secrets: SQLite under var/, eager Celery, the offline Xero sandbox.
Production (DEBUG off) refuses to start without SECRET_KEY, XERO_TOKEN_KEY and real Xero credentials,
and never mounts the sandbox.
"""

import datetime as dt
import os
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Under pytest: eager Celery (the real-worker test opts out), no sandbox state file.
TESTING = "pytest" in sys.modules
DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PORT = env.int("PORT", default=8000)
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{PORT}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "core",
    "clients",
    "jobs",
    "integrations",
    "invoicing",
    "demo",  # manage.py seed_demo (above the domain apps, so core imports none of them)
    "engager",  # project-wide system checks (engager/checks.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.PracticeMiddleware",
    "core.middleware.PrivateCacheMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "engager.urls"
WSGI_APPLICATION = "engager.wsgi.application"

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
                "core.context_processors.practice",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": env.db_url_config(
        env("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'engager.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent writers queue instead of failing with "database is locked" (demo server + eager
    # tasks): every transaction takes the write lock when it begins (BEGIN IMMEDIATE), so two that
    # read first never deadlock upgrading to write, and a busy writer is waited for up to 20 s.
    # tests/core/test_sqlite_concurrency.py writes from several threads to prove it.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "core.auth.EmailBackend"]

# Sign-in throttling (django-axes), for /login/ and /admin/login/ alike (both call authenticate()).
# Locks out an account after AXES_FAILURE_LIMIT failures from anywhere, and an IP address after as
# many failures against any accounts; either lock lasts the cool-off. Failures live in the database.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Emails sign in case-insensitively, so "Ann@X" and "ann@x" count against the same account.
AXES_USERNAME_CALLABLE = "core.auth.axes_username"
# The client's address: REMOTE_ADDR, or the address our proxy saw when BEHIND_PROXY is set.
AXES_CLIENT_IP_CALLABLE = "core.auth.client_ip"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Email: console in development; EMAIL_URL (e.g. smtp+tls://user:pass@host:587) in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Engager <no-reply@engager.example>")

# Caches: Redis when configured, else local memory. Under pytest with REDIS_URL the tests use Redis
# too (so the per-practice sync lock is the real one), under a key prefix of their own per test
# process, so test runs sharing one Redis never see each other's keys.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if TESTING:
        CACHES["default"]["KEY_PREFIX"] = f"engager-test-{os.getpid()}-{os.urandom(4).hex()}"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis broker when REDIS_URL is set, otherwise run tasks eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING or not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "deadline-digests": {"task": "jobs.tasks.send_deadline_digests", "schedule": crontab(hour=7, minute=0)},
    "xero-sync": {"task": "integrations.tasks.sync_all_xero", "schedule": crontab(minute="*/15")},
    "xero-health": {
        "task": "integrations.tasks.check_all_xero_connections",
        "schedule": crontab(hour=5, minute=30),
    },
}

# Security (production mode).
# Behind a TLS-terminating reverse proxy (BEHIND_PROXY=1) trust its X-Forwarded-Proto and
# X-Forwarded-For; never otherwise, or any client could claim HTTPS or another address.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy (django-csp): scripts and styles from our own static files only, so no
# inline <script>, on*= handler or style= attribute in templates (tests/core/test_security_headers.py
# checks). htmx is served from static by {% htmx_script %}; its indicator CSS lives in app.css.
# core.middleware.ContentSecurityPolicyMiddleware adds Xero's sign-in origin to form-action.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

DEFAULT_EXCEPTION_REPORTER_FILTER = "core.debug.SecretsHidingExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes logs every sign-in at INFO; failures and lockouts are WARNING.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Xero -------------------------------------------------------------------------------------
# XERO_MODE=sandbox (the default with DEBUG on): the offline Xero sandbox is mounted under
# /xero-sandbox/ and every Xero URL points at it. XERO_MODE=xero (the default with DEBUG off): real
# Xero, real credentials required, sandbox never mounted. The sandbox and its control API are for
# development only, so with DEBUG off a forgotten or stray XERO_MODE can never expose them.
# An empty XERO_MODE counts as unset (docker compose passes unset variables through as "").
XERO_MODE = env("XERO_MODE", default="") or ("sandbox" if DEBUG else "xero")
if XERO_MODE not in ("sandbox", "xero"):
    raise ImproperlyConfigured("XERO_MODE must be 'sandbox' or 'xero'.")
if XERO_MODE == "sandbox" and not DEBUG:
    raise ImproperlyConfigured(
        "XERO_MODE=sandbox needs DEBUG on: the offline Xero sandbox is never served in production. "
        "Set XERO_MODE=xero with XERO_CLIENT_ID, XERO_CLIENT_SECRET and XERO_REDIRECT_URI."
    )
XERO_SANDBOX_ENABLED = XERO_MODE == "sandbox"
if XERO_SANDBOX_ENABLED:
    INSTALLED_APPS.append("xero_sandbox")
XERO_SANDBOX_PREFIX = "xero-sandbox"
_sandbox_base = f"{SITE_URL}/{XERO_SANDBOX_PREFIX}"

if XERO_SANDBOX_ENABLED:
    # The demo app registered inside the sandbox; same code path as real Xero.
    XERO_CLIENT_ID = env("XERO_CLIENT_ID", default="ENGAGERDEMOCLIENTID0000000000000")
    XERO_CLIENT_SECRET = env("XERO_CLIENT_SECRET", default="engager-demo-client-secret")
    XERO_REDIRECT_URI = env("XERO_REDIRECT_URI", default=f"{SITE_URL}/settings/integrations/xero/callback/")
    XERO_LOGIN_BASE = env("XERO_LOGIN_BASE", default=f"{_sandbox_base}/login")
    XERO_IDENTITY_BASE = env("XERO_IDENTITY_BASE", default=f"{_sandbox_base}/identity")
    XERO_API_BASE = env("XERO_API_BASE", default=f"{_sandbox_base}/api")
    XERO_WEB_BASE = env("XERO_WEB_BASE", default=f"{_sandbox_base}/go")
    XERO_REPORTING_BASE = env("XERO_REPORTING_BASE", default=f"{_sandbox_base}/reporting")
    XERO_WEBHOOK_KEY = env("XERO_WEBHOOK_KEY", default="engager-sandbox-webhook-key")
    # oauthlib refuses http:// token URLs unless told otherwise; only ever in sandbox mode.
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
else:
    XERO_CLIENT_ID = env("XERO_CLIENT_ID", default="")
    XERO_CLIENT_SECRET = env("XERO_CLIENT_SECRET", default="")
    XERO_REDIRECT_URI = env("XERO_REDIRECT_URI", default="")
    _missing = [
        name
        for name, value in [
            ("XERO_CLIENT_ID", XERO_CLIENT_ID),
            ("XERO_CLIENT_SECRET", XERO_CLIENT_SECRET),
            ("XERO_REDIRECT_URI", XERO_REDIRECT_URI),
        ]
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"Real Xero (XERO_MODE=xero, the default with DEBUG off) needs {', '.join(_missing)} "
            "(from developer.xero.com)."
        )
    XERO_LOGIN_BASE = env("XERO_LOGIN_BASE", default="https://login.xero.com")
    XERO_IDENTITY_BASE = env("XERO_IDENTITY_BASE", default="https://identity.xero.com")
    XERO_API_BASE = env("XERO_API_BASE", default="https://api.xero.com")
    XERO_WEB_BASE = env("XERO_WEB_BASE", default="https://go.xero.com")
    XERO_REPORTING_BASE = env("XERO_REPORTING_BASE", default="https://reporting.xero.com")
    XERO_WEBHOOK_KEY = env("XERO_WEBHOOK_KEY", default="")
# Xero returns the accumulated scopes of a grant, which oauthlib would otherwise reject.
os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")

XERO_SCOPES = env.list(
    "XERO_SCOPES",
    default=[
        "openid",
        "profile",
        "email",
        "offline_access",
        "accounting.contacts",
        "accounting.invoices",
        "accounting.settings.read",
        "accounting.reports.aged.read",
    ],
)
XERO_TOKEN_KEY = env("XERO_TOKEN_KEY", default="")
if not DEBUG and not XERO_TOKEN_KEY:
    # Tokens encrypted with a key derived from SECRET_KEY would be lost if SECRET_KEY is rotated.
    raise ImproperlyConfigured("XERO_TOKEN_KEY (a Fernet key) must be set when DEBUG is off.")
XERO_HTTP_TIMEOUT = env.float("XERO_HTTP_TIMEOUT", default=10.0)
# A sync that meets Xero down or busy waits and carries on: first after XERO_SYNC_RETRY_DELAY seconds
# (doubling each time, at most 10 minutes; a 429 waits as long as Xero's Retry-After says), and
# fails, saying so, after XERO_SYNC_MAX_RETRIES retries.
XERO_SYNC_RETRY_DELAY = env.int("XERO_SYNC_RETRY_DELAY", default=15)
XERO_SYNC_MAX_RETRIES = env.int("XERO_SYNC_MAX_RETRIES", default=8)

# Sandbox state: saved to this JSON file in demo mode so the demo survives a restart.
XERO_SANDBOX_STATE_FILE = env("XERO_SANDBOX_STATE_FILE", default=str(VAR_DIR / "xero-sandbox.json"))
# Tests start from a fresh state per test and never touch the demo's file.
XERO_SANDBOX_PERSIST = env.bool("XERO_SANDBOX_PERSIST", default=not TESTING)
XERO_SANDBOX_WEBHOOK_URL = env("XERO_SANDBOX_WEBHOOK_URL", default=f"{SITE_URL}/integrations/xero/webhooks/")
# Lets a non-loopback caller use the sandbox's control API (header X-Sandbox-Control-Token).
# Unset (the default): the control API answers loopback callers only.
XERO_SANDBOX_CONTROL_TOKEN = env("XERO_SANDBOX_CONTROL_TOKEN", default="")
