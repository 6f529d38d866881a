"""Settings for caci, read from the environment.

One module for every environment: what differs between a laptop, CI and production is
set by environment variables, never by another settings file. Development defaults are
safe to run locally; production (``DJANGO_DEBUG`` off) refuses to start without a real
secret key.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

_DEVELOPMENT_SECRET_KEY = "development-only-secret-key-not-for-production"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY
elif not DEBUG and SECRET_KEY == _DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("The development secret key cannot be used in production.")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

DJANGO_APPS = [
    # The admin on the editors' site (core/admin_site.py): review queue, deleted records.
    "core.apps.EditorialAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "simple_history",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
]
LOCAL_APPS = [
    # The layers, each importing only those above it: the shared base, the publication,
    # the knowledge drawn from it, the whole-dataset import and export.
    "core",
    "articles",
    "actors",
    "bundles",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads: the public's reads go to a replica, if there are any.
    "core.replicas.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # The database out of reach: a 503 with Retry-After rather than a server error. Last,
    # so that it sees a view's exception before any other middleware turns it into a 500.
    "core.outage.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "caci.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "caci.wsgi.application"

# SQLite file in the project folder by default (git-ignored); PostgreSQL in production
# through DATABASE_URL=postgres://user:password@host:5432/name (psycopg 3).
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}

# Streaming replicas of that database, comma-separated URLs: the public's reads go to
# them, everything else to the primary (core/replicas.py says which reads are whose). In
# tests a replica alias mirrors the primary.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", [])):
    _alias = f"replica{_number + 1}"
    DATABASES[_alias] = {
        **dj_database_url.parse(_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["core.replicas.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# History of the curated models: who changed what, when (django-simple-history).
SIMPLE_HISTORY_REVERT_DISABLED = False
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# The review (core.services.records_publish): with this on, an editor cannot publish a
# record whose current content they wrote themselves; another editor verifies it. Off for
# a team of one.
CACI_REVIEW_REQUIRES_SECOND_EDITOR = env_bool("CACI_REVIEW_REQUIRES_SECOND_EDITOR", True)

# The public API (Django REST framework, django-filter, drf-spectacular). Its shared
# pieces (pagination, filtering, permissions, throttles, CSV, errors) live in core/rest/.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Scripts send "Authorization: Token <key>" (manage.py issue_api_token);
        # the browsable API uses the admin's session, with CSRF.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.rest.permissions.ModelPermissionsOrPublicRead"],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.rest.throttling.AnonymousClientThrottle",
        "core.rest.throttling.AuthenticatedClientThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON_RATE", "120/minute"),
        "user": os.environ.get("API_THROTTLE_USER_RATE", "600/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "core.rest.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.rest.errors.exception_handler",
    # Values keep every digit: 3740000000.00 reads as a string, never a rounded float.
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CACI dataset API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (BASE_DIR / "core" / "rest" / "api_description.md").read_text(),
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.rest.schema.postprocess_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ActorKindEnum": "actors.models.ActorKind",
        "AgreementKindEnum": "actors.models.AgreementKind",
        "AgreementStatusEnum": "actors.models.AgreementStatus",
        "ReviewStatusEnum": "core.editorial.ReviewStatus",
        "DatePrecisionEnum": "actors.models.DatePrecision",
    },
}
