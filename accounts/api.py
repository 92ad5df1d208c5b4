"""/api/v1/accounts/: my profile, read and changed with the web profile form's fields and
checks (the names printed on certificates, phone, job title, employer, email language)."""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Router, Schema, Status

from core.api_auth import signed_in
from core.api_errors import ErrorOut, form_error
from core.typing import AuthenticatedHttpRequest

from .forms import ProfileForm
from .models import User
from .services import user_profile_update

router = Router(tags=["accounts"], auth=signed_in)

LANGUAGES = ", ".join(f'"{code}"' for code, _name in settings.LANGUAGES)


class ProfileOut(Schema):
    email: str
    name_zh: str = Field(description="As on the ID card; printed on certificates")
    name_en: str = Field(description="Pinyin or English, printed beside the Chinese name")
    phone: str
    job_title: str
    organisation_name: str = Field(description="The employer (empty if none)")
    language: str = Field(description=f"The language of my emails: {LANGUAGES}")


class ProfileIn(Schema):
    """Fields left out keep their value."""

    name_zh: str | None = None
    name_en: str | None = None
    phone: str | None = None
    job_title: str | None = None
    organisation_name: str | None = None
    language: str | None = Field(None, description=LANGUAGES)


def _profile_out(user: User) -> ProfileOut:
    return ProfileOut(email=user.email, name_zh=user.name_zh, name_en=user.name_en,
                      phone=user.phone, job_title=user.job_title,
                      organisation_name=user.organisation.name if user.organisation else "",
                      language=user.language)


@router.get("/profile", response=ProfileOut)
def profile(request: AuthenticatedHttpRequest) -> ProfileOut:
    return _profile_out(request.user)


@router.patch("/profile", response={200: ProfileOut, 400: ErrorOut})
def profile_update(request: AuthenticatedHttpRequest, payload: ProfileIn) -> Status:
    """Change my profile: the web form's checks, and the same audit of what changed."""
    user = request.user
    current = _profile_out(user).dict()
    changes = payload.dict(exclude_none=True)
    form = ProfileForm({**current, **changes}, instance=user)
    if not form.is_valid():
        return Status(400, form_error(form))
    user = user_profile_update(user=user, changed_by=user, fields=form.profile_fields())
    return Status(200, _profile_out(user))
