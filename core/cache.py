"""A Redis cache whose outage costs requests milliseconds instead of failing them with a 500.

Redis holds only what can be rebuilt: page fragments, rendered PDFs, allauth's rate-limit
counters, import progress, and copies of sessions whose truth is the database (`cached_db`).
So while Redis cannot be reached, `DegradingRedisCache` answers from elsewhere:

- `DEGRADE_TO: "memory"` (the default cache): every operation goes to a memory cache of this
  process. Counters keep counting, per process: allauth's login limits and the certificate
  lookup limit still throttle, but each web process counts on its own, so a client may get up
  to (number of web processes) × the limit while Redis is down (looser, never a 5xx, never
  everyone locked out). allauth's own cache lock keeps working too.
- `DEGRADE_TO: "miss"` (sessions): reads miss and writes are dropped, so `cached_db` sessions
  read and write the database; no process keeps a copy another process could contradict (a
  sign-out served by one process is seen by all).

After a failure Redis is not asked again for `RETRY_SECONDS` (default 1), so a dead Redis
costs one connect timeout per process and interval, not one per call; with the short socket
timeouts of `config.settings.base.REDIS_CACHE_OPTIONS` that is milliseconds.

When Redis answers again, the keys written or deleted here during the outage are deleted from
Redis before anything else is read, and the memory cache is emptied: Redis never serves a value
older than the outage (a session signed out meanwhile, a bumped page generation). Only the
first `REMEMBER_KEYS` keys are remembered; past that every key under this cache's prefix is
deleted instead.

Django makes one cache object per thread; the outage and the memory cache are the process's,
shared by its threads (gunicorn's gthread workers), so counting is per process, not per thread.

Logged once per outage and process: a warning when it starts, one line when it ends with how
long it lasted and how many operations were answered without Redis.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What "Redis cannot be reached" looks like through redis-py (refused, reset, timed out, a
# server still loading its data); other errors (a wrong type, a bug) are raised as before.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError,
)
REMEMBER_KEYS = 100_000

T = TypeVar("T")


class _Outage:
    """One process's view of one Redis location: whether it is down, and what changed meanwhile."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # held for bookkeeping only, never across a network call
        self.recovering = threading.Lock()  # one thread asks Redis whether it is back
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.answered_without_redis = 0
        self.written: set[tuple[str, int | None]] = set()
        self.overflow = False


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(name: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(name, _Outage())


class DegradingRedisCache(RedisCache):
    """django-redis's cache, answering from memory or as a miss while Redis is down.

    OPTIONS, besides django-redis's own: `DEGRADE_TO` ("memory" or "miss") and
    `RETRY_SECONDS` (see the module's docstring).
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.degrade_to: str = options.pop("DEGRADE_TO", "memory")
        if self.degrade_to not in ("memory", "miss"):
            raise ValueError(f"DEGRADE_TO must be 'memory' or 'miss', not {self.degrade_to!r}")
        self.retry_seconds: float = float(options.pop("RETRY_SECONDS", 1.0))
        super().__init__(server, {**params, "OPTIONS": options})
        # Shared by every thread's instance for the same Redis and mode (LocMemCache keeps its
        # data per name, in the process).
        name = f"degraded:{server}:{params.get('KEY_PREFIX', '')}:{self.degrade_to}"
        self._memory = LocMemCache(name, {"TIMEOUT": params.get("TIMEOUT", 300),
                                          "OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._state = _outage_for(name)

    # --- outage bookkeeping -------------------------------------------------------------------

    @property
    def degraded(self) -> bool:
        """Whether the last attempt to reach Redis failed (the readiness probe reports it)."""
        return self._state.down_since is not None

    def _run(self, operation: Callable[[], T], fallback: Callable[[], T],
             written: Iterable[Any] = (), version: int | None = None) -> T:
        state = self._state
        if state.down_since is not None and time.monotonic() < state.retry_at:
            return self._without_redis(fallback, written, version)
        try:
            if state.down_since is not None:
                if not state.recovering.acquire(blocking=False):
                    # Another thread is finding out: this one does not wait for it.
                    return self._without_redis(fallback, written, version)
                try:
                    self._recover()
                finally:
                    state.recovering.release()
            return operation()
        except OUTAGE_ERRORS as error:
            self._outage(error)
            return self._without_redis(fallback, written, version)

    def _without_redis(self, fallback: Callable[[], T], written: Iterable[Any],
                       version: int | None) -> T:
        state = self._state
        with state.lock:
            state.answered_without_redis += 1
            for key in written:
                if len(state.written) >= REMEMBER_KEYS:
                    state.overflow = True
                    break
                state.written.add((str(key), version))
        return fallback()

    def _outage(self, error: BaseException) -> None:
        state = self._state
        with state.lock:
            state.retry_at = time.monotonic() + self.retry_seconds
            if state.down_since is not None:
                return
            state.down_since = time.monotonic()
        logger.warning("cache: Redis at %s cannot be reached (%s: %s); answering %s until it "
                       "returns", self._server, type(error).__name__, error,
                       "from this process's memory" if self.degrade_to == "memory"
                       else "as misses")

    def _recover(self) -> None:
        """Redis answers again: delete from it what was changed meanwhile, then serve from it.
        Raises OUTAGE_ERRORS while Redis is still down (the outage goes on, nothing lost)."""
        state = self._state
        self.client.get_client(write=True).ping()
        deleted: set[tuple[str, int | None]] = set()
        cleared_all = False
        # Threads that meanwhile answer without Redis may remember more keys: a few passes,
        # until none came in (bounded, so a busy process still ends the outage).
        for passes in range(5):
            with state.lock:
                pending, overflow = state.written - deleted, state.overflow
                if (not pending and not overflow) or passes == 4:
                    # Nothing new since the previous pass (or passes ran out): the outage is over.
                    lasted = time.monotonic() - (state.down_since or time.monotonic())
                    answered = state.answered_without_redis
                    state.down_since, state.answered_without_redis = None, 0
                    state.written = set()
                    self._memory.clear()
                    break
                if overflow:
                    state.overflow = False
            if overflow:
                super().delete_pattern("*")
                cleared_all = True
            by_version: dict[int | None, list[str]] = {}
            for key, version in pending:
                by_version.setdefault(version, []).append(key)
            for version, keys in by_version.items():
                for start in range(0, len(keys), 1000):
                    super().delete_many(keys[start:start + 1000], version=version)
            deleted |= pending
        logger.warning("cache: Redis at %s answers again after %.1f s; %d operations were "
                       "answered without it, %d keys changed meanwhile deleted from it%s",
                       self._server, lasted, answered, len(deleted),
                       " (and every key under its prefix: too many to remember)"
                       if cleared_all else "")

    # --- the operations Django and allauth use ------------------------------------------------

    def get(self, key: Any, default: Any = None, version: int | None = None,
            client: Any = None) -> Any:
        return self._run(
            lambda: self._get_raising(key, default, version, client),
            lambda: (self._memory.get(key, default, version) if self.degrade_to == "memory"
                     else default))

    def _get_raising(self, key: Any, default: Any, version: int | None, client: Any) -> Any:
        # django-redis's get() turns a connection error into the default when its
        # IGNORE_EXCEPTIONS is on; it is off here, so errors reach _run.
        return super().get(key, default=default, version=version, client=client)

    def get_many(self, keys: Any, version: int | None = None, **kwargs: Any) -> Any:
        return self._run(
            lambda: super(DegradingRedisCache, self).get_many(keys, version=version, **kwargs),
            lambda: (self._memory.get_many(keys, version) if self.degrade_to == "memory"
                     else {}))

    def has_key(self, key: Any, version: int | None = None, **kwargs: Any) -> Any:
        return self._run(
            lambda: super(DegradingRedisCache, self).has_key(key, version=version, **kwargs),
            lambda: (self._memory.has_key(key, version) if self.degrade_to == "memory"
                     else False))

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None, **kwargs: Any) -> Any:
        return self._run(
            lambda: super(DegradingRedisCache, self).set(key, value, timeout, version=version,
                                                         **kwargs),
            lambda: (self._memory.set(key, value, timeout, version)
                     if self.degrade_to == "memory" else None),
            written=[key], version=version)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None, **kwargs: Any) -> Any:
        # "miss": nothing is stored, so add() reports that it stored nothing.
        return self._run(
            lambda: super(DegradingRedisCache, self).add(key, value, timeout, version=version,
                                                         **kwargs),
            lambda: (self._memory.add(key, value, timeout, version)
                     if self.degrade_to == "memory" else False),
            written=[key], version=version)

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT,
                 version: int | None = None, **kwargs: Any) -> Any:
        return self._run(
            lambda: super(DegradingRedisCache, self).set_many(data, timeout, version=version,
                                                              **kwargs),
            lambda: (self._memory.set_many(data, timeout, version)
                     if self.degrade_to == "memory" else []),
            written=list(data), version=version)

    def delete(self, key: Any, version: int | None = None, **kwargs: Any) -> Any:
        return self._run(
            lambda: super(DegradingRedisCache, self).delete(key, version=version, **kwargs),
            lambda: (self._memory.delete(key, version) if self.degrade_to == "memory"
                     else False),
            written=[key], version=version)

    def delete_many(self, keys: Any, version: int | None = None, **kwargs: Any) -> Any:
        keys = list(keys)
        return self._run(
            lambda: super(DegradingRedisCache, self).delete_many(keys, version=version,
                                                                 **kwargs),
            lambda: (self._memory.delete_many(keys, version) if self.degrade_to == "memory"
                     else None),
            written=keys, version=version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None,
             **kwargs: Any) -> Any:
        # "miss": the key is missing, so incr() raises ValueError as Django's caches do.
        def fallback() -> Any:
            if self.degrade_to == "memory":
                return self._memory.incr(key, delta, version)
            raise ValueError(f"Key '{key}' not found")

        return self._run(
            lambda: super(DegradingRedisCache, self).incr(key, delta, version=version,
                                                          **kwargs),
            fallback, written=[key], version=version)

    def decr(self, key: Any, delta: int = 1, version: int | None = None,
             **kwargs: Any) -> Any:
        return self.incr(key, -delta, version=version, **kwargs)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None,
              **kwargs: Any) -> Any:
        return self._run(
            lambda: super(DegradingRedisCache, self).touch(key, timeout, version=version,
                                                           **kwargs),
            lambda: (self._memory.touch(key, timeout, version) if self.degrade_to == "memory"
                     else False),
            written=[key], version=version)
