// The "CR" mark on a finished video: a button that opens what the file's Content Credentials say
// (valid or not, made by which model, from which sources, signed by whom). The credentials are
// fetched only when it is first opened. Escape or Close shuts it and gives the focus back.
import { useQuery } from '@tanstack/react-query';
import { X } from 'lucide-react';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { errorText } from './api/videoGeneration';
import type { CredentialsSummary } from './credentials';
import { credentialsKey, getCredentials, summarize } from './credentials';

const STATE_STYLE: Record<CredentialsSummary['state'], string> = {
  trusted: 'text-emerald-300',
  valid: 'text-emerald-300',
  invalid: 'text-red-300',
  unsigned: 'text-zinc-300',
};

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-zinc-400">{term}</dt>
      <dd className="text-zinc-100">{children}</dd>
    </div>
  );
}

function Summary({ summary }: { summary: CredentialsSummary }) {
  return (
    <dl className="space-y-1.5" data-testid="credentials-summary" data-state={summary.state}>
      <Row term="Status">
        <span className={`font-semibold ${STATE_STYLE[summary.state]}`} data-testid="credentials-state">
          {summary.stateText}
        </span>
        <span className="block text-xs text-zinc-300">{summary.detail}</span>
        {summary.problems.length > 0 ? (
          <ul className="mt-1 list-disc pl-4 text-xs text-red-200">
            {summary.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
      </Row>
      {summary.madeBy ? (
        <Row term={summary.action && summary.action !== 'Created' ? `${summary.action} by` : 'Made by'}>
          <span data-testid="credentials-model">{summary.madeBy}</span>
          {summary.kind ? <span className="block text-xs text-zinc-300">{summary.kind}</span> : null}
        </Row>
      ) : null}
      {summary.state !== 'unsigned' ? (
        <Row term="Sources">
          {summary.sources.length === 0 ? (
            'None: made from the prompt alone'
          ) : (
            <ul data-testid="credentials-sources">
              {summary.sources.map((s, i) => (
                <li key={`${s.title}-${String(i)}`} className="break-all">
                  {s.title} <span className="text-xs text-zinc-400">({s.role})</span>
                </li>
              ))}
            </ul>
          )}
        </Row>
      ) : null}
      {summary.signedBy ? (
        <Row term="Signed by">
          <span data-testid="credentials-signer">{summary.signedBy}</span>
          {summary.signedAt ? <span className="block text-xs text-zinc-300">{summary.signedAt}</span> : null}
        </Row>
      ) : null}
      {summary.app ? <Row term="App">{summary.app}</Row> : null}
    </dl>
  );
}

export default function CredentialsMark({ videoId }: { videoId: string }) {
  const [open, setOpen] = useState(false);
  const ids = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const refocus = useRef(false);
  const credentials = useQuery({
    queryKey: credentialsKey(videoId),
    queryFn: ({ signal }) => getCredentials(videoId, signal),
    enabled: open,
    staleTime: 5 * 60_000,
    select: summarize,
  });

  useEffect(() => {
    if (open) panel.current?.focus();
    else if (refocus.current) {
      refocus.current = false;
      button.current?.focus();
    }
  }, [open]);

  const close = () => {
    refocus.current = true;
    setOpen(false);
  };

  return (
    <span className="relative inline-flex">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={open ? `${ids}-panel` : undefined}
        aria-label="Content Credentials"
        title="Content Credentials: how this video was made, and whether the file is intact"
        onClick={() => (open ? close() : setOpen(true))}
        className="-my-2 inline-flex min-h-11 min-w-11 items-center justify-center sm:min-h-9 sm:min-w-9"
        data-testid="credentials-mark"
      >
        <span
          aria-hidden="true"
          className="rounded-md border border-zinc-500 bg-zinc-800 px-1.5 py-0.5 text-[11px] leading-none font-bold tracking-wide text-zinc-100"
        >
          CR
        </span>
      </button>
      {open ? (
        <div
          ref={panel}
          id={`${ids}-panel`}
          role="dialog"
          aria-labelledby={`${ids}-title`}
          tabIndex={-1}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            }
          }}
          className="absolute top-full left-0 z-30 mt-1 w-80 max-w-[calc(100vw-2rem)] space-y-2 rounded-lg border border-zinc-700 bg-zinc-900 p-3 text-sm shadow-xl focus:outline-none"
          data-testid="credentials-panel"
        >
          <div className="flex items-center justify-between gap-2">
            <p id={`${ids}-title`} className="font-semibold text-zinc-100">
              Content Credentials
            </p>
            <button
              type="button"
              onClick={close}
              aria-label="Close Content Credentials"
              className="inline-flex min-h-9 min-w-9 items-center justify-center rounded text-zinc-300 hover:bg-zinc-800 hover:text-white"
            >
              <X className="h-4 w-4" aria-hidden="true" />
            </button>
          </div>
          {credentials.isPending ? (
            <p role="status" className="text-zinc-300">
              Reading the credentials…
            </p>
          ) : credentials.isError ? (
            <p role="alert" className="text-red-300">
              {errorText(credentials.error)}
            </p>
          ) : (
            <Summary summary={credentials.data} />
          )}
        </div>
      ) : null}
    </span>
  );
}
