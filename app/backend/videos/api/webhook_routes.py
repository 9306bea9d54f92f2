"""`/v1/webhooks`: signed webhook endpoints, their secrets (shown once), test events, and each
endpoint's delivery log with "send again" (videos/webhooks/)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import BaseModel, ConfigDict, Field

from videos.access.middleware import is_admin, owner_of
from videos.api.body import json_object
from videos.api.openapi_bodies import json_body
from videos.api.schemas import ErrorOut
from videos.errors import InvalidRequest
from videos.models import WebhookDelivery, WebhookEndpoint
from videos.webhooks import endpoints
from videos.webhooks.events import EVENTS, sync_settings_endpoint

router = Router(tags=["webhooks"])


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", title="WebhookCreate")

    url: str = Field(description="where events are posted (http or https; no private addresses by default)")
    events: list[str] | None = Field(None, description=f"event types, out of {', '.join(EVENTS)}; default: all")


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", title="WebhookUpdate")

    url: str | None = None
    events: list[str] | None = None
    enabled: bool | None = None


class WebhookOut(Schema):
    id: str
    object: str
    url: str
    events: list[str]
    enabled: bool
    from_settings: bool
    created_at: int
    secret_rotated_at: int | None = None
    secret: str | None = Field(None, description="only in the answers that make or rotate it")


class WebhookList(Schema):
    object: str
    data: list[WebhookOut]


class DeliveryOut(Schema):
    id: str
    object: str
    endpoint_id: str
    event_id: str = Field(description="the webhook-id header: the same on every attempt and resend")
    type: str
    status: str = Field(description="pending, delivered, failed (schedule spent) or stopped (410 Gone)")
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    next_attempt_at: int | None = None
    created_at: int
    delivered_at: int | None = None


class DeliveryList(Schema):
    object: str
    data: list[DeliveryOut]


def _visible(request: HttpRequest) -> QuerySet[WebhookEndpoint]:
    """The caller's endpoints (all of them on a personal studio); an admin also sees the
    settings endpoint."""
    sync_settings_endpoint()  # a studio whose queue runs elsewhere (Celery) records it here
    found = WebhookEndpoint.objects.all()
    if settings.STUDIO_AUTH_REQUIRED or owner_of(request):
        mine = Q(owner=owner_of(request)) & ~Q(id=WebhookEndpoint.SETTINGS_ID)
        found = found.filter(mine | Q(id=WebhookEndpoint.SETTINGS_ID) if is_admin(request) else mine)
    return found


def _get(request: HttpRequest, webhook_id: str) -> WebhookEndpoint:
    endpoint = _visible(request).filter(id=webhook_id[:40]).first()
    if endpoint is None:
        raise Http404(f"No webhook endpoint with id {webhook_id[:60]!r}.")
    return endpoint


def _not_settings(endpoint: WebhookEndpoint) -> None:
    if endpoint.id == WebhookEndpoint.SETTINGS_ID:
        message = "This endpoint is set by STUDIO_WEBHOOK_URL and STUDIO_WEBHOOK_SECRET; change those instead."
        raise InvalidRequest(None, message, "from_settings", 409)


def _fields(body: dict[str, Any], allowed: type[BaseModel]) -> dict[str, Any]:
    unknown = sorted(set(body) - set(allowed.model_fields))
    if unknown:
        raise InvalidRequest(unknown[0], f"Unknown field {unknown[0][:40]!r}.", "unknown_field")
    return body


@router.post(
    "/webhooks",
    response={201: WebhookOut, 400: ErrorOut},
    summary="Studio extension: add a webhook endpoint (its secret is in this answer only)",
    openapi_extra=json_body(WebhookCreate),
)
def create_webhook(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    body = _fields(json_object(request), WebhookCreate)
    endpoint = endpoints.create(owner_of(request), body.get("url"), body.get("events"))
    return 201, endpoints.endpoint_object(endpoint, secret=True)


@router.get("/webhooks", response=WebhookList, summary="Studio extension: the caller's webhook endpoints")
def list_webhooks(request: HttpRequest) -> dict[str, Any]:
    return {"object": "list", "data": [endpoints.endpoint_object(e) for e in _visible(request)]}


@router.get("/webhooks/{webhook_id}", response={200: WebhookOut, 404: ErrorOut}, summary="Studio extension: a webhook")
def get_webhook(request: HttpRequest, webhook_id: str) -> dict[str, Any]:
    return endpoints.endpoint_object(_get(request, webhook_id))


@router.post(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Studio extension: change a webhook's url, events or enabled",
    openapi_extra=json_body(WebhookUpdate),
)
def update_webhook(request: HttpRequest, webhook_id: str) -> dict[str, Any]:
    endpoint = _get(request, webhook_id)
    _not_settings(endpoint)
    return endpoints.endpoint_object(endpoints.update(endpoint, _fields(json_object(request), WebhookUpdate)))


@router.delete(
    "/webhooks/{webhook_id}", response={200: dict, 404: ErrorOut, 409: ErrorOut}, summary="Studio extension: delete"
)
def delete_webhook(request: HttpRequest, webhook_id: str) -> dict[str, Any]:
    endpoint = _get(request, webhook_id)
    _not_settings(endpoint)
    endpoints.delete(endpoint)
    return {"id": webhook_id, "object": "webhook_endpoint.deleted", "deleted": True}


@router.post(
    "/webhooks/{webhook_id}/rotate",
    response={200: WebhookOut, 404: ErrorOut, 409: ErrorOut},
    summary="Studio extension: a new secret (in this answer only); the old one signs too for 24 hours",
)
def rotate_webhook(request: HttpRequest, webhook_id: str) -> dict[str, Any]:
    endpoint = _get(request, webhook_id)
    _not_settings(endpoint)
    return endpoints.endpoint_object(endpoints.rotate(endpoint), secret=True)


@router.post(
    "/webhooks/{webhook_id}/test",
    response={202: DeliveryOut, 404: ErrorOut},
    summary="Studio extension: send a webhook.test event (its delivery is in the log)",
)
def test_webhook(request: HttpRequest, webhook_id: str) -> tuple[int, dict[str, Any]]:
    return 202, endpoints.delivery_object(endpoints.send_test(_get(request, webhook_id)))


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response={200: DeliveryList, 400: ErrorOut, 404: ErrorOut},
    summary="Studio extension: a webhook's deliveries, newest first",
)
def list_deliveries(request: HttpRequest, webhook_id: str, limit: int = Query(50, ge=1, le=200)) -> dict[str, Any]:
    deliveries = _get(request, webhook_id).deliveries.all()[:limit]
    return {"object": "list", "data": [endpoints.delivery_object(d) for d in deliveries]}


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/resend",
    response={202: DeliveryOut, 404: ErrorOut},
    summary="Studio extension: send a delivery again (same webhook-id, a fresh schedule)",
)
def resend_delivery(request: HttpRequest, webhook_id: str, delivery_id: str) -> tuple[int, dict[str, Any]]:
    delivery = WebhookDelivery.objects.filter(endpoint=_get(request, webhook_id), id=delivery_id[:40]).first()
    if delivery is None:
        raise Http404(f"No delivery with id {delivery_id[:60]!r}.")
    return 202, endpoints.delivery_object(endpoints.resend(delivery))
