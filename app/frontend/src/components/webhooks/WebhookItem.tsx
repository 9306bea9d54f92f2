// One webhook endpoint: its address and events, and test, rotate, delete and its delivery log.
// The settings endpoint (STUDIO_WEBHOOK_URL) can be tested, not rotated or deleted here.
import { ChevronDown, ChevronRight, KeyRound, Send, Trash2 } from 'lucide-react';
import { useId, useState } from 'react';
import { ActionButton, primaryButton, secondaryButton } from '../videoGen/CardActions';
import { errorText } from '../videoGen/api/videoGeneration';
import type { Webhook } from './api';
import DeliveryLog from './DeliveryLog';
import SecretNotice from './SecretNotice';
import { useWebhookActions } from './useWebhooks';

export default function WebhookItem({ webhook }: { webhook: Webhook }) {
  const ids = useId();
  const actions = useWebhookActions(webhook.id);
  const [showLog, setShowLog] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = (action: () => Promise<unknown>) => {
    setError(null);
    setNotice(null);
    action().catch((err: unknown) => setError(errorText(err)));
  };
  const sendTest = () =>
    run(async () => {
      await actions.test.mutateAsync();
      setShowLog(true);
      setNotice('Test event sent: its delivery is in the log below.');
    });
  const rotate = () =>
    run(async () => {
      const answer = await actions.rotate.mutateAsync();
      setSecret(answer.secret ?? null);
    });
  const remove = () =>
    run(async () => {
      setConfirming(false);
      await actions.remove.mutateAsync();
    });

  const busy = actions.test.isPending || actions.rotate.isPending || actions.remove.isPending;
  const editable = !webhook.from_settings;
  return (
    <li
      className="rounded-xl border border-zinc-800 bg-zinc-900 p-4"
      aria-labelledby={`${ids}-url`}
      data-testid="webhook"
      data-webhook-id={webhook.id}
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p id={`${ids}-url`} className="font-mono text-sm break-all text-zinc-100">
            {webhook.url}
          </p>
          <p className="mt-1 text-xs text-zinc-400">
            {webhook.events.join(', ')}
            {webhook.enabled ? '' : ' · disabled'}
            {webhook.from_settings ? ' · from the settings (STUDIO_WEBHOOK_URL)' : ''}
          </p>
        </div>
        <div className="flex flex-wrap gap-2" role="group" aria-label={`Actions for ${webhook.url}`}>
          <ActionButton icon={Send} onClick={sendTest} disabled={busy} testId="webhook-test">
            {actions.test.isPending ? 'Sending…' : 'Send test event'}
          </ActionButton>
          {editable ? (
            <ActionButton icon={KeyRound} onClick={rotate} disabled={busy} testId="webhook-rotate">
              Rotate secret
            </ActionButton>
          ) : null}
          {editable && !confirming ? (
            <ActionButton
              icon={Trash2}
              onClick={() => setConfirming(true)}
              disabled={busy}
              extraClass="hover:border-red-500/60 hover:text-red-300"
              testId="webhook-delete"
            >
              Delete
            </ActionButton>
          ) : null}
        </div>
      </div>
      {confirming ? (
        <div
          role="group"
          aria-label="Confirm delete"
          className="mt-3 flex flex-wrap items-center gap-2 text-sm text-zinc-200"
        >
          Delete this endpoint and its delivery log? Pending deliveries are not sent.
          <button
            type="button"
            onClick={remove}
            className={`${primaryButton} bg-red-600 hover:bg-red-500`}
            autoFocus
            data-testid="webhook-delete-confirm"
          >
            Delete endpoint
          </button>
          <button type="button" onClick={() => setConfirming(false)} className={secondaryButton}>
            Keep it
          </button>
        </div>
      ) : null}
      {secret ? (
        <div className="mt-3">
          <SecretNotice
            title="New signing secret"
            secret={secret}
            note="The old secret still signs events, beside this one, for 24 hours."
            onDone={() => setSecret(null)}
          />
        </div>
      ) : null}
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-300" data-testid="webhook-error">
          {error}
        </p>
      ) : null}
      <p role="status" className="mt-2 text-sm text-emerald-300 empty:hidden">
        {notice}
      </p>
      <button
        type="button"
        onClick={() => setShowLog((on) => !on)}
        aria-expanded={showLog}
        aria-controls={showLog ? `${ids}-log` : undefined}
        className="mt-2 inline-flex min-h-11 items-center gap-1 text-sm text-zinc-300 hover:text-white sm:min-h-9"
        data-testid="webhook-log-toggle"
      >
        {showLog ? (
          <ChevronDown className="h-4 w-4" aria-hidden="true" />
        ) : (
          <ChevronRight className="h-4 w-4" aria-hidden="true" />
        )}
        Deliveries
      </button>
      {showLog ? (
        <DeliveryLog webhookId={webhook.id} id={`${ids}-log`} onResend={(d) => actions.resend.mutateAsync(d)} />
      ) : null}
    </li>
  );
}
