"""Local development: `make run`. SQLite, Celery eager, email to the console."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
# The platform's own 404 and 500 pages on `make run` too, as people will see them; tracebacks
# still print to the console. DJANGO_TECHNICAL_ERROR_PAGES=1 shows Django's debug pages instead.
if not env_bool("DJANGO_TECHNICAL_ERROR_PAGES", False):
    MIDDLEWARE.insert(  # noqa: F405
        MIDDLEWARE.index("core.database_unavailable.DatabaseUnavailableMiddleware"),  # noqa: F405
        "core.error_pages.PlatformErrorPagesMiddleware",
    )
ALLOWED_HOSTS = ["*"]
# Tasks run eagerly in the web process here; a line per finished task is only noise.
LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}  # noqa: F405
# The in-memory broker has no hostname, and kombu warns about it each time it is asked.
LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}  # noqa: F405
