#!/usr/bin/env python
"""Benchmark: the eligible pool and the draw of a review team at scale.

    .venv/bin/python bench/review_draw.py [--reviewers 5000] [--organisations 20000] [--runs 7]

On a scratch SQLite database (or `BENCH_DATABASE=postgres://…`, which is dropped and
recreated), it builds 20,000 organisations linked in an affiliation graph (corporate groups of
2-12 under a parent, one partnership for every fourth organisation), 5,000 registered reviewers
each with an employer, a work history of 1-3 positions, 0-4 past reviews, 1 in 50 suspended and
1 in 100 with a declared conflict, and an applicant whose group, partners and partners' groups
make its conflict set. Then it times, `--runs` times, what a draw reads and computes:
`reviews.selectors.eligible_pool` + `qualified_to_lead` + `reviews.draw.draw_team`, and the
whole `reviews.services.draw_run` (pool, draw, team rows, audit, emails queued), rolled back
after each run. It reports the first run (cold: templates and catalogues load), the median
of the others, and the queries each made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _database_prepare() -> None:
    url = os.environ.get("BENCH_DATABASE", "")
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url
    else:
        scratch = Path(tempfile.mkdtemp(prefix="ccso-bench-draw-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'db.sqlite3'}"


def build(*, reviewers: int, organisations: int, rng: random.Random) -> object:
    from accounts.models import Organisation, User
    from certification.models import (
        AffiliationKind,
        ApplicationStatus,
        Credential,
        CredentialType,
        OrganisationAffiliation,
        ReviewerApplication,
        ReviewExperience,
        WorkPosition,
    )
    from cms.demo import home_page_ensure
    from cms.importing import standard_import
    from cms.models import StandardVersionPage
    from reviews.models import ProjectState, ReviewerDeclaredConflict, ReviewProject
    from tests.cms.conftest import standard_data

    home_page_ensure()
    data = standard_data(modules=2, items=1)
    standard_import(data=data)
    version = StandardVersionPage.objects.get(code=data["standard"]["code"])

    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"基准组织{n:05d}") for n in range(organisations)], batch_size=2000)
    ids = [o.pk for o in orgs]
    links = []
    n = 0
    while n < len(ids):  # corporate groups: a parent and its subsidiaries
        size = rng.randint(2, 12)
        parent, children = ids[n], ids[n + 1:n + size]
        links += [OrganisationAffiliation(organisation_id=parent, kind=AffiliationKind.PARENT,
                                          other_id=child) for child in children]
        n += size
    seen = set()
    for a in rng.sample(ids, len(ids) // 4):
        b = rng.choice(ids)
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            links.append(OrganisationAffiliation(organisation_id=a, kind=AffiliationKind.PARTNER,
                                                 other_id=b))
    OrganisationAffiliation.objects.bulk_create(links, batch_size=2000)

    types = {t.slug: t for t in CredentialType.objects.all()}
    users = User.objects.bulk_create([
        User(email=f"bench{n}@example.com", name_zh=f"评审员{n}", organisation_id=rng.choice(ids))
        for n in range(reviewers)], batch_size=2000)
    coordinator = Credential.objects.bulk_create([
        Credential(credential_type=types[CredentialType.COORDINATOR], holder=u,
                   number=f"B-C-{u.pk}", source_key=f"bench.c:{u.pk}", token=f"c{u.pk}",
                   issued_on=dt.date(2024, 1, 1), expires_on=dt.date(2030, 1, 1))
        for u in users], batch_size=2000)
    applications = ReviewerApplication.objects.bulk_create([
        ReviewerApplication(applicant=u, coordinator_credential=c, attested=True,
                            status=ApplicationStatus.PROMOTED)
        for u, c in zip(users, coordinator, strict=True)], batch_size=2000)
    positions, reviews = [], []
    for application in applications:
        for _p in range(rng.randint(1, 3)):
            start = dt.date(rng.randint(2008, 2025), rng.randint(1, 12), 1)
            end = None if rng.random() < 0.3 else start + dt.timedelta(days=rng.randint(200, 2500))
            positions.append(WorkPosition(application=application, organisation_id=rng.choice(ids),
                                          role="主管", start_date=start, end_date=end,
                                          centre_type="in_house", management_level=2))
        reviews += [ReviewExperience(application=application, title="评审", year=2023,
                                     organisation_name="某中心", role="组员")
                    for _r in range(rng.randint(0, 4))]
    WorkPosition.objects.bulk_create(positions, batch_size=2000)
    ReviewExperience.objects.bulk_create(reviews, batch_size=2000)
    Credential.objects.bulk_create([
        Credential(credential_type=types[CredentialType.REVIEWER], holder=u,
                   number=f"B-R-{u.pk}", source_key=f"bench.r:{u.pk}", token=f"r{u.pk}",
                   issued_on=dt.date(2025, 1, 1), expires_on=dt.date(2030, 1, 1),
                   status="suspended" if n % 50 == 0 else "active")
        for n, u in enumerate(users)], batch_size=2000)
    ReviewerDeclaredConflict.objects.bulk_create([
        ReviewerDeclaredConflict(reviewer=u, organisation_id=rng.choice(ids))
        for u in users[::100]])
    applicant = ids[len(ids) // 2]
    project = ReviewProject.objects.create(organisation_id=applicant, standard_version=version,
                                           state=ProjectState.ACCEPTED,
                                           consulting_firm_id=rng.choice(ids))
    project.coordinators.set(users[:3])
    return project


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviewers", type=int, default=5000)
    parser.add_argument("--organisations", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    _database_prepare()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from certification.models import OrganisationAffiliation
    from reviews import selectors, services
    from reviews.draw import draw_team, seed_new

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    project = build(reviewers=args.reviewers, organisations=args.organisations,
                    rng=random.Random(2826))
    print(f"{connection.vendor}: built {args.organisations} organisations "
          f"({OrganisationAffiliation.objects.count()} affiliations) and {args.reviewers} "
          f"reviewers in {time.monotonic() - started:.1f} s")
    # A web process has imported its URLconf (every view) before its first request; the emails
    # reverse a URL, so without this the first run would pay that import (about 1 s) instead.
    reverse("reviews:mine")
    today = dt.date(2026, 11, 24)
    now = dt.datetime(2026, 11, 24, 2, tzinfo=dt.UTC)

    class Rollback(Exception):
        pass

    pool_times, run_times = [], []
    for _run in range(args.runs):
        with CaptureQueriesContext(connection) as pool_queries:
            started = time.monotonic()
            pool = selectors.eligible_pool(project, today=today)
            qualified = selectors.qualified_to_lead(pool.eligible)
            result = draw_team(pool=pool.eligible, seed=seed_new(), team_size=3,
                               qualified=qualified)
            pool_times.append(time.monotonic() - started)
        with CaptureQueriesContext(connection) as run_queries:
            try:
                with transaction.atomic():
                    started = time.monotonic()
                    services.draw_run(project=project, by=None, now=now)
                    run_times.append(time.monotonic() - started)
                    raise Rollback
            except Rollback:
                pass
    print(f"conflict set: {len(pool.conflict_set)} organisations; pool: {len(pool.eligible)} "
          f"eligible, {len(pool.excluded)} excluded; {len(qualified)} qualified to lead; "
          f"team {result.team}")
    for label, times, queries in (
        ("pool + qualified + draw", pool_times, pool_queries),
        ("draw_run (the whole service)", run_times, run_queries),
    ):
        print(f"{label}: first {times[0] * 1000:.0f} ms, then median "
              f"{statistics.median(times[1:]) * 1000:.0f} ms, slowest "
              f"{max(times[1:]) * 1000:.0f} ms; {len(queries)} queries")


if __name__ == "__main__":
    main()
