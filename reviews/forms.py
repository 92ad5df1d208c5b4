from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cms.models import StandardItem


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why you decline"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceFileForm(forms.Form):
    """A new version of an evidence file; the service checks the content."""

    file = forms.FileField(label=_("File (PDF, PNG or JPEG)"),
                           widget=forms.ClearableFileInput(
                               attrs={"accept": "application/pdf,image/png,image/jpeg"}))


class EvidenceUploadForm(EvidenceFileForm):
    kind = forms.ChoiceField(label=_("Kind of evidence"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("What the file is; the file name by default."))

    field_order = ["kind", "title", "file"]

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = kinds


class ItemsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.title}"


class EvidenceRequestForm(forms.Form):
    items = ItemsField(label=_("Items that need more evidence"),
                       queryset=StandardItem.objects.none(), widget=forms.CheckboxSelectMultiple)
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    message = forms.CharField(label=_("What is asked for"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, items: QuerySet[StandardItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items_field = self.fields["items"]
        assert isinstance(items_field, ItemsField)
        items_field.queryset = items
