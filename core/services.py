"""Services every app uses: the audit log and queued email."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from .models import AuditEntry


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry to the audit log; `action` is dotted, e.g. `lms.enrolment.confirmed`."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        reason=reason,
        data=data or {},
    )


def email_send_templated(
    *,
    to: list[str],
    template_prefix: str,
    context: dict[str, Any],
    language: str | None = None,
) -> None:
    """Render `<prefix>_subject.txt`, `<prefix>_message.txt` and optional `<prefix>_message.html`
    in the recipient's language, and queue the message for Celery once the transaction commits.

    Rendering happens here, in the request, so the task only carries plain strings.
    """
    from .tasks import email_deliver

    with translation.override(language or translation.get_language() or "zh-hans"):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        body = render_to_string(f"{template_prefix}_message.txt", context)
        try:
            html_body: str | None = render_to_string(f"{template_prefix}_message.html", context)
        except TemplateDoesNotExist:
            html_body = None
    transaction.on_commit(
        lambda: email_deliver.delay(subject=subject, body=body, to=to, html_body=html_body)
    )
