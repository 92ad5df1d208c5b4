from __future__ import annotations

from .bank_transfer import BankTransferProvider
from .base import PaymentProvider
from .stripe_checkout import StripeProvider

_PROVIDERS: dict[str, type[PaymentProvider]] = {
    StripeProvider.identifier: StripeProvider,
    BankTransferProvider.identifier: BankTransferProvider,
}


def provider_get(identifier: str) -> PaymentProvider:
    try:
        return _PROVIDERS[identifier]()
    except KeyError:
        raise LookupError(f"Unknown payment provider: {identifier}") from None


def providers_available() -> list[PaymentProvider]:
    """The providers to offer now: Stripe only when its keys are set."""
    return [provider for provider in (cls() for cls in _PROVIDERS.values())
            if provider.is_available()]
