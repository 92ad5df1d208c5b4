from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Verdict


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why you decline"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AgreementForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=100,
                                help_text=_("As in your profile: your signature."))
    no_conflict = forms.BooleanField(
        label=_("I declare that I have no conflict of interest with the applicant organisation "
                "or its group, partners or consultants, and will tell the certification admins "
                "at once if one arises."),
        required=True)


class JudgementForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Judgement"), choices=Verdict.choices,
                                widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Required for 符合 as for 不符合: what you saw."))


class DecisionForm(forms.Form):
    accepts = forms.TypedChoiceField(
        label=_("The team's recommendation"), widget=forms.RadioSelect,
        choices=[("yes", _("Accept it")), ("no", _("Do not accept it"))],
        coerce=lambda value: value == "yes")
    reason = forms.CharField(label=_("Reason"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}))
