"""Settings for the test suite: the real settings, with fast hashing and quiet logs."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-suite-key-not-secret")
# The test client and the live server speak plain HTTP; every other production default stays.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks run in-process in tests; the worker tests start a real worker and send through the broker.
CELERY_TASK_ALWAYS_EAGER = True
# Without a broker an import job runs before the request answers, in the test's transaction.
PORTAL_IMPORT_IN_PROCESS = "inline"

# On SQLite the test database is a file (not memory) so that a worker process can open it too.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405

# Static files are served from the source folders; tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The suite signs in far more often from 127.0.0.1 than anyone would; the tests of the
# per-address limit set a low rate of their own.
SIGN_IN_RATE = "100000/minute"
