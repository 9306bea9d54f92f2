"""HTTP Range for one file (RFC 9110): the slice a request asks for."""

from __future__ import annotations

import re

RANGE_RE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$", re.ASCII)
BEYOND_ANY_FILE = 10**18  # bytes: what a longer number means (int() refuses over 4,300 digits)


def _number(digits: str) -> int:
    significant = digits.lstrip("0") or "0"
    return int(significant) if len(significant) < 19 else BEYOND_ANY_FILE


def parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """(start, end) inclusive; None for no/ignored Range; 'bad' when unsatisfiable."""
    match = RANGE_RE.match(header.strip())
    if not match:
        return None  # multi-range or garbage: RFC 9110 lets us ignore it and send all
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = _number(last)
        if length == 0:
            return "bad"
        return max(size - length, 0), size - 1
    start = _number(first)
    end = min(_number(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return "bad"
    return start, end
