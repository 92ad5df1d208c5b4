"""Forms that a page and the API share, so both accept exactly the same input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class AppealForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("What should be reviewed, and why?"),
                             widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
