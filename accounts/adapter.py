from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.i18n import language_supported
from core.services import task_queue_on_commit
from core.tasks import email_deliver

from .roles import TRAINEE
from .selectors import (
    SECOND_FACTOR_TYPES,
    email_recipient,
    user_is_staff_member,
    workspace_tools,
)


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's mail through Celery and gives every new account the trainee role."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Anyone who knows an email address can trip the limit: the owner still has a way in.
        "too_many_login_attempts": _(
            "Too many failed login attempts. Try again later, or sign in with a code sent to "
            "your email."
        ),
    }

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Render in the request (allauth's context needs it), deliver from a worker; in the
        # recipient's language (User.language), with the platform's greeting and signature
        # (accounts/templates/account/email/base_message.txt).
        request = self.request
        ctx = {"request": request, "email": email}
        ctx.update(context)
        if "current_site" not in ctx:
            from django.contrib.sites.shortcuts import get_current_site

            ctx["current_site"] = get_current_site(request)
        recipient = email_recipient(email=email, user=ctx.get("user"))
        language = language_supported(recipient.language if recipient is not None
                                      and recipient.language else translation.get_language())
        ctx["recipient_name"] = "" if recipient is None else (
            recipient.name_en if language == "en" and recipient.name_en
            else recipient.display_name)
        ctx["site_url"] = settings.SITE_URL
        with translation.override(language):
            message = self.render_mail(template_prefix, email, ctx)
        html_body = next(
            (content for content, mimetype in getattr(message, "alternatives", [])
             if mimetype == "text/html"),
            None,
        )
        subject, body, to = message.subject, message.body, list(message.to)
        task_queue_on_commit(email_deliver, subject=subject, body=body, to=to,
                             html_body=html_body)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Staff land on their workspace (the one tool they have, else the list of tools), not
        on the trainee's dashboard; a `next` the login was given still wins (allauth)."""
        tools = workspace_tools(request.user)
        if len(tools) == 1:
            return tools[0].url
        if tools:
            return reverse("accounts:workspace")
        return super().get_login_redirect_url(request)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from .services import user_role_grant

            user_role_grant(user=user, role=TRAINEE, granted_by=None, reason="sign-up")
        return user


class MFAAdapter(DefaultMFAAdapter):
    """Staff must keep a second factor (accounts.middleware requires one)."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Staff accounts must keep two-factor authentication: it cannot be deactivated."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        user = authenticator.user
        if not user_is_staff_member(user):
            return True
        others = Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exclude(
            pk=authenticator.pk
        )
        return others.exists()
