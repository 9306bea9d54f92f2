"""Signed links: a URL anyone may use to read one stored file until it expires, and nothing else.

`/links/{variant}/{expires}/{signature}/{name}`: `name` is the file's storage name, `expires` a
Unix time, `signature` the unpadded base64url HMAC-SHA256 of "variant\\nexpires\\nname" under the
studio's link key. The studio checks it (videos/api/link_views.py); with STUDIO_FRONT=nginx,
nginx checks the same signature itself (serving/front.py, njs) and sends the file without asking
the studio. Deleting a video deletes its files, which ends its links; changing the key ends all
of them (STUDIO_LINK_PREVIOUS_KEY keeps the old key's links valid while they run out).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

from django.conf import settings

PREFIX = "/links/"
INVALID = "This link is not valid: it was changed, or the studio's link key was."
EXPIRED = "This link has expired; ask for a new one."
VARIANTS = ("video", "thumbnail", "spritesheet")
# Storage names the runner writes (videos/runner/run.py): a folder and a file, no "..".
NAME = re.compile(r"^(videos|thumbnails|spritesheets)/[A-Za-z0-9_.-]+\.(mp4|jpg)$")


def link_keys() -> list[bytes]:
    """The current key first, then the previous one during a rotation. Without STUDIO_LINK_KEY,
    one derived from DJANGO_SECRET_KEY (so links outlive restarts and end when it changes)."""
    derived = hmac.new(settings.SECRET_KEY.encode(), b"video-studio-links", "sha256").hexdigest()
    current = settings.STUDIO_LINK_KEY or derived
    found = [current.encode()]
    if settings.STUDIO_LINK_PREVIOUS_KEY:
        found.append(settings.STUDIO_LINK_PREVIOUS_KEY.encode())
    return found


def signature(key: bytes, variant: str, expires: int, name: str) -> str:
    digest = hmac.new(key, f"{variant}\n{expires}\n{name}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(variant: str, name: str, expires: int) -> str:
    """The path of a link to stored file `name` until `expires`."""
    return f"{PREFIX}{variant}/{expires}/{signature(link_keys()[0], variant, expires, name)}/{name}"


def check(variant: str, expires: int, given: str, name: str) -> str | None:
    """None when the link is good; else why not: "invalid" or "expired"."""
    if variant not in VARIANTS or not NAME.match(name):
        return "invalid"
    if not any(hmac.compare_digest(signature(key, variant, expires, name), given) for key in link_keys()):
        return "invalid"
    return "expired" if expires <= time.time() else None
