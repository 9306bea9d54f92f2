"""When a failed delivery is tried again: Standard Webhooks' schedule (immediately, 5 s, 5 min,
30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h), each wait with +-10% jitter so a receiver that came
back is not hit by every retry at once. STUDIO_WEBHOOK_RETRY_SCALE shortens it for tests."""

from __future__ import annotations

import random

from django.conf import settings

# Seconds before attempt n+1 (index n); its length is the number of attempts.
SCHEDULE = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600)
ATTEMPTS = len(SCHEDULE)
MAX_RETRY_AFTER = 24 * 3600.0
SLOWED_BY = (429, 502, 504)  # answers whose Retry-After is honoured


def next_wait(attempts: int, retry_after: float | None = None) -> float | None:
    """Seconds to wait after `attempts` failed attempts, or None when the schedule is spent.
    A Retry-After (429, 502, 504) longer than the schedule's wait replaces it."""
    if attempts >= ATTEMPTS:
        return None
    wait = SCHEDULE[attempts] * random.uniform(0.9, 1.1)
    if retry_after is not None:
        wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
    return wait * settings.STUDIO_WEBHOOK_RETRY_SCALE


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (an HTTP date is read as no hint: the schedule applies)."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None
