"""Coordinators apply with a work history; admins promote (issuing a reviewer credential) or
decline, with a reason, audited and emailed; inactive coordinators can neither apply nor be
promoted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from accounts.selectors import user_has_role
from certification import services
from certification.models import Credential, ReviewerApplication
from core.models import AuditEntry

from .conftest import position, review


def _form_data(**overrides):
    data = {
        "positions-TOTAL_FORMS": "2", "positions-INITIAL_FORMS": "0",
        "positions-MIN_NUM_FORMS": "1", "positions-MAX_NUM_FORMS": "1000",
        "positions-0-organisation_name": "示例客服中心有限公司",
        "positions-0-role": "客服中心经理", "positions-0-start_date": "2018-03-01",
        "positions-0-end_date": "", "positions-0-centre_type": "in_house",
        "positions-0-seats_managed": "120", "positions-0-management_level": "3",
        "reviews-TOTAL_FORMS": "1", "reviews-INITIAL_FORMS": "0",
        "reviews-MIN_NUM_FORMS": "0", "reviews-MAX_NUM_FORMS": "1000",
        "reviews-0-title": "2024 年度内部审核", "reviews-0-organisation_name": "示例客服中心有限公司",
        "reviews-0-role": "审核员", "reviews-0-year": "2024",
        "attested": "on",
    }
    data.update(overrides)
    return data


def test_a_coordinator_applies_with_a_structured_work_history(client, coordinator_factory):
    applicant = coordinator_factory()
    client.force_login(applicant)
    assert client.get("/credentials/apply/").status_code == 200
    response = client.post("/credentials/apply/", _form_data())
    assert response.status_code == 302

    application = ReviewerApplication.objects.get(applicant=applicant)
    assert application.status == "pending" and application.attested
    (pos,) = application.positions.all()
    assert (pos.organisation.name, pos.role, pos.start_date, pos.end_date, pos.centre_type,
            pos.seats_managed, pos.management_level) == (
        "示例客服中心有限公司", "客服中心经理", dt.date(2018, 3, 1), None, "in_house", 120, 3)
    assert application.reviews.get().title == "2024 年度内部审核"


def test_the_applicant_must_confirm_it_is_true(client, coordinator_factory):
    applicant = coordinator_factory()
    client.force_login(applicant)
    data = _form_data()
    del data["attested"]
    assert client.post("/credentials/apply/", data).status_code == 200
    assert not ReviewerApplication.objects.exists()
    with pytest.raises(services.CertificationError):
        services.reviewer_application_submit(
            applicant=applicant, attested=False, reviews=[],
            positions=[position("某公司", start=dt.date(2020, 1, 1))])


def test_people_without_an_active_coordinator_credential_cannot_apply(
        client, user, coordinator_factory, cert_admin):
    client.force_login(user)
    assert client.post("/credentials/apply/", _form_data()).status_code == 302
    assert not ReviewerApplication.objects.exists()

    suspended = coordinator_factory()
    services.credential_suspend(credential=suspended.credentials.get(), actor=cert_admin,
                                reason="核查")
    with pytest.raises(services.CertificationError):
        services.reviewer_application_submit(
            applicant=suspended, attested=True, reviews=[],
            positions=[position("某公司", start=dt.date(2020, 1, 1))])


def _apply(person):
    return services.reviewer_application_submit(
        applicant=person, attested=True, reviews=[review()],
        positions=[position("某公司", start=dt.date(2015, 1, 1), level=3)])


def test_admins_promote_several_with_a_reason(client, coordinator_factory, cert_admin,
                                              django_capture_on_commit_callbacks):
    first, second = coordinator_factory(score="88.00"), coordinator_factory(score="70.00")
    applications = [_apply(first), _apply(second)]
    mail.outbox.clear()
    client.force_login(cert_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/credentials/staff/candidates/decide/", {
            "application": [a.pk for a in applications], "reason": "综合排名前两名",
            "decision": "promote"})
    assert response.status_code == 302

    for person, application in zip((first, second), applications, strict=True):
        application.refresh_from_db()
        assert application.status == "promoted"
        assert application.decided_by == cert_admin
        assert application.decision_reason == "综合排名前两名"
        credential = Credential.objects.get(holder=person, credential_type__slug="reviewer")
        assert credential.number.startswith("CCSO-R-")
        assert application.reviewer_credential == credential
        assert credential.pdf
        assert user_has_role(person, "reviewer")
        assert AuditEntry.objects.for_object(application).get(
            action="certification.application.promoted").actor == cert_admin
    assert Credential.objects.get(holder=first, credential_type__slug="reviewer").exam_score == 88
    promoted_mails = [m for m in mail.outbox if m.subject == "您已成为注册评审员"]
    assert sorted(m.to[0] for m in promoted_mails) == sorted([first.email, second.email])


def test_promotion_is_all_or_nothing_and_refuses_inactive_coordinators(
        coordinator_factory, cert_admin):
    good, lapsed = coordinator_factory(), coordinator_factory()
    applications = [_apply(good), _apply(lapsed)]
    services.credential_suspend(credential=lapsed.credentials.get(), actor=cert_admin,
                                reason="投诉核查")
    with pytest.raises(services.CertificationError, match=lapsed.name_zh):
        services.reviewer_applications_promote(
            application_ids=[a.pk for a in applications], actor=cert_admin, reason="排名靠前")
    assert not Credential.objects.filter(credential_type__slug="reviewer").exists()
    assert set(ReviewerApplication.objects.values_list("status", flat=True)) == {"pending"}


def test_admins_decline_with_a_reason_and_the_applicant_is_told(
        coordinator_factory, cert_admin, django_capture_on_commit_callbacks):
    person = coordinator_factory()
    application = _apply(person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reviewer_application_decline(application=application, actor=cert_admin,
                                              reason="评审经历不足")
    application.refresh_from_db()
    assert application.status == "declined"
    assert mail.outbox[-1].to == [person.email]
    assert "评审经历不足" in mail.outbox[-1].body
    with pytest.raises(services.CertificationError):
        services.reviewer_applications_promote(application_ids=[application.pk],
                                               actor=cert_admin, reason="改变主意")
    assert not user_has_role(person, "reviewer")


def test_only_certification_admins_can_decide(client, coordinator_factory, user_factory):
    person = coordinator_factory()
    application = _apply(person)
    for intruder in (person, user_factory(roles=["course_admin"], is_staff=True)):
        client.force_login(intruder)
        response = client.post("/credentials/staff/candidates/decide/", {
            "application": [application.pk], "reason": "自荐", "decision": "promote"})
        assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "pending"


def _decline(client, ids, reason="评审经历不足"):
    return client.post("/credentials/staff/candidates/decide/", {
        "application": ids, "reason": reason, "decision": "decline", "confirmed": "1"},
        follow=True)


def test_a_decline_that_fails_in_the_middle_declines_nobody(client, coordinator_factory,
                                                            cert_admin):
    first, middle, last = (_apply(coordinator_factory()) for _ in range(3))
    services.reviewer_application_decline(application=middle, actor=cert_admin, reason="先前")
    client.force_login(cert_admin)
    response = _decline(client, [first.pk, middle.pk, last.pk])
    assert "该申请已有决定。" in response.content.decode()
    assert "已不予通过" not in response.content.decode()
    for application in (first, last):
        application.refresh_from_db()
        assert application.status == "pending"


def test_the_decline_message_counts_the_applicants_declined(client, coordinator_factory,
                                                            cert_admin):
    first, second = (_apply(coordinator_factory()) for _ in range(2))
    client.force_login(cert_admin)
    # The same applicant ticked twice (two rows of one form) is one decline.
    response = _decline(client, [first.pk, first.pk, second.pk])
    assert "已不予通过：2 份。" in response.content.decode()
    assert set(ReviewerApplication.objects.values_list("status", flat=True)) == {"declined"}


def test_a_decision_on_garbled_application_ids_decides_nothing(client, coordinator_factory,
                                                                cert_admin):
    application = _apply(coordinator_factory())
    client.force_login(cert_admin)
    # "²" passes str.isdigit but not int(): it was a 500; 2^63 is beyond any primary key.
    response = client.post("/credentials/staff/candidates/decide/", {
        "application": ["²", str(2**63), "-1"], "reason": "评审经历不足", "decision": "decline"},
        follow=True)
    assert response.status_code == 200
    assert "请至少选择一名申请人。" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "pending"


def test_a_long_work_history_gets_as_many_rows_as_it_needs_and_keeps_what_was_typed(
        client, coordinator_factory):
    applicant = coordinator_factory()
    client.force_login(applicant)
    blank = client.get("/credentials/apply/").content.decode()
    assert blank.count('data-testid="position-') == 1 and blank.count('data-testid="review-') == 1

    typed = _form_data(**{"positions-TOTAL_FORMS": "1", "add_row": "positions"})
    grown = client.post("/credentials/apply/", typed)
    body = grown.content.decode()
    assert grown.status_code == 200 and not ReviewerApplication.objects.exists()
    assert body.count('data-testid="position-') == 2
    assert 'value="示例客服中心有限公司"' in body and 'value="2024 年度内部审核"' in body
    assert "必填" not in body and "这个字段是必填项" not in body  # adding a row is not an error

    five = _form_data(**{"positions-TOTAL_FORMS": "5"})
    for n in range(1, 5):
        five.update({f"positions-{n}-organisation_name": f"第{n}家公司",
                     f"positions-{n}-role": "主管", f"positions-{n}-start_date": f"201{n}-01-01",
                     f"positions-{n}-end_date": f"201{n}-12-31",
                     f"positions-{n}-centre_type": "outsourced",
                     f"positions-{n}-seats_managed": "40",
                     f"positions-{n}-management_level": "2"})
    assert client.post("/credentials/apply/", five).status_code == 302
    assert ReviewerApplication.objects.get(applicant=applicant).positions.count() == 5


def test_a_forged_row_count_is_refused_not_served(client, coordinator_factory):
    client.force_login(coordinator_factory())
    response = client.post("/credentials/apply/", _form_data(**{"positions-TOTAL_FORMS": "100000"}))
    assert response.status_code == 200
    assert not ReviewerApplication.objects.exists()
