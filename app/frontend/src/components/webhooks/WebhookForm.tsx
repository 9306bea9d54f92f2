// Add a webhook endpoint: its URL and the events it hears of. The studio's refusal (a private
// address, a bad URL) is shown here, and the text kept.
import { Plus } from 'lucide-react';
import { type SubmitEvent, useId, useState } from 'react';
import { Field, FieldError, fieldClass, labelClass } from '../videoGen/Field';
import { primaryButton } from '../videoGen/CardActions';
import { ApiError, errorText } from '../videoGen/api/videoGeneration';
import { WEBHOOK_EVENTS, type Webhook, type WebhookCreate } from './api';

interface Props {
  onCreate: (body: WebhookCreate) => Promise<Webhook>;
  /** The new endpoint, with its secret (shown once by the panel). */
  onCreated: (webhook: Webhook) => void;
}

export default function WebhookForm({ onCreate, onCreated }: Props) {
  const ids = useId();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(WEBHOOK_EVENTS.map((e) => e.type));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; param: string | null } | null>(null);

  const toggle = (type: string, on: boolean) =>
    setEvents((now) =>
      on
        ? WEBHOOK_EVENTS.map((e) => e.type).filter((t) => t === type || now.includes(t))
        : now.filter((t) => t !== type),
    );

  const onSubmit = async (e: SubmitEvent<HTMLFormElement>) => {
    e.preventDefault();
    const address = url.trim();
    if (!address) {
      setError({ message: 'Enter the address the studio should post events to.', param: 'url' });
      return;
    }
    if (events.length === 0) {
      setError({ message: 'Choose at least one event.', param: 'events' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await onCreate({ url: address, events });
      setUrl('');
      setEvents(WEBHOOK_EVENTS.map((x) => x.type));
      onCreated(created);
    } catch (err) {
      setError({ message: errorText(err), param: err instanceof ApiError ? err.param : null });
    } finally {
      setBusy(false);
    }
  };

  const urlInvalid = error?.param === 'url';
  const eventsInvalid = error?.param === 'events';
  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      noValidate
      aria-label="Add a webhook endpoint"
      className="space-y-3 rounded-xl border border-zinc-800 bg-zinc-900 p-4"
      data-testid="webhook-form"
    >
      <h2 className="text-sm font-semibold text-zinc-100">Add an endpoint</h2>
      <Field id={`${ids}-url`} label="URL">
        <input
          id={`${ids}-url`}
          type="url"
          inputMode="url"
          placeholder="https://example.com/studio-events"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          aria-invalid={urlInvalid || undefined}
          aria-describedby={urlInvalid ? `${ids}-error` : undefined}
          className={fieldClass}
          data-testid="webhook-url"
        />
      </Field>
      <fieldset aria-invalid={eventsInvalid || undefined} aria-describedby={eventsInvalid ? `${ids}-error` : undefined}>
        <legend className={labelClass}>Events</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-1">
          {WEBHOOK_EVENTS.map((ev) => (
            <label key={ev.type} className="flex min-h-11 items-center gap-2 text-sm text-zinc-200 sm:min-h-9">
              <input
                type="checkbox"
                checked={events.includes(ev.type)}
                onChange={(e) => toggle(ev.type, e.target.checked)}
                data-testid={`webhook-event-${ev.type}`}
              />
              {ev.label} <code className="text-xs text-zinc-400">{ev.type}</code>
            </label>
          ))}
        </div>
      </fieldset>
      <FieldError id={`${ids}-error`} message={error?.message} alert />
      <button type="submit" disabled={busy} className={primaryButton} data-testid="webhook-add">
        <Plus className="h-4 w-4" aria-hidden="true" /> {busy ? 'Adding…' : 'Add endpoint'}
      </button>
    </form>
  );
}
