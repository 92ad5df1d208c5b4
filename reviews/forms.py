from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why you decline"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))
