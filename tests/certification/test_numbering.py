"""Numbers are CCSO-<code>-<year>-<6 digits>, sequential per type and year, unique under load."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connections

from certification import services
from certification.models import Credential, CredentialRenewal


def test_numbers_are_sequential_per_type_and_year(user_factory, coordinator_type,
                                                  reviewer_type):
    people = [user_factory() for _ in range(4)]
    issued = [
        services.credential_issue(holder=people[0], credential_type=coordinator_type,
                                  source_key="t:1", issued_on=dt.date(2026, 3, 1))[0],
        services.credential_issue(holder=people[1], credential_type=coordinator_type,
                                  source_key="t:2", issued_on=dt.date(2026, 5, 1))[0],
        services.credential_issue(holder=people[2], credential_type=reviewer_type,
                                  source_key="t:3", issued_on=dt.date(2026, 5, 2))[0],
        services.credential_issue(holder=people[3], credential_type=coordinator_type,
                                  source_key="t:4", issued_on=dt.date(2027, 1, 2))[0],
    ]
    assert [c.number for c in issued] == [
        "CCSO-C-2026-000001",
        "CCSO-C-2026-000002",
        "CCSO-R-2026-000001",
        "CCSO-C-2027-000001",
    ]


def test_validity_comes_from_the_credential_type(user_factory, coordinator_type):
    coordinator_type.validity_years = 2
    coordinator_type.save()
    credential, _ = services.credential_issue(
        holder=user_factory(), credential_type=coordinator_type, source_key="t:v",
        issued_on=dt.date(2028, 2, 29))
    assert credential.expires_on == dt.date(2030, 2, 27)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuance_gives_unique_gap_free_numbers(user_factory, coordinator_type):
    people = [user_factory() for _ in range(12)]
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def issue(index: int) -> None:
        try:
            barrier.wait()
            services.credential_issue(holder=people[index], credential_type=coordinator_type,
                                      source_key=f"concurrent:{index}",
                                      issued_on=dt.date(2026, 6, 1))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(Credential.objects.values_list("number", flat=True))
    assert numbers == [f"CCSO-C-2026-{n:06d}" for n in range(1, 13)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_pass_delivered_concurrently_gives_one_credential(user_factory):
    holder = user_factory()
    barrier = threading.Barrier(6)
    results: list[str] = []

    def deliver() -> None:
        try:
            barrier.wait()
            credential = services.credential_issue_for_pass(
                user_id=holder.pk, source_key="exams.attempt:777", exam_score=Decimal("80"),
                passed_at=None)
            results.append(credential.number)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Credential.objects.filter(holder=holder).count() == 1
    assert not CredentialRenewal.objects.exists()
    assert len(results) == 6
    assert len(set(results)) == 1

