"""Settings, read from the environment (see .env.example).

With no variables at all the project runs on its embedded default: DEBUG on,
SQLite in the project folder and an in-memory channel layer.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-it-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default="") or (_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "crm.apps.CrmAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "treebeard",
    "crm",
    "users",
    "activity",
    "calls",
    "calendars",
    "chat",
    "comments",
    "contacts",
    "companies",
    "dashboard",
    "deals",
    "leads",
    "notifications",
    "promotions",
    "tasks",
    "timetracker",
    "crm.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "crm.api.middleware.ApiNotFoundMiddleware",
    "crm.api.middleware.JsonBodyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "users.middleware.LastSeenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
ASGI_APPLICATION = "crm.asgi.application"

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

DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
# Keep connections open between requests and consumer calls (a new PostgreSQL connection costs 7-11 ms);
# health checks drop one the database closed (a restart) before it is used, so the next request still works.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# How alike a typed word and a word of a name must be for the global search to offer it when nothing
# contains the word (pg_trgm's word similarity, 0..1): 0.4 still finds "Шевчнко" or "Шевчнеко" for Шевченко.
SEARCH_SIMILARITY_THRESHOLD = env.float("SEARCH_SIMILARITY_THRESHOLD", default=0.4)
# Matching rows a search reads, ranks and counts per type at most; past it the count says "this many or more".
SEARCH_CANDIDATES = env.int("SEARCH_CANDIDATES", default=200)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # pg_trgm's `%>` operator reads it from the session; set per connection so the GIN index prunes by it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c pg_trgm.word_similarity_threshold={SEARCH_SIMILARITY_THRESHOLD}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Lists count their rows exactly up to this many; past it the count is PostgreSQL's estimate (0: always exact).
LIST_EXACT_COUNT_LIMIT = env.int("LIST_EXACT_COUNT_LIMIT", default=10_000)

# HTTP requests one ASGI server process runs at once, each with its own database connection
# (0: no limit); see crm/concurrency.py.
HTTP_CONCURRENCY = env.int("HTTP_CONCURRENCY", default=16)

# PostgreSQL's JIT compiles a plan whose estimated cost passes a threshold; for the app's short
# queries that compilation takes longer than the query (bench/README.md), so it is off by default.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool("DATABASE_JIT", default=False):
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()

REDIS_URL = env.str("REDIS_URL", default="")


def _redis_database(url: str) -> tuple[str, int]:
    """The server a Redis URL names and its database number (`/N`, or `?db=N`; 0 when it names none)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.scheme == "unix":
        server, number = parts.path, query.get("db", ["0"])[0]
    else:
        server = f"{parts.hostname}:{parts.port or 6379}"
        number = query.get("db", [parts.path.strip("/") or "0"])[0]
    try:
        return server, int(number)
    except ValueError:
        raise ImproperlyConfigured(f"Cannot read the database number of the Redis URL {url!r}.") from None


def _redis_next_database(url: str) -> str:
    """The same server, the database after the URL's: redis://host:6379/0 -> redis://host:6379/1."""
    parts = urlsplit(url)
    _server, number = _redis_database(url)
    query = parse_qs(parts.query)
    if "db" in query or parts.scheme == "unix":
        query["db"] = [str(number + 1)]
        # Not urlunsplit: it writes unix:///path as unix:/path.
        return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query, doseq=True)}"
    return urlunsplit(parts._replace(path=f"/{number + 1}"))


# Django's cache.clear() is a FLUSHDB of the cache's whole database: had the channel layer lived there too,
# it would have silently dropped every socket's group memberships. So the cache has a database of its own.
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default="") or (_redis_next_database(REDIS_URL) if REDIS_URL else "")
if REDIS_URL and _redis_database(REDIS_CACHE_URL) == _redis_database(REDIS_URL):
    raise ImproperlyConfigured(
        "REDIS_CACHE_URL names the channel layer's database (REDIS_URL): clearing the cache would empty it."
    )
# redis-py's default read timeout (5 s) equals channels-redis' blocking read of a socket's events (BZPOPMIN, 5 s),
# so the read of every quiet socket timed out and its consumer died with 1011 (channels_redis issue #422,
# redis-py #4091). Reads wait longer than that; connecting to a Redis that is down fails fast.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=15)
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=2)
# Events waiting for one server process (all its sockets) at most, and seconds an undelivered event is kept.
# Past either, channels-redis drops events: a full process queue misses new ones, an old event expires.
# 20,000: a process that falls 60 s behind at 200 chat messages a second still loses nothing (bench/README.md).
CHANNEL_CAPACITY = env.int("CHANNEL_CAPACITY", default=20_000)
CHANNEL_EXPIRY = env.int("CHANNEL_EXPIRY", default=60)
if REDIS_URL:
    from redis.asyncio.retry import Retry as AsyncRetry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.retry import Retry

    _redis_options = {
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
        # A pooled connection from before a Redis restart fails once; the command goes again on a new one.
        "retry_on_error": [RedisConnectionError],
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "crm.realtime.channel_layer.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, **_redis_options, "retry": AsyncRetry(NoBackoff(), 1)}],
                "prefix": env.str("CHANNELS_PREFIX", default="crm"),
                "capacity": CHANNEL_CAPACITY,
                "expiry": CHANNEL_EXPIRY,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_PREFIX", default="crm"),
            "OPTIONS": {**_redis_options, "retry": Retry(NoBackoff(), 1)},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY, "expiry": CHANNEL_EXPIRY},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("uk", _("Ukrainian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Kyiv")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default="") or BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default="") or BASE_DIR / "media"

UPLOAD_ALLOWED_EXTENSIONS = env.list(
    "UPLOAD_ALLOWED_EXTENSIONS", default=["jpg", "jpeg", "png", "doc", "docx", "pdf", "xls", "xlsx"]
)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=10) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Protected files (crm/files.py): Django decides who may download, the web server sends the bytes.
# In production nginx serves SENDFILE_URL as an `internal` location aliased to MEDIA_ROOT.
SENDFILE_BACKEND = env.str(
    "SENDFILE_BACKEND",
    default="django_sendfile.backends.development" if DEBUG else "django_sendfile.backends.nginx",
)
SENDFILE_ROOT = MEDIA_ROOT
SENDFILE_URL = env.str("SENDFILE_URL", default="/protected-media/")

EMAIL_CONFIG = env.email_url_config(env.str("EMAIL_URL", default="") or "consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="crm@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Reverse proxies in front of the server that each append the address they were reached from to
# X-Forwarded-For (crm/client_address.py). 0: the peer of the connection is the client and the header is
# ignored, since anyone can send it. Login throttling and everything else that needs a client's address
# read it this way.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is a number of proxies: 0 or more.")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "users.authentication.JWTAuthentication",
        "users.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON, written by orjson (crm.api.renderers); the browsable API as DRF's default has it.
    "DEFAULT_RENDERER_CLASSES": [
        "crm.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "crm.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "crm.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "crm.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "crm.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("THROTTLE_AUTH_RATE", default="20/min"),
        "invitation": env.str("THROTTLE_INVITATION_RATE", default="30/min"),
        # Requests made with one personal API token (users.authentication.ApiTokenAuthentication).
        "token": env.str("THROTTLE_TOKEN_RATE", default="600/min"),
    },
    # DRF's own reading of X-Forwarded-For (`get_ident`), should any throttle not go through crm.api.throttling.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Bodies are JSON, read by crm.api.parsers (nesting, ranges, characters PostgreSQL refuses: a 400);
    # the few endpoints that take a file add multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["crm.api.parsers.JSONParser"],
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "CHECK_REVOKE_TOKEN": True,
    # A key of its own: rotating it logs everybody out without touching sessions.
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default="")
    or salted_hmac("crm.jwt", "signing-key", secret=SECRET_KEY).hexdigest(),
    "ALGORITHM": "HS256",
}

# The OpenAPI schema and its viewers (/api/schema/, /api/docs/) for anyone; otherwise for a signed-in user
# (a JWT, or the admin's session cookie). On by default only with DEBUG: the CRM is invitation-only.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)

SPECTACULAR_SETTINGS = {
    "TITLE": "CRM API",
    "DESCRIPTION": "REST API of the CRM: users, customers, sales, tasks, calls, chat and analytics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "UserStatusEnum": "users.models.Status",
        "ReturnStatusEnum": "contacts.models.ReturnStatus",
        "LeadStatusEnum": "leads.models.LeadStatus",
        "DealStatusEnum": "deals.models.DealStatus",
        "DealKindEnum": "deals.models.DealKind",
        "LoyaltyKindEnum": "contacts.models.LoyaltyKind",
        "MessageStatusEnum": "chat.models.MessageStatus",
        "RequestChannelEnum": "contacts.models.RequestChannel",
        "RequestStatusEnum": "contacts.models.RequestStatus",
        "CallTypeEnum": "calls.models.CallType",
        "EventTypeEnum": "contacts.models.EventType",
    },
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Users
INVITATION_TTL = timedelta(days=env.int("INVITATION_TTL_DAYS", default=7))
INVITATION_URL = env.str("INVITATION_URL", default=SITE_URL + "/api/users/invitations/{token}/")
LAST_SEEN_WRITE_INTERVAL = timedelta(seconds=env.int("LAST_SEEN_WRITE_SECONDS", default=60))
PRESENCE_ONLINE_SECONDS = env.int("PRESENCE_ONLINE_SECONDS", default=5 * 60)
# Minutes a user shows away (after their last socket closed, or PRESENCE_ONLINE_SECONDS after their
# last request) before they show offline; `manage.py update_presence` pushes that change.
PRESENCE_OFFLINE_AFTER = env.int("PRESENCE_OFFLINE_AFTER", default=25)
WS_TICKET_TTL = timedelta(seconds=env.int("WS_TICKET_SECONDS", default=30))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Django's own console handler would print each record a second time beside the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    X_FRAME_OPTIONS = "DENY"

# Chat
CHAT_MESSAGE_MAX_LENGTH = env.int("CHAT_MESSAGE_MAX_LENGTH", default=10000)

# Calendars
CALENDAR_MAX_DAYS = env.int("CALENDAR_MAX_DAYS", default=366)
CALENDAR_FEED_PAST_DAYS = env.int("CALENDAR_FEED_PAST_DAYS", default=30)
CALENDAR_FEED_FUTURE_DAYS = env.int("CALENDAR_FEED_FUTURE_DAYS", default=180)

# Google Analytics 4 (dashboard): a service-account key file and the GA4 property id (digits).
GA_CREDENTIALS_FILE = env.str("GA_CREDENTIALS_FILE", default="")
GA_PROPERTY_ID = env.str("GA_PROPERTY_ID", default="")
GA_TIMEOUT_SECONDS = env.float("GA_TIMEOUT_SECONDS", default=30)
GA_MAX_ATTEMPTS = env.int("GA_MAX_ATTEMPTS", default=4)
GA_RETRY_WAIT_SECONDS = env.float("GA_RETRY_WAIT_SECONDS", default=2)

# SMS: console (prints), locmem (tests), turbosms (TurboSMS' HTTP API), or a dotted path to a backend class.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_SENDER = env.str("SMS_SENDER", default="")
SMS_TURBOSMS_TOKEN = env.str("SMS_TURBOSMS_TOKEN", default="")
SMS_TURBOSMS_URL = env.str("SMS_TURBOSMS_URL", default="https://api.turbosms.ua")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)
# Trash, import and export
TRASH_DAYS = env.int("TRASH_DAYS", default=30)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)

# Online shop (sync_shop_orders, sync_shop_promotions, orders made in the CRM, the webhook)
SHOP_BACKEND = env.str("SHOP_BACKEND", default="rest")  # woocommerce | horoshop | rest
SHOP_URL = env.str("SHOP_URL", default="")
SHOP_USERNAME = env.str("SHOP_USERNAME", default="")  # WooCommerce: the consumer key
SHOP_PASSWORD = env.str("SHOP_PASSWORD", default="")  # WooCommerce: the consumer secret
SHOP_TIMEOUT_SECONDS = env.float("SHOP_TIMEOUT_SECONDS", default=30.0)
SHOP_RETRIES = env.int("SHOP_RETRIES", default=5)
SHOP_BACKOFF_SECONDS = env.float("SHOP_BACKOFF_SECONDS", default=1.0)
SHOP_PAGE_SIZE = env.int("SHOP_PAGE_SIZE", default=100)
SHOP_WEBHOOK_SECRET = env.str("SHOP_WEBHOOK_SECRET", default="")

# Calls: Binotel (INTEGRATIONS.md section 1). The WebSocket key and secret differ from the REST API's.
BINOTEL_API_URL = env.str("BINOTEL_API_URL", default="https://api.binotel.com/api/4.0/")
BINOTEL_API_KEY = env.str("BINOTEL_API_KEY", default="")
BINOTEL_API_SECRET = env.str("BINOTEL_API_SECRET", default="")
BINOTEL_TIMEOUT = env.float("BINOTEL_TIMEOUT", default=30)
BINOTEL_WS_URL = env.str("BINOTEL_WS_URL", default="wss://ws.binotel.com:9002")
BINOTEL_WS_KEY = env.str("BINOTEL_WS_KEY", default="")
BINOTEL_WS_SECRET = env.str("BINOTEL_WS_SECRET", default="")
BINOTEL_WEBHOOK_ALLOWED_IPS = env.list(
    "BINOTEL_WEBHOOK_ALLOWED_IPS",
    default=[
        "194.88.218.116",
        "194.88.218.114",
        "194.88.218.117",
        "194.88.218.118",
        "194.88.218.119",
        "194.88.218.120",
        *(f"194.88.219.{n}" for n in (67, 70, 71, 72, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 92)),
        "185.100.66.145",
        "185.100.66.146",
        "185.100.66.147",
        "45.91.130.82",
        "45.91.130.36",
    ],
)
# Addresses of our own reverse proxies: only a request from one of them may name the sender in X-Forwarded-For.
BINOTEL_WEBHOOK_TRUSTED_PROXIES = env.list("BINOTEL_WEBHOOK_TRUSTED_PROXIES", default=[])
BINOTEL_CREATE_LEADS = env.bool("BINOTEL_CREATE_LEADS", default=True)
# Hosts (and their subdomains) a recording link may point at; anything else is refused.
BINOTEL_RECORDING_HOSTS = env.list("BINOTEL_RECORDING_HOSTS", default=["binotel.com", "binotel.ua"])

# Outbound webhooks (docs/webhooks.md). Insecure URLs (http, loopback) only for development and tests.
WEBHOOKS_ALLOW_INSECURE_URLS = env.bool("WEBHOOKS_ALLOW_INSECURE_URLS", default=False)
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT", default=10)
# Seconds a delivery is retried for before it is given up (and its endpoint disabled).
WEBHOOKS_MAX_AGE = env.int("WEBHOOKS_MAX_AGE", default=24 * 3600)
WEBHOOKS_DISABLE_AFTER_FAILURES = env.int("WEBHOOKS_DISABLE_AFTER_FAILURES", default=100)
