"""What a server process loads at start-up instead of on its first request.

Django imports the URLconf (and with it every app's views, the API and its schemas) when the
first request arrives, about 1.6 s on the 2-core benchmark machine. All of a worker's threads
wait for that import, so a worker started while people are sitting an exam (a deploy, or
gunicorn replacing a killed worker) holds every request it accepts meanwhile; at the start of
an exam window that backlog was still draining a minute later (docs/performance.md, "the start
of the window"). Loaded at start-up, the worker only answers requests once it can serve them
at full speed.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


def warm_up() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URLconf and every view module
    resolver.reverse_dict  # noqa: B018 - builds the lookup that reverse() uses
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Not found.")  # loads the language's catalogues
