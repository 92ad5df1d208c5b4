"""The applicant's API under /api/v1/reviews/: organisations, members, the application, its fee
(both providers) and status; the certification admins accept or return. Same rules and
permissions as the pages."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from lms.models import Payment
from reviews import services
from reviews.models import OrganisationMember, ProjectState, ReviewProject
from tests.lms.conftest import stripe_api  # noqa: F401 (fixture)

from .conftest import make_coordinator

pytestmark = pytest.mark.django_db

API = "/api/v1/reviews"
FAPIAO = {"company_name": "示例客服中心有限公司", "taxpayer_id": "91350100M000100Y43",
          "address": "北京市示例路1号", "bank": "示例银行 6222000000000000"}


def _call(client, method, path, body=None):  # type: ignore[no-untyped-def]
    return client.generic(method, f"{API}{path}", data=json.dumps(body or {}),
                          content_type="application/json")


def test_register_fill_in_add_a_colleague_and_apply(client, user_factory, standard_version):
    user = user_factory()
    colleague = user_factory(email="colleague@example.com")
    make_coordinator(email="coach@example.com", number="CCSO-C-2025-000009")
    client.force_login(user)
    created = _call(client, "POST", "/organisations",
                    {"name": "接口客服中心", "credit_code": "91350100M000100Y43"})
    assert created.status_code == 201 and created.json()["my_role"] == "admin"
    org_id = created.json()["id"]
    profile = _call(client, "PUT", f"/organisations/{org_id}/profile",
                    {"industry": "telecom", "centre_type": "outsourced", "seats": 900,
                     "channels": ["voice", "email"]})
    assert profile.status_code == 200
    assert profile.json()["profile"]["channels"] == ["voice", "email"]
    bad = _call(client, "PUT", f"/organisations/{org_id}/profile",
                {"industry": "mining", "centre_type": "outsourced", "seats": 9, "channels": []})
    assert bad.status_code == 400
    site = _call(client, "POST", f"/organisations/{org_id}/sites",
                 {"name": "上海中心", "address": "上海市示例路2号", "seats": 900})
    assert site.status_code == 201
    nobody = _call(client, "POST", f"/organisations/{org_id}/members",
                   {"email": "nobody@example.com"})
    assert nobody.status_code == 400 and nobody.json()["code"] == "no_account"
    added = _call(client, "POST", f"/organisations/{org_id}/members",
                  {"email": "colleague@example.com"})
    assert added.status_code == 201 and added.json()["role"] == "member"

    # The colleague prepares the application.
    client.force_login(colleague)
    refused = _call(client, "POST", f"/organisations/{org_id}/applications",
                    {"standard_version_id": standard_version.pk, "coordinators": ["x@y.z"]})
    assert refused.status_code == 400 and "x@y.z" in refused.json()["detail"]
    application = _call(client, "POST", f"/organisations/{org_id}/applications",
                        {"standard_version_id": standard_version.pk})
    assert application.status_code == 201
    body = application.json()
    assert body["state"] == "draft" and len(body["missing"]) == 2
    project_id = body["id"]
    updated = _call(client, "PUT", f"/applications/{project_id}", {
        "standard_version_id": standard_version.pk, "site_ids": [site.json()["id"]],
        "coordinators": ["CCSO-C-2025-000009"], "declared_true": True})
    assert updated.status_code == 200
    assert updated.json()["missing"] == [] and updated.json()["scope"] == "上海中心"
    assert updated.json()["coordinators"] == ["coach@example.com"]
    unpaid = _call(client, "POST", f"/applications/{project_id}/submit")
    assert unpaid.status_code == 400 and unpaid.json()["code"] == "fee_unpaid"

    checkout = _call(client, "POST", f"/applications/{project_id}/checkout",
                     {"provider": "bank_transfer", "fapiao": FAPIAO})
    assert checkout.status_code == 200
    assert checkout.json()["instructions"]["reference"] == f"RV{project_id:06d}"
    assert checkout.json()["instructions"]["amount"] == "50000.00"
    listed = _call(client, "GET", "/applications").json()
    assert [a["id"] for a in listed] == [project_id]


def test_outsiders_get_404_and_non_admins_cannot_manage(client, user_factory, applicant, draft):
    client.force_login(user_factory())
    org_id = applicant.organisation.pk
    assert _call(client, "GET", f"/organisations/{org_id}").status_code == 404
    assert _call(client, "GET", f"/applications/{draft.pk}").status_code == 404
    assert _call(client, "POST", f"/applications/{draft.pk}/checkout",
                 {"provider": "bank_transfer", "fapiao": FAPIAO}).status_code == 404
    member = user_factory()
    OrganisationMember.objects.create(organisation=applicant.organisation, user=member)
    client.force_login(member)
    refused = _call(client, "POST", f"/organisations/{org_id}/members",
                    {"email": applicant.admin.email, "role": "admin"})
    assert refused.status_code == 400 and refused.json()["code"] == "forbidden"
    assert _call(client, "GET", f"/applications/{draft.pk}").status_code == 200


def test_stripe_checkout_through_the_api(client, applicant, draft, stripe_api):  # noqa: F811
    client.force_login(applicant.admin)
    started = _call(client, "POST", f"/applications/{draft.pk}/checkout", {"provider": "stripe"})
    assert started.status_code == 200
    payment = Payment.objects.get(purchase_key=str(draft.pk))
    assert started.json()["redirect_url"] == stripe_api.sessions[payment.provider_reference]["url"]
    stripe_api.pay(payment.provider_reference)
    synced = _call(client, "POST", f"/applications/{draft.pk}/checkout/sync")
    assert synced.json()["state"] == "submitted" and synced.json()["fee_paid"] is True


def test_staff_return_then_accept_through_the_api(client, applicant, draft, cert_admin,
                                                   monkeypatch):
    ReviewProject.objects.filter(pk=draft.pk).update(state=ProjectState.SUBMITTED)
    client.force_login(applicant.admin)
    assert _call(client, "GET", "/staff/applications").status_code == 403
    assert _call(client, "POST",
                 f"/staff/applications/{draft.pk}/accept").status_code == 403
    client.force_login(cert_admin)
    assert [a["id"] for a in _call(client, "GET", "/staff/applications").json()] == [draft.pk]
    returned = _call(client, "POST", f"/staff/applications/{draft.pk}/return",
                     {"reason": "范围不清"})
    assert returned.status_code == 200 and returned.json()["return_reason"] == "范围不清"
    assert _call(client, "POST", f"/staff/applications/{draft.pk}/accept").status_code == 400

    monkeypatch.setattr(services.applications, "fee_paid", lambda project: True)
    client.force_login(applicant.admin)
    resubmitted = _call(client, "POST", f"/applications/{draft.pk}/submit")
    assert resubmitted.status_code == 200 and resubmitted.json()["state"] == "submitted"
    client.force_login(cert_admin)
    accepted = _call(client, "POST", f"/staff/applications/{draft.pk}/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert accepted.json()["url"] == reverse("reviews:application", args=[draft.pk])


def test_an_admin_removes_a_site_and_a_colleague(client, applicant, user_factory, draft):
    colleague = user_factory()
    member = OrganisationMember.objects.create(organisation=applicant.organisation,
                                               user=colleague)
    client.force_login(applicant.admin)
    org_id = applicant.organisation.pk
    free_site = applicant.sites[1]  # the draft's scope is sites[0]
    assert _call(client, "DELETE",
                 f"/organisations/{org_id}/sites/{free_site.pk}").status_code == 204
    assert _call(client, "DELETE",
                 f"/organisations/{org_id}/members/{member.pk}").status_code == 204
    admin_member = OrganisationMember.objects.get(user=applicant.admin)
    last = _call(client, "DELETE", f"/organisations/{org_id}/members/{admin_member.pk}")
    assert last.status_code == 400 and last.json()["code"] == "last_admin"
    body = _call(client, "GET", f"/organisations/{org_id}").json()
    assert [s["name"] for s in body["sites"]] == ["北京中心"]
    assert [m["email"] for m in body["members"]] == [applicant.admin.email]
