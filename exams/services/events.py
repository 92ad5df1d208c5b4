"""The attempt log: one event per thing that happened to an attempt."""

from __future__ import annotations

from typing import Any

from accounts.models import User

from ..models import Attempt, AttemptEvent


def attempt_log(attempt: Attempt | int, kind: str, actor: User | None = None, **data: Any) -> None:
    AttemptEvent.objects.create(
        attempt_id=attempt if isinstance(attempt, int) else attempt.pk,
        kind=kind,
        actor_id=actor.pk if actor is not None else None,
        data=data,
    )
