"""Dotted item permalinks, /standard/<version>/items/4.2.3/.

Wagtail's page URL pattern allows no dots, so config/urls.py mounts these before the Wagtail
catch-all; they hand over to Wagtail's item route (…/items/4-2-3/), which keeps working too.
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
