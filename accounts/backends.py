"""Authentication backends: Django's and allauth's, loading the signed-in user together with
whether they hold a staff role.

StaffMFAMiddleware asks "is this a staff member?" on every request; answered from the user row
loaded for the session, that costs no query of its own (it was one of three per autosave). The
answer is read from the database with the user on each request, so a role granted a moment ago
counts on the very next request, as the middleware's guarantee requires.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import backends, get_user_model
from django.db.models import Exists, OuterRef

from .roles import STAFF_ROLES


def _user_with_staff_role(backend: backends.ModelBackend, user_id: Any) -> Any:
    user_model = get_user_model()
    staff_role = user_model.groups.through.objects.filter(  # type: ignore[attr-defined]
        user_id=OuterRef("pk"), group__name__in=STAFF_ROLES)
    user = (user_model._default_manager.annotate(loaded_staff_role=Exists(staff_role))
            .filter(pk=user_id).first())
    return user if user is not None and backend.user_can_authenticate(user) else None


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        return _user_with_staff_role(self, user_id)


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id: Any) -> Any:
        return _user_with_staff_role(self, user_id)
