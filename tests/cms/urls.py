"""config.urls with the dotted item permalinks mounted, as docs/cms.md asks the integrator to."""

from django.urls import include, path

from config.urls import urlpatterns as base

urlpatterns = [path("standard/", include("cms.urls")), *base]
