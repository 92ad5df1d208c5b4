"""Demo accounts: one per role, verified, with known passwords printed for `make run`."""

from __future__ import annotations

import time
from typing import TextIO

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from .models import Organisation, User
from .roles import (
    CERTIFICATION_ADMIN,
    CONTENT_EDITOR,
    COURSE_ADMIN,
    EXAM_ADMIN,
    EXPERT_COMMITTEE,
    TRAINEE,
)
from .services import user_role_grant, user_totp_activate

DEMO_PASSWORD = "ccso-demo-2026"  # noqa: S105 - printed on purpose: demo data only
# Staff sign in with a second factor: the demo staff share this TOTP secret, printed like the
# password, so a demo needs no phone (`manage.py demo_totp_code` shows the current code).
DEMO_TOTP_SECRET = "CCSODEMOSTAFFTOTPCCSODEMOSTAFF23"  # noqa: S105 - demo data only

# email, Chinese name, pinyin, roles, is_staff, is_superuser
DEMO_USERS = [
    ("admin@demo.ccso", "系统管理员", "XITONG Guanliyuan", [], True, True),
    ("editor@demo.ccso", "王编辑", "WANG Bianji", [CONTENT_EDITOR], True, False),
    ("courses@demo.ccso", "李课程", "LI Kecheng", [COURSE_ADMIN], True, False),
    ("exams@demo.ccso", "赵考务", "ZHAO Kaowu", [EXAM_ADMIN], True, False),
    ("certs@demo.ccso", "钱认证", "QIAN Renzheng", [CERTIFICATION_ADMIN], True, False),
    ("committee@demo.ccso", "孙专家", "SUN Zhuanjia", [EXPERT_COMMITTEE], True, False),
    ("trainee@demo.ccso", "张三", "ZHANG San", [TRAINEE], False, False),
    ("trainee2@demo.ccso", "李四", "LI Si", [TRAINEE], False, False),
]


def demo_user(email: str) -> User:
    return User.objects.get(email=email)


def load(stdout: TextIO) -> None:
    employer, _ = Organisation.objects.get_or_create(
        name="示例客服中心有限公司",
        defaults={"name_en": "Sample Contact Centre Ltd.", "region": "北京"},
    )
    for email, name_zh, name_en, roles, is_staff, is_superuser in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                name_zh=name_zh,
                name_en=name_en,
                is_staff=is_staff,
                is_superuser=is_superuser,
                organisation=employer,
                job_title="客服中心经理" if not is_staff else "",
            )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        for role in roles:
            user_role_grant(user=user, role=role, granted_by=None, reason="demo data")
        if is_staff and not Authenticator.objects.filter(user=user).exists():
            user_totp_activate(user=user, secret=DEMO_TOTP_SECRET)
    stdout.write(f"accounts: demo logins (password for all: {DEMO_PASSWORD})")
    for email, name_zh, _en, roles, _staff, is_superuser in DEMO_USERS:
        label = "superuser" if is_superuser else ", ".join(roles)
        stdout.write(f"  {email:<22} {name_zh:<6} {label}")
    stdout.write(
        f"  staff also type a two-factor code: TOTP secret {DEMO_TOTP_SECRET} in an authenticator "
        "app, or `.venv/bin/python manage.py demo_totp_code`"
    )


def demo_totp_code() -> str:
    """The demo staff's current TOTP code, as an authenticator app with the secret shows it."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))
