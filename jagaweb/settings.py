"""Django settings for JagaWeb, read from JAGAWEB_* environment variables (see docs/configuration.md)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from jagaweb.env import (
    env_bool,
    env_choice,
    env_hosts,
    env_int,
    env_list,
    env_mapping,
    env_path,
    env_str,
    load_env_file,
    parse_database_url,
    sqlite_database,
)

PACKAGE_DIR = Path(__file__).resolve().parent

if os.environ.get("JAGAWEB_ENV_FILE"):
    load_env_file(Path(os.environ["JAGAWEB_ENV_FILE"]))

DATA_DIR = env_path("JAGAWEB_DATA_DIR", Path("~/.local/share/jagaweb"))
SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)


def _secret_key() -> str:
    """The key from the environment, else the one `jagaweb init` / `serve` keep in the data directory.

    Before that file exists (`jagaweb --help`, a first `jagaweb init`) a one-off key is used, so that
    merely running a command never writes into a data directory.
    """
    if os.environ.get("JAGAWEB_SECRET_KEY"):
        return os.environ["JAGAWEB_SECRET_KEY"]
    try:
        return (DATA_DIR / SECRET_KEY_FILE).read_text().strip()
    except FileNotFoundError:
        return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
DEBUG = env_bool("JAGAWEB_DEBUG", False)
ALLOWED_HOSTS = env_list("JAGAWEB_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("JAGAWEB_CSRF_TRUSTED_ORIGINS")
BASE_URL = env_str("JAGAWEB_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("JAGAWEB_BEHIND_PROXY", False) else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = BASE_URL.startswith("https://")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "jagaweb.activity",
    "jagaweb.inventory",
    "jagaweb.people",
    "jagaweb.jobs",
    "jagaweb.notify",
    "jagaweb.backup",
    "jagaweb.monitor",
    "jagaweb.guard",
    "jagaweb.logwatch",
    "jagaweb.sop",
    "jagaweb.renewals",
    "jagaweb.reports",
    "jagaweb.dashboard",
    "jagaweb.service",
    "jagaweb.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jagaweb.people.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jagaweb.people.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "jagaweb.urls"
WSGI_APPLICATION = "jagaweb.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jagaweb.people.context.navigation",
            ],
        },
    }
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": parse_database_url(os.environ["DATABASE_URL"], DATA_DIR / "jagaweb.sqlite3")}
else:
    DATABASES = {"default": sqlite_database(DATA_DIR / "jagaweb.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["jagaweb.people.backends.RoleBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:index"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_choice("JAGAWEB_LANGUAGE", "id", ["id", "en"])
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("JAGAWEB_TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders, so `pip install` + `jagaweb serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "notify"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["jagaweb.people.api_permissions.ScopedModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "JagaWeb API",
    "DESCRIPTION": "Inventory, monitoring, backup, guard, visitor logs, SOP runs and reports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "SeverityEnum": "jagaweb.activity.choices.Severity", "MonitorStatusEnum": "jagaweb.monitor.choices.Status",
        "GuardSeverityEnum": "jagaweb.guard.choices.Severity", "GuardRunStateEnum": "jagaweb.guard.choices.RunState",
        "GuardRunKindEnum": "jagaweb.guard.choices.RunKind", "FindingStateEnum": "jagaweb.guard.choices.FindingState",
        "IdentityEnum": "jagaweb.guard.choices.Identity",
        "RunStateEnum": "jagaweb.sop.choices.RunState", "StepStateEnum": "jagaweb.sop.choices.StepState",
        "CaseStateEnum": "jagaweb.sop.choices.CaseState", "RequestStateEnum": "jagaweb.sop.choices.RequestState",
        "RoleKindEnum": "jagaweb.people.choices.RoleKind",
        "ReportKindEnum": "jagaweb.reports.choices.ReportKind",
        "ReportStateEnum": "jagaweb.reports.choices.ReportState",
    },
}

EMAIL_HOST = env_str("JAGAWEB_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("JAGAWEB_SMTP_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("JAGAWEB_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("JAGAWEB_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("JAGAWEB_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("JAGAWEB_SMTP_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("JAGAWEB_EMAIL_FROM", "jagaweb@localhost")

# Outbound network policy (jagaweb.net): timeouts, retries and where user-supplied targets may point.
JAGAWEB_NET_TIMEOUT = env_int("JAGAWEB_NET_TIMEOUT", 15, minimum=1, maximum=300)
JAGAWEB_NET_RETRIES = env_int("JAGAWEB_NET_RETRIES", 2, minimum=0, maximum=10)
JAGAWEB_TELEGRAM_API = env_str("JAGAWEB_TELEGRAM_API", "https://api.telegram.org")
JAGAWEB_NET_HOSTS = env_hosts("JAGAWEB_NET_HOSTS")
JAGAWEB_NET_CA_FILE = env_str("JAGAWEB_NET_CA_FILE", "")
JAGAWEB_DNS_NAMESERVERS = env_list("JAGAWEB_DNS_NAMESERVERS")
JAGAWEB_WHOIS_SERVERS = env_mapping("JAGAWEB_WHOIS_SERVERS")

# Monitoring (jagaweb.monitor): engine limits, history retention, where RDAP lookups start.
JAGAWEB_MONITOR_CONCURRENCY = env_int("JAGAWEB_MONITOR_CONCURRENCY", 500, minimum=1, maximum=20000)
JAGAWEB_MONITOR_PER_HOST = env_int("JAGAWEB_MONITOR_PER_HOST", 4, minimum=1, maximum=1000)
JAGAWEB_MONITOR_KEEP_RESULTS_HOURS = env_int("JAGAWEB_MONITOR_KEEP_RESULTS_HOURS", 48, minimum=1)
JAGAWEB_MONITOR_KEEP_MINUTES_HOURS = env_int("JAGAWEB_MONITOR_KEEP_MINUTES_HOURS", 48, minimum=1)
JAGAWEB_MONITOR_KEEP_HOURS_DAYS = env_int("JAGAWEB_MONITOR_KEEP_HOURS_DAYS", 90, minimum=1)
# SOPs (jagaweb.sop): the institution's own definitions (copies of the built-ins, adapted).
SOP_DEFINITIONS_DIR = env_path("JAGAWEB_SOP_DIR", DATA_DIR / "sop")
# Guard (jagaweb.guard): the browser that takes screenshots.
JAGAWEB_CHROMIUM = env_str("JAGAWEB_CHROMIUM", "/usr/bin/chromium")
# The unit that prepares the reports, printed in their heading (e.g. "Dinas Kominfo Kabupaten Contoh").
JAGAWEB_REPORT_UNIT = env_str("JAGAWEB_REPORT_UNIT", "")
JAGAWEB_RDAP_BOOTSTRAP_URL = env_str("JAGAWEB_RDAP_BOOTSTRAP_URL", "https://data.iana.org/rdap/dns.json")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_choice(
        "JAGAWEB_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"])},
    # WeasyPrint logs every layout step of a report at INFO: a 150-page report would flood the worker's log.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
