"""Local development: `make run`. SQLite, Celery eager, email to the console."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
# The platform's own 404 and 500 pages on `make run` too, as people will see them; tracebacks
# still print to the console. DJANGO_TECHNICAL_ERROR_PAGES=1 shows Django's debug pages instead.
# First in the list, so its process_exception runs last: after the database outage middleware
# (503) and allauth's (which turns "reauthenticate" into a redirect) have had their turn. A new
# list: base's is shared with every module that imported it.
if not env_bool("DJANGO_TECHNICAL_ERROR_PAGES", False):
    MIDDLEWARE = ["core.error_pages.PlatformErrorPagesMiddleware", *MIDDLEWARE]  # noqa: F405
ALLOWED_HOSTS = ["*"]
# Tasks run eagerly in the web process here; a line per finished task is only noise.
LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}  # noqa: F405
# The in-memory broker has no hostname, and kombu warns about it each time it is asked.
LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}  # noqa: F405
