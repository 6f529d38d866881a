"""Settings for caci, read from the environment.

One module for every environment: what differs between a laptop, CI and production is
set by environment variables, never by another settings file. Development defaults are
safe to run locally; production (``DJANGO_DEBUG`` off) refuses to start without a real
secret key.
"""

import os
from datetime import timedelta
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


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


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
    # API tokens, stored as hashes, each with an expiry (manage.py issue_api_token).
    "knox",
    "django_filters",
    "drf_spectacular",
    # Swagger UI and Redoc from the project's own static files: the docs need no CDN.
    "drf_spectacular_sidecar",
    # Failed sign-ins counted per client address and per account; too many lock them out.
    "axes",
]
LOCAL_APPS = [
    # The layers, each importing only those above it: the shared base, the publication,
    # the knowledge drawn from it, the whole-dataset import and export, and the public
    # website that shows what is published.
    "core",
    "articles",
    "actors",
    "bundles",
    # An editor brings a new article in and reviews the facts proposed from it.
    "intake",
    "explorer",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # One log line per request, timed around everything below it.
    "core.http.RequestLogMiddleware",
    # Every error under /api/ as a problem details document (RFC 9457), whoever made it.
    "core.rest.problems.ProblemMiddleware",
    # An API request's query string within bounds (parameters, lengths, words) before
    # anything reads it.
    "core.rest.limits.QueryLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (hashed, compressed) from the app server itself, before any other work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads: the public's reads go to a replica, if there are any.
    "core.replicas.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Refuses a locked-out client's sign-in before the password is checked.
    "axes.middleware.AxesMiddleware",
    # The database out of reach: a 503 with Retry-After rather than a server error. Last,
    # so that it sees a view's exception before any other middleware turns it into a 500.
    "core.outage.DatabaseUnavailableMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
#
# Connections are reused: each thread keeps its connection for DATABASE_CONN_MAX_AGE
# seconds and checks it is alive before a request uses it (a restarted server costs one
# reconnect, not an error). DATABASE_POOL_MAX_SIZE > 0 uses psycopg's pool instead (one
# per process, shared by its threads). DATABASE_PGBOUNCER=1 is for a PgBouncer in
# transaction mode in front of PostgreSQL: no server-side cursors, no prepared
# statements, and PgBouncer does the pooling. See docs/deploying.md.
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", False)
DATABASE_POOL_MAX_SIZE = 0 if DATABASE_PGBOUNCER else env_int("DATABASE_POOL_MAX_SIZE", 0)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=(
            0
            if DATABASE_PGBOUNCER or DATABASE_POOL_MAX_SIZE
            else env_int("DATABASE_CONN_MAX_AGE", 60)
        ),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if DATABASE_PGBOUNCER:
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
    elif DATABASE_POOL_MAX_SIZE:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_MAX_SIZE,
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        }

# The shared cache: Redis when REDIS_URL is set (every worker and app server counts the
# same throttles and reads the same sessions and cached responses); this process's own
# memory otherwise, which is enough for one process (`make run`).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "caci"),
        }
    }
    # Sessions read from Redis and written through to the database, so a restart of Redis
    # signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The API schema, which changes only with the code: each process keeps its own.
CACHES["schema"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}

# Streaming replicas of that database, comma-separated URLs: the public's reads go to
# them, everything else to the primary (core/replicas.py says which reads are whose). In
# tests a replica alias mirrors the primary.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", [])):
    _alias = f"replica{_number + 1}"
    DATABASES[_alias] = {
        **dj_database_url.parse(
            _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
        ),
        "TEST": {"MIRROR": "default"},
    }
    # The primary's connection settings (PgBouncer, pool) for its replicas too.
    for _key in ("DISABLE_SERVER_SIDE_CURSORS", "OPTIONS"):
        if _key in DATABASES["default"]:
            DATABASES[_alias][_key] = DATABASES["default"][_key]
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
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# In production the app server serves the files `collectstatic` gathered, under names
# that carry their content's hash (cached for a year) and compressed (whitenoise).
# In development runserver serves them from the apps, as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development whitenoise looks the files up in the apps on each request.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Security in production (DJANGO_DEBUG=0), behind a proxy that terminates TLS. The proxy
# says the request came over HTTPS with X-Forwarded-Proto; Django trusts that header only
# when DJANGO_SECURE_PROXY_SSL_HEADER is on, which is right only if the proxy overwrites it.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer's health checks speak plain HTTP to the app server.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading asks browsers to use HTTPS for the domain before its first visit (once it is
# submitted to their list): set DJANGO_SECURE_HSTS_PRELOAD=0 for a domain not ready for it.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
X_FRAME_OPTIONS = "DENY"

# The Content-Security-Policy (django-csp): scripts, styles, images and fonts from this
# site only, no plugins, no framing. Inline style attributes are allowed (Swagger UI and
# Redoc set them); inline scripts are not. Redoc renders in a worker it starts from a blob.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Logging: each event once, to standard output, where the process manager collects it.
# Each request is one line from caci.request (method, path, status, milliseconds): the
# development server's own line and Django's "Not Found" warnings would repeat it, so
# those two loggers report errors only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers are replaced by the root's: the lines reach it once.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": True},
        "django.request": {"handlers": [], "level": "ERROR", "propagate": True},
    },
}

# History of the curated models: who changed what, when (django-simple-history).
SIMPLE_HISTORY_REVERT_DISABLED = False
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# The review (core.services.records_publish): with this on, an editor cannot publish a
# record whose current content they wrote themselves; another editor verifies it. Off for
# a team of one.
CACI_REVIEW_REQUIRES_SECOND_EDITOR = env_bool("CACI_REVIEW_REQUIRES_SECOND_EDITOR", True)

# The largest request body read, in bytes (2.5 MB, Django's default): an API write body
# beyond it is a 413 problem. A query string holds at most DATA_UPLOAD_MAX_NUMBER_FIELDS
# (1,000) parameters; the API takes fewer (core/rest/limits.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

# The public API (Django REST framework, django-filter, drf-spectacular). Its shared
# pieces (pagination, filtering, permissions, throttles, CSV, errors) live in core/rest/.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Scripts send "Authorization: Token <key>" (manage.py issue_api_token); only
        # the key's hash is stored, and it expires. The browsable API uses the admin's
        # session, with CSRF.
        "knox.auth.TokenAuthentication",
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
    # How many proxies (load balancer, TLS terminator) stand in front of the app server,
    # each appending to X-Forwarded-For. The client is the address the outermost of them
    # saw; what a client writes into the header itself is not trusted. 0: no proxy, the
    # client is the connection's address.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "DEFAULT_SCHEMA_CLASS": "core.rest.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.rest.errors.exception_handler",
    # An unsupported `format` or Accept is a 406 listing what the endpoint offers.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.rest.negotiation.ContentNegotiation",
    # Values keep every digit: 3740000000.00 reads as a string, never a rounded float.
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "CACI dataset API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (BASE_DIR / "core" / "rest" / "api_description.md").read_text(),
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.rest.schema.postprocess_error_responses",
        "core.rest.facets.postprocess_facets",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ActorKindEnum": "actors.models.ActorKind",
        "AgreementKindEnum": "actors.models.AgreementKind",
        "AgreementStatusEnum": "actors.models.AgreementStatus",
        "ReviewStatusEnum": "core.editorial.ReviewStatus",
        "DatePrecisionEnum": "actors.models.DatePrecision",
    },
}

# API tokens (django-rest-knox): only a hash of each key is stored; a key expires after
# API_TOKEN_TTL_DAYS days. `manage.py issue_api_token` makes one, `revoke_api_tokens`
# ends them.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("API_TOKEN_TTL_DAYS", 90)),
    "AUTH_HEADER_PREFIX": "Token",
}

# Sign-in throttling (django-axes) for the admin's and the browsable API's login pages:
# after AXES_FAILURE_LIMIT wrong passwords from one client address, or for one account,
# both are refused (429), the right password included, for AXES_COOLOFF_MINUTES. The
# address is the one the proxy chain gives (NUM_PROXIES), as for the API's rate limits.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.http.client_address"
AXES_HTTP_RESPONSE_CODE = 429
