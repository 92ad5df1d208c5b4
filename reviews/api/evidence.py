"""/api/v1/reviews/: the evidence of a project per item; the applicant uploads files and new
versions and downloads its originals; the team and the committee get pages as watermarked
images (never the file); the lead asks for more evidence; certification admins read the log of
page views. The same services, permissions and headers as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from cms.selectors import version_items
from core.api_auth import permission_check, signed_in
from core.api_errors import ErrorOut
from core.api_files import file_openapi
from core.bounds import ObjectId, Offset, PageSize
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..evidence_files import PAGE_IMAGE_TYPE
from ..models import EvidenceFile, EvidencePageView, EvidenceVersion, ReviewProject, ViewChannel
from ..views.evidence import VIEW_LOG_PERM, original_response, page_image_response

router = Router()

PageNumber = Annotated[int, Field(ge=1, le=100_000)]


class EvidenceVersionOut(Schema):
    id: int
    number: int
    file_name: str
    content_type: str
    size: int
    pages: int
    render_state: str = Field(description="pending, ready or failed: pages being prepared")
    uploaded_at: dt.datetime
    request_id: int | None = Field(description="The request for more evidence it answers")
    original_url: str | None = Field(description="The applicant's own original (download)")
    page_url: str | None = Field(
        description="Viewers: page N as a watermarked image at this URL with {page} replaced")


class EvidenceFileOut(Schema):
    id: int
    kind: str
    title: str
    versions: list[EvidenceVersionOut] = Field(description="Oldest first; the last is current")


class ItemEvidenceOut(Schema):
    item_id: int
    code: str
    title: str
    expected: list[str] = Field(description="Kinds the applicant supplies for this item")
    on_site: list[str] = Field(description="Kinds the team captures on site")
    missing: list[str]
    open: bool = Field(description="The applicant may add files or versions now")
    files: list[EvidenceFileOut]


class ProjectEvidenceOut(Schema):
    project_id: int
    frozen: bool
    acting_for_applicant: bool
    items: list[ItemEvidenceOut]


class EvidenceRequestIn(Schema):
    item_ids: list[ObjectId] = Field(min_length=1, max_length=500)
    due_on: dt.date
    message: str = Field(min_length=1, max_length=2000)


class EvidenceRequestOut(Schema):
    id: int
    item_codes: list[str]
    due_on: dt.date
    message: str


class PageViewOut(Schema):
    viewed_at: dt.datetime
    viewer_id: int
    viewer: str
    item_code: str
    evidence_id: int
    version: int
    page: int
    channel: str


def _project(project_id: int) -> ReviewProject:
    project = (ReviewProject.objects.select_related("organisation", "standard_version")
               .filter(pk=project_id).first())
    if project is None:
        raise HttpError(404, _("Not found."))
    return project


def _version_out(version: EvidenceVersion, *, applicant: bool) -> EvidenceVersionOut:
    page_url = None
    if not applicant:
        first = reverse("api-v1:reviews_evidence_page",
                        kwargs={"version_id": version.pk, "page": 1})
        page_url = first.rsplit("/", 1)[0] + "/{page}"
    return EvidenceVersionOut(
        id=version.pk, number=version.number, file_name=version.original_name,
        content_type=version.content_type, size=version.size, pages=version.pages,
        render_state=version.render_state, uploaded_at=version.uploaded_at,
        request_id=version.request_id, page_url=page_url,
        original_url=(reverse("api-v1:reviews_evidence_original",
                              kwargs={"version_id": version.pk}) if applicant else None))


def _refused(error: services.ReviewError) -> Status[ErrorOut]:
    return Status(400, ErrorOut(code="refused", detail=" ".join(error.messages)))


@router.get("/projects/{project_id}/evidence",
            response={200: ProjectEvidenceOut, 404: ErrorOut}, auth=signed_in)
def project_evidence(request: AuthenticatedHttpRequest,
                     project_id: ObjectId) -> ProjectEvidenceOut:
    """Each item with the kinds of evidence it expects, the files and versions supplied, what
    is still missing and whether it is open: for the applicant, the team and the committee."""
    project = _project(project_id)
    applicant = selectors.can_act_for_applicant(request.user, project)
    if not applicant and not selectors.evidence_open_to(request.user, project):
        raise HttpError(404, _("Not found."))
    rows = selectors.project_evidence(project, today=timezone.localdate(),
                                      with_onsite=not applicant)
    return ProjectEvidenceOut(
        project_id=project.pk, frozen=selectors.evidence_is_frozen(project),
        acting_for_applicant=applicant,
        items=[ItemEvidenceOut(
            item_id=row.item.pk, code=row.item.code, title=row.item.title,
            expected=[kind for kind, _label in row.expected],
            on_site=[kind for kind, _label in row.on_site],
            missing=[kind for kind, _label in row.missing], open=row.is_open,
            files=[EvidenceFileOut(id=file.evidence.pk, kind=file.evidence.kind,
                                   title=file.evidence.title,
                                   versions=[_version_out(v, applicant=applicant)
                                             for v in file.versions])
                   for file in row.files],
        ) for row in rows])


@router.post("/projects/{project_id}/items/{item_id}/evidence",
             response={201: EvidenceVersionOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def evidence_upload(request: AuthenticatedHttpRequest, project_id: ObjectId, item_id: ObjectId,
                    kind: Form[str], file: File[UploadedFile],
                    title: Form[str] = "") -> Status:
    """The applicant adds a file (multipart: `kind`, optional `title`, `file`) to an item: a
    PDF, PNG or JPEG by content, within the size and page limits, while the item is open."""
    project = _project(project_id)
    if not selectors.can_act_for_applicant(request.user, project):
        raise HttpError(404, _("Not found."))
    item = version_items(version=project.standard_version).filter(pk=item_id).first()
    if item is None:
        raise HttpError(404, _("Not found."))
    try:
        version = services.evidence_upload(project=project, item=item, kind=kind[:20],
                                           title=title[:200], upload=file, name=file.name,
                                           size=file.size, by=request.user)
    except services.ReviewError as error:
        return _refused(error)
    return Status(201, _version_out(version, applicant=True))


@router.post("/evidence/{evidence_id}/versions",
             response={201: EvidenceVersionOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def evidence_version_add(request: AuthenticatedHttpRequest, evidence_id: ObjectId,
                         file: File[UploadedFile]) -> Status:
    """The applicant adds a new version of a file (multipart `file`); earlier ones are kept."""
    evidence = EvidenceFile.objects.select_related("project").filter(pk=evidence_id).first()
    if evidence is None or not selectors.can_act_for_applicant(request.user, evidence.project):
        raise HttpError(404, _("Not found."))
    try:
        version = services.evidence_version_add(evidence=evidence, upload=file, name=file.name,
                                                size=file.size, by=request.user)
    except services.ReviewError as error:
        return _refused(error)
    return Status(201, _version_out(version, applicant=True))


@router.get("/evidence/versions/{version_id}/original", url_name="reviews_evidence_original",
            response={404: ErrorOut}, auth=signed_in,
            openapi_extra=file_openapi("application/octet-stream", "The original file"))
def evidence_original(request: AuthenticatedHttpRequest, version_id: ObjectId) -> FileResponse:
    """The applicant's own original, as uploaded; 404 for everyone else."""
    version = selectors.evidence_version_for_applicant(request.user, version_id)
    if version is None:
        raise HttpError(404, _("Not found."))
    return original_response(version)


@router.get("/evidence/versions/{version_id}/pages/{page}", url_name="reviews_evidence_page",
            response={404: ErrorOut}, auth=signed_in,
            openapi_extra=file_openapi(PAGE_IMAGE_TYPE, "The page, watermarked for the caller"))
def evidence_page(request: AuthenticatedHttpRequest, version_id: ObjectId,
                  page: PageNumber) -> HttpResponse:
    """Page `page` of a version as an image with the caller's watermark (name, project, time),
    never stored by caches; the view is logged. For the team and the committee; 404 for
    everyone else."""
    version = selectors.evidence_version_for_viewer(request.user, version_id)
    if version is None:
        raise HttpError(404, _("Not found."))
    try:
        image = services.evidence_page_view(version=version, page=page, viewer=request.user,
                                            channel=ViewChannel.API)
    except services.ReviewError as error:
        raise HttpError(404, " ".join(error.messages)) from error
    return page_image_response(image)


@router.post("/projects/{project_id}/evidence-requests",
             response={201: EvidenceRequestOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def evidence_request(request: AuthenticatedHttpRequest, project_id: ObjectId,
                     payload: EvidenceRequestIn) -> Status:
    """The team's lead asks for more evidence (补充材料) on named items by a due date; those
    items alone reopen until then."""
    project = _project(project_id)
    if not selectors.evidence_open_to(request.user, project):
        raise HttpError(404, _("Not found."))
    items = list(version_items(version=project.standard_version).filter(pk__in=payload.item_ids))
    if len(items) != len(set(payload.item_ids)):
        return Status(400, ErrorOut(code="refused", detail=_(
            "Name the items of the standard version that need more evidence.")))
    try:
        created = services.evidence_request_create(project=project, items=items,
                                                   due_on=payload.due_on,
                                                   message=payload.message, by=request.user)
    except services.ReviewError as error:
        return _refused(error)
    return Status(201, EvidenceRequestOut(id=created.pk, due_on=created.due_on,
                                          message=created.message,
                                          item_codes=sorted(item.code for item in items)))


def _page_view_out(view: EvidencePageView) -> PageViewOut:
    return PageViewOut(viewed_at=view.viewed_at, viewer_id=view.viewer_id,
                       viewer=view.viewer.display_name,
                       item_code=view.version.evidence.item.code,
                       evidence_id=view.version.evidence_id, version=view.version.number,
                       page=view.page, channel=view.channel)


@router.get("/staff/projects/{project_id}/evidence-views",
            response={200: list[PageViewOut], 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def evidence_page_views(request: AuthenticatedHttpRequest, project_id: ObjectId,
                        limit: PageSize = 100, offset: Offset = 0) -> Status:
    """Certification admins: who viewed which page of the project's evidence, and when, newest
    first (as on the staff page)."""
    permission_check(request, VIEW_LOG_PERM)
    project = _project(project_id)
    views = selectors.evidence_page_views(project)[offset:offset + limit]
    return Status(200, [_page_view_out(view) for view in views])
