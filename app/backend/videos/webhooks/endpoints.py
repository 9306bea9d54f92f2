"""Endpoints made through the API: their checks, the secret (shown once), rotation with an
overlap, the test event and "send again". The views (videos/api/webhook_routes.py) say who."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from videos.errors import InvalidRequest
from videos.webhook_models import WebhookDelivery, WebhookEndpoint
from videos.webhooks import events, sender, signing
from videos.webhooks.wake import wake

ROTATION_OVERLAP = timedelta(hours=24)
MAX_URL = 2000


def checked_url(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_URL:
        raise InvalidRequest("url", f"url must be an http(s) URL of at most {MAX_URL} characters.", "invalid_url")
    try:
        sender.check_url(value)
    except sender.RefusedAddress as exc:
        raise InvalidRequest("url", str(exc), "invalid_url") from exc
    return value


def checked_events(value: Any) -> list[str]:
    chosen = events.parse_events(value if value is not None else [])
    if chosen is None:
        names = ", ".join(events.EVENTS)
        raise InvalidRequest("events", f"events must be a list of event types out of: {names}.", "invalid_events")
    return chosen


def create(owner: str, url: Any, chosen: Any) -> WebhookEndpoint:
    kinds = checked_events(chosen)  # first: it needs no DNS
    return WebhookEndpoint.objects.create(owner=owner, url=checked_url(url), events=kinds, secret=signing.new_secret())


def update(endpoint: WebhookEndpoint, body: dict[str, Any]) -> WebhookEndpoint:
    if "url" in body:
        endpoint.url = checked_url(body["url"])
    if "events" in body:
        endpoint.events = checked_events(body["events"])
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise InvalidRequest("enabled", "enabled must be true or false.", "invalid_type")
        endpoint.enabled = body["enabled"]
    endpoint.save()
    return endpoint


def rotate(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the current one keeps signing (beside it) for ROTATION_OVERLAP."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_expires_at = timezone.now() + ROTATION_OVERLAP
    endpoint.secret = signing.new_secret()
    endpoint.save()
    return endpoint


def delete(endpoint: WebhookEndpoint) -> None:
    endpoint.delete()  # its deliveries go with it (a pending one is no longer sent)


def send_test(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A webhook.test event, as a delivery like any other (signed, retried, logged)."""
    now = timezone.now()
    evt_id = f"evt_{uuid.uuid4().hex}"
    body = events.payload(evt_id, events.TEST_EVENT, endpoint.id, now)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event_id=evt_id, event_type=events.TEST_EVENT, payload=body, next_attempt_at=now
        )
        transaction.on_commit(wake)
    return delivery


def resend(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send again now, with the same webhook-id (a receiver that has it drops the copy), and a
    fresh schedule. A delivery being sent right now keeps its lease: it goes after that attempt."""
    now = timezone.now()
    WebhookDelivery.objects.filter(id=delivery.id).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=now, delivered_at=None
    )
    transaction.on_commit(wake)
    delivery.refresh_from_db()
    return delivery


def endpoint_object(endpoint: WebhookEndpoint, secret: bool = False) -> dict[str, Any]:
    """The endpoint as the API shows it; its secret only in the answer that made it."""
    out: dict[str, Any] = {
        "id": endpoint.id,
        "object": "webhook_endpoint",
        "url": endpoint.url,
        "events": endpoint.events,
        "enabled": endpoint.enabled,
        "from_settings": endpoint.id == WebhookEndpoint.SETTINGS_ID,
        "created_at": int(endpoint.created_at.timestamp()),
        "secret_rotated_at": int(endpoint.previous_expires_at.timestamp() - ROTATION_OVERLAP.total_seconds())
        if endpoint.previous_expires_at
        else None,
    }
    if secret:
        out["secret"] = endpoint.secret
    return out


def delivery_object(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "object": "webhook_delivery",
        "endpoint_id": delivery.endpoint_id,
        "event_id": delivery.event_id,
        "type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error or None,
        "next_attempt_at": int(delivery.next_attempt_at.timestamp())
        if delivery.status == WebhookDelivery.Status.PENDING
        else None,
        "created_at": int(delivery.created_at.timestamp()),
        "delivered_at": int(delivery.delivered_at.timestamp()) if delivery.delivered_at else None,
    }
