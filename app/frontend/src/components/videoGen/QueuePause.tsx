// The queue's pause: the header's "Pause queue" / "Resume queue" button, and the notice by the
// list that says what a pause means (and why a pause or resume was refused).
import { Loader2, Pause, CirclePause, Play } from 'lucide-react';
import CloseButton from './CloseButton';
import Notice from './Notice';
import type { QueuePause } from './hooks/useQueue';
import { modelDisplayName } from './params';
import type { VideoModel } from './types/chat';

/** Pauses or resumes the whole queue; the header's. */
export function QueuePauseButton({ queue }: { queue: QueuePause }) {
  const { paused, isChanging } = queue;
  const label = paused ? 'Resume queue' : 'Pause queue';
  const Icon = isChanging ? Loader2 : paused ? Play : Pause;
  return (
    <button
      type="button"
      onClick={() => queue.setPaused(!paused)}
      disabled={paused === null || isChanging}
      aria-label={label}
      title={
        paused ? 'Resume queue: queued videos start again' : 'Pause queue: running videos finish, nothing new starts'
      }
      className={`inline-flex h-11 min-w-11 items-center justify-center gap-1.5 rounded-lg px-2.5 transition-colors disabled:cursor-not-allowed disabled:opacity-60 ${paused ? 'bg-amber-500/15 text-amber-200 hover:bg-amber-500/25' : 'text-zinc-300 hover:bg-zinc-800'}`}
      data-testid="queue-toggle"
      data-paused={paused === null ? undefined : String(paused)}
    >
      <Icon className={`h-5 w-5 shrink-0 ${isChanging ? 'animate-spin' : ''}`} aria-hidden="true" />
      {/* Phones get the icon; its name is in aria-label and the title. */}
      <span className="hidden sm:inline">{label}</span>
    </button>
  );
}

/** "Queue paused: ..." while the whole queue (or a model's) is paused; a refused pause's message. */
export function QueuePausedNotice({ queue, models }: { queue: QueuePause; models: readonly VideoModel[] }) {
  const named = queue.pausedModels.map((id) => {
    const model = models.find((m) => m.id === id);
    return model ? modelDisplayName(model) : id;
  });
  const notice = queue.paused
    ? 'Queue paused: running videos finish, nothing new starts.'
    : named.length > 0
      ? `Queue paused for ${named.join(', ')}: its running videos finish, nothing new of it starts.`
      : null;
  if (!notice && !queue.error) return null;
  return (
    <div className="shrink-0 space-y-2 px-4 pt-3 sm:px-6">
      {notice ? (
        <p
          role="status"
          className="mx-auto flex w-full max-w-4xl items-center gap-2 rounded-xl border border-amber-500/40 bg-amber-500/10 px-3 py-2 text-sm text-amber-100"
          data-testid="queue-paused"
        >
          <CirclePause className="h-4 w-4 shrink-0" aria-hidden="true" />
          {notice}
        </p>
      ) : null}
      {queue.error ? (
        <div className="mx-auto w-full max-w-4xl">
          <Notice
            tone="error"
            rounded="rounded-xl"
            testId="queue-error"
            message={queue.error}
            action={
              <CloseButton
                label="Dismiss queue error"
                onClick={queue.dismissError}
                className="flex shrink-0 rounded text-red-300 hover:bg-red-500/20"
              />
            }
          />
        </div>
      ) : null}
    </div>
  );
}
