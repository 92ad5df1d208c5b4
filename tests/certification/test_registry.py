"""The public registry lists only active holders who opted in; search and API."""

from __future__ import annotations

import pytest

from certification import services


@pytest.fixture
def listed(coordinator_factory, organisation_factory):
    org = organisation_factory(name="杭州云客服有限公司", region="浙江")
    person = coordinator_factory(name_zh="赵敏", name_en="ZHAO Min", organisation=org)
    credential = person.credentials.get()
    services.credential_registry_listing_set(credential=credential, holder=person, listed=True)
    return credential


def test_only_opted_in_active_holders_are_listed_and_searchable(client, listed,
                                                                coordinator_factory, cert_admin):
    unlisted = coordinator_factory(name_zh="钱多多")
    html = client.get("/credentials/registry/").content.decode()
    assert "赵敏" in html and listed.number in html and "杭州云客服有限公司" in html
    assert "钱多多" not in html and unlisted.credentials.get().number not in html

    assert "赵敏" in client.get("/credentials/registry/", {"q": "云客服"}).content.decode()
    assert "赵敏" in client.get("/credentials/registry/", {"region": "浙江"}).content.decode()
    assert "赵敏" not in client.get("/credentials/registry/", {"region": "北京"}).content.decode()
    assert "赵敏" not in client.get("/credentials/registry/",
                                   {"type": "reviewer"}).content.decode()

    services.credential_suspend(credential=listed, actor=cert_admin, reason="核查")
    assert "赵敏" not in client.get("/credentials/registry/").content.decode()


def test_holders_opt_in_and_out_from_their_page(client, coordinator_factory, user_factory):
    person = coordinator_factory(name_zh="孙悟")
    credential = person.credentials.get()
    client.force_login(person)
    client.post(f"/credentials/{credential.pk}/registry/", {"listed": "1"})
    assert credential.number in client.get("/credentials/registry/").content.decode()
    client.post(f"/credentials/{credential.pk}/registry/", {"listed": "0"})
    assert credential.number not in client.get("/credentials/registry/").content.decode()

    client.force_login(user_factory())
    assert client.post(f"/credentials/{credential.pk}/registry/",
                       {"listed": "1"}).status_code == 404
    credential.refresh_from_db()
    assert credential.registry_listed is False


def test_registry_and_my_credentials_api(client, listed):
    body = client.get("/api/v1/certification/registry", {"q": "赵"}).json()
    assert [(e["number"], e["holder_name_zh"], e["organisation"], e["region"]) for e in body] == [
        (listed.number, "赵敏", "杭州云客服有限公司", "浙江")]

    assert client.get("/api/v1/certification/mine").status_code == 401
    client.force_login(listed.holder)
    (mine,) = client.get("/api/v1/certification/mine").json()
    assert mine["number"] == listed.number
    assert mine["status"] == "active"
    assert mine["verification_url"].endswith(f"/{listed.token}/")
    assert client.get(mine["pdf_url"])["Content-Type"] == "application/pdf"


def test_another_person_cannot_download_my_certificate(client, listed, user_factory):
    client.force_login(user_factory())
    assert client.get(f"/credentials/{listed.pk}/certificate.pdf").status_code == 404
