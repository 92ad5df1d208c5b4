"""The one rate limiter of the project's own pages: a client gets `per_minute` requests in a
minute for one thing, then is refused until the minute turns; other clients and other things
count apart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core.ratelimit import rate_allowed

NOON = dt.datetime(2026, 3, 2, 12, 0, 5, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _request(ip: str = "192.0.2.1"):
    return RequestFactory().get("/", REMOTE_ADDR=ip)


def test_a_client_is_refused_after_its_limit_until_the_minute_turns():
    answers = [rate_allowed(_request(), scope="test:lookup", per_minute=3, now=NOON)
               for _n in range(5)]
    assert answers == [True, True, True, False, False]
    later = NOON + dt.timedelta(seconds=50)  # still the same minute
    assert not rate_allowed(_request(), scope="test:lookup", per_minute=3, now=later)
    next_minute = NOON + dt.timedelta(minutes=1)
    assert rate_allowed(_request(), scope="test:lookup", per_minute=3, now=next_minute)


def test_other_clients_and_other_scopes_count_apart():
    for _n in range(2):
        rate_allowed(_request(), scope="test:apart", per_minute=2, now=NOON)
    assert not rate_allowed(_request(), scope="test:apart", per_minute=2, now=NOON)
    assert rate_allowed(_request("198.51.100.7"), scope="test:apart", per_minute=2, now=NOON)
    assert rate_allowed(_request(), scope="test:apart:other", per_minute=2, now=NOON)
