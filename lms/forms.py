from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cms.models import StandardItem

from .models import FapiaoRequest, Lesson
from .selectors import lesson_items_resolve
from .validators import normalise_taxpayer_id, validate_taxpayer_id


class FapiaoForm(forms.ModelForm):
    """Invoice details for a company bank transfer (对公转账)."""

    class Meta:
        model = FapiaoRequest
        fields = ["company_name", "taxpayer_id", "address", "bank", "email"]
        help_texts = {
            "taxpayer_id": _("The 18-character unified social credit code on the business "
                             "licence, e.g. 91350100M000100Y43."),
            "address": _("As registered for the special VAT fapiao; may be left as the "
                         "company's address for an ordinary fapiao."),
        }

    def clean_taxpayer_id(self) -> str:
        value = normalise_taxpayer_id(self.cleaned_data["taxpayer_id"])
        validate_taxpayer_id(value)
        return value

    def fapiao_data(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") or "" for name in self.Meta.fields}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class BankReceiptForm(forms.Form):
    """What arrived on the bank statement for one transfer."""

    amount_received = forms.DecimalField(
        label=_("Amount received (CNY)"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    received_on = forms.DateField(
        label=_("Date received"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def receipt(self) -> tuple[Decimal, datetime.date]:
        return self.cleaned_data["amount_received"], self.cleaned_data["received_on"]


class LessonForm(forms.ModelForm):
    """A lesson in the admin, its items typed as codes ("4.2.3, 4.2.4") and kept by key: a code
    the lesson already covers stays that item; a new one must be an item of the current version
    of the standard, else the form names the codes it does not know."""

    item_codes = forms.CharField(
        label=_("standard items"), required=False, max_length=500,
        help_text=_("Codes of the standard's items this lesson covers, comma-separated "
                    "(4.2.3, 4.2.4); new codes are looked up in the current version."),
    )

    class Meta:
        model = Lesson
        fields = ["course", "module", "position", "slug", "title", "title_en", "body",
                  "legacy_standard_items", "is_published"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["item_codes"].initial = ", ".join(
                item.code for item in self.instance.items.order_by("sort_order", "pk"))

    def clean_item_codes(self) -> list[StandardItem]:
        text = self.cleaned_data.get("item_codes", "").replace("，", ",")
        codes = [code.strip() for code in text.split(",") if code.strip()]
        items, unknown, version = lesson_items_resolve(
            lesson=self.instance if self.instance.pk else None, codes=codes)
        if unknown and version is None:
            raise forms.ValidationError(gettext("No version of the standard is published yet."))
        if unknown:
            raise forms.ValidationError(
                gettext("%(version)s has no item %(codes)s.")
                % {"version": version.code if version else "", "codes": ", ".join(unknown)})
        return items

    def save(self, commit: bool = True) -> Lesson:
        lesson = super().save(commit=commit)
        if commit:
            self._items_save()
        else:  # the admin saves the lesson, then calls save_m2m()
            save_m2m = self.save_m2m

            def save_all() -> None:
                save_m2m()
                self._items_save()

            setattr(self, "save_m2m", save_all)  # noqa: B010 (a method, to mypy)
        return lesson

    def _items_save(self) -> None:
        self.instance.items.set(self.cleaned_data.get("item_codes") or [])
