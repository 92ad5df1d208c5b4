"""Irreversible certification decisions look destructive and ask first, stating what follows:
revoking a credential (its menu offers only the changes open to it, with no default) and
declining reviewer applicants; recent decisions read newest first."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from certification import services
from certification.models import STATUS_ACTIONS_FROM, CredentialStatus, ReviewerApplication

from .conftest import position, review


def _action_options(page: str) -> list[str]:
    """The status menu's choices; only the empty "choose" prompt may come selected."""
    select = re.search(r'<select name="action"[^>]*>(.*?)</select>', page, re.S)
    assert select, page
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', select.group(1))
    assert all(not value for value, attrs in options if "selected" in attrs), options
    return [value for value, _attrs in options]


def test_the_status_menu_offers_only_the_changes_open_to_the_credential(
    client, user, pass_credential, cert_admin
):
    credential = pass_credential(user)
    url = f"/credentials/staff/{credential.pk}/"
    client.force_login(cert_admin)
    # Active: suspend or revoke; nothing chosen in advance.
    assert _action_options(client.get(url).content.decode()) == [
        "", "suspend", "revoke"]
    # Submitting the menu as it comes changes nothing.
    client.post(url, {"action": "", "reason": "误点"})
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.ACTIVE

    services.credential_suspend(credential=credential, actor=cert_admin, reason="投诉核查")
    assert _action_options(client.get(url).content.decode()) == [
        "", "reinstate", "revoke"]
    # A status it already has is not on offer, and is refused if posted anyway.
    client.post(url, {"action": "suspend", "reason": "再次暂停"})
    assert client.get(url).context["credential"].status == CredentialStatus.SUSPENDED

    services.credential_revoke(credential=credential, actor=cert_admin, reason="资料造假")
    page = client.get(url).content.decode()
    assert 'name="action"' not in page and 'data-testid="status-final"' in page


@pytest.mark.parametrize("status", list(CredentialStatus))
def test_the_offered_changes_are_exactly_the_ones_the_services_allow(
    user, pass_credential, cert_admin, status
):
    credential = pass_credential(user)
    for action in ("suspend", "reinstate", "revoke"):
        type(credential).objects.filter(pk=credential.pk).update(status=status)
        credential.refresh_from_db()
        change = getattr(services, f"credential_{action}")
        try:
            change(credential=credential, actor=cert_admin, reason="核对")
        except services.CertificationError:
            allowed = False
        else:
            allowed = True
        assert allowed == (action in STATUS_ACTIONS_FROM[status]), (status, action)


def test_revoking_asks_first_and_states_that_it_is_final(
    client, user, pass_credential, cert_admin
):
    credential = pass_credential(user)
    client.force_login(cert_admin)
    page = client.post(f"/credentials/staff/{credential.pk}/",
                       {"action": "revoke", "reason": "冒名顶替"}).content.decode()
    assert "撤销是最终决定" in page and "冒名顶替" in page and credential.number in page
    assert 'class="button-danger"' in page and 'name="confirmed" value="1"' in page
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.ACTIVE


def _apply(person):  # type: ignore[no-untyped-def]
    return services.reviewer_application_submit(
        applicant=person, attested=True, reviews=[review()],
        positions=[position("某公司", start=dt.date(2015, 1, 1), level=3)])


def test_declining_looks_destructive_asks_first_and_recent_decisions_are_newest_first(
    client, time_machine, coordinator_factory, cert_admin
):
    time_machine.move_to(dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC), tick=False)
    first, second = coordinator_factory(name_zh="赵一"), coordinator_factory(name_zh="钱二")
    older, newer = _apply(first), _apply(second)
    client.force_login(cert_admin)
    listing = client.get("/credentials/staff/candidates/").content.decode()
    decline = re.search(r'<button[^>]*value="decline"[^>]*>', listing).group(0)
    promote = re.search(r'<button[^>]*value="promote"[^>]*>', listing).group(0)
    assert "button-danger" in decline and "button-danger" not in promote

    for application in (older, newer):
        asked = client.post("/credentials/staff/candidates/decide/", {
            "application": [application.pk], "reason": "评审经历不足", "decision": "decline"})
        page = asked.content.decode()
        assert asked.status_code == 200 and "决定无法撤销" in page and "评审经历不足" in page
        assert application.applicant.display_name in page
        application.refresh_from_db()
        assert application.status == "pending"
        client.post("/credentials/staff/candidates/decide/", {
            "application": [application.pk], "reason": "评审经历不足", "decision": "decline",
            "confirmed": "1"})
        application.refresh_from_db()
        assert application.status == "declined"
        time_machine.shift(dt.timedelta(hours=1))

    page = client.get("/credentials/staff/candidates/").content.decode()
    recent = page[page.index("最近的决定"):]
    assert recent.index("钱二") < recent.index("赵一")
    assert list(ReviewerApplication.objects.values_list("status", flat=True)) == [
        "declined", "declined"]
