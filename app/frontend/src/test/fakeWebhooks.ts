// The fake studio's webhook endpoints (/v1/webhooks, docs/api.md "Webhooks"), used by FakeApi:
// endpoints with a secret shown by create and rotate only, a delivery log per endpoint, test
// events and resends, and the studio's refusal of private addresses.
import type { Delivery, Webhook } from '../components/webhooks/api';

type Answer = { status: number; body: unknown };

// The studio's event types (videos/webhooks/events.py EVENTS), kept apart from the page's list.
const EVENTS = [
  'video.completed',
  'video.failed',
  'video.cancelled',
  'sweep.completed',
  'storyboard.completed',
  'storyboard.failed',
];

function refusal(status: number, message: string, code: string, param: string | null = null): Answer {
  return { status, body: { error: { message, type: 'invalid_request_error', param, code } } };
}

/** Loopback, private and link-local hosts, as the studio refuses them. */
function isPrivate(host: string): boolean {
  return (
    host === 'localhost' ||
    /^(127\.|10\.|192\.168\.|169\.254\.|0\.)/.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    host === '[::1]'
  );
}

export class FakeWebhooks {
  endpoints: Webhook[] = [];
  /** Each endpoint's deliveries, newest first. */
  deliveries = new Map<string, Delivery[]>();
  /** What a receiver answers a test or resend: its status code (null: no answer, a connection error). */
  receiverStatus: number | null = 200;
  private seq = 0;

  private nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}_${String(this.seq).padStart(8, '0')}`;
  }

  /** An endpoint added directly by a test (no secret kept in the list's answers). */
  add(overrides: Partial<Webhook> = {}): Webhook {
    const w: Webhook = {
      id: this.nextId('wh'),
      object: 'webhook_endpoint',
      url: 'https://hooks.example.com/studio',
      events: [...EVENTS],
      enabled: true,
      from_settings: false,
      created_at: 1764032000,
      secret_rotated_at: null,
      secret: null,
      ...overrides,
    };
    this.endpoints.push(w);
    this.deliveries.set(w.id, []);
    return w;
  }

  /** A delivery as the studio records it after one attempt against `receiverStatus`. */
  addDelivery(endpointId: string, type = 'video.completed', overrides: Partial<Delivery> = {}): Delivery {
    const code = this.receiverStatus;
    const ok = code != null && code >= 200 && code < 300;
    const d: Delivery = {
      id: this.nextId('whd'),
      object: 'webhook.delivery',
      endpoint_id: endpointId,
      event_id: this.nextId('evt'),
      type,
      status: ok ? 'delivered' : 'pending',
      attempts: 1,
      last_status_code: code,
      last_error: code == null ? 'connection refused' : ok ? null : `answered ${code}`,
      next_attempt_at: ok ? null : 1764032005,
      created_at: 1764032000 + this.seq,
      delivered_at: ok ? 1764032000 + this.seq : null,
      ...overrides,
    };
    this.deliveries.set(endpointId, [d, ...(this.deliveries.get(endpointId) ?? [])]);
    return d;
  }

  handle(method: string, path: string, body: unknown): Answer {
    if (path === '/v1/webhooks' && method === 'GET') {
      return { status: 200, body: { object: 'list', data: this.endpoints.map((w) => ({ ...w, secret: null })) } };
    }
    if (path === '/v1/webhooks' && method === 'POST') return this.create(body);
    const m = path.match(/^\/v1\/webhooks\/([^/]+)(?:\/(test|rotate|deliveries)(?:\/([^/]+)\/resend)?)?$/);
    const w = m ? this.endpoints.find((x) => x.id === m[1]) : undefined;
    if (!m || !w) return refusal(404, `No webhook endpoint with id '${m?.[1] ?? ''}'.`, 'not_found');
    const [, , action, deliveryId] = m;
    const settingsRefusal = refusal(
      409,
      'This endpoint is set by STUDIO_WEBHOOK_URL and STUDIO_WEBHOOK_SECRET; change those instead.',
      'from_settings',
    );
    if (!action && method === 'GET') return { status: 200, body: { ...w, secret: null } };
    if (!action && method === 'DELETE') {
      if (w.from_settings) return settingsRefusal;
      this.endpoints = this.endpoints.filter((x) => x !== w);
      this.deliveries.delete(w.id);
      return { status: 200, body: { id: w.id, object: 'webhook_endpoint.deleted', deleted: true } };
    }
    if (action === 'rotate' && method === 'POST') {
      if (w.from_settings) return settingsRefusal;
      w.secret_rotated_at = 1764032100;
      return { status: 200, body: { ...w, secret: `whsec_rotated${this.nextId('k')}` } };
    }
    if (action === 'test' && method === 'POST') return { status: 202, body: this.addDelivery(w.id, 'webhook.test') };
    if (action === 'deliveries' && !deliveryId && method === 'GET') {
      return { status: 200, body: { object: 'list', data: this.deliveries.get(w.id) ?? [] } };
    }
    if (action === 'deliveries' && deliveryId && method === 'POST') {
      const d = this.deliveries.get(w.id)?.find((x) => x.id === deliveryId);
      if (!d) return refusal(404, `No delivery with id '${deliveryId}'.`, 'not_found');
      const code = this.receiverStatus;
      const ok = code != null && code >= 200 && code < 300;
      Object.assign(d, {
        attempts: d.attempts + 1,
        status: ok ? 'delivered' : 'pending',
        last_status_code: code,
        last_error: ok ? null : code == null ? 'connection refused' : `answered ${code}`,
      });
      return { status: 202, body: d };
    }
    return refusal(405, `Method ${method} not allowed.`, 'method_not_allowed');
  }

  private create(body: unknown): Answer {
    const b = (body ?? {}) as { url?: unknown; events?: unknown };
    if (typeof b.url !== 'string' || !/^https?:\/\/[^/]+/.test(b.url)) {
      return refusal(400, 'url must be an http(s) URL of at most 2000 characters.', 'invalid_url', 'url');
    }
    const host = new URL(b.url).hostname;
    if (isPrivate(host)) {
      const message = `${host} is a loopback, private or link-local address; set STUDIO_WEBHOOK_ALLOW_PRIVATE=true to allow it.`;
      return refusal(400, message, 'invalid_url', 'url');
    }
    const events = b.events == null ? [...EVENTS] : b.events;
    if (!Array.isArray(events) || events.some((e) => typeof e !== 'string' || !EVENTS.includes(e))) {
      return refusal(
        400,
        `events must be a list of event types out of: ${EVENTS.join(', ')}.`,
        'invalid_events',
        'events',
      );
    }
    const w = this.add({ url: b.url, events: events as string[], created_at: 1764032000 + this.seq });
    return { status: 201, body: { ...w, secret: `whsec_${this.nextId('secret')}` } };
  }
}
