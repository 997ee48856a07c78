"""Settings, configured from the environment (12-factor).

DATABASE_URL   PostgreSQL (postgres://...) or SQLite; default: SQLite in var/evillage.sqlite3
SECRET_KEY     required when DEBUG is off
DEBUG          "1"/"true" for development (default on, for `make run`)
MEDIA_ROOT     uploaded photos; default var/media
VAR_DIR        where the embedded database and media live; default ./var
REDIS_URL      the messenger's channel layer, for several server processes
CACHE_URL      a shared Redis cache for several server processes (its own Redis db)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("VAR_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_flag("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h] or (
    ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

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
    "axes",
    "evillage.core",
    "evillage.places",
    "evillage.accounts",
    "evillage.shops",
    "evillage.catalog",
    "evillage.ledger",
    "evillage.payments",
    "evillage.orders",
    "evillage.messaging",
    "evillage.reviews",
    "evillage.sourcing",
    "evillage.sameitem",
    "evillage.observatory",
    "django_tasks",
    "django_tasks_db",
    "evillage.web",
    "evillage.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "evillage.core.middleware.RejectNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "evillage.core.middleware.JsonApiErrorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "evillage.urls"
WSGI_APPLICATION = "evillage.wsgi.application"
ASGI_APPLICATION = "evillage.asgi.application"

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
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'evillage.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE avoids
    # "database is locked" upgrades from read to write inside a transaction. Writers
    # queue for the lock up to busy_timeout: 5 s lost one checkout in 2,000 to
    # starvation with 16 concurrent buyers (benchmarks/checkout.py), so wait 15 s.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=15000;"
            " PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "evillage.accounts.backends.PhoneOrEmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_ENABLE_ADMIN = True
AXES_LOCKOUT_CALLABLE = "evillage.accounts.throttling.lockout_response"
AXES_USERNAME_CALLABLE = "evillage.accounts.throttling.lockout_username"
# Behind a reverse proxy that the app server does not already account for (uvicorn does,
# for proxies in its --forwarded-allow-ips), say how many proxies add X-Forwarded-For,
# so that throttling counts the client's address, not the proxy's.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "evillage.core.net.client_ip"
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Key of the digests that detect one ID number used by two accounts (accounts app).
ID_NUMBER_DIGEST_KEY = os.environ.get("ID_NUMBER_DIGEST_KEY", "")

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("id", "Bahasa Indonesia"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "evillage_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
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
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media")).resolve()
# Files only some people may see (dispute evidence), streamed by views that check who
# asks; keep it outside MEDIA_ROOT and out of the web server's reach.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private")).resolve()

# Product photos: limits an upload must meet (see core.images).
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_PER_PRODUCT = 9
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Background tasks (django-tasks): the database queue, run by `evillage worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Orders: the deadlines Taobao uses, as defaults a region may change.
ORDER_PAY_WITHIN = timedelta(hours=float(os.environ.get("ORDER_PAY_WITHIN_HOURS", "24")))
ORDER_AUTO_CONFIRM_AFTER = timedelta(days=float(os.environ.get("ORDER_AUTO_CONFIRM_DAYS", "10")))
ORDER_CONFIRM_EXTENSIONS_DAYS = (3, 5, 7, 10)
# A seller who does not answer a refund request within this time agrees to it.
REFUND_SELLER_ANSWER_WITHIN = timedelta(
    days=float(os.environ.get("REFUND_SELLER_ANSWER_DAYS", "2"))
)
# After the seller agrees to a return, the buyer sends the goods back within this time.
REFUND_RETURN_WITHIN = timedelta(days=float(os.environ.get("REFUND_RETURN_DAYS", "7")))
# After the buyer ships the return, the seller confirms its receipt within this time.
REFUND_RETURN_RECEIPT_WITHIN = timedelta(
    days=float(os.environ.get("REFUND_RETURN_RECEIPT_DAYS", "10"))
)
# How often `evillage worker` sweeps the deadline columns.
DEADLINE_SWEEP_SECONDS = float(os.environ.get("DEADLINE_SWEEP_SECONDS", "60"))

# Identical products and photo rights (evillage.sameitem): a shop using a supplier's
# registered photo without sourcing from it has this many days to get a licence (buy from
# the supplier, or drop-ship from it) before the photo is hidden. The worker's deadline
# sweep applies it.
PHOTO_RIGHTS_GRACE_DAYS = float(os.environ.get("PHOTO_RIGHTS_GRACE_DAYS", "3"))

# Village observatory: a year's report under a rule set classifies every village from all
# finished orders (seconds at national scale), so pages and API serve it from the cache
# for this long; importing a list or statistics makes the next request recompute.
OBSERVATORY_REPORT_SECONDS = int(os.environ.get("OBSERVATORY_REPORT_SECONDS", "600"))

# Reviews (Taobao's rules): review within 15 days of the order finishing, follow up once
# within 180 days; at most this many photos per review and per follow-up.
REVIEW_WINDOW_DAYS = int(os.environ.get("REVIEW_WINDOW_DAYS", "15"))
REVIEW_FOLLOWUP_DAYS = int(os.environ.get("REVIEW_FOLLOWUP_DAYS", "180"))
# The seller answers a review (or a follow-up) within this many days of it.
REVIEW_REPLY_DAYS = int(os.environ.get("REVIEW_REPLY_DAYS", "30"))
REVIEW_MAX_PHOTOS = 5
# Detailed seller ratings (DSR) are averaged over this many days.
REVIEW_DSR_DAYS = 180

# Payments: the built-in sandbox provider signs its webhooks with this secret (HMAC-SHA256).
PAYMENT_PROVIDERS = ["sandbox"]
SANDBOX_WEBHOOK_SECRET = os.environ.get("SANDBOX_WEBHOOK_SECRET", "") or SECRET_KEY
# A webhook whose timestamp is further than this from now is refused (replay window).
WEBHOOK_TOLERANCE_SECONDS = int(os.environ.get("WEBHOOK_TOLERANCE_SECONDS", "300"))

# One process: memory. Several: CACHE_URL (a Redis database of its own, e.g.
# redis://127.0.0.1:6379/1) shares what is cached (observatory reports, rating averages)
# so each is computed once for all processes rather than once per process.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Messenger: realtime delivery through Channels. One process needs nothing more; several
# server processes share a Redis layer (REDIS_URL). The pub/sub layer delivered more
# messages per second with less CPU than the list-based core layer in
# benchmarks/messaging.py. No socket read timeout: redis-py 8 would otherwise time out
# the core layer's 5-second blocking poll and drop the consumer (messages lost); and a
# pool large enough that a thousand clients leaving at once do not exhaust it.
REDIS_URL = os.environ.get("REDIS_URL", "")
CHANNEL_LAYERS = (
    {
        "default": {
            "BACKEND": os.environ.get(
                "CHANNEL_LAYER_BACKEND", "channels_redis.pubsub.RedisPubSubChannelLayer"
            ),
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 10_000}]
            },
        }
    }
    if REDIS_URL
    else {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
)
# Against spam: messages a person may send per minute and per hour, new conversations a
# buyer may start per day.
MESSENGER_MAX_PER_MINUTE = int(os.environ.get("MESSENGER_MAX_PER_MINUTE", "30"))
MESSENGER_MAX_PER_HOUR = int(os.environ.get("MESSENGER_MAX_PER_HOUR", "600"))
MESSENGER_NEW_CONVERSATIONS_PER_DAY = int(
    os.environ.get("MESSENGER_NEW_CONVERSATIONS_PER_DAY", "50")
)
# A shop's staff count as online this long after their last sign of life in the messenger;
# while none is, buyers get the shop's automatic reply (once per quiet spell).
MESSENGER_STAFF_ONLINE_SECONDS = 120
MESSENGER_AUTO_REPLY_QUIET_MINUTES = 60
