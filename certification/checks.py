"""System checks: production must have badge signing keys configured."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def openbadges_signing_keys_configured(app_configs: Any = None,
                                       **kwargs: Any) -> list[CheckMessage]:
    if settings.OPENBADGES_SIGNING_KEYS or settings.OPENBADGES_GENERATE_KEYS:
        return []
    return [Warning(
        "No Open Badges signing key is configured: badges and status lists cannot be signed.",
        hint="Set CCSO_OB_SIGNING_KEYS (README, 'Badge signing keys'): "
             "python -m certification.openbadges.keygen <key id> prints one.",
        id="certification.W001",
    )]
