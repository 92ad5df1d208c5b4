"""Signing in through allauth's page as a person does, staff with their authenticator's code."""

from __future__ import annotations

import re
from typing import Any


def sign_in(page: Any, email: str, password: str, *, code: str = "",
            lands_on: str = r".*/me/$", start: str = "/accounts/login/") -> None:
    """Staff pass `code`, their authenticator app's current one, which the next page asks for."""
    page.goto(start)
    page.get_by_label("电子邮件").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="登录").click()
    if code:
        page.wait_for_url(re.compile(r".*/accounts/2fa/authenticate/$"))
        page.locator("#id_code").fill(code)
        page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(lands_on))
