from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction
from django.http import HttpRequest

from core.tasks import email_deliver

from .roles import TRAINEE


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's mail through Celery and gives every new account the trainee role."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Render in the request (allauth's context needs it), deliver from a worker.
        request = self.request
        ctx = {"request": request, "email": email}
        ctx.update(context)
        if "current_site" not in ctx:
            from django.contrib.sites.shortcuts import get_current_site

            ctx["current_site"] = get_current_site(request)
        message = self.render_mail(template_prefix, email, ctx)
        html_body = next(
            (content for content, mimetype in getattr(message, "alternatives", [])
             if mimetype == "text/html"),
            None,
        )
        subject, body, to = message.subject, message.body, list(message.to)
        transaction.on_commit(
            lambda: email_deliver.delay(subject=subject, body=body, to=to, html_body=html_body)
        )

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from .services import user_role_grant

            user_role_grant(user=user, role=TRAINEE, granted_by=None, reason="sign-up")
        return user
