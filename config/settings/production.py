"""Production: every secret from the environment; HTTPS only; Redis cache; SMTP."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_str, evidence_storage_from_env

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

# Links in email, QR codes and printed certificates outlive the request that made them: they must
# carry the public https address, never the dev default or a plain-http one.
SITE_URL = env_str("SITE_URL")
if not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured(
        f"SITE_URL must be the site's public https:// address (e.g. https://academy.example.cn); "
        f"got {SITE_URL!r}. It is printed into emails, QR codes and certificates."
    )
WAGTAILADMIN_BASE_URL = SITE_URL

# Open Badges are signed with keys from the environment only (never generated here); a malformed
# CCSO_OB_SIGNING_KEYS stops the start, a missing one fails `check --deploy` (certification.W001).
OPENBADGES_GENERATE_KEYS = False
if OPENBADGES_SIGNING_KEYS:  # noqa: F405
    from certification.openbadges.keygen import KeySpecError, keys_parse

    try:
        keys_parse(OPENBADGES_SIGNING_KEYS, OPENBADGES_SIGNING_KEY_CURRENT)  # noqa: F405
    except KeySpecError as error:
        raise ImproperlyConfigured(f"CCSO_OB_SIGNING_KEYS: {error}") from error
# STRIPE_API_BASE (stripe-mock, the test suite's fake) is for test keys: a live key must never be
# sent to another host, nor a live payment "confirmed" by one.
if STRIPE_API_BASE and STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_")):  # noqa: F405
    raise ImproperlyConfigured(
        "STRIPE_API_BASE is set while STRIPE_SECRET_KEY is a live key: unset STRIPE_API_BASE "
        "so that live payments go to Stripe, or use test keys."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# WhiteNoise serves the collected static files from gunicorn (dev and tests use Django's own).
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")  # noqa: F405

STORAGES = {
    "default": MEDIA_STORAGE,  # noqa: F405 (local disk, or the object store when configured)
    "evidence": evidence_storage_from_env(EVIDENCE_ROOT),  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
CELERY_TASK_ALWAYS_EAGER = False

# allauth's rate limits count in the cache: a per-process cache would not limit anything,
# so production requires Redis (core.cache degrades to per-process counting while it is down).
REDIS_URL = env_str("REDIS_URL")
CACHES = redis_caches(REDIS_URL)  # noqa: F405
# Sessions live in the database; Redis keeps copies that a Redis outage only makes misses.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"
