"""Every page of the project's apps declares who may open it: the public, anyone signed in
(objects are then checked as their own), or staff with a permission. A new view that is not
classified here fails the first test, so the decision is always made explicitly."""

from __future__ import annotations

import importlib
import json
import re

import pytest
from django.urls import URLPattern, reverse

pytestmark = pytest.mark.django_db

PUBLIC = {
    "cms:item",
    "lms:cohort_list", "lms:cohort_detail", "lms:cohort_calendar",
    "lms:stripe_webhook",  # authenticated by Stripe's signature instead
    "certification:verify", "certification:verify_token", "certification:registry",
    # Open Badges: the badge upload, the status lists and achievements verifiers fetch
    "certification:verify_badge", "certification:status_list", "certification:achievement",
    "reviews:certified",
    # the on-site capture page's service worker: static script, no data (it must be fetchable
    # to be installed; the page and the records it sends are signed-in)
    "reviews:onsite_worker",
}
SIGNED_IN = {
    "accounts:dashboard", "accounts:profile",
    "accounts:workspace",  # lists only the tools the person has: none for a trainee
    "lms:cohort_enrol", "lms:enrolment_list", "lms:enrolment_detail", "lms:enrolment_pay_stripe",
    "lms:enrolment_pay_bank", "lms:enrolment_paid", "lms:enrolment_cancel",
    "lms:enrolment_notice_pdf",
    "lms:course_material", "lms:lesson_detail",
    "exams:index", "exams:start", "exams:attempt", "exams:submit", "exams:result", "exams:appeal",
    "certification:mine", "certification:apply", "certification:pdf",
    "certification:registry_listing", "certification:education_add",
    "certification:education_evidence", "certification:renew",
    # the holder's badge (or the certified organisation's people's): 404 for anyone else
    "certification:badge", "certification:openbadge_json", "certification:badge_png",
    "reviews:mine", "reviews:decline",  # only the reviewer's own memberships
    # only the organisations the person is a member of (an admin for the changes)
    "reviews:organisations", "reviews:organisation", "reviews:organisation_profile",
    "reviews:site_add", "reviews:site_remove", "reviews:member_add", "reviews:member_remove",
    "reviews:application_new", "reviews:application", "reviews:application_pay_stripe",
    "reviews:application_pay_bank", "reviews:application_paid", "reviews:application_resubmit",
    # The applicant's own evidence, or the team's and committee's (reviews.selectors): 404 else.
    "reviews:evidence", "reviews:evidence_upload", "reviews:evidence_request",
    "reviews:evidence_version_add", "reviews:evidence_original", "reviews:evidence_viewer",
    "reviews:evidence_page",
    # KPI data: the applicant's members, the signed team and the committee
    # (reviews.selectors.kpi_access); 404 for anyone else
    "reviews:kpi", "reviews:kpi_edit", "reviews:kpi_template", "reviews:kpi_upload",
    "reviews:kpi_source_upload", "reviews:kpi_source_template",
    # a project's pages: its drawn members only (404 for anyone else), the agreement first
    "reviews:project", "reviews:agreement", "reviews:checklist", "reviews:checklist_module",
    "reviews:item", "reviews:final", "reviews:final_module", "reviews:final_item",
    "reviews:consolidate", "reviews:onsite_start",
    # one's own fee statement; an organisation's own benchmark position (its members, 404 else)
    "reviews:my_fees", "reviews:my_fees_export",
    "reviews:organisation_benchmark", "reviews:organisation_benchmark_consent",
    # a reviewer's own record and sanctions (reviews.selectors.record_open_to): 404 else
    "reviews:my_record", "reviews:sanction_appeal",
    # on-site records: the signed team captures, the committee reads
    # (reviews.selectors.onsite_access); 404 for anyone else
    "reviews:onsite_capture", "reviews:onsite_signature",
}
STAFF = {
    "lms:staff_dashboard", "lms:staff_payments", "lms:staff_bank_confirm", "lms:staff_refund_done",
    "lms:staff_roster", "lms:staff_cohort_cancel", "lms:staff_attendance", "lms:staff_complete",
    "lms:staff_enrolment_cancel",
    "exams:manage", "exams:import", "exams:import_job", "exams:export", "exams:void",
    "exams:questions", "exams:question",
    "exams:appeals",
    "exams:statistics", "exams:accommodation", "exams:items_coverage", "exams:item_trace",
    "certification:staff_credentials", "certification:staff_credential",
    "certification:staff_candidates", "certification:staff_candidates_decide",
    "certification:staff_candidates_export", "certification:staff_weights",
    "certification:staff_education", "certification:staff_education_review",
    "reviews:staff_project_draw", "reviews:draw_verify", "reviews:staff_vacancy_fill",
    "reviews:staff_projects", "reviews:staff_project_accept", "reviews:staff_project_return",
    "reviews:staff_certificates", "reviews:staff_certificate_issue",
    "reviews:staff_evidence_views",
    "reviews:staff_decisions", "reviews:staff_decision",
    "reviews:staff_fees", "reviews:staff_fees_export", "reviews:staff_fee_member",
    "reviews:benchmark", "reviews:benchmark_export",
    "reviews:staff_spotchecks", "reviews:staff_spotcheck", "reviews:staff_spotcheck_verify",
    "reviews:staff_spotcheck_review", "reviews:staff_spotcheck_item", "reviews:staff_reviewers",
    "reviews:staff_reviewer", "reviews:staff_sanction", "reviews:staff_appeal_resolve",
}
# The standard's dotted item code; everything else takes an id or a slug-like string.
SAMPLE_ARGUMENTS = {"cms:item": {"version_slug": "yd-t-2823-2015", "code": "4.2.3"}}


def _project_urls() -> dict[str, str]:
    """Every named URL of the project's apps, reversed with sample arguments."""
    urls = {}
    for app in ("accounts", "cms", "lms", "exams", "certification", "reviews"):
        module = importlib.import_module(f"{app}.urls")
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern), pattern
            name = f"{module.app_name}:{pattern.name}"
            converters = getattr(pattern.pattern, "converters", {})
            kwargs = SAMPLE_ARGUMENTS.get(name) or {
                key: 1 if type(converters.get(key)).__name__ == "IntConverter" else "sample"
                for key in pattern.pattern.regex.groupindex
            }
            urls[name] = reverse(name, kwargs=kwargs)
    return urls


URLS = _project_urls()


def test_every_view_is_classified():
    assert set(URLS) == PUBLIC | SIGNED_IN | STAFF
    assert not (PUBLIC & SIGNED_IN or PUBLIC & STAFF or SIGNED_IN & STAFF)


@pytest.mark.parametrize("name", sorted(SIGNED_IN | STAFF))
def test_signed_out_visitors_are_sent_to_sign_in(client, name):
    for method in (client.get, client.post):
        response = method(URLS[name])
        assert (response.status_code == 302 and response.url.startswith("/accounts/login/")) \
            or response.status_code == 403, (name, method.__name__, response.status_code)


@pytest.mark.parametrize("name", sorted(STAFF))
def test_staff_pages_refuse_a_signed_in_trainee(client, user, name):
    client.force_login(user)
    for method in (client.get, client.post):
        response = method(URLS[name])
        assert response.status_code == 403, (name, method.__name__, response.status_code)


PUBLIC_API = {
    "GET /api/v1/health", "GET /api/v1/health/live", "GET /api/v1/health/ready",
    "GET /api/v1/cms/standards", "GET /api/v1/cms/standards/{version}",
    "GET /api/v1/cms/standards/{version}/modules/{number}",
    "GET /api/v1/cms/standards/{version}/items/{code}", "GET /api/v1/cms/standards/{version}/pdf",
    "GET /api/v1/lms/cohorts", "GET /api/v1/lms/cohorts/{code}",
    "GET /api/v1/certification/verify/{number}", "GET /api/v1/certification/registry",
    "POST /api/v1/certification/openbadge/verify",
    "GET /api/v1/reviews/certified", "GET /api/v1/reviews/certified/{number}",
}

# Signed-in operations that are staff tools (their paths have /staff/), each with a body that
# fits its schema: each checks the permission its staff page checks.
STAFF_API = {
    "POST /api/v1/lms/staff/enrolments/{reference}/attendance": {"day": 1, "present": True},
    "POST /api/v1/certification/staff/credentials/{credential_id}/status": {
        "action": "suspend", "reason": "check"},
    "GET /api/v1/lms/staff/payments": {},
    "POST /api/v1/lms/staff/payments/{payment_id}/confirm": {
        "amount_received": "1.00", "received_on": "2026-12-01"},
    "GET /api/v1/reviews/staff/projects/{project_id}/draw": {},
    "POST /api/v1/reviews/staff/projects/{project_id}/draw": {},
    "GET /api/v1/reviews/staff/draws/{draw_id}/verify": {},
    "POST /api/v1/reviews/staff/team/{member_id}/fill": {},
    "GET /api/v1/reviews/staff/applications": {},
    "POST /api/v1/reviews/staff/applications/{project_id}/accept": {},
    "POST /api/v1/reviews/staff/applications/{project_id}/return": {"reason": "check"},
    "GET /api/v1/reviews/staff/certificates": {},
    "POST /api/v1/reviews/staff/projects/{project_id}/certificate": {},
    "POST /api/v1/reviews/staff/projects/{project_id}/certificate/status": {
        "action": "suspend", "reason": "check"},
    "GET /api/v1/reviews/staff/projects/{project_id}/evidence-views": {},
    "GET /api/v1/reviews/staff/decisions": {},
    "GET /api/v1/reviews/staff/projects/{project_id}/decision": {},
    "POST /api/v1/reviews/staff/projects/{project_id}/decision": {
        "accepts": True, "reason": "check"},
    "GET /api/v1/reviews/staff/fees": {},
    "PUT /api/v1/reviews/staff/fees/members/{member_id}": {
        "work_ended_on": "2026-05-20", "document_days": "1", "onsite_days": "0"},
    "GET /api/v1/reviews/staff/benchmark": {},
    "GET /api/v1/reviews/staff/spotchecks": {},
    "POST /api/v1/reviews/staff/spotchecks": {},
    "GET /api/v1/reviews/staff/spotchecks/{spotcheck_id}": {},
    "GET /api/v1/reviews/staff/spotchecks/{spotcheck_id}/verify": {},
    "GET /api/v1/reviews/staff/spotchecks/{spotcheck_id}/findings": {},
    "POST /api/v1/reviews/staff/spotchecks/{spotcheck_id}/complete": {"outcome": "check"},
    "GET /api/v1/reviews/staff/spotchecks/reviews/{review_id}/sample": {},
    "PUT /api/v1/reviews/staff/spotchecks/reviews/{review_id}/items/{item_id}": {
        "verdict": "conforms", "reason": "check"},
    "GET /api/v1/reviews/staff/reviewers": {},
    "GET /api/v1/reviews/staff/reviewers/{reviewer_id}/record": {},
    "POST /api/v1/reviews/staff/reviewers/{reviewer_id}/sanctions": {
        "action": "warn", "reason": "check", "findings": [1]},
    "POST /api/v1/reviews/staff/appeals/{appeal_id}/resolve": {
        "upheld": False, "resolution": "check"},
}



def test_every_api_operation_outside_the_public_list_needs_sign_in(client):
    schema = client.get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    unauthenticated = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            security = {name for option in operation.get("security", []) for name in option}
            if not security:
                unauthenticated.add(f"{method.upper()} {path}")
            else:
                assert security == {"BrowserSessionAuth", "AppSessionTokenAuth"}, path
    assert unauthenticated == PUBLIC_API
    assert schemes["AppSessionTokenAuth"] == {"type": "apiKey", "in": "header",
                                              "name": "X-Session-Token"}


def test_every_signed_in_api_operation_answers_401_to_a_signed_out_caller(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method in operations:
            if f"{method.upper()} {path}" in PUBLIC_API:
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)
            response = client.generic(method.upper(), url, data="{}",
                                      content_type="application/json")
            assert response.status_code == 401, (method, path, response.status_code)


def test_staff_api_operations_are_the_staff_paths_and_refuse_a_trainee(client, user):
    from tests.app_token import app_headers

    schema = client.get("/api/v1/openapi.json").json()
    staff_paths = {f"{method.upper()} {path}" for path, operations in schema["paths"].items()
                   for method in operations if "/staff/" in path}
    assert staff_paths == set(STAFF_API)
    headers = app_headers(client, user)
    for operation, body in sorted(STAFF_API.items()):
        method, path = operation.split(" ", 1)
        response = client.generic(method, re.sub(r"\{[^}]+\}", "1", path),
                                  data=json.dumps(body), content_type="application/json",
                                  **headers)
        assert response.status_code == 403, (operation, response.status_code)
