"""The public list of certified contact centres and a centre's verification page fit a 390 px
and a 360 px phone, with long names and scopes wrapping; the home page links to the list."""

from __future__ import annotations

import pytest

from accounts.models import Organisation
from reviews import services
from reviews.models import ProjectState, ReviewProject
from tests.browser.test_phone_layout import _overflow
from tests.reviews.conftest import standard_version_make

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_certified_list_and_a_centres_verification_fit_a_phone(page, live_server, settings,
                                                                   home_page, user_factory):
    settings.SITE_URL = live_server.url
    admin = user_factory(roles=["certification_admin"], is_staff=True)
    centre = Organisation.objects.create(
        name="示例省示例市示例区客户联络中心运营管理服务有限责任公司第一分公司",
        name_en="Sample Province Sample City Customer Contact Centre Operations Co., Ltd.")
    project = ReviewProject.objects.create(
        organisation=centre, standard_version=standard_version_make(),
        state=ProjectState.CERTIFIED,
        scope="北京市海淀区中关村南大街示例科技园区A座12层呼入中心；成都市高新区天府软件园B区远程坐席点")
    credential = services.project_certificate_issue(project=project, actor=admin)

    page.goto("/")
    page.get_by_test_id("home-certified-centres").click()
    page.wait_for_url("**/reviews/certified/")
    assert centre.name in page.get_by_test_id("certified-centres").inner_text()
    overflow = _overflow(page, "/reviews/certified/")
    overflow += _overflow(page, credential.verification_path())
    assert not overflow, "\n".join(overflow)
    assert "认证范围" in page.get_by_test_id("verification-result").inner_text()
