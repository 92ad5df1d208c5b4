"""Production settings for the web nodes that tests/integration/test_web_nodes.py starts.

Sessions, cache and media are production's exactly (Redis, cached_db, the object store from the
AWS_* variables); only static files are served from the app folders, so the test needs no
`collectstatic` run for the pages to render."""

from config.settings.production import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
