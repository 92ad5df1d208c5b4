"""Settings shared by every environment. Values that differ come from the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    evidence_storage_from_env,
    media_storage_from_env,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Our apps come in dependency order (certification -> exams -> lms -> cms -> accounts -> core);
# demo content loads in this order too.
PROJECT_APPS = [
    "core",
    "accounts",
    "cms",
    "lms",
    "exams",
    "certification",
    "reviews",
]

INSTALLED_APPS = [
    *PROJECT_APPS,
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "django_celery_beat",
    "ninja",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Refuses control characters and non-UTF-8 text anywhere in a request (400) before a view
    # runs; after the session and user so that its page is the site's page.
    "core.middleware.InputHygieneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# --- Content-Security-Policy and Permissions-Policy (core.security_headers), sent in every
# environment so the browser tests run under the policy production sends. Placed right after
# SecurityMiddleware so responses other middleware return early (CSRF failures, redirects) get it.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "core.security_headers.SecurityHeadersMiddleware",
)
# Django 6.0's shape (SECURE_CSP), so upgrading swaps the middleware, not the policy.
SECURE_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # data: for allauth's TOTP set-up QR code, an inline SVG data URI.
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    # Chromium checks form-action on the redirect that follows a POST too: "pay by card" posts to
    # our view, which redirects to Stripe Checkout.
    "form-action": ["'self'", "https://checkout.stripe.com"],
}
# Relaxations by path prefix; each replaces the directives it names.
SECURE_CSP_PATH_OVERRIDES: dict[str, dict[str, list[str]]] = {
    # The Wagtail admin (editors only) is not CSP-clean yet (wagtail/wagtail#1288): its widgets
    # render inline <script>s (date choosers), its editor inserts inline scripts and styles, image
    # uploads preview as blob: URLs, and the live preview is an iframe of the admin's own origin.
    "/cms-admin/": {
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "frame-ancestors": ["'self'"],
    },
}
# The admin's avatars (gravatar.com) and update check (releases.wagtail.org) would be third-party
# requests the policy blocks, and leak who edits from where.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Features no page of ours uses are denied; a page opts in through the path overrides, e.g. the
# review app's on-site photos below.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope",
        "hid", "magnetometer", "microphone", "midi", "payment", "serial", "usb",
    )
}
PERMISSIONS_POLICY_PATH_OVERRIDES: dict[str, dict[str, list[str]]] = {
    # The review team's on-site capture pages take photos with the phone's camera.
    "/reviews/onsite/": {"camera": ["self"]},
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "accounts.context_processors.workspace",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A persistent connection that broke (PostgreSQL restarted) is checked and replaced at
        # the next request's first query instead of failing it.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, loading with the user whether they hold a staff role (the
# staff two-factor rule asks on every request). Sessions record the backend's path: a deploy
# that changes these paths signs everyone out once.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"

# --- Internationalisation: Simplified Chinese by default, English on request.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# Each app keeps its own catalogue in <app>/locale (see `make messages`). config/locale holds
# the Chinese for third-party strings (Wagtail's admin strings its zh_Hans catalogue lacks, such
# as "Search all pages…"; allauth's "Email"), before every app's catalogue; edited by hand.
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]

# --- Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Media (certificates, evidence) go through Django's storage API only: the local folder, or the
# S3-compatible bucket named by AWS_STORAGE_BUCKET_NAME (see env.media_storage_from_env).
MEDIA_STORAGE = media_storage_from_env()
# Wagtail documents stream through Wagtail's view (which applies collection privacy) rather than
# redirecting browsers to the bucket, which stays private and may not be reachable from outside.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Review evidence (reviews.storage): never under MEDIA_ROOT, so no /media/ URL reaches it.
EVIDENCE_ROOT = env_str("EVIDENCE_ROOT", str(BASE_DIR / "evidence"))
STORAGES = {
    "default": MEDIA_STORAGE,
    "evidence": evidence_storage_from_env(EVIDENCE_ROOT),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Cache: allauth's rate limits and page caches need a cache shared by all processes in
# production (Redis); the embedded default is per-process memory. A Redis outage must not fail
# requests: core.cache.DegradingRedisCache answers from this process's memory (the default
# cache) or as misses (sessions, whose truth is the database) until Redis returns.
REDIS_URL = env_str("REDIS_URL", "")
# Seconds: a Redis that stops answering costs a request a fraction of a second, once per process
# and second (core.cache's RETRY_SECONDS), instead of holding it until the OS gives up.
REDIS_CACHE_OPTIONS: dict[str, Any] = {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.5}


def redis_caches(url: str) -> dict[str, dict[str, Any]]:
    """The default cache and the sessions' cache, both on Redis at `url`."""
    backend = "core.cache.DegradingRedisCache"
    return {
        "default": {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": "ccso",
                    "OPTIONS": {**REDIS_CACHE_OPTIONS, "DEGRADE_TO": "memory"}},
        "sessions": {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": "ccso",
                     "OPTIONS": {**REDIS_CACHE_OPTIONS, "DEGRADE_TO": "miss"}},
    }


if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "tmp" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CCSO Academy <noreply@ccso-academy.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery: eager (in-process) unless a broker is configured.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_RESULT_BACKEND = None
# A worker killed in the middle of a task (SIGKILL, the OOM killer, a lost node) must not lose
# it: the message is acknowledged only when the task returns, a pool child that dies has its
# task put back at once, and a whole worker that dies has its unacknowledged task delivered
# again by Redis once the visibility timeout passes. Tasks are therefore written to be safe to
# run twice (docs/architecture.md, "Tasks that survive a killed worker").
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The hard limit ends a stuck task before Redis would hand the same message to a second worker
# (visibility timeout > hard limit), so a task never runs twice at once; the soft limit lets it
# raise and roll back first.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
# A broker that cannot be reached fails a publish within about a second (a refused connection
# at once) instead of blocking the request: core.services.task_queue keeps the task in the
# outbox (core.OutboxTask) and core.tasks.outbox_drain sends it when the broker returns.
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900),
    "socket_connect_timeout": 1.0,
    "socket_timeout": 2.0,
}
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT, or Redis delivers a "
        "running task to a second worker."
    )
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks, grouped by the app that owns them.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # core: tasks kept while the broker was down, sent once it answers (also on worker start).
    "core-outbox-drain": {"task": "core.tasks.outbox_drain", "schedule": 60.0},
    # exams: submit attempts still open after their deadline (+ grace), within a minute.
    "exams-submit-expired-attempts": {
        "task": "exams.tasks.attempts_submit_expired",
        "schedule": 30.0,
    },
    # core: forget email deliveries long after any rerun of their task could come.
    "core-prune-email-deliveries": {
        "task": "core.tasks.email_deliveries_prune_task",
        "schedule": 24 * 60 * 60,
    },
}

# --- Exams: seconds after the deadline during which a save still counts (network lag), and the
# difficulty limits beyond which statistics flag a question.
EXAMS_GRACE_SECONDS = env_int("EXAMS_GRACE_SECONDS", 15)
EXAMS_FLAG_EASY = 0.90
EXAMS_FLAG_HARD = 0.20
CELERY_BEAT_SCHEDULE["certification-renewal-reminders"] = {
    "task": "certification.tasks.credential_reminders_send_task",
    "schedule": 24 * 60 * 60,
}
CELERY_BEAT_SCHEDULE["certification-reconcile-passes"] = {
    "task": "certification.tasks.credentials_reconcile_task",
    "schedule": 60 * 60,
}

# --- Certification: numbers CCSO-C-2026-000123; renewal opens 90 days before expiry.
CERTIFICATION_NUMBER_PREFIX = env_str("CERTIFICATION_NUMBER_PREFIX", "CCSO")
CERTIFICATION_ISSUING_BODY = env_str("CERTIFICATION_ISSUING_BODY", "CCSO 呼叫中心标准认证中心")
CERTIFICATION_ISSUING_BODY_EN = env_str(
    "CERTIFICATION_ISSUING_BODY_EN", "CCSO Contact Centre Standard Certification Centre"
)
CERTIFICATION_RENEWAL_WINDOW_DAYS = 90
CERTIFICATION_RENEWAL_GRACE_DAYS = env_int("CERTIFICATION_RENEWAL_GRACE_DAYS", 180)
# Public lookups per client IP per minute: by number (guessable) and by QR link (token).
CERTIFICATION_VERIFY_NUMBER_PER_MINUTE = env_int("CERTIFICATION_VERIFY_NUMBER_PER_MINUTE", 20)
CERTIFICATION_VERIFY_LINK_PER_MINUTE = env_int("CERTIFICATION_VERIFY_LINK_PER_MINUTE", 120)
# Open Badges 3.0 signing keys (README, "Badge signing keys"; certification/openbadges/keygen.py):
# `<id>=<privateKeyMultibase>[,<id>=<key>...]`, retired keys as `<id>=<publicKeyMultibase>`.
# Unset: `make run`, the demo and tests generate a key on first use and keep it in the database
# (OPENBADGES_GENERATE_KEYS); production refuses to sign without configured keys.
OPENBADGES_SIGNING_KEYS = env_str("CCSO_OB_SIGNING_KEYS", "")
OPENBADGES_SIGNING_KEY_CURRENT = env_str("CCSO_OB_SIGNING_KEY_CURRENT", "")
OPENBADGES_GENERATE_KEYS = True
# Status lists: how long a browser or proxy may cache one (seconds).
OPENBADGES_STATUS_LIST_MAX_AGE = env_int("OPENBADGES_STATUS_LIST_MAX_AGE", 300)
# An uploaded badge to verify: JSON up to 256 KB, a baked PNG up to 2 MB.
OPENBADGES_UPLOAD_JSON_MAX_BYTES = 256 * 1024
OPENBADGES_UPLOAD_PNG_MAX_BYTES = 2 * 1024 * 1024

# --- Reviews: REVIEWS_TEAM_SIZE, REVIEWS_EMPLOYMENT_WINDOW_YEARS, REVIEWS_ROTATION_CYCLES and
# REVIEWS_LEAD_MIN_REVIEWS have their defaults and meanings in reviews/conf.py; set one here to
# change it.

# --- django-allauth: email is the login; verification is mandatory.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupProfileForm"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CCSO] "
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# App clients (the WeChat mini-program) sign in through allauth's headless API and call /api/v1/
# with an X-Session-Token; browsers keep the regular pages and cookies.
HEADLESS_CLIENTS = ("app",)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CCSO Academy"
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
# Accept the code of the step before or after too: phones' clocks drift (RFC 6238, 5.2).
MFA_TOTP_TOLERANCE = 1
# A locked-out owner (5 wrong passwords, which anyone can type) signs in with a code by email.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# Every way in is allauth's: the admins send their logins there (config/urls.py), and staff need
# a second factor on every request (accounts.middleware; README "MFA for staff").
MIDDLEWARE.append("accounts.middleware.StaffMFAMiddleware")
# A view whose database cannot be reached answers 503 + Retry-After (with handler500 for the
# middleware before it): innermost, so it sees the view's exception first.
MIDDLEWARE.append("core.database_unavailable.DatabaseUnavailableMiddleware")
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
WAGTAIL_PASSWORD_RESET_ENABLED = False

# --- Wagtail
WAGTAIL_SITE_NAME = "CCSO Academy"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "zip", "csv", "txt"]
WAGTAIL_I18N_ENABLED = False
# Publishing a standard version (or one of its modules) renders its PDF in each language in a
# task, so the first download after a publish is served at once (cms.services.standard_pdf_publish).
CMS_STANDARD_PDF_ON_PUBLISH = env_bool("CMS_STANDARD_PDF_ON_PUBLISH", True)

# --- Payments (Stripe is hidden when no key is set)
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
# Empty: Stripe's own servers. Off-line: stripe-mock or the fake in tests/fakes/ (docs/lms.md).
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "")
if STRIPE_API_BASE:
    # "Pay by card" redirects a form post to the stand-in's checkout page, as to Stripe's.
    _stripe_stand_in = urlsplit(STRIPE_API_BASE)
    SECURE_CSP["form-action"].append(f"{_stripe_stand_in.scheme}://{_stripe_stand_in.netloc}")
# Pinned to stripe==16.1.0's own `stripe.api_version`, so SDK types and API responses agree.
STRIPE_API_VERSION = "2026-10-28.endive"

# --- Training (lms): seat holds, waitlist offers, reminders, and its periodic tasks.
LMS_SEAT_HOLD_MINUTES = env_int("LMS_SEAT_HOLD_MINUTES", 30)
LMS_STRIPE_CHECKOUT_MINUTES = env_int("LMS_STRIPE_CHECKOUT_MINUTES", 60)
LMS_BANK_TRANSFER_HOLD_DAYS = env_int("LMS_BANK_TRANSFER_HOLD_DAYS", 5)
LMS_WAITLIST_OFFER_HOURS = env_int("LMS_WAITLIST_OFFER_HOURS", 48)
LMS_REMINDER_DAYS_BEFORE = env_int("LMS_REMINDER_DAYS_BEFORE", 2)
LMS_BANK_ACCOUNT = {
    "name": env_str("LMS_BANK_ACCOUNT_NAME", "CCSO 培训中心（示例账户）"),
    "bank": env_str("LMS_BANK_NAME", "中国工商银行北京示例支行"),
    "number": env_str("LMS_BANK_ACCOUNT_NUMBER", "0200 0000 0000 0000 000"),
}
CELERY_BEAT_SCHEDULE.update(
    {
        "lms-expire-holds": {"task": "lms.tasks.holds_expire", "schedule": 300.0},
        "lms-reconcile-payments": {"task": "lms.tasks.payments_reconcile", "schedule": 3600.0},
        "lms-send-reminders": {"task": "lms.tasks.reminders_send", "schedule": 3600.0},
    }
)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail logs every page action and each background task at INFO: noise in a terminal.
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        # WeasyPrint and its font subsetter report every CSS quirk and font table at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
