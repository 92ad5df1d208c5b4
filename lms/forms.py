from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FapiaoRequest
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
