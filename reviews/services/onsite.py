"""What the team captures on site, per item: notes, photos (from the phone's camera, stored and
viewed as evidence of kind photos) and interviews signed by the interviewee on the screen.

A phone with a weak network queues its records and sends them when it can, perhaps twice: each
record carries a UUID the phone made, and a record already stored under it is answered as
stored (`created` false), never stored again."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import IO

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.models import StandardItem
from core.services import audit_record

from .. import selectors
from ..errors import ReviewError
from ..evidence_files import photo_check, signature_check
from ..models import (
    ONSITE_CAPTURE_STATES,
    EvidenceFile,
    MemberState,
    OnsiteKind,
    OnsiteRecord,
    TeamMember,
)
from .evidence import _clean_name, _version_store

# A phone's clock may be off; a record "captured" further ahead than this is refused.
CLOCK_SKEW = dt.timedelta(hours=12)
MAX_TEXT = 10_000
MAX_ANSWERS = 100


def _capture_check(*, member: TeamMember, item: StandardItem) -> None:
    if member.state != MemberState.DRAWN or not selectors.member_has_accepted(member):
        raise ReviewError(_("Sign the integrity agreement before capturing on-site records."))
    if member.project.state not in ONSITE_CAPTURE_STATES:
        raise ReviewError(_("On-site records are captured during document and on-site "
                            "review; this review is not at that stage."))
    if selectors.project_item(member.project, item.pk) is None:
        raise ReviewError(_("This item is not part of the standard version under review."))


def _time_check(value: dt.datetime, *, now: dt.datetime, what: str) -> dt.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        raise ReviewError(_("The %(what)s is in the future: check the phone's clock.")
                          % {"what": what})
    return value


def _existing(client_uuid: uuid.UUID, member: TeamMember) -> OnsiteRecord | None:
    record = OnsiteRecord.objects.filter(client_uuid=client_uuid).first()
    if record is None:
        return None
    if record.captured_by_id != member.reviewer_id or record.project_id != member.project_id:
        raise ReviewError(_("This record id is already used by another record."))
    return record


def _store(*, member: TeamMember, client_uuid: uuid.UUID,
           make: Callable[[], OnsiteRecord]) -> tuple[OnsiteRecord, bool]:
    """The record already stored under `client_uuid`, or the one `make` stores now (a
    concurrent re-send that wins the race is found after the unique constraint refuses)."""
    found = _existing(client_uuid, member)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            record = make()
    except IntegrityError:
        found = _existing(client_uuid, member)
        if found is None:
            raise
        return found, False
    audit_record(actor=member.reviewer, action="reviews.onsite.captured", target=member.project,
                 data={"record": record.pk, "kind": record.kind, "item": record.item.code,
                       "uuid": str(client_uuid)})
    return record, True


def _base(*, member: TeamMember, item: StandardItem, kind: str, client_uuid: uuid.UUID,
          captured_at: dt.datetime, now: dt.datetime, text: str) -> OnsiteRecord:
    return OnsiteRecord(project=member.project, item=item, kind=kind, client_uuid=client_uuid,
                        captured_by=member.reviewer, received_at=now,
                        captured_at=_time_check(captured_at, now=now, what=_("capture time")),
                        text=text.strip()[:MAX_TEXT])


def onsite_note_capture(*, member: TeamMember, item: StandardItem, client_uuid: uuid.UUID,
                        text: str, captured_at: dt.datetime,
                        now: dt.datetime | None = None) -> tuple[OnsiteRecord, bool]:
    """A member's note on `item`; (the record, whether it is new)."""
    now = now or timezone.now()
    _capture_check(member=member, item=item)
    if not text.strip():
        raise ReviewError(_("Write the note."))

    def make() -> OnsiteRecord:
        record = _base(member=member, item=item, kind=OnsiteKind.NOTE, client_uuid=client_uuid,
                       captured_at=captured_at, now=now, text=text)
        record.save()
        return record

    return _store(member=member, client_uuid=client_uuid, make=make)


def onsite_photo_capture(*, member: TeamMember, item: StandardItem, client_uuid: uuid.UUID,
                         upload: IO[bytes], name: str | None, size: int | None,
                         captured_at: dt.datetime, caption: str = "",
                         now: dt.datetime | None = None) -> tuple[OnsiteRecord, bool]:
    """A photo of `item` taken on site: a JPEG or PNG within the evidence images' bounds,
    stored in the evidence storage as an evidence file of kind photos with the member as its
    creator, rendered for the watermarked viewer like all evidence (never downloadable by the
    team; the applicant does not get it)."""
    now = now or timezone.now()
    _capture_check(member=member, item=item)
    found = _existing(client_uuid, member)
    if found is not None:
        return found, False
    checked = photo_check(upload, size=size)
    file_name = _clean_name(name)
    local = timezone.localtime(_time_check(captured_at, now=now, what=_("capture time")))
    title = (caption.strip() or _("On-site photo %(time)s")
             % {"time": f"{local:%Y-%m-%d %H:%M}"})[:200]

    def make() -> OnsiteRecord:
        evidence = EvidenceFile.objects.create(
            project=member.project, item=item, kind="photos", title=title,
            created_by=member.reviewer, created_at=now)
        _version_store(evidence=evidence, checked=checked, name=file_name, by=member.reviewer,
                       request=None, now=now)
        record = _base(member=member, item=item, kind=OnsiteKind.PHOTO, client_uuid=client_uuid,
                       captured_at=captured_at, now=now, text=caption)
        record.photo = evidence
        record.save()
        return record

    return _store(member=member, client_uuid=client_uuid, make=make)


def signature_from_data_url(text: str) -> bytes:
    """The bytes of a `data:image/png;base64,…` URL (or of bare base64) as a canvas gives it."""
    text = text.strip()
    if text.startswith("data:"):
        header, _sep, text = text.partition(",")
        if header != "data:image/png;base64":
            raise ReviewError(_("The signature must be a PNG image."))
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ReviewError(_("The signature cannot be read.")) from error


def _answers_clean(answers: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    cleaned = []
    for pair in list(answers)[:MAX_ANSWERS + 1]:
        question = str(pair.get("question", "")).strip()[:2000]
        answer = str(pair.get("answer", "")).strip()[:MAX_TEXT]
        if question or answer:
            cleaned.append({"question": question, "answer": answer})
    if len(cleaned) > MAX_ANSWERS:
        raise ReviewError(_("An interview has at most %(limit)s questions.")
                          % {"limit": MAX_ANSWERS})
    if not cleaned:
        raise ReviewError(_("Record at least one question and its answer."))
    return cleaned


def onsite_interview_capture(*, member: TeamMember, item: StandardItem,
                             client_uuid: uuid.UUID, interviewee_name: str,
                             interviewee_role: str, answers: Iterable[dict[str, str]],
                             signature: bytes, interviewed_at: dt.datetime,
                             captured_at: dt.datetime, text: str = "",
                             now: dt.datetime | None = None) -> tuple[OnsiteRecord, bool]:
    """An interview on site about `item`: the interviewee's name and role, the questions and
    answers, their signature drawn on the screen (a bounded PNG, kept privately in the
    evidence storage) and the time of the interview."""
    now = now or timezone.now()
    _capture_check(member=member, item=item)
    name, role = interviewee_name.strip()[:100], interviewee_role.strip()[:100]
    if not name or not role:
        raise ReviewError(_("Give the interviewee's name and role."))
    cleaned = _answers_clean(answers)
    if not signature:
        raise ReviewError(_("The interviewee signs on the screen before the interview is "
                            "saved."))
    found = _existing(client_uuid, member)
    if found is not None:
        return found, False
    png = signature_check(signature)
    when = _time_check(interviewed_at, now=now, what=_("time of the interview"))

    def make() -> OnsiteRecord:
        record = _base(member=member, item=item, kind=OnsiteKind.INTERVIEW,
                       client_uuid=client_uuid, captured_at=captured_at, now=now, text=text)
        record.interviewee_name, record.interviewee_role = name, role
        record.answers, record.interviewed_at = cleaned, when
        record.signature_sha256 = hashlib.sha256(png).hexdigest()
        record.signature.save("signature.png", ContentFile(png), save=False)
        record.save()
        return record

    return _store(member=member, client_uuid=client_uuid, make=make)
