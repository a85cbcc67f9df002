"""Django settings, read only from environment variables.

Every variable is listed in docs/configuration.md. With no variable set Sluis runs in its embedded
default: SQLite and local files in ``SLUIS_DATA_DIR`` (``./sluis-data``).
"""

from pathlib import Path

import environ

from sluis.config.logging import logging_config
from sluis.config.secrets import embedded_secret_key
from sluis.text import DATETIME_FORMAT

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.str("SLUIS_DATA_DIR", default="sluis-data")).resolve()

DEBUG = env.bool("SLUIS_DEBUG", default=False)
SECRET_KEY = env.str("SLUIS_SECRET_KEY", default="") or embedded_secret_key(DATA_DIR)
ALLOWED_HOSTS = env.list("SLUIS_ALLOWED_HOSTS", default=["*"])
CSRF_TRUSTED_ORIGINS = env.list("SLUIS_CSRF_TRUSTED_ORIGINS", default=[])
USE_X_FORWARDED_HOST = env.bool("SLUIS_USE_X_FORWARDED_HOST", default=False)
SLUIS_BEHIND_PROXY = env.bool("SLUIS_BEHIND_PROXY", default=False)
if SLUIS_BEHIND_PROXY:
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
    "drf_spectacular_sidecar",
    "sluis.accounts",
    "sluis.catalog",
    "sluis.uploads",
    # The kind apps register their kinds in ready(); ingest comes after them so that its
    # SLUIS_EXTRA_PROCESSORS plugins, loaded in its ready(), may replace one.
    "sluis.datastore.timeseries",
    "sluis.datastore.vector",
    "sluis.datastore.rasters",
    "sluis.datastore.files",
    "sluis.ingest",
    "sluis.notifications",
    "sluis.ogc",
    "sluis.web",
]

MIDDLEWARE = [
    "sluis.ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sluis.config.urls"
WSGI_APPLICATION = "sluis.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# Checked where a password is set (admin forms, `sluis user password`), never on sign-in.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

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
    # A file, not pytest-django's in-memory default: worker subprocesses of the tests share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Persistent connections on both engines: opening one costs more than a simple query (SQLite
# opens the file, runs the pragmas above and parses the schema again; PostgreSQL starts a backend).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("SLUIS_DB_CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalisation -------------------------------------------------------------------
# The pages and e-mails speak English and Dutch: Accept-Language, or the language switch of the
# pages (a cookie). Catalogues: src/sluis/web/locale, compiled by `make install` (Babel).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nl", "Nederlands")]
FORMAT_MODULE_PATH = ["sluis.config.formats"]  # ISO 8601 dates in the admin
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
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sluis.accounts.authentication.TokenAuthentication",
        # Web pages (issue 10): the signed-in browser calls the same API; DRF enforces CSRF on
        # unsafe methods (header X-CSRFToken, body unread). Token first: it decides 403 vs 401.
        "sluis.web.authentication.SessionAuthentication",
    ],
    # Every endpoint needs a signed-in caller unless its view says AllowAny (the sync task
    # listing, health, readiness); the one `not_authenticated` body is config/exceptions.py's.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DATETIME_FORMAT": DATETIME_FORMAT,  # the one format: UTC, whole seconds, Z (sluis.text)
    "DEFAULT_PAGINATION_CLASS": "sluis.config.pagination.PageNumberPagination",
    "PAGE_SIZE": 10,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "sluis.config.schema.SluisAutoSchema",
    "EXCEPTION_HANDLER": "sluis.config.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sluis API",
    "DESCRIPTION": "The Nexus sync-task upload API and the Sluis read-back API.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Sluis ------------------------------------------------------------------------------------
SLUIS_PUBLIC_URL = env.str("SLUIS_PUBLIC_URL", default="")
SLUIS_PORT = env.int("SLUIS_PORT", default=8000)  # `sluis serve`; the URLs `sluis demo` prints

# --- Object storage ---------------------------------------------------------------------------
SLUIS_STORAGE = env.str("SLUIS_STORAGE", default="local")
_LOCAL_OBJECTS = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": DATA_DIR / "objects"},
}
_S3_OBJECTS = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": env.str("SLUIS_S3_BUCKET", default=""),
        "endpoint_url": env.str("SLUIS_S3_ENDPOINT_URL", default="") or None,
        "access_key": env.str("SLUIS_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("SLUIS_S3_SECRET_ACCESS_KEY", default="") or None,
        "region_name": env.str("SLUIS_S3_REGION", default="") or None,
        "location": env.str("SLUIS_S3_PREFIX", default=""),
        "addressing_style": env.str("SLUIS_S3_ADDRESSING_STYLE", default="") or None,
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,  # keys are generated and unique: skip the existence check
    },
}
if SLUIS_STORAGE not in ("local", "s3"):
    raise ValueError(f"SLUIS_STORAGE must be 'local' or 's3', not {SLUIS_STORAGE!r}")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "sluis": _S3_OBJECTS if SLUIS_STORAGE == "s3" else _LOCAL_OBJECTS,
}

# --- Download links ---------------------------------------------------------------------------
SLUIS_DOWNLOAD_LINK_TTL = env.int("SLUIS_DOWNLOAD_LINK_TTL", default=24 * 3600)

# --- Uploads ----------------------------------------------------------------------------------
SLUIS_MAX_UPLOAD_BYTES = env.int("SLUIS_MAX_UPLOAD_BYTES", default=500 * 1024 * 1024)
SLUIS_UPLOAD_MAX_FIELD_BYTES = env.int("SLUIS_UPLOAD_MAX_FIELD_BYTES", default=64 * 1024)
SLUIS_UPLOAD_MAX_PARTS = env.int("SLUIS_UPLOAD_MAX_PARTS", default=100)
SLUIS_UPLOAD_MAX_HEADER_BYTES = env.int("SLUIS_UPLOAD_MAX_HEADER_BYTES", default=128 * 1024)
SLUIS_UPLOAD_SPOOL_DIR = env.str("SLUIS_UPLOAD_SPOOL_DIR", default=str(DATA_DIR / "incoming"))
SLUIS_UPLOAD_RETRY_AFTER = env.int("SLUIS_UPLOAD_RETRY_AFTER", default=30)
SLUIS_UPLOAD_IDLE_TIMEOUT = env.int("SLUIS_UPLOAD_IDLE_TIMEOUT", default=60)
SLUIS_UPLOAD_DRAIN_SECONDS = env.int("SLUIS_UPLOAD_DRAIN_SECONDS", default=10)
SLUIS_UPLOAD_FIRST_ERRORS = env.int("SLUIS_UPLOAD_FIRST_ERRORS", default=100)

# --- Web pages (docs/web.md) ------------------------------------------------------------------
# The map preview's basemap: an XYZ tile URL ({z}/{x}/{y}), e.g. PDOK's BRT or OpenStreetMap.
# Empty (the default): no tiles are requested; the bundled coarse world outline is drawn instead.
SLUIS_MAP_TILE_URL = env.str("SLUIS_MAP_TILE_URL", default="")
SLUIS_MAP_TILE_ATTRIBUTION = env.str("SLUIS_MAP_TILE_ATTRIBUTION", default="")

# --- Processing -------------------------------------------------------------------------------
# Celery: an empty SLUIS_BROKER_URL is the embedded default, kombu's filesystem transport in
# DATA_DIR/broker (no broker server; `sluis serve` runs the worker). See docs/processing.md.
SLUIS_BROKER_URL = env.str("SLUIS_BROKER_URL", default="")
SLUIS_BROKER_DIR = DATA_DIR / "broker"
SLUIS_QUEUE = env.str("SLUIS_QUEUE", default="sluis")
SLUIS_SERVE_WORKER = env.bool("SLUIS_SERVE_WORKER", default=not SLUIS_BROKER_URL)
SLUIS_WORKER_CONCURRENCY = env.int("SLUIS_WORKER_CONCURRENCY", default=2)
SLUIS_TASK_TIME_LIMIT = env.int("SLUIS_TASK_TIME_LIMIT", default=1500)
SLUIS_TASK_SOFT_TIME_LIMIT = env.int(
    "SLUIS_TASK_SOFT_TIME_LIMIT", default=max(1, SLUIS_TASK_TIME_LIMIT - 30)
)
SLUIS_LEASE_MARGIN = env.int("SLUIS_LEASE_MARGIN", default=60)
SLUIS_BROKER_VISIBILITY_TIMEOUT = env.int(
    "SLUIS_BROKER_VISIBILITY_TIMEOUT", default=SLUIS_TASK_TIME_LIMIT + SLUIS_LEASE_MARGIN + 300
)
SLUIS_MAX_ATTEMPTS = env.int("SLUIS_MAX_ATTEMPTS", default=3)
SLUIS_SWEEP_INTERVAL = env.float("SLUIS_SWEEP_INTERVAL", default=60.0)
SLUIS_REQUEUE_AFTER = env.int("SLUIS_REQUEUE_AFTER", default=300)
SLUIS_EXTRA_PROCESSORS = env.list("SLUIS_EXTRA_PROCESSORS", default=[])
SLUIS_WORK_DIR = env.str("SLUIS_WORK_DIR", default="")
SLUIS_MAX_JSON_SIZE = env.int("SLUIS_MAX_JSON_SIZE", default=100 * 1024 * 1024)
SLUIS_ARCHIVE_MAX_MEMBERS = env.int("SLUIS_ARCHIVE_MAX_MEMBERS", default=10_000)
SLUIS_ARCHIVE_MAX_MEMBER_SIZE = env.int("SLUIS_ARCHIVE_MAX_MEMBER_SIZE", default=1024**3)
SLUIS_ARCHIVE_MAX_TOTAL_SIZE = env.int("SLUIS_ARCHIVE_MAX_TOTAL_SIZE", default=2 * 1024**3)
SLUIS_ARCHIVE_MAX_RATIO = env.int("SLUIS_ARCHIVE_MAX_RATIO", default=200)
SLUIS_ARCHIVE_RATIO_MIN_SIZE = env.int("SLUIS_ARCHIVE_RATIO_MIN_SIZE", default=1024 * 1024)
if SLUIS_BROKER_VISIBILITY_TIMEOUT <= SLUIS_TASK_TIME_LIMIT + SLUIS_LEASE_MARGIN:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SLUIS_BROKER_VISIBILITY_TIMEOUT must exceed SLUIS_TASK_TIME_LIMIT + SLUIS_LEASE_MARGIN, "
        "or a broker would hand a running upload to a second worker."
    )

# --- Retention (sluis purge, docs/operations.md#maintenance) -----------------------------------
# 0 keeps originals forever: they are the only copy of what a supplier sent, and reprocessing
# needs them; an upgrade must never start deleting them without the operator's say.
SLUIS_ORIGINAL_RETENTION_DAYS = env.int("SLUIS_ORIGINAL_RETENTION_DAYS", default=0)
SLUIS_ERROR_REPORT_RETENTION_DAYS = env.int(
    "SLUIS_ERROR_REPORT_RETENTION_DAYS", default=SLUIS_ORIGINAL_RETENTION_DAYS
)
# 0 deletes a replaced vector version at the switch (no undo); N keeps it N days for restores.
SLUIS_VECTOR_VERSION_RETENTION_DAYS = env.int("SLUIS_VECTOR_VERSION_RETENTION_DAYS", default=0)
for _name in (
    "SLUIS_ORIGINAL_RETENTION_DAYS",
    "SLUIS_ERROR_REPORT_RETENTION_DAYS",
    "SLUIS_VECTOR_VERSION_RETENTION_DAYS",
):
    if globals()[_name] < 0:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{_name} must be 0 or a positive number of days.")

# --- Timeseries -------------------------------------------------------------------------------
# Readers work through uploads in pieces so memory stays bounded whatever the file size.
SLUIS_TIMESERIES_CHUNK_BYTES = env.int("SLUIS_TIMESERIES_CHUNK_BYTES", default=8 * 1024 * 1024)
SLUIS_TIMESERIES_BATCH_ROWS = env.int("SLUIS_TIMESERIES_BATCH_ROWS", default=50_000)
# Budgets per upload, checked while reading (docs/formats/timeseries.md): columns of one CSV
# header, and distinct (location, parameter) series of the whole upload.
SLUIS_TIMESERIES_MAX_COLUMNS = env.int("SLUIS_TIMESERIES_MAX_COLUMNS", default=10_000)
SLUIS_TIMESERIES_MAX_SERIES = env.int("SLUIS_TIMESERIES_MAX_SERIES", default=50_000)
# GET /events/: largest `count` a caller may ask for (the default `count` is 100000, as in Nexus).
SLUIS_EVENTS_MAX_COUNT = env.int("SLUIS_EVENTS_MAX_COUNT", default=10_000_000)

# --- Vector -----------------------------------------------------------------------------------
SLUIS_VECTOR_GEOJSON_MAX_BYTES = env.int("SLUIS_VECTOR_GEOJSON_MAX_BYTES", default=100 * 2**20)
SLUIS_VECTOR_MAX_FEATURES = env.int("SLUIS_VECTOR_MAX_FEATURES", default=5_000_000)
SLUIS_VECTOR_BATCH_SIZE = env.int("SLUIS_VECTOR_BATCH_SIZE", default=50_000)
SLUIS_VECTOR_WFS_MAX_COUNT = env.int("SLUIS_VECTOR_WFS_MAX_COUNT", default=10_000)

# --- Rasters ----------------------------------------------------------------------------------
# Budgets are checked on the header, before any pixel is read (docs/formats/raster.md).
SLUIS_RASTER_MAX_WIDTH = env.int("SLUIS_RASTER_MAX_WIDTH", default=100_000)
SLUIS_RASTER_MAX_HEIGHT = env.int("SLUIS_RASTER_MAX_HEIGHT", default=100_000)
SLUIS_RASTER_MAX_BANDS = env.int("SLUIS_RASTER_MAX_BANDS", default=256)
SLUIS_RASTER_MAX_PIXELS = env.int("SLUIS_RASTER_MAX_PIXELS", default=1_000_000_000)
SLUIS_RASTER_MAX_FRAMES = env.int("SLUIS_RASTER_MAX_FRAMES", default=10_000)
SLUIS_RASTER_MAX_BLOCK_BYTES = env.int("SLUIS_RASTER_MAX_BLOCK_BYTES", default=256 * 1024 * 1024)
SLUIS_RASTER_COG_COMPRESS = env.str("SLUIS_RASTER_COG_COMPRESS", default="DEFLATE")
SLUIS_RASTER_COG_BLOCKSIZE = env.int("SLUIS_RASTER_COG_BLOCKSIZE", default=512)
SLUIS_RASTER_THREADS = env.str("SLUIS_RASTER_THREADS", default="1")
SLUIS_RASTER_GDAL_CACHE_MB = env.int("SLUIS_RASTER_GDAL_CACHE_MB", default=256)
SLUIS_RASTER_PREVIEW_MAX_SIZE = env.int("SLUIS_RASTER_PREVIEW_MAX_SIZE", default=2048)
SLUIS_RASTER_VALUES_MAX_FRAMES = env.int("SLUIS_RASTER_VALUES_MAX_FRAMES", default=1000)

# --- Files ------------------------------------------------------------------------------------
# Pillow's decompression-bomb budget (also set as PIL.Image.MAX_IMAGE_PIXELS at app start).
SLUIS_FILES_MAX_IMAGE_PIXELS = env.int("SLUIS_FILES_MAX_IMAGE_PIXELS", default=120_000_000)
SLUIS_FILES_MAX_EXIF_BYTES = env.int("SLUIS_FILES_MAX_EXIF_BYTES", default=1024 * 1024)
SLUIS_FILES_THUMBNAIL_SIZE = env.int("SLUIS_FILES_THUMBNAIL_SIZE", default=256)

# --- Operations -------------------------------------------------------------------------------
# GET /api/v1/metrics/ accepts this token (Bearer/Token header or ?token=) besides staff tokens.
SLUIS_METRICS_TOKEN = env.str("SLUIS_METRICS_TOKEN", default="")
# Failed token attempts per client address and window before every token request from that
# address is answered 429 until the window ends; 0 turns the limit off.
SLUIS_TOKEN_FAILURE_LIMIT = env.int("SLUIS_TOKEN_FAILURE_LIMIT", default=20)
SLUIS_TOKEN_FAILURE_WINDOW = env.int("SLUIS_TOKEN_FAILURE_WINDOW", default=300)
# Seconds each readiness check (database, broker, storage) may take to connect.
SLUIS_READY_TIMEOUT = env.float("SLUIS_READY_TIMEOUT", default=3.0)

# --- Notifications: webhooks and e-mail (docs/operations.md#webhooks-and-e-mail) -------------
# Webhook deliveries run on their own queue, consumed by `sluis worker` beside SLUIS_QUEUE unless
# `sluis worker --queues` says otherwise (a dedicated notification worker, decision 0017).
SLUIS_NOTIFY_QUEUE = env.str("SLUIS_NOTIFY_QUEUE", default=f"{SLUIS_QUEUE}.notify")
SLUIS_WEBHOOK_ALLOW_HTTP = env.bool("SLUIS_WEBHOOK_ALLOW_HTTP", default=False)
# CIDR networks that webhooks may reach although they are not global (loopback, private,
# link-local, ...): empty refuses them all (SSRF).
SLUIS_WEBHOOK_ALLOWED_NETWORKS = env.list("SLUIS_WEBHOOK_ALLOWED_NETWORKS", default=[])
# Name servers ("ip" or "ip:port") that resolve webhook hosts; empty uses the system resolver.
SLUIS_WEBHOOK_NAMESERVERS = env.list("SLUIS_WEBHOOK_NAMESERVERS", default=[])
SLUIS_WEBHOOK_CONNECT_TIMEOUT = env.float("SLUIS_WEBHOOK_CONNECT_TIMEOUT", default=5.0)
SLUIS_WEBHOOK_READ_TIMEOUT = env.float("SLUIS_WEBHOOK_READ_TIMEOUT", default=10.0)
SLUIS_WEBHOOK_MAX_RESPONSE_BYTES = env.int("SLUIS_WEBHOOK_MAX_RESPONSE_BYTES", default=64 * 1024)
SLUIS_WEBHOOK_CA_BUNDLE = env.str("SLUIS_WEBHOOK_CA_BUNDLE", default="")
SLUIS_WEBHOOK_RETRY_BASE = env.float("SLUIS_WEBHOOK_RETRY_BASE", default=30.0)
SLUIS_WEBHOOK_RETRY_MAX_DELAY = env.float("SLUIS_WEBHOOK_RETRY_MAX_DELAY", default=3600.0)
SLUIS_WEBHOOK_RETRY_FOR = env.float("SLUIS_WEBHOOK_RETRY_FOR", default=24 * 3600.0)
SLUIS_WEBHOOK_DISABLE_AFTER = env.float("SLUIS_WEBHOOK_DISABLE_AFTER", default=24 * 3600.0)
SLUIS_WEBHOOK_POLL_INTERVAL = env.float("SLUIS_WEBHOOK_POLL_INTERVAL", default=5.0)
SLUIS_WEBHOOK_REDISPATCH_AFTER = env.float("SLUIS_WEBHOOK_REDISPATCH_AFTER", default=900.0)
# E-mail: one URL (smtp://host:25, smtp+tls://user:password@host:587 for STARTTLS,
# consolemail:// to print); empty sends none. Mails link to SLUIS_PUBLIC_URL.
SLUIS_EMAIL_URL = env.str("SLUIS_EMAIL_URL", default="")
_EMAIL = env.email_url_config(SLUIS_EMAIL_URL or "dummymail://")
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _EMAIL["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _EMAIL["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _EMAIL["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_SSL = env.bool("SLUIS_EMAIL_USE_SSL", default=False)  # implicit TLS (port 465)
EMAIL_USE_TLS = bool(_EMAIL.get("EMAIL_USE_TLS")) and not EMAIL_USE_SSL  # STARTTLS
EMAIL_TIMEOUT = env.float("SLUIS_EMAIL_TIMEOUT", default=10.0)
DEFAULT_FROM_EMAIL = env.str("SLUIS_EMAIL_FROM", default="sluis@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SLUIS_FAILURE_MAIL_PROBLEMS = env.int("SLUIS_FAILURE_MAIL_PROBLEMS", default=20)

# --- Logging: one format for web and worker, tokens redacted (decision 0014) -----------------
LOG_LEVEL = env.str("SLUIS_LOG_LEVEL", default="INFO").upper()
SLUIS_LOG_FORMAT = env.str("SLUIS_LOG_FORMAT", default="plain").lower()
LOGGING = logging_config(level=LOG_LEVEL, log_format=SLUIS_LOG_FORMAT)
