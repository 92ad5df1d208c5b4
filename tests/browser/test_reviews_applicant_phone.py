"""The applicant's pages (organisations, an organisation with its forms, the application with
its fee) fit a 390 px and a 360 px phone, with long names that must wrap."""

from __future__ import annotations

import pytest

from tests.browser.test_phone_layout import _as, _overflow

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_applicants_pages_fit_a_phone(page, live_server, home_page, user_factory):
    from reviews import services
    from tests.reviews.conftest import standard_version_make

    version = standard_version_make()
    admin = user_factory(name_zh="欧阳申请", email="ouyang.applicant.quality-office@example-contact-centre.com")
    organisation = services.organisation_register(
        user=admin, name="示例省示例市示例区客户联络中心运营管理服务有限责任公司", credit_code="")
    services.profile_save(organisation=organisation, by=admin, industry="government_hotline",
                          centre_type="hosted", seats=1200,
                          channels=["voice", "online_chat", "social", "self_service"])
    site = services.site_add(organisation=organisation, by=admin,
                             name="示例市12345政务服务便民热线第一呼叫中心",
                             address="示例省示例市示例区示例大道888号示例大厦A座12层", seats=600)
    project = services.application_create(
        organisation=organisation, by=admin,
        data=services.ApplicationData(standard_version_id=version.pk, site_ids=[site.pk],
                                      declared_true=True))
    _as(page, live_server, admin)
    overflow: list[str] = []
    for path in ("/reviews/organisations/", f"/reviews/organisations/{organisation.pk}/",
                 f"/reviews/organisations/{organisation.pk}/applications/new/",
                 f"/reviews/applications/{project.pk}/", "/me/"):
        overflow += _overflow(page, path)
    assert not overflow, "\n".join(overflow)
