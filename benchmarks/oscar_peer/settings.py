"""Django settings for django-oscar 4.2.1 as the checkout peer (its own venv and database).

Stock Oscar: its own apps and defaults, nothing forked. The database name comes from
OSCAR_BENCH_DB and the server from OSCAR_BENCH_PG, both set by the harness.
"""

import os
from urllib.parse import urlsplit

import oscar
from oscar.defaults import *  # noqa: F403 (Oscar's own defaults, as its docs set them up)

_server = urlsplit(os.environ.get("OSCAR_BENCH_PG", "postgres://postgres@127.0.0.1:5432"))

SECRET_KEY = "benchmark-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
SITE_ID = 1  # place_order reads the current Site
INSTALLED_APPS = list(oscar.INSTALLED_APPS)
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("OSCAR_BENCH_DB", "evillage_bench_oscar"),
        "USER": _server.username or "postgres",
        "PASSWORD": _server.password or "",
        "HOST": _server.hostname or "127.0.0.1",
        "PORT": _server.port or 5432,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
HAYSTACK_CONNECTIONS = {
    "default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"},
}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
