"""The certificate PDF: rendered by a task, stored under one name per credential, re-rendered
when what it prints changes."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.services import task_queue, task_queue_on_commit

from ..models import Credential
from ..selectors import credential_pdf_current


def credential_pdf_queue(credential_id: int, *, force: bool = False) -> None:
    from ..tasks import credential_pdf_generate_task

    task_queue_on_commit(credential_pdf_generate_task, credential_id=credential_id, force=force)


def credential_pdf_render(credential: Credential) -> bytes:
    """The certificate as PDF bytes (A4 landscape, Noto CJK fonts, QR code to verification)."""
    from ..pdf import certificate_pdf

    return certificate_pdf(credential)


def credential_pdf_generate(*, credential_id: int, force: bool = False) -> Credential:
    """Render and store the PDF unless the stored one is current (`credential_pdf_current`:
    the names printed and the expiry still hold); always when forced. Runs in a task, never in
    a request: rendering takes WeasyPrint a good part of a second. Safe to run twice."""
    with transaction.atomic():
        credential = (
            Credential.objects.select_for_update(of=("self",))
            .select_related("holder", "organisation", "credential_type")
            .get(pk=credential_id)
        )
        if not force and credential_pdf_current(credential):
            return credential
        old_name = credential.pdf.name if credential.pdf else ""
        credential.printed_name_zh, credential.printed_name_en = credential.holder_names()
        content = credential_pdf_render(credential)
        # One name per credential, replaced in place: a render whose worker was killed before
        # the commit left its file under this same name, so the rerun overwrites it instead
        # of adding a second file beside it (the download view names the file for people).
        storage = credential.pdf.storage
        name = credential_pdf_name(credential)
        if storage.exists(name):
            storage.delete(name)
        credential.pdf.name = storage.save(name, ContentFile(content))
        credential.pdf_generated_at = timezone.now()
        credential.save(update_fields=["pdf", "pdf_generated_at", "printed_name_zh",
                                       "printed_name_en"])
        if old_name and old_name != credential.pdf.name:
            # Files stored under the earlier random names.
            transaction.on_commit(lambda: storage.delete(old_name))
    return credential


def credential_pdf_name(credential: Credential) -> str:
    return f"certificates/{credential.issued_on:%Y}/{credential.number}.pdf"


def credential_pdf_request(*, credential_id: int) -> Credential | None:
    """The credential when its stored PDF is current; otherwise the render is queued and None
    returned (a worker stores it shortly). With Celery eager (`make run`, the tests) the task
    runs inside `delay`, so the PDF is ready at once."""
    from ..tasks import credential_pdf_generate_task

    def read() -> Credential:
        return Credential.objects.select_related("holder", "organisation",
                                                 "credential_type").get(pk=credential_id)

    credential = read()
    if credential_pdf_current(credential):
        return credential
    # Queued straight away, not on commit: a request for a file writes nothing to wait for.
    task_queue(credential_pdf_generate_task, credential_id=credential_id)
    credential = read()
    return credential if credential_pdf_current(credential) else None


def credentials_regenerate_for_holder(*, user_id: int) -> int:
    """Queue new PDFs for a holder whose printed names changed; return how many."""
    user = User.objects.get(pk=user_id)
    stale = list(
        Credential.objects.filter(holder=user)
        .exclude(printed_name_zh=user.name_zh, printed_name_en=user.name_en)
        .values_list("pk", flat=True)
    )
    for pk in stale:
        credential_pdf_queue(pk)
    return len(stale)
