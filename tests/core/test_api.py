import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_served_and_lists_platform_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert "/api/v1/health" in schema["paths"]
    assert "/api/v1/me" in schema["paths"]


def test_me_requires_sign_in(client):
    assert client.get("/api/v1/me").status_code == 401


def test_me_returns_the_signed_in_person_and_roles(client, user_factory, organisation_factory):
    org = organisation_factory(name="北京示例呼叫中心")
    person = user_factory(roles=["trainee", "coordinator"], name_zh="张三", organisation=org)
    client.force_login(person)
    body = client.get("/api/v1/me").json()
    assert body["email"] == person.email
    assert body["name_zh"] == "张三"
    assert body["organisation"] == "北京示例呼叫中心"
    assert body["roles"] == ["coordinator", "trainee"]
    assert body["language"] == "zh-hans"
