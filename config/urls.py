from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as accounts_views
from certification import views_openbadges

from .api import api

# An unreachable database answers 503 with Retry-After, not 500 (core.database_unavailable).
handler500 = "core.database_unavailable.server_error"

# Both admins sign in through allauth's login (its rate limits, its MFA step), not their own forms.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns: list[URLPattern | URLResolver] = [
    path("django-admin/", admin.site.urls),
    # The Open Badges issuer's did:web document (certification/openbadges/, docs/certification.md).
    path(".well-known/did.json", views_openbadges.did_document, name="did_document"),
    path("cms-admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", accounts_views.language_set, name="set_language"),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("me/", include("accounts.urls")),
    path("training/", include("lms.urls")),
    path("exams/", include("exams.urls")),
    path("credentials/", include("certification.urls")),
    path("reviews/", include("reviews.urls")),
    # Dotted item permalinks (/standard/<version>/items/4.2.3/): Wagtail's own pattern has no dots.
    path("standard/", include("cms.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other path (the standard, guidance pages, the home page): keep last.
urlpatterns.append(path("", include(wagtail_urls)))
