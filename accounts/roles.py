"""The platform's roles. Each is a Django group; the permissions a role carries are declared by
the app that owns them, in `<app>/roles.py` as ROLE_PERMISSIONS = {role slug: [permission codes]}.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

TRAINEE = "trainee"
CANDIDATE = "candidate"
COORDINATOR = "coordinator"
REVIEWER = "reviewer"
CONTENT_EDITOR = "content_editor"
COURSE_ADMIN = "course_admin"
EXAM_ADMIN = "exam_admin"
CERTIFICATION_ADMIN = "certification_admin"
EXPERT_COMMITTEE = "expert_committee"

ROLE_LABELS = {
    TRAINEE: _("Trainee"),
    CANDIDATE: _("Candidate"),
    COORDINATOR: _("Registered coordinator"),
    REVIEWER: _("Registered reviewer"),
    CONTENT_EDITOR: _("Content editor"),
    COURSE_ADMIN: _("Course admin"),
    EXAM_ADMIN: _("Exam admin"),
    CERTIFICATION_ADMIN: _("Certification admin"),
    EXPERT_COMMITTEE: _("Expert committee"),
}
STAFF_ROLES = {CONTENT_EDITOR, COURSE_ADMIN, EXAM_ADMIN, CERTIFICATION_ADMIN, EXPERT_COMMITTEE}

# Permissions owned by accounts and core.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    TRAINEE: ["accounts.change_own_profile"],
    CANDIDATE: ["accounts.change_own_profile"],
    COORDINATOR: ["accounts.change_own_profile"],
    REVIEWER: ["accounts.change_own_profile"],
    CONTENT_EDITOR: ["wagtailadmin.access_admin"],
    COURSE_ADMIN: [
        "accounts.view_user",
        "accounts.view_organisation",
        "core.view_auditentry",
    ],
    EXAM_ADMIN: ["accounts.view_user", "core.view_auditentry"],
    CERTIFICATION_ADMIN: [
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_organisation",
        "accounts.add_organisation",
        "accounts.change_organisation",
        "core.view_auditentry",
    ],
    EXPERT_COMMITTEE: ["accounts.view_user", "core.view_auditentry"],
}
