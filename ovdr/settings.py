"""OVDR settings: one module, every difference between machines comes from the environment.

Development defaults need no server: SQLite, django-q2's ORM broker, console email.
Production sets DEBUG=False, SECRET_KEY, DATABASE_URL (mysql://...) and Q_BROKER=redis.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional, absent in CI

DEBUG = env.bool("DEBUG", default=True)
# With DEBUG on, unknown URLs still answer the shop's 404 page (core/notfound.py); True: Django's
# technical 404, which lists every URL pattern.
DEBUG_404 = env.bool("DEBUG_404", default=False)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY")  # required: fails loudly when missing

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_q",
    "core",
    "jobs",
    "ovdr",  # project-wide commands: backup, restore
    "accounts",
    "catalog",
    "closet",
    "tryon",
    "search",
    "recommend",
]

MIDDLEWARE = [
    # Before anything reads REMOTE_ADDR: the client's address behind TRUSTED_PROXIES.
    "core.proxies.TrustedProxyMiddleware",
    # First, wrapping session and auth: they read the database lazily, when the view, DRF's
    # authentication or a template touches request.session / request.user, so a lost database
    # surfaces in the view and reaches this process_exception; the 503 then passes back through
    # all of them (SessionMiddleware skips saving a session on a 5xx: no second failing query).
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.throttled.RateLimitedMiddleware",  # a RateLimited raised on a page: 429 + Retry-After
    "csp.middleware.CSPMiddleware",
    # DEBUG only: unknown URLs answer the shop's 404 page, not Django's list of URL patterns (DEBUG_404).
    "core.notfound.ProductNotFoundMiddleware",
]
# Scripts, styles and frames from this site only: no inline script or style attribute runs, so
# markup that slipped into a page could not act. Images may also be data: (Swagger UI's icons) and
# blob: (the photo preview before upload).
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF],
    "img-src": [SELF, "data:", "blob:"],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}}

ROOT_URLCONF = "ovdr.urls"
WSGI_APPLICATION = "ovdr.wsgi.application"

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
                "catalog.context_processors.categories",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    # A server that is down or unreachable fails a request in seconds (a 503), not after the
    # operating system's TCP timeout of minutes that would hold every web worker.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"charset": "utf8mb4", "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=5)}
    )
    # Full Unicode in every text column of the test database, as in production.
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time; the web server, the workers and the commands share it.
    # WAL lets readers run beside the writer; a writer waits up to DATABASE_BUSY_TIMEOUT for the
    # lock (past it the request answers 503, core/middleware.py); IMMEDIATE takes the write lock at
    # BEGIN, so a transaction that read first never fails at once upgrading to write (SQLITE_BUSY
    # skips the wait then). synchronous=NORMAL is durable in WAL mode except on power loss.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": env.float("DATABASE_BUSY_TIMEOUT", default=20),
        "transaction_mode": "IMMEDIATE",
    })
# Persistent connections: a new MariaDB connection costs about a millisecond per request; health
# checks ping a reused one before its first query, so one lost in an outage is replaced, not used.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The one sign-in path (admin, pages, API): throttled, case- and width-insensitive usernames.
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Shared by every web process in production (throttle counters): CACHE_URL=redis://127.0.0.1:6379/1.
# `check --deploy` fails on a process-local or non-atomic one when DEBUG is off (accounts/checks.py).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # Room for every catalog item's payload (catalog/payloads.py): at the default 300 entries a page of a
    # larger catalog evicts what the next page needs, and every list is serialised afresh.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", env.int("CACHE_MAX_ENTRIES", default=20000))
# Sign-in attempts per address and per username + address, sign-ups and wrong API tokens per address,
# password resets per address, within the window.
AUTH_ATTEMPTS_LIMIT = env.int("AUTH_ATTEMPTS_LIMIT", default=10)
# Sign-in attempts per username from all addresses: high enough that a guesser at a few addresses
# cannot lock the owner out, low enough to stop a spread-out guessing run.
AUTH_ATTEMPTS_USERNAME_LIMIT = env.int("AUTH_ATTEMPTS_USERNAME_LIMIT", default=100)
AUTH_ATTEMPTS_WINDOW_SECONDS = env.int("AUTH_ATTEMPTS_WINDOW_SECONDS", default=15 * 60)
# Reset mails to one address per window, whoever asks.
PASSWORD_RESET_EMAILS_LIMIT = env.int("PASSWORD_RESET_EMAILS_LIMIT", default=3)
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, e.g. 10.0.0.0/8); empty:
# REMOTE_ADDR is the client (core/proxies.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Per-shopper limits; over one the API answers 429 with Retry-After (core.limits).
JOBS_ACTIVE_PER_KIND = env.int("JOBS_ACTIVE_PER_KIND", default=3)  # queued + running try-ons, and image searches
JOBS_PER_HOUR = {"image_search": env.int("IMAGE_SEARCHES_PER_HOUR", default=20)}  # each keeps its query photo
PHOTOS_PER_SHOPPER = env.int("PHOTOS_PER_SHOPPER", default=10)

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Media: "filesystem" (MEDIA_ROOT, one machine) or "s3" (any S3-compatible store, shared by every machine:
# django-storages' AWS_* variables). Every file goes through the storage API, never a local path.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Media and the search index under two prefixes of one bucket, so a walk of the media (backups) never meets
# the index. Objects get the bucket's default ACL (private); docs/DEPLOY.md makes media/catalog/ public.
S3_STORAGES = {
    "default": {"BACKEND": "core.storage.MediaStorage", "OPTIONS": {
        "location": env.str("AWS_LOCATION", default="media"), "file_overwrite": False}},
    "search_index": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "location": env.str("SEARCH_INDEX_LOCATION", default="search-index"), "file_overwrite": True}},
}
if MEDIA_STORAGE == "s3":
    STORAGES.update(S3_STORAGES)
    AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME")  # required
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None  # MinIO, Ceph, R2...; empty: AWS
    AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="") or None  # empty: boto3's own chain (roles)
    AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="") or None
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    # Seconds a signed URL lasts: private files are streamed by ownership-checking views, so a URL of one
    # (storage.url) is only ever a short-lived signed one; catalog URLs are unsigned (core/storage.py).
    AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=300)
    AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None  # e.g. a CDN before media/catalog/
    # Pages show catalog images from the bucket's address, so the Content-Security-Policy must allow it:
    # MEDIA_ORIGINS, or the address django-storages builds URLs from (a custom domain, the endpoint, or AWS's
    # bucket hosts).
    _bucket_hosts = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"] + (
        [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com"] if AWS_S3_REGION_NAME else [])
    MEDIA_ORIGINS = env.list("MEDIA_ORIGINS", default=[f"https://{AWS_S3_CUSTOM_DOMAIN}"] if AWS_S3_CUSTOM_DOMAIN
                             else ["{0.scheme}://{0.netloc}".format(urlsplit(AWS_S3_ENDPOINT_URL))]
                             if AWS_S3_ENDPOINT_URL else _bucket_hosts)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += MEDIA_ORIGINS
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {MEDIA_STORAGE!r}.")
# Shoppers' photos live under private/ and are only served by ownership-checking views; catalog images
# live under catalog/ and are public (MEDIA_URL on the filesystem, the bucket's URL on S3).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# `manage.py backup` writes here by default (database + media in one archive).
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Uploads ------------------------------------------------------------------------------------
OVDR_UPLOAD_MAX_BYTES = env.int("OVDR_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
OVDR_UPLOAD_MAX_PIXELS = env.int("OVDR_UPLOAD_MAX_PIXELS", default=25_000_000)

# --- Search ---------------------------------------------------------------------------------
# "default" needs nothing downloaded (bundled MiniLM + a weight-free visual descriptor);
# "clip" loads a CLIP-family checkpoint from SEARCH_MODEL_PATH (a local folder or a model id).
SEARCH_ENCODER = env.str("SEARCH_ENCODER", default="default")
SEARCH_MODEL_PATH = env.str("SEARCH_MODEL_PATH", default="")
# This machine's index files; with MEDIA_STORAGE=s3 a cache of the versions published to the bucket.
SEARCH_INDEX_DIR = Path(env.str("SEARCH_INDEX_DIR", default=str(BASE_DIR / "var" / "search-index")))
# With MEDIA_STORAGE=s3: seconds between two looks at the bucket for a newer published index.
SEARCH_INDEX_POLL_SECONDS = env.float("SEARCH_INDEX_POLL_SECONDS", default=10.0)
SEARCH_EXACT_MAX = env.int("SEARCH_EXACT_MAX", default=50_000)  # above it: an approximate index
SEARCH_DETECTOR = env.str("SEARCH_DETECTOR", default="pose")  # or "owlvit"
SEARCH_DETECTOR_PATH = env.str("SEARCH_DETECTOR_PATH", default="")
SEARCH_ENRICH_ON_SAVE = env.bool("SEARCH_ENRICH_ON_SAVE", default=True)
# Threads per process for models (torch, and BLAS under the numpy text model): 1 suits web workers;
# raise it for try-on workers.
TORCH_NUM_THREADS = env.int("TORCH_NUM_THREADS", default=1)

# --- Recommendations ------------------------------------------------------------------------
RECOMMEND_TRENDING_HALF_LIFE_DAYS = env.float("RECOMMEND_TRENDING_HALF_LIFE_DAYS", default=7.0)
RECOMMEND_TRENDING_REFRESH_MINUTES = env.int("RECOMMEND_TRENDING_REFRESH_MINUTES", default=15)
# Distinct shoppers who must have interacted lately before "Trending now" shows what they did
# (until then: the newest items), so that one shopper's own closet is never the shop's trend.
RECOMMEND_TRENDING_MIN_PEOPLE = env.int("RECOMMEND_TRENDING_MIN_PEOPLE", default=3)

# --- Try-on ---------------------------------------------------------------------------------
TRYON_ENGINE = env.str("TRYON_ENGINE", default="warp")  # "warp" (CPU) or "diffusion"
TRYON_DIFFUSION_BASE_PATH = env.str("TRYON_DIFFUSION_BASE_PATH", default="")  # SD-1.5 inpainting, diffusers layout
TRYON_DIFFUSION_ATTN_PATH = env.str("TRYON_DIFFUSION_ATTN_PATH", default="")  # CatVTON attention weights
TRYON_DIFFUSION_DEVICE = env.str("TRYON_DIFFUSION_DEVICE", default="")  # empty: cuda when present, else cpu
# DPM-Solver++ in 20 steps stands in for CatVTON's 50 DDIM steps; "ddim" and "unipc" are the others.
TRYON_DIFFUSION_SCHEDULER = env.str("TRYON_DIFFUSION_SCHEDULER", default="dpmsolver++")
TRYON_DIFFUSION_STEPS = env.int("TRYON_DIFFUSION_STEPS", default=20)  # when a request names none
TRYON_COMPILE = env.bool("TRYON_COMPILE", default=False)  # torch.compile the UNet at load: minutes, then faster
# `manage.py tryon_models download` puts the weights here.
TRYON_MODELS_DIR = Path(env.str("TRYON_MODELS_DIR", default=str(BASE_DIR / "var" / "tryon-models")))
TRYON_SHARES_PER_DAY = env.int("TRYON_SHARES_PER_DAY", default=10)
# Diffusion try-ons run only on GPU workers: their own django-q2 cluster of this name (started with
# `Q_CLUSTER_NAME=<name> manage.py qcluster`, one per GPU). Empty: no GPU workers, no photo-real try-on.
TRYON_GPU_CLUSTER = env.str("TRYON_GPU_CLUSTER", default="")
TRYON_GPU_TIMEOUT = env.int("TRYON_GPU_TIMEOUT", default=300)  # seconds one diffusion try-on may take

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="OVDR <noreply@localhost>")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # One request media type per operation: JSON, except the two uploads (multipart, set on their views);
    # the JSON parser refuses a 100,000-deep array with a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.DepthLimitedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",  # documents the error format
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "PAGE_SIZE": 20,
}
API_DESCRIPTION = (BASE_DIR / "docs" / "api.md").read_text()
SPECTACULAR_SETTINGS = {
    "TITLE": "OVDR API",
    "DESCRIPTION": API_DESCRIPTION,
    "VERSION": "1.0.0",
    # 3.1: a nullable reference is `oneOf: [$ref, null]`, which 3.0 cannot say.
    "OAS_VERSION": "3.1.0",
    "SERVERS": [{"url": env.str("API_SERVER_URL", default="http://127.0.0.1:8000"),
                 "description": "This server (API_SERVER_URL)."}],
    "ENUM_NAME_OVERRIDES": {"ErrorCodeEnum": "core.api.ERROR_CODE_CHOICES",
                            "BodyRegionEnum": "catalog.models.Category.BodyRegion"},
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI assets ship in drf-spectacular-sidecar, so the docs work with no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # <id:pk> in URLs (core.ids): an id within BigAutoField's range.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}},
}

# --- Background jobs (django-q2) ------------------------------------------------------------
Q_BROKER = env.str("Q_BROKER", default="orm")  # "orm" or "redis"
Q_CLUSTER = {
    "name": "ovdr",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": env.int("Q_TIMEOUT", default=600),
    "retry": env.int("Q_RETRY", default=660),
    "max_attempts": 2,
    "catch_up": False,
    "label": "Background tasks",
}
# Work no shopper waits for (enrichment of imported or edited items, index updates) goes to this cluster's
# queue, so interactive jobs (warp try-ons, image searches) on the default cluster never queue behind it.
# Empty: everything shares the default cluster (one `qcluster`, as before).
Q_BULK_CLUSTER = env.str("Q_BULK_CLUSTER", default="")
if Q_CLUSTER["name"] in (TRYON_GPU_CLUSTER, Q_BULK_CLUSTER) or (Q_BULK_CLUSTER and Q_BULK_CLUSTER == TRYON_GPU_CLUSTER):
    raise ImproperlyConfigured(f"TRYON_GPU_CLUSTER and Q_BULK_CLUSTER must differ from each other and from "
                               f"{Q_CLUSTER['name']!r}, the interactive CPU workers' cluster.")
# django-q2 merges this into Q_CLUSTER in a process started with Q_CLUSTER_NAME=<name>; that cluster reads
# only its own queue. One worker: one GPU holds one model and renders one try-on at a time. The lock on a
# fetched task (retry) also covers the warm-up, which may compile for minutes before the worker reads it.
Q_CLUSTER["ALT_CLUSTERS"] = {TRYON_GPU_CLUSTER: {
    "workers": 1, "timeout": TRYON_GPU_TIMEOUT, "retry": TRYON_GPU_TIMEOUT + 600,
}} if TRYON_GPU_CLUSTER else {}
if Q_BULK_CLUSTER:
    Q_CLUSTER["ALT_CLUSTERS"][Q_BULK_CLUSTER] = {"workers": env.int("Q_BULK_WORKERS", default=Q_CLUSTER["workers"])}
if Q_BROKER == "redis":
    Q_CLUSTER["redis"] = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
else:
    Q_CLUSTER["orm"] = "default"

# --- Production hardening (active when DEBUG is off) ------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Error reports hide connection URLs and passwords (DATABASE_URL, REDIS_URL, CACHE_URL, ...).
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.reporting.CredentialsFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"faiss.loader": {"level": "WARNING"}},  # its import-time chatter is not news
}

