"""The review's API at /api/v1/reviews/: one router per topic, mounted here."""

from __future__ import annotations

from ninja import Router

from . import judgement

router = Router(tags=["reviews"])
router.add_router("", judgement.router)
