from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import import_file_validators


class StandardImportForm(forms.Form):
    file = forms.FileField(
        label=_("Standard file"),
        help_text=_("YAML (.yaml) or Excel (.xlsx); see docs/standard-import.md."),
        validators=import_file_validators("yaml", "yml", "xlsx"),
    )
    dry_run = forms.BooleanField(
        label=_("Only report what would change"), required=False, initial=True
    )
