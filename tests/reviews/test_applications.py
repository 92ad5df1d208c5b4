"""An organisation registers, fills its review profile, sites and members, and its members
prepare an application; certification admins accept it or return it with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Organisation
from core.models import AuditEntry
from reviews import services
from reviews.models import (
    MemberRole,
    OrganisationMember,
    OrganisationProfile,
    ProjectState,
    ReviewProject,
)

from .conftest import make_coordinator

pytestmark = pytest.mark.django_db

CREDIT_CODE = "91350100M000100Y43"


def test_a_signed_in_person_registers_an_organisation_and_becomes_its_admin(
        client, user_factory):
    user = user_factory()
    client.force_login(user)
    response = client.post(reverse("reviews:organisations"),
                           {"name": "新申请客服中心", "credit_code": CREDIT_CODE})
    organisation = Organisation.objects.get(name="新申请客服中心")
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:organisation", args=[organisation.pk])
    member = OrganisationMember.objects.get(organisation=organisation)
    assert (member.user, member.role) == (user, MemberRole.ADMIN)
    assert AuditEntry.objects.for_object(organisation).filter(
        action="reviews.organisation.registered").exists()
    page = client.get(reverse("reviews:organisations")).content.decode()
    assert "新申请客服中心" in page


def test_an_existing_organisation_is_never_joined_by_registering(
        client, user_factory, organisation_factory, applicant):
    orphan = organisation_factory(name="已有雇主", credit_code=CREDIT_CODE)
    user = user_factory()
    client.force_login(user)
    # Same credit code, other name: an organisation without an admin needs a certification
    # admin to attach its first admin.
    response = client.post(reverse("reviews:organisations"),
                           {"name": "别的名字", "credit_code": CREDIT_CODE.lower()})
    assert response.status_code == 400
    assert "已有雇主" in response.content.decode()
    with pytest.raises(services.ReviewError) as needs:
        services.organisation_register(user=user, name="已有雇主", credit_code="")
    assert needs.value.code == "needs_attaching"
    # One with an admin: its admin adds colleagues.
    with pytest.raises(services.ReviewError) as exists:
        services.organisation_register(user=user, name=applicant.organisation.name,
                                       credit_code="")
    assert exists.value.code == "exists"
    assert not OrganisationMember.objects.filter(user=user).exists()
    assert not OrganisationMember.objects.filter(organisation=orphan).exists()


def test_the_admin_saves_the_profile_sites_and_channels_and_errors_keep_what_was_typed(
        client, applicant):
    client.force_login(applicant.admin)
    organisation = applicant.organisation
    url = reverse("reviews:organisation_profile", args=[organisation.pk])
    response = client.post(url, {"industry": "government_hotline", "centre_type": "hosted",
                                 "seats": "420", "channels": ["voice", "social", "video"]})
    assert response.status_code == 302
    profile = OrganisationProfile.objects.get(organisation=organisation)
    assert (profile.industry, profile.centre_type, profile.seats) == (
        "government_hotline", "hosted", 420)
    assert profile.channels == ["voice", "social", "video"]
    # No channel chosen: refused, the seats typed are still in the form.
    response = client.post(url, {"industry": "banking", "centre_type": "in_house",
                                 "seats": "777"})
    assert response.status_code == 400
    assert 'value="777"' in response.content.decode()
    profile.refresh_from_db()
    assert profile.seats == 420

    response = client.post(reverse("reviews:site_add", args=[organisation.pk]),
                           {"name": "北京中心", "address": "重复", "seats": "5"})
    assert response.status_code == 400  # a site of this name exists
    assert 'value="重复"' in response.content.decode()
    client.post(reverse("reviews:site_add", args=[organisation.pk]),
                {"name": "西安中心", "address": "西安市示例路3号", "seats": "80"})
    assert organisation.review_sites.filter(name="西安中心", seats=80).exists()


def test_the_admin_adds_a_colleague_by_email_and_removes_them(
        client, applicant, user_factory, django_capture_on_commit_callbacks):
    colleague = user_factory(email="colleague@example.com", language="en")
    client.force_login(applicant.admin)
    organisation = applicant.organisation
    add = reverse("reviews:member_add", args=[organisation.pk])
    response = client.post(add, {"email": "nobody@example.com", "role": "member"})
    assert response.status_code == 400
    assert 'value="nobody@example.com"' in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(add, {"email": "Colleague@Example.com", "role": "member"})
    member = OrganisationMember.objects.get(organisation=organisation, user=colleague)
    assert member.role == MemberRole.MEMBER
    assert [m.to for m in mail.outbox] == [["colleague@example.com"]]
    assert mail.outbox[0].subject.startswith("You have been added")  # their language

    # A member works on applications but does not manage colleagues.
    client.force_login(colleague)
    assert client.get(reverse("reviews:organisation", args=[organisation.pk])).status_code == 200
    admin_member = OrganisationMember.objects.get(user=applicant.admin)
    client.post(reverse("reviews:member_remove", args=[organisation.pk, admin_member.pk]))
    assert OrganisationMember.objects.filter(pk=admin_member.pk).exists()

    client.force_login(applicant.admin)
    client.post(reverse("reviews:member_remove", args=[organisation.pk, member.pk]))
    assert not OrganisationMember.objects.filter(pk=member.pk).exists()
    # The last admin stays.
    with pytest.raises(services.ReviewError):
        services.member_remove(member=admin_member, by=applicant.admin)


def test_an_outsider_sees_nothing_of_an_organisation(client, applicant, user_factory, draft):
    client.force_login(user_factory())
    organisation = applicant.organisation
    assert client.get(reverse("reviews:organisation", args=[organisation.pk])).status_code == 404
    assert client.get(reverse("reviews:application", args=[draft.pk])).status_code == 404
    assert client.post(reverse("reviews:member_add", args=[organisation.pk]),
                       {"email": "x@example.com", "role": "admin"}).status_code == 404


def test_an_application_names_version_scope_preparers_and_is_declared_true(
        client, applicant, organisation_factory):
    coordinator = make_coordinator(email="coach@example.com", number="CCSO-C-2025-000007")
    other = make_coordinator(email="other@example.com", number="CCSO-C-2025-000008")
    lapsed = make_coordinator(email="old@example.com", number="CCSO-C-2020-000001",
                              expires_on=dt.date(2021, 1, 1))
    firm = organisation_factory(name="示例咨询公司")
    client.force_login(applicant.admin)
    url = reverse("reviews:application_new", args=[applicant.organisation.pk])
    form = {"standard_version": applicant.version.pk, "sites": [applicant.sites[1].pk],
            "coordinators": "coach@example.com\nCCSO-C-2025-000008\nold@example.com",
            "consulting_firm": "不存在的公司", "declared_true": "on"}
    response = client.post(url, form)
    page = response.content.decode()
    assert response.status_code == 400
    assert "old@example.com" in page and "不存在的公司" in page  # named in the errors, kept
    assert not ReviewProject.objects.exists()

    response = client.post(url, {**form, "coordinators": "coach@example.com\nCCSO-C-2025-000008",
                                 "consulting_firm": "示例咨询公司"})
    project = ReviewProject.objects.get()
    assert response["Location"] == reverse("reviews:application", args=[project.pk])
    assert project.state == ProjectState.DRAFT
    assert list(project.sites.all()) == [applicant.sites[1]] and project.scope == "成都中心"
    assert set(project.coordinators.all()) == {coordinator, other}
    assert project.consulting_firm == firm
    assert project.declared_true and project.declared_by == applicant.admin
    assert lapsed not in project.coordinators.all()


def test_an_application_cannot_be_paid_before_it_has_a_site_and_the_declaration(applicant):
    project = services.application_create(
        organisation=applicant.organisation, by=applicant.admin,
        data=services.ApplicationData(standard_version_id=applicant.version.pk))
    assert len(services.application_missing(project)) == 2
    with pytest.raises(services.ReviewError) as refused:
        services.fee_checkout_start(project=project, by=applicant.admin,
                                    provider="bank_transfer", fapiao={})
    assert refused.value.code == "incomplete"


def test_only_published_versions_and_own_sites_may_be_chosen(applicant, organisation_factory):
    from accounts.models import Organisation as Org
    from reviews.models import OrganisationSite

    other_site = OrganisationSite.objects.create(organisation=organisation_factory(),
                                                 name="别家", address="x", seats=1)
    applicant.version.unpublish()
    with pytest.raises(services.ReviewError) as refused:
        services.application_create(
            organisation=applicant.organisation, by=applicant.admin,
            data=services.ApplicationData(standard_version_id=applicant.version.pk,
                                          site_ids=[other_site.pk]))
    assert set(refused.value.message_dict) == {"standard_version", "sites"}
    assert Org.objects.filter(pk=applicant.organisation.pk).exists()


def _submitted(project: ReviewProject) -> ReviewProject:
    ReviewProject.objects.filter(pk=project.pk).update(state=ProjectState.SUBMITTED)
    project.refresh_from_db()
    return project


def test_a_certification_admin_returns_with_a_reason_then_accepts_the_resubmission(
        client, applicant, draft, cert_admin, user_factory, django_capture_on_commit_callbacks,
        monkeypatch):
    _submitted(draft)
    monkeypatch.setattr(services.applications, "fee_paid", lambda project: True)
    client.force_login(cert_admin)
    listing = client.get(reverse("reviews:staff_projects")).content.decode()
    assert draft.reference in listing and "北京中心" in listing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:staff_project_return", args=[draft.pk]),
                    {"reason": "请补充北京中心的座席数证明"})
    draft.refresh_from_db()
    assert draft.state == ProjectState.RETURNED
    assert [m.to for m in mail.outbox] == [[applicant.admin.email]]
    assert "请补充北京中心的座席数证明" in mail.outbox[0].body

    client.force_login(applicant.admin)
    page = client.get(reverse("reviews:application", args=[draft.pk])).content.decode()
    assert "请补充北京中心的座席数证明" in page
    client.post(reverse("reviews:application", args=[draft.pk]), {
        "standard_version": applicant.version.pk,
        "sites": [s.pk for s in applicant.sites], "declared_true": "on"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:application_resubmit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == ProjectState.SUBMITTED and draft.sites.count() == 2
    assert {tuple(m.to) for m in mail.outbox} == {(applicant.admin.email,), (cert_admin.email,)}

    # Submitted: the applicant can no longer change it.
    with pytest.raises(services.ReviewError):
        services.application_update(project=draft, by=applicant.admin,
                                    data=services.ApplicationData(standard_version_id=None))

    client.force_login(cert_admin)
    response = client.post(reverse("reviews:staff_project_accept", args=[draft.pk]))
    assert response["Location"] == reverse("reviews:staff_project_draw", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.state == ProjectState.ACCEPTED
    actions = set(AuditEntry.objects.for_object(draft).values_list("action", flat=True))
    assert {"reviews.application.returned", "reviews.application.submitted",
            "reviews.application.accepted"} <= actions


def test_only_certification_admins_accept_and_a_return_needs_a_reason(
        client, applicant, draft, cert_admin, user_factory):
    _submitted(draft)
    client.force_login(applicant.admin)
    assert client.post(reverse("reviews:staff_project_accept",
                               args=[draft.pk])).status_code == 403
    assert client.get(reverse("reviews:staff_projects")).status_code == 403
    with pytest.raises(services.ReviewError):
        services.project_return(project=draft, by=cert_admin, reason="  ")
    draft.refresh_from_db()
    assert draft.state == ProjectState.SUBMITTED
    # A draft (not paid) cannot be accepted.
    with pytest.raises(services.ReviewError):
        services.project_accept(
            project=services.application_create(
                organisation=applicant.organisation, by=applicant.admin,
                data=services.ApplicationData(standard_version_id=applicant.version.pk)),
            by=cert_admin)


def test_the_pages_fit_a_phone(client, applicant, draft):
    client.force_login(applicant.admin)
    for url in (reverse("reviews:organisations"),
                reverse("reviews:organisation", args=[applicant.organisation.pk]),
                reverse("reviews:application", args=[draft.pk])):
        page = client.get(url).content.decode()
        assert "reviews/reviews.css" in page
        assert "<table" not in page or 'class="stack-table"' in page


def test_the_applicant_finds_their_organisation_on_their_dashboard(client, applicant):
    client.force_login(applicant.admin)
    page = client.get("/me/").content.decode()
    assert reverse("reviews:organisation", args=[applicant.organisation.pk]) in page


def test_the_staff_list_reads_a_fixed_number_of_queries(
        client, applicant, cert_admin, django_assert_max_num_queries):
    for n in range(6):
        coordinator = make_coordinator(email=f"c{n}@example.com", number=f"CCSO-C-2025-10{n}")
        project = services.application_create(
            organisation=applicant.organisation, by=applicant.admin,
            data=services.ApplicationData(standard_version_id=applicant.version.pk,
                                          site_ids=[s.pk for s in applicant.sites],
                                          coordinators=[coordinator.email],
                                          declared_true=True))
        _submitted(project)
    client.force_login(cert_admin)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("reviews:staff_projects")).content.decode()
    assert page.count('data-testid="submitted-project"') == 6


def test_a_site_in_a_submitted_scope_stays(applicant, draft):
    site = applicant.sites[0]
    _submitted(draft)
    with pytest.raises(services.ReviewError) as refused:
        services.site_remove(site=site, by=applicant.admin)
    assert refused.value.code == "in_scope"
    assert draft.sites.filter(pk=site.pk).exists()
