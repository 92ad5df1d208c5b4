from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.i18n import language_supported
from core.text import validate_name

from .models import Organisation, User
from .names import pinyin_name_suggestion


class SignupProfileForm(forms.Form):
    """Extra fields on allauth's sign-up form: the names printed on certificates."""

    name_zh = forms.CharField(
        label=_("Name (Chinese)"), max_length=50, help_text=_("As on your ID card."),
        validators=[validate_name],
    )
    # Required, but left empty it is filled with a suggestion from the Chinese name that the
    # person confirms by submitting again (the certificate prints it; nobody should get it
    # wrong by skipping it).
    name_en = forms.CharField(
        label=_("Name (pinyin or English)"),
        max_length=100,
        required=False,
        help_text=_("Printed on the certificate beside the Chinese name, e.g. ZHANG San."),
        validators=[validate_name],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "name_en" in data and not data["name_en"].strip():
            suggestion = pinyin_name_suggestion(data.get("name_zh", ""))
            if suggestion:
                self.data = {**dict(self.data.items()), self.add_prefix("name_en"): suggestion}
                self.add_error("name_en", _(
                    "Your name as the certificate will print it: %(name)s. Correct it if "
                    "needed, then submit again.") % {"name": suggestion})
            else:
                self.add_error("name_en", _(
                    "Enter your name in Latin letters as the certificate should print it."))
        return data

    def signup(self, request: HttpRequest, user: User) -> None:
        user.name_zh = self.cleaned_data["name_zh"].strip()
        user.name_en = self.cleaned_data["name_en"].strip()
        user.language = language_supported(translation.get_language())
        user.save(update_fields=["name_zh", "name_en", "language"])


class ProfileForm(forms.ModelForm):
    organisation_name = forms.CharField(
        label=_("Employer"),
        max_length=200,
        required=False,
        help_text=_("The organisation you work for, by its registered name."),
        validators=[validate_name],
    )

    class Meta:
        model = User
        fields = ["name_zh", "name_en", "phone", "job_title", "language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name_zh"].required = True
        self.fields["language"].required = False  # an app or old form that omits it keeps it
        if self.instance.organisation_id:
            self.fields["organisation_name"].initial = self.instance.organisation.name

    def profile_fields(self) -> dict[str, object]:
        """The cleaned values as the model fields they update."""
        fields: dict[str, object] = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["language"] = fields["language"] or self.initial["language"]
        name = self.cleaned_data["organisation_name"].strip()
        fields["organisation"] = (
            Organisation.objects.get_or_create(name=name)[0] if name else None
        )
        return fields
