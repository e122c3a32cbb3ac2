"""Settings come from the environment; the defaults run the embedded mode (SQLite under var/)."""

import datetime
import json
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kuntarobo import deployment
from kuntarobo.core.inputs import InputLimits

# Django's generic classes (ModelAdmin, ModelChoiceField, …) take type arguments at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("KUNTAROBO_VAR_DIR", BASE_DIR.parent / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from error


DEBUG = env_bool("DEBUG", False)

# --- Deployment hardening: secret key, file modes (see kuntarobo/deployment.py) -------------
try:
    _secret_key_refusal = deployment.secret_key_refusal(os.environ)
    KUNTAROBO_DEMO = deployment.is_embedded_demo(os.environ)
except deployment.DeploymentError as error:
    raise ImproperlyConfigured(str(error)) from error
if _secret_key_refusal:
    raise ImproperlyConfigured(_secret_key_refusal)
# Files and folders this process creates (SQLite and its -wal/-shm, media) are private.
deployment.restrict_new_files()
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    # The embedded demo: one random key in var/, shared by its processes and restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        from django.utils.crypto import get_random_string

        with os.fdopen(descriptor, "w") as handle:
            handle.write(get_random_string(64))
    SECRET_KEY = key_file.read_text().strip()
# --- end of deployment hardening (secret key) -------------------------------------------------

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_ROOT = os.environ.get("SITE_ROOT", "http://127.0.0.1:8000")

# The platform's apps and the robots of other packages (KUNTAROBO_EXTRA_APPS), listed in
# kuntarobo/deployment.py so that `kuntarobo` can find a command's app without starting Django.
INSTALLED_APPS = deployment.installed_apps(os.environ)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kuntarobo.api.auth.ApiTokenMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kuntarobo.urls"
WSGI_APPLICATION = "kuntarobo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kuntarobo.accounts.context_processors.municipalities",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Health checks: a kept connection that a database restart broke is replaced before a
    # request uses it, instead of failing that request (workers find out by the error).
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "DATABASE_PREPARED_STATEMENTS", True
    ):
        # Parameters bound in the server let PostgreSQL keep the plans of the statements every
        # work item repeats (prepared from their second use): a third less CPU in the server
        # per item, measured. Behind a transaction-pooling PgBouncer before 1.21, turn it off.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=2
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "kuntarobo.sqlite3"),
            "OPTIONS": {
                # WAL lets the web server read while a worker writes; IMMEDIATE avoids
                # lock-upgrade deadlocks between the web, worker and scheduler processes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                # Seconds a write waits for the lock before "database is locked" (workers then
                # back off and try again, see kuntarobo.runtime.outage).
                "timeout": env_int("KUNTAROBO_SQLITE_TIMEOUT_SECONDS", 30),
            },
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("KUNTAROBO_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "robots"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("KUNTAROBO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kuntarobo@localhost")
# Delivery channels (docs/channels.md): a CA to trust for the mail relay besides the system's,
# whether its certificate is checked at all, and how long a secure link works.
KUNTAROBO_EMAIL_CA_FILE = os.environ.get("KUNTAROBO_EMAIL_CA_FILE", "")
KUNTAROBO_EMAIL_VERIFY_CERTIFICATE = env_bool("KUNTAROBO_EMAIL_VERIFY_CERTIFICATE", True)
KUNTAROBO_SECURE_LINK_DAYS = env_int("KUNTAROBO_SECURE_LINK_DAYS", 14)
if KUNTAROBO_SECURE_LINK_DAYS < 1:
    raise ImproperlyConfigured("KUNTAROBO_SECURE_LINK_DAYS must be at least 1")
# The vault's encryption keys (docs/credentials.md): Fernet keys, comma-separated, the first
# encrypts and all decrypt; or a file outside the database with one key per line. Without
# either the vault refuses to save or read a secret; the embedded demo makes a key file in var/.
KUNTAROBO_VAULT_KEYS = [
    key.strip() for key in os.environ.get("KUNTAROBO_VAULT_KEYS", "").split(",") if key.strip()
]
KUNTAROBO_VAULT_KEY_FILE = os.environ.get("KUNTAROBO_VAULT_KEY_FILE", "").strip()
if not KUNTAROBO_VAULT_KEYS and not KUNTAROBO_VAULT_KEY_FILE and KUNTAROBO_DEMO:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    vault_key_file = VAR_DIR / "vault_keys"
    try:
        descriptor = os.open(vault_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        from cryptography.fernet import Fernet

        with os.fdopen(descriptor, "w") as handle:
            handle.write(Fernet.generate_key().decode("ascii") + "\n")
    KUNTAROBO_VAULT_KEY_FILE = str(vault_key_file)
# The phone survey robot's text messages (advance notices, the web link after a refused call):
# an HTTP SMS gateway taking POST {"to", "text", "reference"} with a bearer token. Unset: the
# robot refuses to send and says so (docs/phone-survey.md, "Advance notice").
KUNTAROBO_SMS_GATEWAY_URL = os.environ.get("KUNTAROBO_SMS_GATEWAY_URL", "").strip()
KUNTAROBO_SMS_GATEWAY_TOKEN = os.environ.get("KUNTAROBO_SMS_GATEWAY_TOKEN", "").strip()
KUNTAROBO_SMS_GATEWAY_TIMEOUT = env_int("KUNTAROBO_SMS_GATEWAY_TIMEOUT", 10)

# The phone survey robot's SIP trunk (docs/phone-survey.md, "Real calls"): calls of campaigns
# with real calls leave through this proxy as sip:<number>@<domain>, shown from the campaign's
# caller number. The password is read from the environment only. The worker's SIP and RTP bind
# to KUNTAROBO_SIP_BIND.
KUNTAROBO_SIP_DOMAIN = os.environ.get("KUNTAROBO_SIP_DOMAIN", "").strip()
KUNTAROBO_SIP_PROXY = os.environ.get("KUNTAROBO_SIP_PROXY", "").strip()
KUNTAROBO_SIP_USERNAME = os.environ.get("KUNTAROBO_SIP_USERNAME", "").strip()
KUNTAROBO_SIP_PASSWORD = os.environ.get("KUNTAROBO_SIP_PASSWORD", "")
KUNTAROBO_SIP_BIND = os.environ.get("KUNTAROBO_SIP_BIND", "127.0.0.1").strip()
KUNTAROBO_SIP_PORT = env_int("KUNTAROBO_SIP_PORT", 0)
KUNTAROBO_SIP_RING_SECONDS = env_int("KUNTAROBO_SIP_RING_SECONDS", 30)
KUNTAROBO_SIP_INPUT_SECONDS = env_int("KUNTAROBO_SIP_INPUT_SECONDS", 7)
KUNTAROBO_SIP_RECORD_SECONDS = env_int("KUNTAROBO_SIP_RECORD_SECONDS", 60)

# The demo's mail catcher (kuntarobo/demo/mail_catcher.py): an SMTP server on loopback that
# keeps what the robots send as .eml files in this folder, read on the page "Demo e-mail"
# (administrators only). Set in the demo; anywhere else the catcher and its page exist only if
# KUNTAROBO_MAIL_CATCHER_DIR is set. In the demo the platform's SMTP settings point at it
# unless EMAIL_HOST or EMAIL_PORT say otherwise.
KUNTAROBO_MAIL_CATCHER_DIR = os.environ.get(
    "KUNTAROBO_MAIL_CATCHER_DIR", str(VAR_DIR / "caught-mail") if KUNTAROBO_DEMO else ""
)
KUNTAROBO_MAIL_CATCHER_PORT = env_int("KUNTAROBO_MAIL_CATCHER_PORT", 8025)
if KUNTAROBO_DEMO and not ({"EMAIL_HOST", "EMAIL_PORT"} & set(os.environ)):
    EMAIL_HOST, EMAIL_PORT = "127.0.0.1", KUNTAROBO_MAIL_CATCHER_PORT

# The demo's practice system (kuntarobo/practice/): an imitation of a payroll system's screens
# that the HR fetch robot logs in to. `kuntarobo demo` runs it on loopback at this port (not the
# mail catcher's 8025) and the demo's HR fetch settings point at it.
KUNTAROBO_PRACTICE_PORT = env_int("KUNTAROBO_PRACTICE_PORT", 8026)

# Meaningful review (GDPR art. 22, docs/architecture.md): before approving all proposals
# without flags of a class B robot, a reviewer opens a random sample of them: this percentage
# of the batch (rounded up), at least the minimum, or the whole batch when it is smaller.
KUNTAROBO_REVIEW_SAMPLE_PERCENT = env_int("KUNTAROBO_REVIEW_SAMPLE_PERCENT", 5)
KUNTAROBO_REVIEW_SAMPLE_MINIMUM = env_int("KUNTAROBO_REVIEW_SAMPLE_MINIMUM", 3)
if not 1 <= KUNTAROBO_REVIEW_SAMPLE_PERCENT <= 100:
    raise ImproperlyConfigured("KUNTAROBO_REVIEW_SAMPLE_PERCENT must be from 1 to 100")
if KUNTAROBO_REVIEW_SAMPLE_MINIMUM < 1:
    raise ImproperlyConfigured("KUNTAROBO_REVIEW_SAMPLE_MINIMUM must be at least 1")

# The impact dashboards read a monthly roll-up of the runs (kuntarobo.portfolio.realised); the
# scheduler brings it up to date this often (seconds; 0 leaves it to `kuntarobo
# portfolio-refresh`), so reviews after a run's end reach the figures. The demo: every minute.
KUNTAROBO_PORTFOLIO_REFRESH_SECONDS = env_int(
    "KUNTAROBO_PORTFOLIO_REFRESH_SECONDS", 60 if KUNTAROBO_DEMO else 300
)
if KUNTAROBO_PORTFOLIO_REFRESH_SECONDS < 0:
    raise ImproperlyConfigured("KUNTAROBO_PORTFOLIO_REFRESH_SECONDS must not be negative")

# Runtime knobs: how long a silent worker is trusted, how application errors back off.
KUNTAROBO_WORKER_HEARTBEAT_SECONDS = env_int("KUNTAROBO_WORKER_HEARTBEAT_SECONDS", 5)
KUNTAROBO_WORKER_STALE_SECONDS = env_int("KUNTAROBO_WORKER_STALE_SECONDS", 30)
KUNTAROBO_WORKER_BATCH = env_int("KUNTAROBO_WORKER_BATCH", 10)
KUNTAROBO_RETRY_BASE_SECONDS = env_int("KUNTAROBO_RETRY_BASE_SECONDS", 30)
KUNTAROBO_RETRY_MAX_SECONDS = env_int("KUNTAROBO_RETRY_MAX_SECONDS", 3600)
KUNTAROBO_SCHEDULER_INTERVAL_SECONDS = env_int("KUNTAROBO_SCHEDULER_INTERVAL_SECONDS", 20)
# A run still `starting` this long after it was stored, with no reading of its input queued,
# running or done by a live process, is read again (or failed) by the scheduler's sweep.
KUNTAROBO_READING_GRACE_SECONDS = env_int("KUNTAROBO_READING_GRACE_SECONDS", 300)
# Longest wait between tries while the platform's database is unreachable, locked or full.
KUNTAROBO_DB_RETRY_MAX_SECONDS = env_int("KUNTAROBO_DB_RETRY_MAX_SECONDS", 30)

# Browser robots (kuntarobo/runtime/browser.py, docs/browser-robots.md): Debian's Chromium and
# chromedriver (never downloaded); how long one browser action, one navigation and one item's
# whole browser work may take before the item fails as an application exception.
KUNTAROBO_CHROMIUM = os.environ.get("KUNTAROBO_CHROMIUM", "/usr/bin/chromium")
KUNTAROBO_CHROMEDRIVER = os.environ.get("KUNTAROBO_CHROMEDRIVER", "/usr/bin/chromedriver")
KUNTAROBO_BROWSER_TIMEOUT_MS = env_int("KUNTAROBO_BROWSER_TIMEOUT_MS", 10_000)
KUNTAROBO_BROWSER_NAVIGATION_TIMEOUT_MS = env_int("KUNTAROBO_BROWSER_NAVIGATION_TIMEOUT_MS", 30_000)
KUNTAROBO_BROWSER_ITEM_SECONDS = env_int("KUNTAROBO_BROWSER_ITEM_SECONDS", 300)

# Storage roots: a robot reads and writes files only below <root>/<municipality>/<robot>/
# (default <VAR_DIR>/municipalities); a municipality may have its own root, given as a JSON
# object {"slug": "/absolute/path"}. See docs/operations.md.
KUNTAROBO_MUNICIPALITY_ROOT = os.environ.get("KUNTAROBO_MUNICIPALITY_ROOT", "")


def env_roots(name: str) -> dict[str, str]:
    try:
        value = json.loads(os.environ.get(name) or "{}")
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ImproperlyConfigured(f'{name} must be a JSON object {{"slug": "/absolute/path"}}')
    return value


KUNTAROBO_MUNICIPALITY_ROOTS = env_roots("KUNTAROBO_MUNICIPALITY_ROOTS")

# --- Sign-in: brute-force lock, local passwords, single sign-on (OpenID Connect) -------------
# docs/operations.md, "Sign-in". Kept in one block of its own.
AUTHENTICATION_BACKENDS = [
    "kuntarobo.accounts.backends.PasswordBackend",
    "kuntarobo.accounts.backends.OidcBackend",
]
# "all": every user may sign in with a password; "superusers": only the break-glass superusers,
# everyone else through the identity provider.
KUNTAROBO_PASSWORD_LOGIN = os.environ.get("KUNTAROBO_PASSWORD_LOGIN", "all")
if KUNTAROBO_PASSWORD_LOGIN not in {"all", "superusers"}:
    raise ImproperlyConfigured(
        f"KUNTAROBO_PASSWORD_LOGIN must be all or superusers, not {KUNTAROBO_PASSWORD_LOGIN!r}"
    )
# How many reverse proxies append to X-Forwarded-For before the request reaches us (0: none,
# the address is REMOTE_ADDR). Wrong here, and the lock counts the proxy's address for everyone.
KUNTAROBO_TRUSTED_PROXY_COUNT = env_int("KUNTAROBO_TRUSTED_PROXY_COUNT", 0)
AXES_ENABLED = env_bool("KUNTAROBO_LOGIN_LOCK_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("KUNTAROBO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("KUNTAROBO_LOGIN_COOLOFF_MINUTES", 15))
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME.total_seconds() < 60:
    raise ImproperlyConfigured(
        "KUNTAROBO_LOGIN_FAILURE_LIMIT must be at least 1 and KUNTAROBO_LOGIN_COOLOFF_MINUTES "
        "at least 1"
    )
_LOCKOUT_NAMES = {"username": "username", "address": "ip_address"}
_lockout = os.environ.get("KUNTAROBO_LOGIN_LOCKOUT_BY", "username+address")
try:
    AXES_LOCKOUT_PARAMETERS = [
        [_LOCKOUT_NAMES[part.strip()] for part in group.split("+")]
        for group in _lockout.split(",")
        if group.strip()
    ]
except KeyError as error:
    raise ImproperlyConfigured(
        f"KUNTAROBO_LOGIN_LOCKOUT_BY: {error.args[0]!r} is neither username nor address "
        f"(e.g. username+address, or username+address,address)"
    ) from None
if not AXES_LOCKOUT_PARAMETERS:
    raise ImproperlyConfigured("KUNTAROBO_LOGIN_LOCKOUT_BY must name username and/or address")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kuntarobo.accounts.signin.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429  # axes' default, stated here because the lockout page uses it
AXES_CLIENT_IP_CALLABLE = "kuntarobo.accounts.signin.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit trail
AXES_VERBOSE = False
# Single sign-on comes back from the identity provider as a cross-site navigation: the session
# cookie must be sent with it, so SESSION_COOKIE_SAMESITE must stay "Lax" (Django's default),
# not "Strict" (tests/browser/test_oidc_sign_in.py fails then).
# Identity providers: a JSON object {"name": {provider}, …} in KUNTAROBO_OIDC_PROVIDERS, or in
# the file KUNTAROBO_OIDC_PROVIDERS_FILE (readable by the service only: it holds the secrets).
from kuntarobo.accounts.oidc_config import ProviderConfigError, parse_providers  # noqa: E402

_providers_file = os.environ.get("KUNTAROBO_OIDC_PROVIDERS_FILE", "")
try:
    KUNTAROBO_OIDC_PROVIDERS = parse_providers(
        Path(_providers_file).read_text(encoding="utf-8")
        if _providers_file
        else os.environ.get("KUNTAROBO_OIDC_PROVIDERS", "")
    )
except (OSError, ProviderConfigError) as error:
    source = _providers_file or "KUNTAROBO_OIDC_PROVIDERS"
    raise ImproperlyConfigured(f"{source}: {error}") from None


def env_days(name: str, default: int | None) -> int | None:
    """A retention period in days; "keep" (or empty) keeps the data."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in {"", "keep"}:
        return None
    days = env_int(name, 0)
    if days < 0:
        raise ImproperlyConfigured(f"{name} must be a number of days (0 or more) or 'keep'")
    return days


# Housekeeping (the scheduler, hourly; `kuntarobo files sweep`, `kuntarobo retention purge`):
# files no row refers to are removed after the grace period; data is kept the days below after
# its work ended. Only run inputs have a default period: the items hold what the robot read.
KUNTAROBO_HOUSEKEEPING_INTERVAL_SECONDS = env_int("KUNTAROBO_HOUSEKEEPING_INTERVAL_SECONDS", 3600)
KUNTAROBO_FILES_GRACE_SECONDS = env_int("KUNTAROBO_FILES_GRACE_SECONDS", 3600)
KUNTAROBO_RETAIN_INPUT_DAYS = env_days("KUNTAROBO_RETAIN_INPUT_DAYS", 30)
KUNTAROBO_RETAIN_DOCUMENT_DAYS = env_days("KUNTAROBO_RETAIN_DOCUMENT_DAYS", None)
KUNTAROBO_RETAIN_PRINT_BATCH_DAYS = env_days("KUNTAROBO_RETAIN_PRINT_BATCH_DAYS", None)
KUNTAROBO_RETAIN_ITEM_DATA_DAYS = env_days("KUNTAROBO_RETAIN_ITEM_DATA_DAYS", None)
# The most a robot's input may hold (KUNTAROBO_INPUT_MAX_*; see kuntarobo/core/inputs.py).
try:
    KUNTAROBO_INPUT_LIMITS = InputLimits.from_env()
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from error

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_identity_codes": {"()": "kuntarobo.core.masking.IdentityCodeFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_identity_codes"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_tasks_db": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Deployment hardening: HTTPS, security headers, CSP, caching, file modes ---------------
# Every variable is listed in docs/operations.md ("Security settings"); the rules are in
# kuntarobo/deployment.py.
try:
    SESSION_COOKIE_SECURE = deployment.secure_cookies(os.environ, DEBUG)
    SECURE_PROXY_SSL_HEADER = deployment.proxy_ssl_header(os.environ)
    _form_action_extra = deployment.extra_sources(os.environ, "KUNTAROBO_CSP_FORM_ACTION_EXTRA")
except deployment.DeploymentError as error:
    raise ImproperlyConfigured(str(error)) from error
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Sent by Django only over HTTPS, so a year is the default outside the demo; subdomains and
# preload concern the municipality's whole domain and are the operator's choice.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if KUNTAROBO_DEMO else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
        # Some browsers check the redirects after a form's submission too: an identity
        # provider signed in through a form is added with KUNTAROBO_CSP_FORM_ACTION_EXTRA.
        "form-action": [CSP_SELF, *_form_action_extra],
    }
}
# No-store on every response of a view (static files, served by WhiteNoise before it, keep
# their caching); the CSP header on every page.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "kuntarobo.web.middleware.NoStoreMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("kuntarobo.web.middleware.NoStoreMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)

# Uploads, documents and collected static files private to the service's user, like the rest
# of var/ (the umask above); WhiteNoise serves static files from the process itself.
FILE_UPLOAD_PERMISSIONS = deployment.PRIVATE_FILE_MODE
FILE_UPLOAD_DIRECTORY_PERMISSIONS = deployment.PRIVATE_DIRECTORY_MODE
# Folders and files left readable by older versions: a private var/ hides everything in it.
deployment.tighten(
    [
        VAR_DIR,
        VAR_DIR / "secret_key",
        *(VAR_DIR / f"kuntarobo.sqlite3{suffix}" for suffix in ("", "-wal", "-shm")),
        MEDIA_ROOT,
    ]
)
# --- end of deployment hardening -------------------------------------------------------------
