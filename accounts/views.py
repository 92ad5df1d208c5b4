from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from core.i18n import language_supported
from core.typing import AuthenticatedHttpRequest

from .forms import ProfileForm
from .roles import ROLE_LABELS
from .selectors import user_role_slugs, workspace_tools
from .services import user_language_set, user_profile_update


def _dashboard_panels(request: HttpRequest) -> list[dict[str, Any]]:
    """Panels that apps contribute to the personal dashboard: `<app>.dashboard.panel(request)`
    returns {"template": ..., **context} or None when it has nothing to show this person."""
    panels = []
    for app_name in settings.PROJECT_APPS:
        if importlib.util.find_spec(f"{app_name}.dashboard") is None:
            continue
        panel = importlib.import_module(f"{app_name}.dashboard").panel(request)
        if panel:
            panels.append(panel)
    return panels


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    roles = [ROLE_LABELS[slug] for slug in user_role_slugs(request.user)]
    return render(
        request,
        "accounts/dashboard.html",
        {"roles": roles, "panels": _dashboard_panels(request)},
    )


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch (cookie, redirect to `next`), which for a signed-in person also
    becomes the language of their emails."""
    response = set_language(request)
    chosen = request.POST.get("language")
    if request.user.is_authenticated and chosen and check_for_language(chosen):
        user_language_set(user=request.user, language=language_supported(chosen))
    return response


@login_required
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Each person edits only their own profile: the form is always bound to request.user.
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_profile_update(
            user=request.user, changed_by=request.user, fields=form.profile_fields()
        )
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:dashboard")
    return render(request, "accounts/profile_form.html", {"form": form})


@login_required
def workspace(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The staff tools this person can open; where staff land after signing in."""
    return render(request, "accounts/workspace.html", {"tools": workspace_tools(request.user)})
