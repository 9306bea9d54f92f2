import { RefreshCw, WifiOff } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { ConnectionState } from './hooks/useConnection';

/** "Studio unreachable, reconnecting" while the studio does not answer; nothing otherwise. */
export default function ConnectionBanner({ connection }: { connection: ConnectionState }) {
  const [now, setNow] = useState(() => Date.now());
  const offline = connection.state === 'offline';
  useEffect(() => {
    if (!offline) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [offline]);
  if (!offline) return null;
  const away = connection.offlineSince ? Math.max(0, Math.round((now - connection.offlineSince) / 1000)) : 0;
  const next = connection.nextTryAt ? Math.max(0, Math.ceil((connection.nextTryAt - now) / 1000)) : null;
  return (
    <div
      role="alert"
      className="flex shrink-0 flex-wrap items-center gap-x-3 gap-y-1 border-b border-amber-500/40 bg-amber-500/15 px-4 py-2 text-sm text-amber-100 sm:px-6"
      data-testid="connection-banner"
    >
      <WifiOff className="h-4 w-4 shrink-0" aria-hidden="true" />
      <span className="font-medium">Studio unreachable, reconnecting…</span>
      <span className="text-xs text-amber-200/80">
        Away for {away}s{next != null ? `, next try in ${next}s` : ''}. Progress and ETAs below are the last known.
      </span>
      <button
        type="button"
        onClick={connection.retryNow}
        className="ml-auto inline-flex min-h-11 items-center gap-1.5 rounded-md border border-amber-400/50 px-3 text-xs hover:bg-amber-500/20"
      >
        <RefreshCw className="h-3.5 w-3.5" aria-hidden="true" /> Try now
      </button>
    </div>
  );
}
