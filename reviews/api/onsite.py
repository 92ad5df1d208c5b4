"""/api/v1/reviews/: what the team captures on site per item (notes, photos, signed interviews;
each idempotent by the UUID the phone made) and an item's whole evidence panel, with the item
page's permissions (`selectors.onsite_access`): anyone not on the team 404, a member before the
agreement 403, the expert committee reads, a signed member reads and captures."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from cms.models import StandardItem
from core.api_auth import signed_in
from core.api_errors import ErrorOut
from core.api_files import file_openapi
from core.bounds import ObjectId
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..models import OnsiteRecord, ReviewProject, TeamMember
from ..selectors import OnsiteAccess
from ..views.onsite import signature_response
from .kpi import KpiCheckOut, kpi_check_out

router = Router()


class QuestionAnswer(Schema):
    question: str = Field(max_length=2000)
    answer: str = Field(max_length=10_000)


class PhotoOut(Schema):
    evidence_id: int
    version_id: int
    pages: int
    viewer_url: str = Field(description="The watermarked viewer (web)")
    page_url: str = Field(description="The photo as a watermarked image (API), logged")


class OnsiteRecordOut(Schema):
    id: int
    client_uuid: uuid.UUID
    kind: str = Field(description="note, photo or interview")
    item_id: int
    item_code: str
    captured_by: str
    captured_at: dt.datetime = Field(description="The phone's clock")
    received_at: dt.datetime = Field(description="The server's clock")
    text: str
    photo: PhotoOut | None = None
    interviewee_name: str = ""
    interviewee_role: str = ""
    answers: list[QuestionAnswer] = Field(default_factory=list)
    interviewed_at: dt.datetime | None = None
    signature_url: str | None = Field(None, description="The signature (PNG, never cached)")


class CapturedOut(OnsiteRecordOut):
    created: bool = Field(description="False when the UUID was already stored (a re-send)")


class NoteIn(Schema):
    client_uuid: uuid.UUID
    text: str = Field(min_length=1, max_length=10_000)
    captured_at: dt.datetime


class InterviewIn(Schema):
    client_uuid: uuid.UUID
    interviewee_name: str = Field(max_length=100)
    interviewee_role: str = Field(max_length=100)
    answers: list[QuestionAnswer] = Field(max_length=100)
    signature: str = Field(max_length=2_000_000,
                           description="The signature drawn on screen: a PNG as a data URL "
                           "(data:image/png;base64,…) or base64")
    interviewed_at: dt.datetime
    captured_at: dt.datetime
    text: str = Field("", max_length=10_000)


class FileOut(Schema):
    evidence_id: int
    kind: str
    title: str
    version_id: int
    version: int
    versions: int
    pages: int
    viewer_url: str


class ItemPanelOut(Schema):
    item_id: int
    code: str
    expected: list[str] = Field(description="Every kind of evidence the item expects")
    missing: list[str] = Field(description="Expected kinds with nothing supplied or captured")
    files: list[FileOut] = Field(description="The applicant's files (current versions)")
    photos: list[OnsiteRecordOut]
    interviews: list[OnsiteRecordOut]
    notes: list[OnsiteRecordOut]
    kpi_checks: list[KpiCheckOut] = Field(
        description="The drawn month's recomputation of the KPIs this item's data supports")


def _item(request: AuthenticatedHttpRequest, project_id: int, item_id: int, *,
          capture: bool) -> tuple[ReviewProject, StandardItem, TeamMember | None]:
    project = (ReviewProject.objects.select_related("organisation", "standard_version")
               .filter(pk=project_id).first())
    access = (selectors.onsite_access(request.user, project) if project is not None
              else OnsiteAccess(OnsiteAccess.NONE))
    if project is None or access.level == OnsiteAccess.NONE:
        raise HttpError(404, _("Not found."))
    if access.level == OnsiteAccess.UNSIGNED:
        raise HttpError(403, _("Accept the integrity agreement first."))
    if capture and access.level != OnsiteAccess.CAPTURE:
        raise HttpError(403, _("Only the review team captures on-site records."))
    item = selectors.project_item(project, item_id)
    if item is None:
        raise HttpError(404, _("Not found."))
    return project, item, access.member


def record_out(record: OnsiteRecord) -> OnsiteRecordOut:
    photo = None
    if record.photo is not None:
        version = list(record.photo.versions.all())[-1]
        photo = PhotoOut(
            evidence_id=record.photo.pk, version_id=version.pk, pages=version.pages,
            viewer_url=reverse("reviews:evidence_viewer", args=[version.pk]),
            page_url=reverse("api-v1:reviews_evidence_page",
                             kwargs={"version_id": version.pk, "page": 1}))
    return OnsiteRecordOut(
        id=record.pk, client_uuid=record.client_uuid, kind=record.kind, item_id=record.item_id,
        item_code=record.item.code, captured_by=record.captured_by.display_name,
        captured_at=record.captured_at, received_at=record.received_at, text=record.text,
        photo=photo, interviewee_name=record.interviewee_name,
        interviewee_role=record.interviewee_role,
        answers=[QuestionAnswer(**pair) for pair in record.answers],
        interviewed_at=record.interviewed_at,
        signature_url=(reverse("api-v1:reviews_onsite_signature",
                               kwargs={"record_id": record.pk}) if record.signature else None))


def _captured(pair: tuple[OnsiteRecord, bool]) -> Status:
    record, created = pair
    record = selectors.onsite_records(record.project).get(pk=record.pk)
    return Status(201 if created else 200,
                  CapturedOut(**record_out(record).dict(), created=created))


def _refused(error: services.ReviewError) -> Status:
    return Status(400, ErrorOut(code="refused", detail=" ".join(error.messages)))


@router.get("/projects/{project_id}/items/{item_id}/onsite",
            response={200: list[OnsiteRecordOut], 403: ErrorOut, 404: ErrorOut},
            auth=signed_in)
def onsite_list(request: AuthenticatedHttpRequest, project_id: ObjectId,
                item_id: ObjectId) -> list[OnsiteRecordOut]:
    """The team's on-site records of an item, in the order captured."""
    project, item, _member = _item(request, project_id, item_id, capture=False)
    return [record_out(r) for r in selectors.onsite_records(project, item_id=item.pk)]


@router.post("/projects/{project_id}/items/{item_id}/onsite/notes",
             url_name="reviews_onsite_notes",
             response={200: CapturedOut, 201: CapturedOut, 400: ErrorOut, 403: ErrorOut,
                       404: ErrorOut}, auth=signed_in)
def onsite_note(request: AuthenticatedHttpRequest, project_id: ObjectId, item_id: ObjectId,
                payload: NoteIn) -> Status:
    """A note on the item (201; 200 when this `client_uuid` is already stored)."""
    _project, item, member = _item(request, project_id, item_id, capture=True)
    assert member is not None
    try:
        return _captured(services.onsite_note_capture(
            member=member, item=item, client_uuid=payload.client_uuid, text=payload.text,
            captured_at=payload.captured_at))
    except services.ReviewError as error:
        return _refused(error)


@router.post("/projects/{project_id}/items/{item_id}/onsite/photos",
             url_name="reviews_onsite_photos",
             response={200: CapturedOut, 201: CapturedOut, 400: ErrorOut, 403: ErrorOut,
                       404: ErrorOut}, auth=signed_in)
def onsite_photo(request: AuthenticatedHttpRequest, project_id: ObjectId, item_id: ObjectId,
                 client_uuid: Form[uuid.UUID], captured_at: Form[dt.datetime],
                 file: File[UploadedFile], caption: Form[str] = "") -> Status:
    """A photo of the item (multipart: `client_uuid`, `captured_at`, optional `caption`,
    `file`, a JPEG or PNG): kept as evidence of kind photos, viewed watermarked."""
    _project, item, member = _item(request, project_id, item_id, capture=True)
    assert member is not None
    try:
        return _captured(services.onsite_photo_capture(
            member=member, item=item, client_uuid=client_uuid, upload=file, name=file.name,
            size=file.size, captured_at=captured_at, caption=caption[:200]))
    except services.ReviewError as error:
        return _refused(error)


@router.post("/projects/{project_id}/items/{item_id}/onsite/interviews",
             url_name="reviews_onsite_interviews",
             response={200: CapturedOut, 201: CapturedOut, 400: ErrorOut, 403: ErrorOut,
                       404: ErrorOut}, auth=signed_in)
def onsite_interview(request: AuthenticatedHttpRequest, project_id: ObjectId,
                     item_id: ObjectId, payload: InterviewIn) -> Status:
    """An interview on the item: the interviewee's name and role, the questions and answers,
    the signature drawn on screen (a PNG data URL), the time of the interview."""
    _project, item, member = _item(request, project_id, item_id, capture=True)
    assert member is not None
    try:
        return _captured(services.onsite_interview_capture(
            member=member, item=item, client_uuid=payload.client_uuid,
            interviewee_name=payload.interviewee_name,
            interviewee_role=payload.interviewee_role,
            answers=[pair.dict() for pair in payload.answers],
            signature=services.signature_from_data_url(payload.signature),
            interviewed_at=payload.interviewed_at, captured_at=payload.captured_at,
            text=payload.text))
    except services.ReviewError as error:
        return _refused(error)


@router.get("/onsite/{record_id}/signature", url_name="reviews_onsite_signature",
            response={404: ErrorOut}, auth=signed_in,
            openapi_extra=file_openapi("image/png", "The interviewee's signature"))
def onsite_signature(request: AuthenticatedHttpRequest, record_id: ObjectId) -> HttpResponse:
    """An interview's signature, for those who read the project's on-site records; never
    cached, never offered as a download."""
    record = selectors.onsite_record_for_reader(request.user, record_id)
    if record is None or not record.signature:
        raise HttpError(404, _("Not found."))
    return signature_response(record)


@router.get("/projects/{project_id}/items/{item_id}/evidence-panel",
            response={200: ItemPanelOut, 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def item_panel(request: AuthenticatedHttpRequest, project_id: ObjectId,
               item_id: ObjectId) -> ItemPanelOut:
    """Everything beside the item's judgement: the applicant's files, the team's photos,
    signed interviews and notes, the KPI checks on its data, the kinds the item expects and
    those still missing."""
    project, item, _member = _item(request, project_id, item_id, capture=False)
    panel = selectors.item_evidence_panel(project, item)
    return ItemPanelOut(
        item_id=item.pk, code=item.code, expected=[kind for kind, _label in panel.expected],
        missing=[kind for kind, _label in panel.missing],
        files=[FileOut(evidence_id=f.evidence.pk, kind=f.evidence.kind, title=f.evidence.title,
                       version_id=f.current.pk, version=f.current.number,
                       versions=len(f.versions), pages=f.current.pages,
                       viewer_url=reverse("reviews:evidence_viewer", args=[f.current.pk]))
               for f in panel.files],
        photos=[record_out(r) for r in panel.photos],
        interviews=[record_out(r) for r in panel.interviews],
        notes=[record_out(r) for r in panel.notes],
        kpi_checks=[kpi_check_out(check) for check in panel.kpi_checks])
