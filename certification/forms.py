from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.validators import evidence_file_validators, file_size_limit

from .models import CentreType, Credential, ManagementLevel, RankingWeights


class LookupForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=32,
                             widget=forms.TextInput(attrs={"placeholder": "CCSO-C-2026-000123"}))


class BadgeUploadForm(forms.Form):
    """An Open Badges credential to verify: its JSON or a baked PNG (the content decides which,
    not the name; each has its own size limit, checked again when it is read)."""

    badge = forms.FileField(
        label=_("Open Badge file (JSON or PNG)"),
        validators=[file_size_limit(settings.OPENBADGES_UPLOAD_PNG_MAX_BYTES)],
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.png,application/json,"
                                                         "application/ld+json,image/png"}),
    )


class StatusChangeForm(forms.Form):
    """Offers only the changes open to `credential` (`Credential.status_actions`), with no
    default: the admin picks one."""

    ACTIONS = [("suspend", _("Suspend")), ("reinstate", _("Reinstate")), ("revoke", _("Revoke"))]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    reason_public = forms.BooleanField(
        label=_("Show the reason on the public verification page"), required=False)

    def __init__(self, *args: Any, credential: Credential, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = credential.status_actions
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", _("— choose —"))] + [
            (value, label) for value, label in self.ACTIONS if value in allowed]


class EducationForm(forms.Form):
    title = forms.CharField(label=_("Activity"), max_length=200)
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)
    completed_on = forms.DateField(label=_("Completed on"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=pgettext_lazy("certification", "Hours"), max_digits=5,
                               decimal_places=1, min_value=0.5,
                               max_value=200)
    evidence = forms.FileField(
        label=_("Evidence"), validators=evidence_file_validators(),
        help_text=_("Certificate of attendance or a similar record: PDF, PNG or JPEG, at most "
                    "5 MB. Hours count once the certification centre approves them."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class EducationReviewForm(forms.Form):
    DECISIONS = [("approve", _("Approve")), ("reject", _("Reject"))]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    note = forms.CharField(label=_("Note (required to reject; the holder reads it)"),
                           required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PositionForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200)
    role = forms.CharField(label=_("Role"), max_length=100)
    start_date = forms.DateField(label=_("Start date"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date (empty if current)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    # Empty first choices and no initial values: an untouched extra row stays "unchanged" and
    # is skipped instead of failing validation.
    centre_type = forms.ChoiceField(label=_("Contact-centre type"),
                                    choices=[("", "---------"), *CentreType.choices])
    seats_managed = forms.IntegerField(label=_("Seats managed"), min_value=0)
    management_level = forms.TypedChoiceField(label=_("Management level"), coerce=int,
                                              empty_value=None,
                                              choices=[("", "---------"),
                                                       *ManagementLevel.choices])

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data


class ReviewForm(forms.Form):
    title = forms.CharField(label=_("Review or audit"), max_length=200)
    organisation_name = forms.CharField(label=_("Organisation reviewed"), max_length=200)
    role = forms.CharField(label=_("Your role"), max_length=100)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)


# One row to start with; "add another" asks for more (certification.views.apply), up to a
# bound that no real career reaches and that keeps a forged TOTAL_FORMS from costing the server.
HISTORY_ROWS_MAX = 30
PositionFormSet = formset_factory(PositionForm, extra=0, min_num=1, validate_min=True,
                                  max_num=HISTORY_ROWS_MAX, validate_max=True,
                                  absolute_max=HISTORY_ROWS_MAX)
ReviewFormSet = formset_factory(ReviewForm, extra=1, max_num=HISTORY_ROWS_MAX, validate_max=True,
                                absolute_max=HISTORY_ROWS_MAX)


class AttestForm(forms.Form):
    attested = forms.BooleanField(
        label=_("I confirm that this work history is true and complete."), required=True)


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RankingWeightsForm(forms.ModelForm):
    class Meta:
        model = RankingWeights
        fields = ["exam_weight", "years_weight", "management_weight", "review_weight",
                  "years_cap", "reviews_cap"]
