"""Staff find their tools: the account menu lists exactly the tools their roles open, and after
signing in they land on them instead of the trainee's empty dashboard."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-123"
TRAINING, EXAMS, CREDENTIALS = "/training/staff/", "/exams/manage/", "/credentials/staff/"
APPLICATIONS, CENTRE_CERTIFICATES = "/reviews/staff/projects/", "/reviews/staff/certificates/"
DECISIONS, FEES, BENCHMARK = "/reviews/staff/decisions/", "/reviews/staff/fees/", "/reviews/benchmark/"
SPOT_CHECKS = "/reviews/staff/spotchecks/"
WAGTAIL, DJANGO_ADMIN = "/cms-admin/", "/django-admin/"
ALL_TOOLS = [TRAINING, EXAMS, CREDENTIALS, APPLICATIONS, CENTRE_CERTIFICATES, FEES, DECISIONS,
             SPOT_CHECKS, BENCHMARK, WAGTAIL, DJANGO_ADMIN]

# role(s) -> the tools offered, in menu order. `is_staff` as the demo staff have it: it must not
# be what decides (it let course admins into a Wagtail login that refused them).
CASES = [
    (["course_admin"], {}, [TRAINING]),
    (["exam_admin"], {}, [EXAMS]),
    (["certification_admin"], {}, [CREDENTIALS, APPLICATIONS, CENTRE_CERTIFICATES, FEES,
                                   BENCHMARK]),
    (["content_editor"], {}, [WAGTAIL]),
    (["expert_committee"], {}, [DECISIONS, SPOT_CHECKS, BENCHMARK]),
    (["course_admin", "exam_admin"], {}, [TRAINING, EXAMS]),
    ([], {"is_superuser": True}, ALL_TOOLS),
]


def _menu_tools(html: str) -> list[str]:
    match = re.search(r'data-testid="workspace-menu">(.*?)</ul>', html, re.S)
    if not match:
        return []
    return re.findall(r'<li><a href="([^"]+)"', match.group(1))


def _sign_in(client, user, totp_code) -> str:  # type: ignore[no-untyped-def]
    """Where allauth sends this person after the password and, for staff, the code."""
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    if response["Location"].startswith("/accounts/2fa/authenticate/"):
        response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(user)})
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize(("roles", "flags", "tools"), CASES)
def test_the_account_menu_lists_exactly_the_tools_the_roles_open(
        client, user_factory, totp_code, home_page, roles, flags, tools):
    person = user_factory(roles=roles, is_staff=True, **flags)
    _sign_in(client, person, totp_code)
    page = client.get("/me/").content.decode()
    assert _menu_tools(page) == tools
    for url in ALL_TOOLS:
        # The Django admin's index opens for any `is_staff` account (showing what its model
        # permissions allow): it is offered to superusers only, but not closed to the others.
        if url == DJANGO_ADMIN and url not in tools:
            continue
        opens = client.get(url).status_code == 200
        assert opens == (url in tools), url


@pytest.mark.parametrize(("roles", "flags", "tools"), CASES)
def test_staff_land_on_their_tool_or_their_workspace_after_signing_in(
        client, user_factory, totp_code, home_page, roles, flags, tools):
    person = user_factory(roles=roles, is_staff=True, **flags)
    landing = _sign_in(client, person, totp_code)
    expected = {0: "/me/", 1: tools[0] if tools else ""}.get(len(tools), "/me/workspace/")
    assert landing == expected
    if len(tools) > 1:
        page = client.get(landing).content.decode()
        for url in tools:
            assert f'href="{url}"' in page


def test_a_trainee_sees_no_workspace_and_lands_on_the_dashboard(client, user_factory,
                                                                totp_code):
    trainee = user_factory(roles=["trainee"])
    assert _sign_in(client, trainee, totp_code) == "/me/"
    page = client.get("/me/").content.decode()
    assert 'data-testid="workspace-menu"' not in page
    assert "工作台" not in page
    assert client.get("/me/workspace/").status_code == 200  # an empty list, not an error


def test_a_next_url_still_wins_over_the_workspace(client, user_factory, totp_code):
    admin = user_factory(roles=["exam_admin"])
    response = client.post("/accounts/login/?next=/exams/", {"login": admin.email,
                                                             "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(admin)})
    assert response["Location"] == "/exams/"
