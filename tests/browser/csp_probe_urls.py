"""The site's URLs plus one page that breaks the policy, for the test that shows a violation
fails a browser test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def inline_script_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "<!DOCTYPE html><html><head><title>probe</title></head><body>"
        '<p id="status">inline script blocked</p>'
        "<script>document.getElementById('status').textContent = 'inline script ran';</script>"
        "</body></html>"
    )


urlpatterns = [path("csp-probe/", inline_script_page), *site_urlpatterns]
