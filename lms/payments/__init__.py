"""Payment providers: one interface, Stripe confined to `stripe_checkout`, bank transfer beside it.

Only `lms.services` calls providers; views ask `providers_available()` what to offer.
"""

from __future__ import annotations

from .base import CheckoutStart, CheckoutStatus, PaymentProvider, ProviderError
from .registry import provider_get, providers_available

__all__ = [
    "CheckoutStart",
    "CheckoutStatus",
    "PaymentProvider",
    "ProviderError",
    "provider_get",
    "providers_available",
]
