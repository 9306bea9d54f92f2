"""Mounting a router whose fixed paths share a prefix with the API's own routes."""

from __future__ import annotations

from ninja import NinjaAPI, Router


def mount_ahead(api: NinjaAPI, router: Router) -> None:
    """Mount `router` before the API's own routes. Ninja mounts the routes declared with `@api.*`
    (its default router) first and Django tries URL patterns in that order, so without this
    `/v1/videos/{video_id}` would take `/v1/videos/sweeps` for a video id. Ninja has no public
    way to order mounts: its list of them is moved here (tests/test_sweeps.py checks the result)."""
    api.add_router("", router)
    api._router_registrations.insert(0, api._router_registrations.pop())
