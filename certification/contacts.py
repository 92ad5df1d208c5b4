"""Who speaks for an organisation that holds a certificate. Certification cannot know (the
review app keeps the applicant's people), so the app above registers a provider in its
AppConfig.ready; certification asks it whom to email about an organisation's certificate and
who may download its PDF."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from accounts.models import Organisation, User

ContactsProvider = Callable[[Organisation], Sequence[User]]

_providers: list[ContactsProvider] = []


def organisation_contacts_register(provider: ContactsProvider) -> None:
    """Add a provider of an organisation's contacts (idempotent: registering twice is once)."""
    if provider not in _providers:
        _providers.append(provider)


def organisation_contacts(organisation: Organisation) -> list[User]:
    """The contacts every registered provider names, each once, in the order given."""
    contacts: dict[int, User] = {}
    for provider in _providers:
        for user in provider(organisation):
            contacts.setdefault(user.pk, user)
    return list(contacts.values())
