"""Django settings, read only from environment variables.

Every variable is listed in docs/configuration.md. With no variable set Sluis runs in its embedded
default: SQLite and local files in ``SLUIS_DATA_DIR`` (``./sluis-data``).
"""

from pathlib import Path

import environ

from sluis.config.secrets import embedded_secret_key

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.str("SLUIS_DATA_DIR", default="sluis-data")).resolve()

DEBUG = env.bool("SLUIS_DEBUG", default=False)
SECRET_KEY = env.str("SLUIS_SECRET_KEY", default="") or embedded_secret_key(DATA_DIR)
ALLOWED_HOSTS = env.list("SLUIS_ALLOWED_HOSTS", default=["*"])
CSRF_TRUSTED_ORIGINS = env.list("SLUIS_CSRF_TRUSTED_ORIGINS", default=[])
USE_X_FORWARDED_HOST = env.bool("SLUIS_USE_X_FORWARDED_HOST", default=False)
if env.bool("SLUIS_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "sluis.accounts",
    "sluis.catalog",
    "sluis.uploads",
    "sluis.ingest",
    "sluis.datastore.timeseries",
    "sluis.datastore.vector",
    "sluis.datastore.rasters",
    "sluis.datastore.files",
    "sluis.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sluis.config.urls"
WSGI_APPLICATION = "sluis.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("SLUIS_DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'sluis.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE transactions take the write lock at
    # BEGIN so that two writers queue on the busy timeout instead of failing on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": env.int("SLUIS_SQLITE_TIMEOUT", default=30),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("SLUIS_DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves finders until collectstatic
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["sluis.accounts.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "sluis.config.pagination.PageNumberPagination",
    "PAGE_SIZE": 10,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sluis.config.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sluis API",
    "DESCRIPTION": "The Nexus sync-task upload API and the Sluis read-back API.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# --- Sluis ------------------------------------------------------------------------------------
SLUIS_PUBLIC_URL = env.str("SLUIS_PUBLIC_URL", default="")
SLUIS_TOKEN_DEFAULT_TTL_DAYS = env.int("SLUIS_TOKEN_DEFAULT_TTL_DAYS", default=0)

# --- Object storage (uploads issue) -----------------------------------------------------------
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "sluis": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "objects"},
    },
}

# --- Download links ---------------------------------------------------------------------------
SLUIS_DOWNLOAD_LINK_TTL = env.int("SLUIS_DOWNLOAD_LINK_TTL", default=24 * 3600)

# --- Uploads ----------------------------------------------------------------------------------
# (uploads issue: limits, download links)

# --- Processing -------------------------------------------------------------------------------
# (processing issue: Celery, archive budgets)

# --- Timeseries -------------------------------------------------------------------------------
# Readers work through uploads in pieces so memory stays bounded whatever the file size.
SLUIS_TIMESERIES_CHUNK_BYTES = env.int("SLUIS_TIMESERIES_CHUNK_BYTES", default=8 * 1024 * 1024)
SLUIS_TIMESERIES_BATCH_ROWS = env.int("SLUIS_TIMESERIES_BATCH_ROWS", default=50_000)
# GET /events/: largest `count` a caller may ask for (the default `count` is 100000, as in Nexus).
SLUIS_EVENTS_MAX_COUNT = env.int("SLUIS_EVENTS_MAX_COUNT", default=10_000_000)

# --- Vector -----------------------------------------------------------------------------------
# (vector issue)

# --- Rasters ----------------------------------------------------------------------------------
# (raster issue)

# --- Files ------------------------------------------------------------------------------------
# (files issue)

# --- Logging: every handler redacts tokens ----------------------------------------------------
LOG_LEVEL = env.str("SLUIS_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "sluis.config.logging.RedactTokensFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"level": LOG_LEVEL},
        "django.request": {"level": "WARNING"},
    },
}
