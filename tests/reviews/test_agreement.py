"""The integrity agreement: a drawn reviewer signs it (their own name, the no-conflict
declaration) before any part of the project opens to them; refusing it declines the place;
the whole team signed starts document review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from core.models import AuditEntry
from reviews import selectors, services
from reviews.models import (
    AgreementAcceptance,
    AgreementVersion,
    MemberState,
    ProjectState,
    TeamMember,
)
from reviews.services import agreement_text_digest

from .conftest import NOW
from .team import agreement_publish, project_drawn, sign, team, version_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(home_page):
    return version_make(modules=[1, 2], items=2)


@pytest.fixture
def drawn(version):
    agreement_publish()
    return project_drawn(version=version)


def test_a_reviewer_signs_with_their_name_and_the_acceptance_keeps_what_they_signed(
        drawn, mailoutbox, django_capture_on_commit_callbacks):
    member = team(drawn)[0]
    current = AgreementVersion.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        acceptance = services.agreement_accept(
            member=member, full_name=" 赵一 " if member.reviewer.name_zh == "赵一"
            else member.reviewer.name_en.lower(), no_conflict=True, ip_address="203.0.113.7",
            now=NOW)
    acceptance.refresh_from_db()
    assert acceptance.version == current and acceptance.ip_address == "203.0.113.7"
    assert acceptance.accepted_at == NOW and acceptance.no_conflict
    assert acceptance.text_sha256 == agreement_text_digest(current)
    entry = AuditEntry.objects.get(action="reviews.agreement.accepted")
    assert entry.actor == member.reviewer and entry.data["version"] == 1
    assert [m.to for m in mailoutbox] == [[member.reviewer.email]]
    assert "诚信协议" in mailoutbox[0].subject and "203.0.113.7" in mailoutbox[0].body
    drawn.refresh_from_db()
    assert drawn.state == ProjectState.TEAM_DRAWN  # the others have not signed yet


def test_the_english_name_in_any_case_and_spacing_is_the_account_name_too(drawn):
    member = team(drawn)[1]
    member.reviewer.name_en = "ZHANG San"
    member.reviewer.save()
    services.agreement_accept(member=member, full_name="zhang  san", no_conflict=True,
                              ip_address=None, now=NOW)
    assert AgreementAcceptance.objects.filter(member=member).exists()


def test_a_name_that_is_not_the_accounts_is_refused_with_a_clear_message(drawn):
    member = team(drawn)[0]
    with pytest.raises(services.ReviewError) as refused:
        services.agreement_accept(member=member, full_name="张冒名", no_conflict=True,
                                  ip_address=None, now=NOW)
    assert "与您账户中的姓名" in refused.value.messages[0]
    assert member.reviewer.name_zh in refused.value.messages[0]
    assert not AgreementAcceptance.objects.exists()


def test_without_the_no_conflict_declaration_nothing_is_signed(drawn):
    member = team(drawn)[0]
    with pytest.raises(services.ReviewError, match="利益冲突"):
        services.agreement_accept(member=member, full_name=member.reviewer.name_zh,
                                  no_conflict=False, ip_address=None, now=NOW)
    assert not AgreementAcceptance.objects.exists()


def test_the_current_version_is_the_latest_published_and_a_draft_is_not_signed(version):
    assert selectors.agreement_current(now=NOW) is None
    agreement_publish(number=1, published_at=NOW - dt.timedelta(days=60))
    second = agreement_publish(number=2, text="第二版", published_at=NOW - dt.timedelta(days=1))
    agreement_publish(number=3, text="草稿", published_at=None)
    agreement_publish(number=4, text="明天发布", published_at=NOW + dt.timedelta(days=1))
    assert selectors.agreement_current(now=NOW) == second
    member = team(project_drawn(version=version))[0]
    assert sign(member).version == second


def test_with_no_published_agreement_signing_is_refused(version):
    member = team(project_drawn(version=version))[0]
    with pytest.raises(services.ReviewError, match="尚未发布"):
        sign(member)


def test_when_the_whole_team_has_signed_document_review_starts(
        drawn, cert_admin, mailoutbox, django_capture_on_commit_callbacks):
    members = team(drawn)
    for member in members[:2]:
        sign(member)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sign(members[2])
    drawn.refresh_from_db()
    assert drawn.state == ProjectState.DOCUMENT_REVIEW
    assert AuditEntry.objects.filter(action="reviews.project.document_review",
                                     target_id=str(drawn.pk)).count() == 1
    state_mails = [m for m in mailoutbox if "文件评审" in m.subject]
    assert sorted(m.to[0] for m in state_mails) == sorted(
        [m.reviewer.email for m in members] + [cert_admin.email])


def test_a_replacement_drawn_after_a_decline_must_sign_before_review_starts(version):
    agreement_publish()
    project = project_drawn(version=version, names=("赵一", "钱二", "孙三", "李四"))
    members = team(project)
    sign(members[0])
    sign(members[1])
    services.team_member_decline(member=members[2], reason="出差", now=NOW)
    project.refresh_from_db()
    assert project.state == ProjectState.TEAM_DRAWN
    (replacement,) = [m for m in team(project) if m.pk not in {x.pk for x in members}]
    sign(replacement)
    project.refresh_from_db()
    assert project.state == ProjectState.DOCUMENT_REVIEW


def test_a_team_left_short_by_a_decline_does_not_start_review(drawn):
    members = team(drawn)
    services.team_member_decline(member=members[2], reason="出差", now=NOW)  # pool exhausted
    sign(members[0])
    sign(members[1])
    drawn.refresh_from_db()
    assert drawn.state == ProjectState.TEAM_DRAWN


def test_signing_twice_or_after_declining_is_refused(drawn):
    members = team(drawn)
    sign(members[0])
    with pytest.raises(services.ReviewError, match="已签署"):
        sign(members[0])
    services.team_member_decline(member=members[1], reason="出差", now=NOW)
    with pytest.raises(services.ReviewError):
        sign(TeamMember.objects.get(pk=members[1].pk))


# --------------------------------------------------------------------------- pages


def test_before_signing_only_the_project_page_and_the_agreement_open(client, drawn, version):
    member = team(drawn)[0]
    item = version.get_children().first().specific.items.first()
    client.force_login(member.reviewer)
    page = client.get(reverse("reviews:project", args=[drawn.pk])).content.decode()
    assert 'data-testid="sign-first"' in page and "阅读并签署协议" in page
    for url in (reverse("reviews:checklist", args=[drawn.pk]),
                reverse("reviews:checklist_module", args=[drawn.pk, 1]),
                reverse("reviews:item", args=[drawn.pk, item.pk])):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "请先签署诚信协议" in response.content.decode()
    agreement = client.get(reverse("reviews:agreement", args=[drawn.pk])).content.decode()
    assert "评审员承诺" in agreement and "第 1 版" in agreement


def test_a_reviewer_not_on_the_team_gets_404_everywhere(client, drawn, version, user):
    item = version.get_children().first().specific.items.first()
    declined = team(drawn)[1]
    services.team_member_decline(member=declined, reason="出差", now=NOW)
    for person in (user, declined.reviewer):
        client.force_login(person)
        for url in (reverse("reviews:project", args=[drawn.pk]),
                    reverse("reviews:agreement", args=[drawn.pk]),
                    reverse("reviews:checklist", args=[drawn.pk]),
                    reverse("reviews:item", args=[drawn.pk, item.pk]),
                    reverse("reviews:final", args=[drawn.pk])):
            assert client.get(url).status_code == 404, (person, url)


def test_signing_on_the_page_opens_the_checklist(client, drawn):
    member = team(drawn)[0]
    client.force_login(member.reviewer)
    url = reverse("reviews:agreement", args=[drawn.pk])
    refused = client.post(url, {"full_name": "别人", "no_conflict": "on"})
    assert refused.status_code == 200 and "与您账户中的姓名" in refused.content.decode()
    unchecked = client.post(url, {"full_name": member.reviewer.name_zh})
    assert unchecked.status_code == 200 and not AgreementAcceptance.objects.exists()
    response = client.post(url, {"full_name": member.reviewer.name_zh, "no_conflict": "on"},
                           REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 302
    assert AgreementAcceptance.objects.get(member=member).ip_address == "198.51.100.4"
    assert client.get(reverse("reviews:checklist", args=[drawn.pk])).status_code == 200


def test_refusing_the_agreement_on_its_page_declines_the_place(client, drawn):
    from .conftest import make_reviewer

    make_reviewer(reviews=2, name_zh="候补评审员")  # not in the frozen pool: no replacement
    member = team(drawn)[0]
    client.force_login(member.reviewer)
    page = client.get(reverse("reviews:agreement", args=[drawn.pk])).content.decode()
    assert reverse("reviews:decline", args=[member.pk]) in page
    client.post(reverse("reviews:decline", args=[member.pk]), {"reason": "与受评审方有亲属关系"})
    member.refresh_from_db()
    assert member.state == MemberState.DECLINED
    assert member.decline_reason == "与受评审方有亲属关系"
    assert client.get(reverse("reviews:checklist", args=[drawn.pk])).status_code == 404


def test_an_accepted_versions_text_cannot_be_changed_in_the_admin(drawn, rf, cert_admin):
    version_admin = site._registry[AgreementVersion]
    request = rf.get("/")
    request.user = cert_admin
    draft = agreement_publish(number=2, published_at=None)
    assert version_admin.get_readonly_fields(request, draft) == ()
    assert version_admin.has_delete_permission(request, draft)
    accepted = sign(team(drawn)[0]).version
    assert {"text", "text_en", "published_at"} <= set(
        version_admin.get_readonly_fields(request, accepted))
    assert not version_admin.has_delete_permission(request, accepted)
