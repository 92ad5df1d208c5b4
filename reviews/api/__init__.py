"""The review's API at /api/v1/reviews/: one router per topic, mounted here."""

from __future__ import annotations

from ninja import Router

from . import (
    applications,
    benchmark,
    certificates,
    draws,
    evidence,
    fees,
    judgement,
    kpi,
    onsite,
    spotchecks,
)

router = Router(tags=["reviews"])
router.add_router("", applications.router)
router.add_router("", certificates.router)
router.add_router("", draws.router)
router.add_router("", evidence.router)
router.add_router("", judgement.router)
router.add_router("", kpi.router)
router.add_router("", fees.router)
router.add_router("", benchmark.router)
router.add_router("", onsite.router)
router.add_router("", spotchecks.router)
