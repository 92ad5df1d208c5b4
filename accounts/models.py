from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import validate_name

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 \-]{6,19}$",
    _("Enter a phone number of digits, optionally starting with + (e.g. 13800138000)."),
)
credit_code_validator = RegexValidator(
    r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    _("A unified social credit code has 18 characters (digits and capital letters)."),
)


class Organisation(models.Model):
    """An employer or a reviewed organisation. Affiliations between organisations live in
    `certification` (conflict-of-interest rules)."""

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_name])
    name_en = models.CharField(_("English name"), max_length=200, blank=True,
                               validators=[validate_name])
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[credit_code_validator],
    )
    region = models.CharField(_("region"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="organisation_credit_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Email is the login; the names are those printed on certificates."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    name_zh = models.CharField(
        _("name (Chinese)"), max_length=50, blank=True, help_text=_("As on your ID card."),
        validators=[validate_name],
    )
    name_en = models.CharField(
        _("name (pinyin or English)"),
        max_length=100,
        blank=True,
        validators=[validate_name],
        help_text=_("Printed on the certificate beside the Chinese name, e.g. ZHANG San."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    # The language the person last chose (at sign-up, with the language switch or in the
    # profile): every email to them is written in it, whoever's action sends it.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE,
                                help_text=_("The language of the emails you receive."))

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("change_own_profile", _("Can edit their own profile"))]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_zh or self.name_en or self.get_full_name() or self.email
