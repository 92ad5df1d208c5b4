"""A certified centre's certificate: certification's credential held by the organisation,
numbered from the shared counter, its PDF in Chinese, verified with its live status; the
public list of certified centres; the staff page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Organisation
from certification import services as certification
from certification.models import (
    Credential,
    CredentialNumberCounter,
    CredentialStatus,
    CredentialType,
)
from core.models import AuditEntry
from reviews import services
from reviews.errors import ReviewError
from reviews.models import MemberRole, OrganisationMember, ProjectState
from tests.certification.test_pdf import pdf_text_and_fonts

from .conftest import NOW, TODAY

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-123"


@pytest.fixture
def centre(organisation_factory) -> Organisation:
    return organisation_factory(name="示范客户联络中心", name_en="Model Contact Centre")


@pytest.fixture
def contact(user_factory, centre):
    """A member of the centre's organisation (its contact), reading English."""
    user = user_factory(organisation=centre, name_zh="刘联络", language="en")
    OrganisationMember.objects.create(organisation=centre, user=user, role=MemberRole.MEMBER)
    return user


@pytest.fixture
def certified(project_factory, centre, contact):
    return project_factory(organisation=centre, state=ProjectState.CERTIFIED)


def _issue(project, actor, **kwargs):
    return services.project_certificate_issue(project=project, actor=actor, today=TODAY, **kwargs)


def test_a_certified_project_gets_one_certificate_numbered_from_the_shared_counter(
        certified, cert_admin, contact, project_factory, organisation_factory, mailoutbox,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        credential = _issue(certified, cert_admin)
    assert credential.number == f"CCSO-CC-{TODAY.year}-000001"
    assert credential.organisation == certified.organisation and credential.holder is None
    assert credential.credential_type.slug == CredentialType.CERTIFIED_CENTRE
    assert credential.scope == "北京总部"
    assert credential.standard_title.startswith("《") and certified.standard_version.code \
        in credential.standard_title
    assert credential.issued_on == TODAY
    assert credential.expires_on == dt.date(TODAY.year + 3, 11, 23)  # 3 years, the type's
    certified.refresh_from_db()
    assert certified.state == ProjectState.CERTIFICATE_ISSUED
    assert certified.certificate == credential
    # Issued again (a double click, a retry): the same certificate, nothing more.
    assert _issue(certified, cert_admin) == credential
    assert Credential.objects.filter(organisation=certified.organisation).count() == 1
    assert AuditEntry.objects.for_object(certified).filter(
        action="reviews.certificate.issued").count() == 1
    assert AuditEntry.objects.for_object(credential).get(
        action="certification.credential.issued").actor == cert_admin
    # The organisation's contact is emailed, in their language, with the PDF and verification.
    (message,) = mailoutbox
    assert message.to == [contact.email]
    assert "Model Contact Centre" not in message.subject  # the name as registered
    assert "示范客户联络中心" in message.subject and "Certificate" in message.subject
    assert credential.verification_url() in message.body
    assert reverse("certification:pdf", args=[credential.pk]) in message.body
    assert reverse("certification:badge", args=[credential.pk]) in message.body  # its Open Badge
    # The counter is certification's: the next centre takes the next number of the type.
    other = project_factory(organisation=organisation_factory(), state=ProjectState.CERTIFIED)
    assert _issue(other, cert_admin).number == f"CCSO-CC-{TODAY.year}-000002"
    counter = CredentialNumberCounter.objects.get(
        credential_type__slug=CredentialType.CERTIFIED_CENTRE, year=TODAY.year)
    assert counter.last_value == 2


def test_validity_is_the_types_setting(certified, cert_admin):
    centre_type = certification.credential_type_get(CredentialType.CERTIFIED_CENTRE)
    centre_type.validity_years = 5
    centre_type.save()
    assert _issue(certified, cert_admin).expires_on == dt.date(TODAY.year + 5, 11, 23)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_project_issued_concurrently_gets_one_certificate(certified, cert_admin):
    import threading

    from django.db import connections

    barrier = threading.Barrier(4)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            barrier.wait()
            numbers.append(_issue(certified, cert_admin).number)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(numbers) == 4 and len(set(numbers)) == 1
    assert Credential.objects.filter(organisation=certified.organisation).count() == 1
    assert CredentialNumberCounter.objects.get(
        credential_type__slug=CredentialType.CERTIFIED_CENTRE).last_value == 1


@pytest.mark.parametrize("state", [ProjectState.CONSOLIDATED, ProjectState.NOT_CERTIFIED,
                                   ProjectState.ACCEPTED])
def test_only_a_project_decided_certified_gets_a_certificate(project_factory, cert_admin,
                                                             state):
    project = project_factory(state=state)
    with pytest.raises(ReviewError, match="决定予以认证"):
        _issue(project, cert_admin)
    assert not Credential.objects.filter(organisation=project.organisation).exists()


def test_a_credential_is_held_by_a_person_or_an_organisation_never_both(user, centre):
    from django.db import IntegrityError, transaction

    centre_type = certification.credential_type_get(CredentialType.CERTIFIED_CENTRE)
    with pytest.raises(certification.CertificationError):
        certification.credential_issue(credential_type=centre_type, source_key="x:1",
                                       holder=user, organisation=centre)
    with pytest.raises(IntegrityError), transaction.atomic():
        Credential.objects.create(credential_type=centre_type, number="X-1", source_key="x:2",
                                  issued_on=TODAY, expires_on=TODAY)


def test_the_pdf_prints_the_organisation_scope_version_and_validity_in_chinese(
        certified, cert_admin):
    credential = _issue(certified, cert_admin)
    text, fonts = pdf_text_and_fonts(certification.credential_pdf_render(credential))
    assert "认证呼叫中心证书" in text
    assert "示范客户联络中心" in text and "Model Contact Centre" in text
    assert "认证范围" in text and "北京总部" in text
    assert certified.standard_version.code in text
    assert credential.number in text
    assert f"{credential.expires_on.year}年{credential.expires_on.month}月" in text
    assert credential.verification_url() in text
    embedded_cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert embedded_cjk and all(" yes yes yes " in line for line in embedded_cjk), fonts


def test_the_contact_downloads_the_pdf_and_a_stranger_cannot(client, certified, cert_admin,
                                                             contact, user,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        credential = _issue(certified, cert_admin)
    url = reverse("certification:pdf", args=[credential.pk])
    client.force_login(user)
    assert client.get(url).status_code == 404
    client.force_login(contact)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"



def test_the_organisation_page_leads_its_people_to_the_certificates_open_badge(
        client, certified, cert_admin, contact, user):
    credential = _issue(certified, cert_admin)
    client.force_login(contact)
    page = client.get(reverse("reviews:organisation", args=[certified.organisation_id]))
    badge_url = reverse("certification:badge", args=[credential.pk])
    assert badge_url in page.content.decode() and credential.number in page.content.decode()
    badge = client.get(badge_url)
    assert badge.status_code == 200
    assert "linkedin.com/profile/add" in badge.content.decode()
    client.force_login(user)
    assert client.get(badge_url).status_code == 404

def test_verification_shows_the_organisation_and_the_live_status(
        client, certified, cert_admin, contact, mailoutbox, django_capture_on_commit_callbacks):
    credential = _issue(certified, cert_admin)
    page = client.get(credential.verification_path()).content.decode()
    assert "示范客户联络中心" in page and "北京总部" in page
    assert certified.standard_version.code in page
    assert 'data-status="active"' in page

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.project_certificate_status_set(project=certified, actor=cert_admin,
                                                action="suspend", reason="投诉调查中",
                                                reason_public=True)
    page = client.get(credential.verification_path()).content.decode()
    assert 'data-status="suspended"' in page and "投诉调查中" in page
    assert [m.to for m in mailoutbox] == [[contact.email]]
    assert "suspended" in mailoutbox[0].body.lower()

    services.project_certificate_status_set(project=certified, actor=cert_admin,
                                            action="withdraw", reason="复评不合格")
    page = client.get(reverse("certification:verify") + f"?number={credential.number}")
    assert 'data-status="revoked"' in page.content.decode()
    actions = list(AuditEntry.objects.for_object(credential).values_list("action", flat=True))
    assert "certification.credential.suspended" in actions
    assert "certification.credential.revoked" in actions
    # Withdrawn is final.
    with pytest.raises(certification.CertificationError):
        services.project_certificate_status_set(project=certified, actor=cert_admin,
                                                action="reinstate", reason="x")


def test_status_changes_need_a_reason_and_a_certificate(project_factory, certified,
                                                        cert_admin):
    with pytest.raises(ReviewError):
        services.project_certificate_status_set(project=project_factory(), actor=cert_admin,
                                                action="suspend", reason="x")
    _issue(certified, cert_admin)
    with pytest.raises(certification.CertificationError):
        services.project_certificate_status_set(project=certified, actor=cert_admin,
                                                action="suspend", reason=" ")
    with pytest.raises(ReviewError):
        services.project_certificate_status_set(project=certified, actor=cert_admin,
                                                action="delete", reason="x")


@pytest.fixture
def listed(project_factory, organisation_factory, cert_admin, certified):
    """Four certified centres: active, suspended, withdrawn, expired."""
    projects = {"active": certified}
    for key, name in (("suspended", "暂停客服中心"), ("withdrawn", "撤销客服中心"),
                      ("expired", "过期客服中心")):
        projects[key] = project_factory(organisation=organisation_factory(name=name),
                                        state=ProjectState.CERTIFIED)
    for key, project in projects.items():
        services.project_certificate_issue(
            project=project, actor=cert_admin,
            today=TODAY - dt.timedelta(days=4 * 365) if key == "expired" else TODAY)
        project.refresh_from_db()
    services.project_certificate_status_set(project=projects["suspended"], actor=cert_admin,
                                            action="suspend", reason="调查中")
    services.project_certificate_status_set(project=projects["withdrawn"], actor=cert_admin,
                                            action="withdraw", reason="不再符合")
    return projects


def test_the_public_list_shows_active_and_suspended_centres_not_withdrawn_or_expired(
        client, listed, time_machine):
    time_machine.move_to(NOW)
    page = client.get(reverse("reviews:certified")).content.decode()
    assert "示范客户联络中心" in page and "暂停客服中心" in page
    assert "撤销客服中心" not in page and "过期客服中心" not in page
    assert 'data-status="suspended"' in page and "北京总部" in page
    number = listed["active"].certificate.number
    assert f"?number={number}" in page and listed["active"].certificate.token not in page
    # Search by name.
    found = client.get(reverse("reviews:certified"), {"q": "暂停"}).content.decode()
    assert "暂停客服中心" in found and "示范客户联络中心" not in found
    assert "没有匹配" in client.get(reverse("reviews:certified"), {"q": "无此名"}).content.decode()


def test_the_public_list_pages_in_a_fixed_number_of_queries(
        client, project_factory, organisation_factory, cert_admin,
        django_assert_max_num_queries, time_machine):
    time_machine.move_to(NOW)
    for n in range(6):
        _issue(project_factory(organisation=organisation_factory(name=f"中心{n:02d}"),
                               state=ProjectState.CERTIFIED), cert_admin)
    from reviews.views import certificates

    with django_assert_max_num_queries(6):
        page = client.get(reverse("reviews:certified")).content.decode()
    assert page.count('data-testid="certified-centre"') == 6
    certificates.CERTIFIED_PAGE_SIZE = 4
    try:
        second = client.get(reverse("reviews:certified"), {"page": 2}).content.decode()
    finally:
        certificates.CERTIFIED_PAGE_SIZE = 50
    assert second.count('data-testid="certified-centre"') == 2 and "中心05" in second


def test_the_home_page_links_to_the_list(client, home_page):
    page = client.get("/").content.decode()
    assert 'href="/reviews/certified/"' in page
    assert client.get("/reviews/certified/").status_code == 200


def test_the_admin_issues_from_the_staff_page(client, certified, cert_admin, user):
    client.force_login(user)
    assert client.get(reverse("reviews:staff_certificates")).status_code == 403
    client.force_login(cert_admin)
    page = client.get(reverse("reviews:staff_certificates")).content.decode()
    assert "示范客户联络中心" in page and 'data-testid="issue-certificate"' in page
    response = client.post(reverse("reviews:staff_certificate_issue", args=[certified.pk]),
                           follow=True)
    certified.refresh_from_db()
    assert certified.certificate is not None
    page = response.content.decode()
    assert certified.certificate.number in page and "已签发" in page
    # Status changes are certification's page, which shows the organisation.
    assert reverse("certification:staff_credential", args=[certified.certificate.pk]) in page
    staff = client.get(reverse("certification:staff_credential",
                               args=[certified.certificate.pk])).content.decode()
    assert "示范客户联络中心" in staff


# --------------------------------------------------------------------------- API


def test_the_api_lists_and_verifies_certified_centres_publicly(client, listed, time_machine):
    time_machine.move_to(NOW)
    rows = client.get("/api/v1/reviews/certified").json()
    assert [r["organisation"] for r in rows] == sorted(["示范客户联络中心", "暂停客服中心"])
    active = next(r for r in rows if r["organisation"] == "示范客户联络中心")
    assert active["scope"] == "北京总部" and active["status"] == "active"
    assert active["expires_on"] == "2029-11-23"
    assert client.get("/api/v1/reviews/certified", {"q": "暂停"}).json()[0]["status"] \
        == "suspended"
    withdrawn = listed["withdrawn"].certificate
    verified = client.get(f"/api/v1/reviews/certified/{withdrawn.number}",
                          {"token": withdrawn.token}).json()
    assert verified["status"] == "revoked" and verified["organisation"] == "撤销客服中心"
    assert client.get(f"/api/v1/reviews/certified/{withdrawn.number}",
                      {"token": "wrong"}).status_code == 404


def test_the_api_verifies_only_centre_certificates(client, user):
    credential, _created = certification.credential_issue(
        holder=user, credential_type=certification.credential_type_get(
            CredentialType.COORDINATOR), source_key="test:person", issued_on=TODAY)
    assert client.get(f"/api/v1/reviews/certified/{credential.number}").status_code == 404


def test_certifications_own_api_answers_for_an_organisation_certificate(
        client, certified, cert_admin, contact):
    credential = _issue(certified, cert_admin)
    verified = client.get(f"/api/v1/certification/verify/{credential.number}").json()
    assert verified["holder_name_zh"] == "示范客户联络中心"
    assert verified["held_by_organisation"] is True and verified["scope"] == "北京总部"
    client.force_login(contact)
    assert client.get("/api/v1/certification/mine").json() == []
    client.force_login(cert_admin)
    response = client.post(f"/api/v1/certification/staff/credentials/{credential.pk}/status",
                           {"action": "suspend", "reason": "核查"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["holder_name_zh"] == "示范客户联络中心"


def test_staff_issue_and_withdraw_through_the_api_with_the_pages_permission(
        client, certified, cert_admin, user):
    issue = f"/api/v1/reviews/staff/projects/{certified.pk}/certificate"
    status = f"{issue}/status"
    client.force_login(user)
    assert client.post(issue).status_code == 403
    assert client.get("/api/v1/reviews/staff/certificates").status_code == 403
    client.force_login(cert_admin)
    first = client.post(issue).json()
    assert first["number"].startswith("CCSO-CC-")
    assert first["project_state"] == ProjectState.CERTIFICATE_ISSUED
    assert client.post(issue).json()["credential_id"] == first["credential_id"]
    listed = client.get("/api/v1/reviews/staff/certificates").json()
    assert [row["project_id"] for row in listed] == [certified.pk]
    refused = client.post(status, {"action": "withdraw", "reason": ""},
                          content_type="application/json")
    assert refused.status_code == 400
    done = client.post(status, {"action": "withdraw", "reason": "违规"},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == CredentialStatus.REVOKED
    assert client.post("/api/v1/reviews/staff/projects/999999/certificate").status_code == 404


def test_the_demo_lists_one_sample_certified_centre_that_verifies(client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=StringIO())
    (credential,) = Credential.objects.filter(organisation__isnull=False)
    assert "（示例）" in credential.organisation.name  # marked as sample
    assert credential.number in out.getvalue() and "/reviews/certified/" in out.getvalue()
    assert credential.organisation.name in client.get(reverse("reviews:certified")).content.decode()
    page = client.get(credential.verification_path()).content.decode()
    assert 'data-status="active"' in page and credential.scope in page


def test_the_expiry_reminder_goes_to_the_contact_and_asks_for_a_new_review(
        certified, cert_admin, contact, mailoutbox, django_capture_on_commit_callbacks):
    credential = _issue(certified, cert_admin)
    with django_capture_on_commit_callbacks(execute=True):
        sent = certification.credential_reminders_send(
            today=credential.expires_on - dt.timedelta(days=30))
    assert sent == 1
    (message,) = mailoutbox
    assert message.to == [contact.email]
    assert "A new review renews it" in message.body and "continuing education" not in message.body
