"""Names printed on certificates, the registry and verification pages hold visible characters
only: a right-to-left override, a zero-width or control character, or the U+FFFD that invalid
UTF-8 decodes to is refused with one clear message on every path that sets a name."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError

from accounts.models import Organisation, User
from core.text import validate_name

pytestmark = pytest.mark.django_db

PASSWORD = "Ccso-Strong-Pass-2026"
SPOOFS = {
    "U+202E": "李\u202e雷",   # right-to-left override: reorders what is printed after it
    "U+200B": "LI\u200bLei",  # zero-width space
    "U+FFFD": "李\ufffd",     # what invalid UTF-8 became, stored silently
}
MESSAGE_ZH = "名称只能包含可见字符"


@pytest.mark.parametrize("name", ["李雷", "LI Lei", "O'Brien-Smith", "Zoë Ångström", "欧阳　娜娜",
                                  "ZHANG San (张三)"])
def test_real_names_are_accepted(name):
    validate_name(name)


@pytest.mark.parametrize(("code_point", "name"), [*SPOOFS.items(), ("U+0085", "LI\x85Lei")])
def test_the_validator_names_the_character(code_point, name):
    # (A control character such as U+0085 never reaches a form: the input-hygiene layer refuses
    # the request; the validator refuses it too, for names set outside a request.)
    with pytest.raises(ValidationError) as refused:
        validate_name(name)
    assert code_point in refused.value.messages[0]


@pytest.mark.parametrize(("code_point", "name"), SPOOFS.items())
def test_sign_up_refuses_a_spoofing_name(client, code_point, name):
    response = client.post("/accounts/signup/", {
        "email": "li.lei@example.com", "name_zh": name, "name_en": "LI Lei",
        "password1": PASSWORD, "password2": PASSWORD,
    })
    body = response.content.decode()
    assert response.status_code == 200 and MESSAGE_ZH in body and code_point in body
    assert not User.objects.filter(email="li.lei@example.com").exists()


def test_the_app_sign_up_refuses_a_spoofing_name(client):
    response = client.post("/_allauth/app/v1/auth/signup", json.dumps({
        "email": "li.lei@example.com", "name_zh": SPOOFS["U+202E"], "password": PASSWORD,
    }), content_type="application/json")
    assert response.status_code == 400
    assert "U+202E" in json.dumps(response.json(), ensure_ascii=False)
    assert not User.objects.filter(email="li.lei@example.com").exists()


def test_the_profile_refuses_spoofing_names_and_employers(client, user):
    client.force_login(user)
    for fields in ({"name_zh": "张三", "name_en": SPOOFS["U+202E"]},
                   {"name_zh": "张三", "name_en": "ZHANG San",
                    "organisation_name": "示例\u202e公司"}):
        response = client.post("/me/profile/", fields)
        assert response.status_code == 200 and MESSAGE_ZH in response.content.decode()
    user.refresh_from_db()
    assert "\u202e" not in user.name_en and user.organisation is None
    assert not Organisation.objects.exists()


def test_the_admins_forms_refuse_spoofing_names(rf, user_factory, user):
    request = rf.get("/django-admin/")
    request.user = user_factory(is_staff=True, is_superuser=True)
    for model, obj, data in ((Organisation, None, {"name": "示例\u202e公司"}),
                             (User, user, {"email": user.email, "name_zh": "李\u202e雷"})):
        model_admin = admin.site._registry[model]
        form_class = model_admin.get_form(request, obj=obj, change=obj is not None)
        form = form_class(data={**{f: "" for f in form_class.base_fields}, **data},
                          instance=obj)
        assert not form.is_valid()
        assert any("U+202E" in message for errors in form.errors.values() for message in errors)
