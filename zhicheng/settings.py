"""Settings, read from the environment with safe defaults for the embedded SQLite mode."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHICHENG_VAR_DIR", BASE_DIR / "var"))

# What this process creates — var/, the SQLite database and its journal, keys, evidence files, PDFs —
# holds personal data: owner-only unless the deployment asks otherwise (e.g. 027 for a backup group).
os.umask(int(os.environ.get("ZHICHENG_UMASK", "077"), 8))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("DEBUG", False)

# Without SECRET_KEY we are in embedded/demo mode: keep a per-installation key on disk
# rather than a hard-coded one, so two installations never share a key.
SECRET_KEY = os.environ.get("SECRET_KEY")
if not SECRET_KEY:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from secrets import token_urlsafe

        key_file.write_text(token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "zhicheng.accounts",
    "zhicheng.orgs",
    "zhicheng.catalogue",
    "zhicheng.people",
    "zhicheng.audit",
    "zhicheng.notifications",
    "zhicheng.publicity",
    "zhicheng.files",
    "zhicheng.declarations",
    "zhicheng.review",
    "zhicheng.documents",
    "zhicheng.certificates",
    "zhicheng.api",
    "zhicheng.web",
    "zhicheng.demo",
    "zhicheng.jobs",
    "zhicheng.backups",
    "zhicheng.supervision",
    "zhicheng.rectification",
    "zhicheng.monitoring",
    "zhicheng.statistics",
    "zhicheng.webhooks",
    "zhicheng.collection",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are served by the application server itself (hashed names, gzip/brotli, far-future caching).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhicheng.audit.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "zhicheng.urls"
WSGI_APPLICATION = "zhicheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'zhicheng.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let readers and one writer work side by side in the rush. Writes take the
    # lock when their transaction begins (IMMEDIATE), so concurrent submits queue on the busy timeout
    # instead of failing at once with "database is locked" (bench-rush measured it).
    # No connection checkpoints the WAL on its own commit (wal_autocheckpoint=0): the job worker does, every few
    # seconds, holding the write lock (zhicheng.jobs.worker.checkpoint_wal). Automatic checkpoints run beside other
    # writers, which SQLite before 3.51.3 can get wrong (the "WAL-reset bug", sqlite.org/wal.html#walresetbug);
    # Debian 12's is 3.40.1, and a bench-rush run of `zhicheng serve` on SQLite ended with page 1 overwritten.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;",
         "transaction_mode": "IMMEDIATE"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so that the servers and workers the tests start as processes share it; one
    # per test run, so that two runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_zhicheng_{os.getpid()}.sqlite3")}
elif os.environ.get("ZHICHENG_TEST_DB_SUFFIX"):
    # Two test runs on one PostgreSQL server at once each need their own test database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.environ['ZHICHENG_TEST_DB_SUFFIX']}"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "zhicheng.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "zhicheng" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Background jobs: django-tasks with its database backend (the backport of Django 6's django.tasks).
# Jobs are rows in the application's database, so they survive restarts and need no other service.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "bulk"]}}
# The daily work (六（二） deeming, reminders, digests) runs once a day at this Asia/Shanghai time.
DAILY_RUN_AT = os.environ.get("ZHICHENG_DAILY_AT", "02:00")
# A worker that has not been heard from for this long is taken for dead and its job is run again.
WORKER_STALE_SECONDS = int(os.environ.get("ZHICHENG_WORKER_STALE_SECONDS", "120"))
# Bulk steps over more declarations than this run as a background job with a progress bar.
BULK_JOB_THRESHOLD = int(os.environ.get("ZHICHENG_BULK_JOB_THRESHOLD", "200"))
# Webhooks may go by plain HTTP to this machine's loopback addresses (tests, a receiver beside the server);
# otherwise only HTTPS to public addresses (zhicheng/webhooks/addresses.py).
WEBHOOKS_ALLOW_LOOPBACK = os.environ.get("ZHICHENG_WEBHOOKS_ALLOW_LOOPBACK", "") == "1"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zhicheng@localhost")

# Public real-name objections accepted from one network address per hour.
OBJECTIONS_PER_ADDRESS_PER_HOUR = int(os.environ.get("ZHICHENG_OBJECTIONS_PER_HOUR", "5"))
# Applicant registrations submitted from one network address per hour (a unit's office shares one address).
REGISTRATIONS_PER_ADDRESS_PER_HOUR = int(os.environ.get("ZHICHENG_REGISTRATIONS_PER_HOUR", "20"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind an HTTPS proxy: redirect plain HTTP, send HSTS, trust the proxy's X-Forwarded-Proto.
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
if _env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "zhicheng.web.views.shell.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# ─── Security (issue 11): login throttling, the second factor, sessions, Content-Security-Policy ───
import datetime as _dt  # noqa: E402

# Production: DEBUG off and a SECRET_KEY given by the environment (the demo generates its own key).
PRODUCTION_MODE = not DEBUG and bool(os.environ.get("SECRET_KEY"))

INSTALLED_APPS += ["axes", "csp", "ninja"]  # ninja: the API docs' Swagger UI from our own static files, not a CDN
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
# After the messages (they say why a session ended) and the audit context (a logout is audited with its address).
MIDDLEWARE[MIDDLEWARE.index("zhicheng.audit.middleware.RequestContextMiddleware") + 1:1] = [
    "zhicheng.accounts.middleware.SessionLimitsMiddleware", "zhicheng.accounts.middleware.AdminSecondFactorMiddleware",
]
MIDDLEWARE.append("zhicheng.core.middleware.UnusableInputMiddleware")  # NUL characters, ids beyond 64 bits: 400/404
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes requires

# Wrong passwords (django-axes): an account is locked after LOGIN_FAILURE_LIMIT failures from anywhere, an
# address after LOGIN_ADDRESS_FAILURE_LIMIT failures on any accounts (higher: a unit's office shares one
# address); both for LOGIN_COOLOFF_MINUTES. Usernames (applicants': 身份证 numbers) are stored as keyed digests.
AUTHENTICATION_BACKENDS = ["zhicheng.accounts.throttle.ThrottleBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_FAILURE_LIMIT = int(os.environ.get("ZHICHENG_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("ZHICHENG_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
LOGIN_COOLOFF_MINUTES = int(os.environ.get("ZHICHENG_LOGIN_COOLOFF_MINUTES", "15"))
AXES_HANDLER = "zhicheng.accounts.throttle.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = _dt.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_USERNAME_CALLABLE = "zhicheng.accounts.throttle.account_key"
AXES_LOCKOUT_CALLABLE = "zhicheng.accounts.throttle.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a fixed lock: an attacker cannot keep a victim locked out
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit log already
# Behind N reverse proxies that append to X-Forwarded-For, the address the outermost saw is the visitor's.
TRUSTED_PROXIES = int(os.environ.get("ZHICHENG_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "zhicheng.core.addresses.client_address"
AXES_ENABLE_ADMIN = False  # unlocking is the regional department's audited page (/accounts/lockouts/)

# TOTP codes: after TOTP_FAILURE_LIMIT wrong codes the account's second factor is locked for TOTP_LOCK_MINUTES,
# and a session that typed them must log in again.
TOTP_FAILURE_LIMIT = int(os.environ.get("ZHICHENG_TOTP_FAILURE_LIMIT", "5"))
TOTP_LOCK_MINUTES = int(os.environ.get("ZHICHENG_TOTP_LOCK_MINUTES", "15"))
# Staff of the regional department, the bureaus and the committee offices pass TOTP too, as experts always do.
STAFF_SECOND_FACTOR = _env_bool("ZHICHENG_STAFF_TOTP", PRODUCTION_MODE)

# Sessions end after a time without requests (idle) and after a fixed time from login (absolute); staff, who see
# many people's records, sooner than applicants.
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("ZHICHENG_STAFF_IDLE_MINUTES", "30"))
STAFF_SESSION_HOURS = int(os.environ.get("ZHICHENG_STAFF_SESSION_HOURS", "10"))
APPLICANT_SESSION_IDLE_MINUTES = int(os.environ.get("ZHICHENG_APPLICANT_IDLE_MINUTES", "120"))
APPLICANT_SESSION_HOURS = int(os.environ.get("ZHICHENG_APPLICANT_SESSION_HOURS", "24"))
SESSION_COOKIE_AGE = 3600 * max(STAFF_SESSION_HOURS, APPLICANT_SESSION_HOURS)

# Content-Security-Policy (django-csp): scripts and styles only from our own files, no inline code anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
