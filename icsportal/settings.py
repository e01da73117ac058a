"""Settings for the portal, read from the environment with safe development defaults.

Every value can be set in the environment or in a ``.env`` file beside ``manage.py``
(see ``.env.example``). With nothing set the portal runs on an SQLite file with tasks
executed in-process, so ``make run`` needs no other service.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Core — https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings
DEBUG = env.bool("DEBUG", default=False)
# The development default key is only accepted while DEBUG is on; production must set SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # Kept for its migrations only (icsportal's first migration depends on them): its table is
    # emptied and unused, API tokens being icsportal.ApiToken, stored as hashes.
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "axes",
    # The root's management commands (backups, loading whole systems) live in icsportal.
    "icsportal",
    "places",
    "governance",
    "metrics",
    "assurance",
    "demo",
]

MIDDLEWARE = [
    # First, so that every log line of the request carries its id.
    "icsportal.middleware.RequestIdMiddleware",
    # Above SecurityMiddleware's HTTPS redirect and WhiteNoise's static files, so that those
    # responses get the headers too.
    "icsportal.middleware.SecurityHeadersMiddleware",
    # Below those two (so its answers get their headers), above everything that can answer
    # an /api/ request with an HTML error page.
    "icsportal.middleware.ApiJsonErrorsMiddleware",
    # The portal's 404 and 500 pages even with DEBUG on (below the /api/ JSON errors).
    "icsportal.middleware.PortalErrorPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "icsportal.middleware.ApiNullCharacterMiddleware",
    "icsportal.middleware.DropMalformedSessionCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "governance.middleware.SessionRenewalMiddleware",
    "governance.middleware.SessionLifetimeMiddleware",
    "governance.middleware.PortalAccessMiddleware",
    # After access: a Place's or board's pages only for users granted its system.
    "assurance.middleware.SystemScopeMiddleware",
    # A page by key that did not name its system, where several the user sees have the key.
    "places.middleware.SystemChoiceMiddleware",
    "governance.middleware.SignInRateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "icsportal.urls"
WSGI_APPLICATION = "icsportal.wsgi.application"

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
                "icsportal.context_processors.csp_nonce",
                "icsportal.context_processors.portal_user",
                "places.context_processors.systems",
            ],
        },
    },
]

# Database — https://docs.djangoproject.com/en/5.2/ref/settings/#databases
# DATABASE_URL=postgres://user@127.0.0.1:5432/icsportal selects PostgreSQL (psycopg2).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: give up connecting after this many seconds (libpq's minimum is 2), so a request
# answers 503 at once when the database is down (README "Failures").
# https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-CONNECT-CONNECT-TIMEOUT
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=2)
    )
# On SQLite, a transaction that reads and then writes cannot wait for another writer: it fails
# with "database is locked". BEGIN IMMEDIATE takes the write lock at the start, so concurrent
# membership changes queue (up to the timeout) and the later ones see the new version.
# https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior
#
# Under `make run` an import runs in a thread of the web process, in one long transaction. In
# SQLite's default journal mode a writer whose changes outgrow its cache locks every reader out
# until it commits; in write-ahead-log mode readers go on reading the last committed state
# while it writes (https://www.sqlite.org/wal.html). The mode is kept by the database file;
# setting it on every connection makes a new file WAL too. The timeout is how long a statement
# waits for a lock (SQLite's busy timeout) before "database is locked".
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Authentication — https://docs.djangoproject.com/en/5.2/topics/auth/passwords/
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assurance:system_overview"
# Signing out shows registration/logged_out.html (every other page needs a signed-in user).
LOGOUT_REDIRECT_URL = None

# Accounts: lockout, session lifetime, read-only history
# django-axes — https://django-axes.readthedocs.io/en/latest/4_configuration.html
# 10 failed sign-ins for one username from one client address lock that username at that
# address for 15 minutes (so even the right password fails there); the right password from
# another address still works, so nobody can lock someone else out from afar. Failures count
# until 15 minutes pass without one; attempts refused while locked do not extend the lock.
# `manage.py axes_reset_username USERNAME` unlocks a user at once (governance/lockout.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the user's role with the user (one query a request, not two).
    "governance.backends.PortalModelBackend",
]
AXES_HANDLER = "governance.lockout.LoginLockoutHandler"
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# JSON under /api/, the lockout page elsewhere.
AXES_LOCKOUT_CALLABLE = "governance.lockout.lockout_response"
# How many proxies of our own put the client's address in X-Forwarded-For (0: trust none, use
# the connection's address). Axes, the throttles and the sign-in limit all read the client's
# address through icsportal.client_address, which applies it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "icsportal.client_address.client_address"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Sign-in attempts per client address (the sign-in page, /admin/login/ and the token endpoint
# together), whatever the username: DRF's rate syntax, "number/second|minute|hour|day".
SIGN_IN_RATE = env.str("SIGN_IN_RATE", default="30/minute")
# A session ends 12 hours after sign-in however active (governance.middleware.SessionLifetime…);
# the 30-minute idle limit is SESSION_COOKIE_AGE below.
SESSION_ABSOLUTE_AGE = env.int("SESSION_ABSOLUTE_AGE", default=12 * 60 * 60)
# django-simple-history — history is shown in the admin but never reverted or edited there.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Internationalisation — the portal serves England.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files — https://whitenoise.readthedocs.io/
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Uploaded meeting papers — https://docs.djangoproject.com/en/5.2/topics/files/
# Never served as static files: governance's paper view checks who may read each one (private
# items' papers only for the board's members, secretaries and administrators).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"

# Security — https://docs.djangoproject.com/en/5.2/ref/middleware/#module-django.middleware.security
# With DEBUG off the defaults are production's (HTTPS only, HSTS for a year, secure cookies),
# so `manage.py check --deploy` passes with nothing but SECRET_KEY and ALLOWED_HOSTS set; each
# can still be set in the environment (see README "Production").
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer probes the health check over plain HTTP, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy, sent on every response by icsportal.middleware.SecurityHeadersMiddleware
# (Django 5.2 has none of its own). Scripts run only from the portal's own files or with the
# request's nonce ("{nonce}"); nothing is framed, posted or loaded from elsewhere.
# https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Content-Security-Policy
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce-{nonce}'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Directives replaced under a path prefix: the API documentation pages (drf-spectacular-sidecar's
# Swagger UI and Redoc) set styles from their scripts and Redoc searches in a worker it makes
# from a blob; their own scripts still need the nonce (templates/drf_spectacular/).
CONTENT_SECURITY_POLICY_PATHS = {
    "/api/docs/": {"style-src": ["'self'", "'unsafe-inline'"]},
    "/api/redoc/": {
        "style-src": ["'self'", "'unsafe-inline'"],
        "worker-src": ["'self'", "blob:"],
    },
}

# Sessions end after 30 minutes idle: governance.middleware.SessionRenewalMiddleware saves a
# signed-in session (renewing its expiry and cookie) when its last save is a minute old.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False

# Cache — Redis when CACHE_URL is set, else per-process memory. Redis fails fast rather than
# waits: nothing the portal serves needs the cache, and it keeps answering while Redis is down.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=1, socket_timeout=1)

# Django REST framework — https://www.django-rest-framework.org/api-guide/settings/
# Token authentication first, so an anonymous API request is answered 401 with a challenge.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "icsportal.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["icsportal.api.permissions.PortalReadPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "icsportal.api.filters.PortalFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "icsportal.api.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "icsportal.api.renderers.CSVRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "icsportal.api.exceptions.exception_handler",
    "ORDERING_PARAM": "ordering",
    # The client's address for throttles: the same rule as icsportal.client_address.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # JSON bodies nested too deeply are a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "icsportal.api.parsers.PortalJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Uploads through the API: larger bodies are refused with 413 before they are read.
PORTAL_UPLOAD_MAX_BYTES = env.int("PORTAL_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# Days an API token lasts; a new one is issued by POST /api/v1/auth/token/.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)
# Let anonymous visitors read the API (never write); off by default.
API_ANONYMOUS_READ = env.bool("API_ANONYMOUS_READ", default=False)

# drf-spectacular — https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "ICS Place Governance Portal API",
    "DESCRIPTION": (
        "Systems, Places, boards, memberships, metrics, targets, observations and dashboards. "
        "Every list filters, pages and exports CSV (`?format=csv`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BoardStatusEnum": "governance.choices.BoardStatus",
        "PriorityStatusEnum": "places.choices.PriorityStatus",
        "RiskStatusEnum": "assurance.choices.RiskStatus",
        "ActionStatusEnum": "assurance.choices.ActionStatus",
        "CommitmentStatusEnum": "assurance.choices.CommitmentStatus",
        "AnnotationKindEnum": "metrics.choices.AnnotationKind",
        "SubjectTypeEnum": "metrics.choices.SubjectType",
        "MeetingStatusEnum": "governance.choices.MeetingStatus",
        "AttendanceStatusEnum": "governance.choices.AttendanceStatus",
        "MeetingActionStatusEnum": "governance.choices.ActionStatus",
        "InterestKindEnum": "governance.choices.InterestKind",
        "SuccessionKindEnum": "governance.choices.SuccessionKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "icsportal.api.schema.add_error_responses",
        "icsportal.api.schema.add_links",
    ],
}

# Celery — https://docs.celeryq.dev/en/stable/userguide/configuration.html
# With no broker configured, tasks run in-process (eagerly) so development needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
# Without a socket timeout a publish on a connection the broker dropped silently waits forever;
# it must exceed kombu's 1-second BRPOP poll. The environment may add to or override these.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
    **env.json("CELERY_BROKER_TRANSPORT_OPTIONS", default={}),
}
# Uploads commit their recompute request to the database (metrics.outbox) and hand it to the
# broker afterwards with a short timeout; what the broker cannot take waits there.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Workers keep trying to reach the broker however long it is away, and resume when it returns.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 10
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 3}}
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The nightly fan-out packs scopes into tasks of at least this many series: fewer, larger
# tasks keep the broker and the per-task overhead small next to the work.
SNAPSHOT_TASK_MIN_SERIES = env.int("SNAPSHOT_TASK_MIN_SERIES", default=1000)
# Rendering dashboard fragments after a publish is a convenience, never in the way of a
# recompute: it has a queue of its own ("pages"), which workers take with -Q celery,pages.
CELERY_TASK_ROUTES = {"assurance.tasks.snapshot_pages_warm": {"queue": "pages"}}
CELERY_BEAT_SCHEDULE = {
    # Every night at 02:30 Europe/London: recompute every series and publish new snapshots.
    "snapshots-recompute-all-nightly": {
        "task": "metrics.tasks.snapshots_recompute_all",
        "schedule": crontab(hour=2, minute=30),
        # A night's message left unconsumed expires before the next night's, so a backlog
        # after an outage runs once, not once per missed night.
        "options": {"expires": 20 * 60 * 60},
    },
    # Every 30 minutes: recompute everything if the newest snapshot is older than
    # SNAPSHOT_MAX_AGE. The message expires before the next one is sent, so a backlog after an
    # outage runs once.
    "snapshots-watchdog": {
        "task": "metrics.tasks.snapshots_watchdog",
        "schedule": crontab(minute="*/30"),
        "options": {"expires": 25 * 60},
    },
    # Every day at 07:00 Europe/London: e-mail board secretaries about terms ending, seats
    # vacant, packs not yet published and overdue actions (each event once).
    "notifications-send-daily": {
        "task": "governance.tasks.notifications_send_daily",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 20 * 60 * 60},
    },
    # Every day at 00:05 Europe/London: a Place's move recorded ahead of its date takes effect.
    "places-follow-moves-daily": {
        "task": "places.tasks.places_follow_moves_daily",
        "schedule": crontab(hour=0, minute=5),
        "options": {"expires": 20 * 60 * 60},
    },
    # Every minute: hand the broker the recompute requests it could not take, or lost.
    "recompute-requests-drain": {
        "task": "metrics.tasks.recompute_requests_drain",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Every minute: send again the import jobs the broker never took, and fail those whose
    # worker stopped for good (they wrote nothing).
    "import-jobs-sweep": {
        "task": "metrics.tasks.import_jobs_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
# A newest snapshot older than this means the nightly recompute was missed: /healthz reports it
# stale and the watchdog recomputes.
SNAPSHOT_MAX_AGE = timedelta(hours=env.int("SNAPSHOT_MAX_AGE_HOURS", default=26))

# E-mail — https://docs.djangoproject.com/en/5.2/topics/email/
# The console backend by default (development prints mail); production sets the SMTP backend
# and its host, or the file backend with EMAIL_FILE_PATH.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ics-portal@localhost")

# Logging — https://docs.djangoproject.com/en/5.2/topics/logging/
# One JSON object per line on stderr (production collects it): time, level, logger, message,
# request_id, and method/path/status/duration_ms on the line each request ends with. The
# filters sit on the handler so that they see every record: the request (or task) id is added,
# and passwords, tokens and credential headers are redacted (icsportal/logging.py).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "icsportal.logging.RequestIdFilter"},
        "redact": {"()": "icsportal.logging.RedactSecretsFilter"},
    },
    "formatters": {"json": {"()": "icsportal.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own request logger already says which request failed; keep it, without
        # the handler Django adds in development that prints plain text.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # The request line is on icsportal.request; the development server's own is a repeat.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Never below INFO, whatever LOG_LEVEL says: at DEBUG these write SQL with its
        # parameters (token keys among them) and whole template contexts.
        "django.db.backends": {"level": "INFO"},
        "django.template": {"level": "INFO"},
    },
}

# Portal
PORTAL_NAME = env.str("PORTAL_NAME", default="ICS Place Governance Portal")

# Observation imports (metrics/imports): a file above PORTAL_IMPORT_BACKGROUND_BYTES (or a JSON
# list above PORTAL_IMPORT_BACKGROUND_ROWS rows) is imported by a worker, so that no request
# waits on a large import. Every import is stopped, nothing written, once it has run
# PORTAL_IMPORT_REQUEST_SECONDS (in a request) or PORTAL_IMPORT_JOB_SECONDS (in a worker), or
# grown its process by PORTAL_IMPORT_MEMORY_MB; a CSV line longer than
# PORTAL_IMPORT_MAX_LINE_BYTES is refused unread.
PORTAL_IMPORT_BACKGROUND_BYTES = env.int("PORTAL_IMPORT_BACKGROUND_BYTES", default=1024 * 1024)
PORTAL_IMPORT_BACKGROUND_ROWS = env.int("PORTAL_IMPORT_BACKGROUND_ROWS", default=10_000)
PORTAL_IMPORT_REQUEST_SECONDS = env.float("PORTAL_IMPORT_REQUEST_SECONDS", default=20.0)
PORTAL_IMPORT_JOB_SECONDS = env.float("PORTAL_IMPORT_JOB_SECONDS", default=900.0)
PORTAL_IMPORT_MEMORY_MB = env.int("PORTAL_IMPORT_MEMORY_MB", default=150)
PORTAL_IMPORT_MAX_LINE_BYTES = env.int("PORTAL_IMPORT_MAX_LINE_BYTES", default=64 * 1024)
# A job is run at most this many times (a worker that dies mid-import leaves nothing written,
# and its job is run again); then it is failed.
PORTAL_IMPORT_JOB_ATTEMPTS = env.int("PORTAL_IMPORT_JOB_ATTEMPTS", default=2)
# With no broker (make run), a job runs in-process: "thread" (in the background of the web
# process) or "inline" (before the request answers; the test suite).
PORTAL_IMPORT_IN_PROCESS = env.str("PORTAL_IMPORT_IN_PROCESS", default="thread")
