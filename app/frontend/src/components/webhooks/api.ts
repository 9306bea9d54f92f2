// Client for webhook endpoints (/v1/webhooks, docs/api.md "Webhooks"): the studio posts a signed
// event to each when a video ends. A secret is in the answers that make or rotate it, and no other.
import type { PostBody, Schema } from '../../api/types';
import { API_BASE, requestJson } from '../videoGen/api/videoGeneration';

/** An endpoint; `secret` only in the answer of a create or a rotate. */
export type Webhook = Schema<'WebhookOut'>;
export type WebhookList = Schema<'WebhookList'>;
/** One event's delivery to one endpoint: pending, delivered, failed (schedule spent), stopped (410). */
export type Delivery = Schema<'DeliveryOut'>;
export type DeliveryList = Schema<'DeliveryList'>;
/** Body of POST /v1/webhooks. */
export type WebhookCreate = PostBody<'/v1/webhooks'>;

/** The events an endpoint may choose (every endpoint also gets webhook.test when asked for one). */
export const WEBHOOK_EVENTS = [
  { type: 'video.completed', label: 'A video is ready' },
  { type: 'video.failed', label: 'A video failed' },
  { type: 'video.cancelled', label: 'A video was cancelled' },
  { type: 'sweep.completed', label: 'A sweep finished' },
  { type: 'storyboard.completed', label: 'A storyboard is joined' },
  { type: 'storyboard.failed', label: 'A storyboard failed' },
] as const;

const base = `${API_BASE}/webhooks`;
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

function post<T>(url: string, body?: unknown): Promise<T> {
  return requestJson<T>(url, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

export function listWebhooks(signal?: AbortSignal): Promise<WebhookList> {
  return requestJson<WebhookList>(base, { signal });
}

/** 400 `invalid_url` for a loopback, private or link-local address (unless the studio allows them). */
export function createWebhook(body: WebhookCreate): Promise<Webhook> {
  return post<Webhook>(base, body);
}

export function deleteWebhook(id: string): Promise<unknown> {
  return requestJson<unknown>(one(id), { method: 'DELETE' });
}

/** A webhook.test event, delivered like any other: its delivery. */
export function testWebhook(id: string): Promise<Delivery> {
  return post<Delivery>(`${one(id)}/test`);
}

/** A new secret, in this answer only; the old one still signs beside it for 24 hours. */
export function rotateWebhook(id: string): Promise<Webhook> {
  return post<Webhook>(`${one(id)}/rotate`);
}

export function listDeliveries(id: string, signal?: AbortSignal): Promise<DeliveryList> {
  return requestJson<DeliveryList>(`${one(id)}/deliveries?limit=50`, { signal });
}

/** Send a delivery again now: the same webhook-id, a fresh schedule. */
export function resendDelivery(id: string, deliveryId: string): Promise<Delivery> {
  return post<Delivery>(`${one(id)}/deliveries/${encodeURIComponent(deliveryId)}/resend`);
}
