"""Editors change the standard in Wagtail's admin: publish shows at once, moderation waits."""

from __future__ import annotations

import pytest
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.models import StandardItem, StandardModulePage

pytestmark = pytest.mark.django_db

ITEM_URL = "/standard/yd-t-2823-2015/items/5-1-2/"


def _module_form(module: StandardModulePage, **changes: str) -> dict:
    items = []
    for item in module.items.all():
        values = {
            "id": item.pk,
            "code": item.code,
            "title": item.title,
            "title_en": item.title_en,
            "requirement": item.requirement,
            "requirement_en": item.requirement_en,
            "guidance": rich_text(item.guidance),
            "guidance_en": rich_text(item.guidance_en),
            "evidence_documents": item.evidence_documents,
            "evidence_records": item.evidence_records,
        }
        if item.code == "5.1.2":
            values.update(changes)
        items.append(values)
    return nested_form_data(
        {
            "title": module.title,
            "slug": module.slug,
            "title_en": module.title_en,
            "number": module.number,
            "pass_rate": str(module.pass_rate),
            "intro": rich_text(module.intro),
            "intro_en": rich_text(module.intro_en),
            "items": inline_formset(items, initial=len(items)),
            "comments": inline_formset([]),
        }
    )


@pytest.fixture
def editor(user_factory):
    return user_factory(roles=["content_editor"], is_staff=True)


def test_an_editor_edits_an_item_and_publishes_it(client, standard_factory, editor):
    standard_factory()
    assert "组织应保持第2项要求的记录。" in client.get(ITEM_URL).content.decode()  # now cached
    module = StandardModulePage.objects.get(number=2)
    item_id = module.items.get(code="5.1.2").pk

    client.force_login(editor)
    form_page = client.get(f"/cms-admin/pages/{module.pk}/edit/")
    assert form_page.status_code == 200 and 'value="5.1.2"' in form_page.content.decode()
    data = _module_form(module, requirement="编辑修订后的要求。") | {"action-publish": "publish"}
    response = client.post(f"/cms-admin/pages/{module.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    client.logout()

    assert StandardItem.objects.get(pk=item_id).requirement == "编辑修订后的要求。"  # same row
    assert "编辑修订后的要求。" in client.get(ITEM_URL).content.decode()
    module_page = client.get("/standard/yd-t-2823-2015/module-2/").content.decode()
    assert "编辑修订后的要求。" in module_page


def test_submitting_for_moderation_keeps_the_live_text_until_approved(
    client, standard_factory, editor
):
    standard_factory()
    module = StandardModulePage.objects.get(number=2)
    client.force_login(editor)
    data = _module_form(module, requirement="待审核的要求。") | {"action-submit": "submit"}
    assert client.post(f"/cms-admin/pages/{module.pk}/edit/", data).status_code == 302
    client.logout()

    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(module.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert "待审核的要求。" not in client.get(ITEM_URL).content.decode()


def test_people_without_the_editor_role_cannot_edit_the_standard(
    client, standard_factory, user_factory
):
    standard_factory()
    module = StandardModulePage.objects.get(number=2)
    client.force_login(user_factory(roles=["trainee"]))
    response = client.get(f"/cms-admin/pages/{module.pk}/edit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")  # the admin signs in through allauth

    client.force_login(user_factory(roles=["course_admin"], is_staff=True))
    response = client.get(f"/cms-admin/pages/{module.pk}/edit/")
    assert response.status_code == 302  # Wagtail: "permission denied", back to the dashboard
    assert not response["Location"].startswith(f"/cms-admin/pages/{module.pk}/")


def test_a_code_used_twice_in_a_version_is_refused(client, standard_factory, editor):
    standard_factory()
    module = StandardModulePage.objects.get(number=2)
    client.force_login(editor)
    data = _module_form(module, code="4.1.1") | {"action-publish": "publish"}
    response = client.post(f"/cms-admin/pages/{module.pk}/edit/", data)
    assert response.status_code == 200
    assert "以下编号已属于本版本的其他模块：4.1.1。" in response.content.decode()
    assert not StandardItem.objects.filter(module=module, code="4.1.1").exists()


@pytest.mark.parametrize("library", ["images", "documents"])
def test_an_editor_opens_the_image_and_document_libraries(client, standard_factory, editor,
                                                          library):
    standard_factory()
    client.force_login(editor)
    response = client.get(f"/cms-admin/{library}/")
    assert response.status_code == 200
    assert client.get(f"/cms-admin/{library}/multiple/add/").status_code == 200
