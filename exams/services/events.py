"""The attempt log: one event per thing that happened to an attempt."""

from __future__ import annotations

from typing import Any

from ..models import Attempt, AttemptEvent


def attempt_log(attempt: Attempt | int, kind: str, actor: Any = None, **data: Any) -> None:
    AttemptEvent.objects.create(
        attempt_id=attempt if isinstance(attempt, int) else attempt.pk,
        kind=kind,
        actor_id=getattr(actor, "pk", None) if actor is not None else None,
        data=data,
    )
