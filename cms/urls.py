"""Dotted item permalinks, /standard/<version>/items/4.2.3/.

Wagtail's page URL pattern allows no dots, so these need one line in config/urls.py, before the
Wagtail catch-all: `path("standard/", include("cms.urls"))`. Until it is there, permalinks use the
dash form …/items/4-2-3/ that Wagtail serves itself (selectors.item_permalink picks whichever
works); both forms keep working once it is mounted.
"""

from django.urls import re_path

from . import views

app_name = "cms"
urlpatterns = [
    re_path(
        r"^(?P<version_slug>[\w-]+)/items/(?P<code>\d+(?:\.\d+)+)/$",
        views.item_permalink,
        name="item",
    ),
]
