"""Permissions lms gives each role (groups are synced after every migrate)."""

from accounts.roles import COURSE_ADMIN

_MODEL_PERMS = [
    f"lms.{action}_{model}"
    for model in ("course", "cohort", "lesson")
    for action in ("view", "add", "change")
] + [
    f"lms.view_{model}"
    for model in ("enrolment", "payment", "refund", "fapiaorequest", "attendance",
                  "reconciliationissue", "webhookevent")
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    COURSE_ADMIN: [
        *_MODEL_PERMS,
        "lms.manage_enrolments",
        "lms.mark_attendance",
        "lms.view_dashboard",
    ],
}
