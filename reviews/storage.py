"""Where review evidence is kept: STORAGES["evidence"] (config.settings.env), which no URL
reaches; views stream what a person may see after checking who asks."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class _EvidenceStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = storages["evidence"]


_evidence_storage = _EvidenceStorage()


def evidence_storage() -> Storage:
    """The FileFields' storage: resolved at first use, and again after STORAGES changes (as
    Django's default_storage is), so a test can move evidence to the object store."""
    return _evidence_storage  # type: ignore[return-value]


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("STORAGES", "EVIDENCE_ROOT"):
        _evidence_storage._wrapped = empty  # type: ignore[assignment]  # LazyObject's reset
