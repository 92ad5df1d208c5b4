"""Local development: `make run`. SQLite, Celery eager, email to the console."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = ["*"]
# Tasks run eagerly in the web process here; a line per finished task is only noise.
LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}  # noqa: F405
# The in-memory broker has no hostname, and kombu warns about it each time it is asked.
LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}  # noqa: F405
