"""Sign-in throttling: failed passwords are counted per user name and per client address.

After STUDIO_LOGIN_MAX_FAILURES failures in a row a name is locked for
STUDIO_LOGIN_LOCKOUT_SECONDS, doubling with each further failure up to
STUDIO_LOGIN_LOCKOUT_MAX_SECONDS. An address gets ADDRESS_FACTOR times as many failures
(many people may share one behind a NAT or proxy) before the same backoff. While locked every
sign-in is refused, the right password included, so guessing gains nothing from a lock's end.
A successful sign-in clears the name's count (not the address's: signing in to one's own
account must not reset a guesser's budget for others).

The counts live in Django's cache, so every studio process shares them when the cache is
Redis (settings choose it in scale mode).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache

ADDRESS_FACTOR = 4
MEMORY_SECONDS = 24 * 3600  # a count is forgotten a day after its last failure
log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


class ThrottleUnavailable(Exception):
    """The shared cache cannot be reached: sign-in is refused rather than left unthrottled."""


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    limit = max(1, settings.STUDIO_LOGIN_MAX_FAILURES)
    name = hashlib.sha256(username.casefold().encode("utf-8", "replace")).hexdigest()  # no names in Redis
    return [(f"studio:login:user:{name}", limit), (f"studio:login:addr:{address}", limit * ADDRESS_FACTOR)]


def _guarded(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return func(*args, **kwargs)
            except Exception as exc:  # Redis down or unreachable
                log.warning("Sign-in throttling could not %s: %s", action, type(exc).__name__)
                raise ThrottleUnavailable() from None

        return inner

    return wrap


@_guarded("read the shared cache")
def locked_for(username: str, address: str) -> float:
    """Seconds until both the name and the address may try again (0: now)."""
    now = time.time()
    until = cache.get_many([f"{key}:until" for key, _ in _keys(username, address)]).values()
    return max([0.0, *(float(u) - now for u in until)])


@_guarded("count a failure")
def record_failure(username: str, address: str) -> None:
    if settings.STUDIO_LOGIN_MAX_FAILURES <= 0:
        return
    for key, limit in _keys(username, address):
        cache.add(f"{key}:n", 0, MEMORY_SECONDS)
        try:
            failures = cache.incr(f"{key}:n")
        except ValueError:  # expired between add and incr
            cache.set(f"{key}:n", 1, MEMORY_SECONDS)
            failures = 1
        cache.touch(f"{key}:n", MEMORY_SECONDS)
        if failures >= limit:
            base = settings.STUDIO_LOGIN_LOCKOUT_SECONDS
            lock = min(base * 2 ** min(failures - limit, 32), settings.STUDIO_LOGIN_LOCKOUT_MAX_SECONDS)
            cache.set(f"{key}:until", time.time() + lock, math.ceil(lock) + 1)


@_guarded("clear a count")
def record_success(username: str, address: str) -> None:
    key, _ = _keys(username, address)[0]
    cache.delete_many([f"{key}:n", f"{key}:until"])
