"""Taxpayer id (纳税人识别号) = the 18-character unified social credit code (GB 32100-2015)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 31 characters (no I, O, Z, S, V); weights 3^i mod 31 for positions 1-17.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code_check_char(first17: str) -> str:
    total = sum(
        CREDIT_CODE_CHARS.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_is_valid(value: str) -> bool:
    if len(value) != 18 or any(char not in CREDIT_CODE_CHARS for char in value):
        return False
    return credit_code_check_char(value[:17]) == value[17]


def normalise_taxpayer_id(value: str) -> str:
    return "".join(value.split()).upper()


def validate_taxpayer_id(value: str) -> None:
    code = normalise_taxpayer_id(value)
    if len(code) != 18:
        raise ValidationError(
            _(
                "A taxpayer id is the 18-character unified social credit code; "
                "you entered %(count)s characters."
            ),
            code="length",
            params={"count": len(code)},
        )
    if any(char not in CREDIT_CODE_CHARS for char in code):
        raise ValidationError(
            _(
                "A unified social credit code uses digits and capital letters except "
                "I, O, Z, S and V."
            ),
            code="characters",
        )
    if not credit_code_is_valid(code):
        raise ValidationError(
            _(
                "This unified social credit code's check character does not match: "
                "please copy it again from the business licence."
            ),
            code="check",
        )
