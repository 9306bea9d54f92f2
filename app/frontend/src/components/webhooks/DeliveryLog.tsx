// An endpoint's delivery log, newest first: what was sent, how it went, and "Send again".
import { Loader2, RotateCcw } from 'lucide-react';
import { useState } from 'react';
import { secondaryButton } from '../videoGen/CardActions';
import { errorText } from '../videoGen/api/videoGeneration';
import type { Delivery } from './api';
import { useDeliveries } from './useWebhooks';

const STATUS_TEXT: Record<string, { text: string; tone: string }> = {
  pending: { text: 'Pending', tone: 'text-sky-300' },
  delivered: { text: 'Delivered', tone: 'text-emerald-300' },
  failed: { text: 'Failed', tone: 'text-red-300' },
  stopped: { text: 'Stopped (410 Gone)', tone: 'text-amber-300' },
};

export const when = (seconds: number) =>
  new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });

/** The receiver's last answer: its HTTP status, else why there was none. */
function lastAnswer(d: Delivery): string {
  if (d.last_status_code != null) return String(d.last_status_code);
  if (d.last_error) return 'none';
  return d.attempts === 0 ? 'not sent yet' : '—';
}

interface Props {
  webhookId: string;
  /** Its id, for the toggle's aria-controls. */
  id: string;
  onResend: (deliveryId: string) => Promise<unknown>;
}

export default function DeliveryLog({ webhookId, id, onResend }: Props) {
  const { data, isLoading, error } = useDeliveries(webhookId, true);
  const [resending, setResending] = useState<string | null>(null);
  const [resendError, setResendError] = useState<string | null>(null);

  const resend = (deliveryId: string) => {
    setResending(deliveryId);
    setResendError(null);
    onResend(deliveryId)
      .catch((err: unknown) => setResendError(errorText(err)))
      .finally(() => setResending(null));
  };

  let body;
  if (isLoading) {
    body = (
      <p role="status" className="flex items-center gap-2 text-sm text-zinc-400">
        <Loader2 className="h-4 w-4 animate-spin" aria-hidden="true" /> Loading deliveries…
      </p>
    );
  } else if (error) {
    body = (
      <p role="alert" className="text-sm text-red-300">
        {errorText(error)}
      </p>
    );
  } else if (!data?.data.length) {
    body = <p className="text-sm text-zinc-400">No deliveries yet. Send a test event to see one.</p>;
  } else {
    body = (
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="webhook-deliveries">
          <caption className="sr-only">Deliveries, newest first</caption>
          <thead className="text-xs text-zinc-400">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">
                Event
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Status
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Attempts
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Last answer
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Created
              </th>
              <th scope="col" className="py-1 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.data.map((d) => {
              const status = STATUS_TEXT[d.status] ?? { text: d.status, tone: 'text-zinc-300' };
              return (
                <tr
                  key={d.id}
                  className="border-t border-zinc-800 align-top"
                  data-testid="webhook-delivery"
                  data-status={d.status}
                >
                  <td className="py-2 pr-3">
                    <code className="text-xs">{d.type}</code>
                  </td>
                  <td className={`py-2 pr-3 ${status.tone}`}>
                    {status.text}
                    {d.status === 'pending' && d.next_attempt_at != null ? (
                      <span className="block text-xs text-zinc-400">next try {when(d.next_attempt_at)}</span>
                    ) : null}
                  </td>
                  <td className="py-2 pr-3 tabular-nums">{d.attempts}</td>
                  <td className="py-2 pr-3">
                    <span className="tabular-nums" data-testid="webhook-delivery-code">
                      {lastAnswer(d)}
                    </span>
                    {d.last_error ? (
                      <span className="block text-xs break-words text-zinc-400">{d.last_error}</span>
                    ) : null}
                  </td>
                  <td className="py-2 pr-3 text-xs whitespace-nowrap text-zinc-400">{when(d.created_at)}</td>
                  <td className="py-2">
                    <button
                      type="button"
                      onClick={() => resend(d.id)}
                      disabled={resending !== null}
                      aria-label={`Send again: ${d.type}, ${when(d.created_at)}`}
                      className={secondaryButton}
                      data-testid="webhook-resend"
                    >
                      <RotateCcw className="h-4 w-4" aria-hidden="true" />
                      {resending === d.id ? 'Sending…' : 'Send again'}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    );
  }

  return (
    <section id={id} aria-label="Delivery log" className="mt-3 space-y-2">
      {body}
      {resendError ? (
        <p role="alert" className="text-sm text-red-300">
          {resendError}
        </p>
      ) : null}
    </section>
  );
}
