// Settings: the webhook endpoints the studio posts signed events to when a video ends
// (docs/api.md, Webhooks). Add one (its secret shown once), test, rotate, delete, and each one's log.
import { Loader2 } from 'lucide-react';
import { useState } from 'react';
import { errorText } from '../videoGen/api/videoGeneration';
import type { Webhook } from './api';
import SecretNotice from './SecretNotice';
import WebhookForm from './WebhookForm';
import WebhookItem from './WebhookItem';
import { useCreateWebhook, useWebhookList } from './useWebhooks';

export default function WebhooksPanel() {
  const list = useWebhookList();
  const create = useCreateWebhook();
  const [created, setCreated] = useState<Webhook | null>(null);

  let endpoints;
  if (list.isLoading) {
    endpoints = (
      <p role="status" className="flex items-center gap-2 text-sm text-zinc-400">
        <Loader2 className="h-4 w-4 animate-spin" aria-hidden="true" /> Loading endpoints…
      </p>
    );
  } else if (list.error) {
    endpoints = (
      <p role="alert" className="text-sm text-red-300" data-testid="webhooks-error">
        {errorText(list.error)}
      </p>
    );
  } else if (!list.data?.data.length) {
    endpoints = (
      <p className="text-sm text-zinc-400" data-testid="webhooks-empty">
        No endpoints yet.
      </p>
    );
  } else {
    endpoints = (
      <ul className="space-y-3" aria-label="Webhook endpoints">
        {list.data.data.map((w) => (
          <WebhookItem key={w.id} webhook={w} />
        ))}
      </ul>
    );
  }

  return (
    <div className="mx-auto w-full max-w-3xl space-y-5 px-4 py-6 sm:px-6">
      <div>
        <h1 className="text-xl font-semibold">Webhooks</h1>
        <p className="mt-1 text-sm text-zinc-400">
          The studio posts an event to each address when a video is ready, fails or is cancelled, or a sweep or
          storyboard ends, signed with the endpoint&apos;s secret (Standard Webhooks), so another app need not keep
          asking.
        </p>
      </div>
      <WebhookForm onCreate={(body) => create.mutateAsync(body)} onCreated={setCreated} />
      {created?.secret ? (
        <SecretNotice
          title={`Signing secret for ${created.url}`}
          secret={created.secret}
          onDone={() => setCreated(null)}
        />
      ) : null}
      <section aria-labelledby="webhooks-list-title" className="space-y-3">
        <h2 id="webhooks-list-title" className="text-sm font-semibold text-zinc-100">
          Endpoints
        </h2>
        {endpoints}
      </section>
    </div>
  );
}
