"""On-site capture on a phone: the capture page of an item (notes, photos from the camera,
interviews signed on the screen, queued in the browser while the network is away), the
service worker that keeps the page open off-line, and an interview's signature image.

Who may do what is `selectors.onsite_access`, the API's rule too: anyone not on the team 404,
a member before the agreement 403 (with the way to sign), the committee reads."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from core.typing import AuthenticatedHttpRequest

from .. import selectors
from ..models import ONSITE_CAPTURE_STATES, OnsiteRecord, ReviewProject
from ..selectors import OnsiteAccess

# The capture pages and their service worker live under this prefix: the worker's scope, and
# the prefix that opts in to the camera (PERMISSIONS_POLICY_PATH_OVERRIDES).
ONSITE_PREFIX = "/reviews/onsite/"


def signature_response(record: OnsiteRecord) -> HttpResponse:
    """A signature as the page and the API serve it: inline, never stored by a cache."""
    with record.signature.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type="image/png")
    add_never_cache_headers(response)
    return response


@login_required
def capture(request: AuthenticatedHttpRequest, pk: int, item_id: int) -> HttpResponse:
    """The capture page of one item: what the team has recorded, and the forms that queue a
    note, a photo or a signed interview on the phone and send them when the network allows."""
    project = get_object_or_404(
        ReviewProject.objects.select_related("organisation", "standard_version"), pk=pk)
    access = selectors.onsite_access(request.user, project)
    if access.level == OnsiteAccess.NONE:
        raise Http404
    if access.level == OnsiteAccess.UNSIGNED:
        return render(request, "reviews/agreement_first.html",
                      {"member": access.member, "project": project}, status=403)
    if access.level != OnsiteAccess.CAPTURE:
        return render(request, "reviews/onsite_refused.html", {"project": project}, status=403)
    item = selectors.project_item(project, item_id)
    if item is None:
        raise Http404
    ids = {"project_id": project.pk, "item_id": item.pk}
    client = {
        "project": project.pk, "item": item.pk, "itemCode": item.code,
        "urls": {"note": reverse("api-v1:reviews_onsite_notes", kwargs=ids),
                 "photo": reverse("api-v1:reviews_onsite_photos", kwargs=ids),
                 "interview": reverse("api-v1:reviews_onsite_interviews", kwargs=ids),
                 "worker": reverse("reviews:onsite_worker"), "scope": ONSITE_PREFIX},
        "text": {
            "queued": _("Waiting to be sent"), "sending": _("Sending…"),
            "sent": _("Sent"), "refused": _("Refused"), "remove": _("Remove"),
            "offline": _("Off-line: records stay on this phone and are sent when the network "
                         "returns."),
            "online": _("On-line."), "none": _("Nothing waiting to be sent."),
            "note": pgettext("on-site", "Note"), "photo": _("Photo"), "interview": _("Interview"),
            "signFirst": _("The interviewee signs on the screen first."),
            "question": pgettext("on-site", "Question"),
            "answer": pgettext("on-site", "Answer"),
        },
    }
    return render(request, "reviews/onsite_capture.html", {
        "project": project, "item": item, "member": access.member, "client": client,
        "open": project.state in ONSITE_CAPTURE_STATES,
        "records": list(selectors.onsite_records(project, item_id=item.pk)),
    })


@login_required
def signature(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An interviewee's signature, for those who read the project's on-site records."""
    record = selectors.onsite_record_for_reader(request.user, pk)
    if record is None or not record.signature:
        raise Http404
    return signature_response(record)


@require_GET
def worker(request: HttpRequest) -> HttpResponse:
    """The service worker (served here, not from /static/, so that its scope covers the capture
    pages): it keeps the last copy of each capture page for when the network is away."""
    response = render(request, "reviews/onsite_worker.js",
                      {"static_prefix": settings.STATIC_URL},
                      content_type="application/javascript; charset=utf-8")
    patch_cache_control(response, no_cache=True)
    return response
