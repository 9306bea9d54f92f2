import { AlertTriangle, ChevronUp, Clapperboard, Loader2, X } from 'lucide-react';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import VideoInputArea from './VideoInputArea';
import VideoJobCard from './VideoJobCard';
import { ApiError, errorText, isTerminal } from './api/videoGeneration';
import type { ModelsState, VideoChat } from './hooks/useVideoChat';
import { EXAMPLE_PROMPT, type VideoStatus } from './types/chat';

// A long history would otherwise open one metadata request per video on every page load.
const EAGER_VIDEOS = 6;

const EXAMPLES = [EXAMPLE_PROMPT, 'A paper boat drifting down a rainy street', 'Northern lights over a snowy forest'];

interface VideoGenerationChatProps {
  chat: VideoChat;
  models: ModelsState;
}

function SubmitError({ error, onDismiss }: { error: unknown; onDismiss: () => void }) {
  const raw = error instanceof ApiError ? error.message : null;
  const friendly = errorText(error);
  return (
    <div
      role="alert"
      className="flex items-start gap-3 rounded-xl border border-red-500/40 bg-red-500/10 p-3 text-sm"
      data-testid="submit-error"
    >
      <AlertTriangle className="mt-0.5 h-5 w-5 shrink-0 text-red-400" aria-hidden="true" />
      <div className="min-w-0 flex-1">
        <p className="font-medium text-red-200">{friendly}</p>
        {raw && raw !== friendly ? <p className="mt-1 break-words text-xs text-red-300/80">Details: {raw}</p> : null}
      </div>
      <button
        type="button"
        onClick={onDismiss}
        aria-label="Dismiss error"
        className="rounded p-1 text-red-300 hover:bg-red-500/20"
      >
        <X className="h-4 w-4" aria-hidden="true" />
      </button>
    </div>
  );
}

export default function VideoGenerationChat({ chat, models }: VideoGenerationChatProps) {
  const [prompt, setPrompt] = useState('');
  const scrollRef = useRef<HTMLDivElement>(null);
  const lastId = chat.videos.at(-1)?.id;

  // Follow the conversation: jump to the newest job on load and after each submission.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && lastId) el.scrollTop = el.scrollHeight;
  }, [lastId]);

  // Announce finished jobs once to screen readers (the per-second progress text is not live).
  const [announcement, setAnnouncement] = useState('');
  const lastStatus = useRef(new Map<string, VideoStatus>());
  useEffect(() => {
    const seen = lastStatus.current;
    for (const v of chat.videos) {
      const before = seen.get(v.id);
      if (before && !isTerminal(before) && isTerminal(v.status)) {
        const what =
          v.status === 'completed' ? 'Video ready' : v.status === 'failed' ? 'Video failed' : 'Video cancelled';
        setAnnouncement(`${what}: ${v.prompt}`);
      }
      seen.set(v.id, v.status);
    }
  }, [chat.videos]);

  const { clearSubmitError, submitError } = chat;
  const onPromptChange = (next: string) => {
    setPrompt(next);
    // A stale error should not linger once the user edits the prompt.
    if (next && submitError) clearSubmitError();
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <p className="sr-only" aria-live="polite" data-testid="announcer">
        {announcement}
      </p>
      <div ref={scrollRef} className="min-h-0 flex-1 overflow-y-auto" data-testid="chat-scroll">
        <div className="mx-auto flex w-full max-w-4xl flex-col gap-6 px-4 py-6 sm:px-6">
          {!models.isLoading && !models.anyReady ? (
            <div
              role="status"
              className="flex gap-3 rounded-xl border border-amber-500/40 bg-amber-500/10 p-3 text-sm text-amber-200"
              data-testid="provider-unavailable"
            >
              <AlertTriangle className="mt-0.5 h-5 w-5 shrink-0" aria-hidden="true" />
              <div className="min-w-0">
                <p className="font-medium">{models.unavailableReason}</p>
                {models.models.length > 0 ? (
                  <ul className="mt-2 space-y-1 text-xs text-amber-200/80">
                    {models.models.map((m) => (
                      <li key={m.id} className="break-words">
                        <span className="font-medium text-amber-100">{m.label}:</span> {m.detail}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </div>
            </div>
          ) : null}

          {chat.hasOlder ? (
            <button
              type="button"
              onClick={chat.loadOlder}
              disabled={chat.isLoadingOlder}
              className="mx-auto inline-flex items-center gap-1.5 rounded-full border border-zinc-700 px-4 py-1.5 text-sm text-zinc-300 hover:bg-zinc-800"
            >
              {chat.isLoadingOlder ? (
                <Loader2 className="h-4 w-4 animate-spin" aria-hidden="true" />
              ) : (
                <ChevronUp className="h-4 w-4" aria-hidden="true" />
              )}
              Load earlier videos
            </button>
          ) : null}

          {chat.isLoading ? (
            <p className="flex items-center justify-center gap-2 py-12 text-zinc-400" role="status">
              <Loader2 className="h-5 w-5 animate-spin" aria-hidden="true" /> Loading your videos…
            </p>
          ) : null}

          {chat.historyError ? (
            <p role="alert" className="rounded-xl border border-red-500/40 bg-red-500/10 p-3 text-sm text-red-200">
              Could not load earlier videos: {chat.historyError}
            </p>
          ) : null}

          {!chat.isLoading && !chat.historyError && chat.videos.length === 0 ? (
            <div className="flex flex-col items-center py-10 text-center sm:py-16" data-testid="empty-state">
              <span className="mb-4 flex h-16 w-16 items-center justify-center rounded-2xl bg-brand/40">
                <Clapperboard className="h-8 w-8 text-brand-light" aria-hidden="true" />
              </span>
              <h2 className="text-xl font-semibold">What should the video show?</h2>
              <p className="mt-2 max-w-md text-sm text-zinc-400">
                Describe a scene and press Enter. Each prompt becomes a job in the queue; finished videos stay here
                after a reload.
              </p>
              <ul className="mt-6 flex flex-wrap justify-center gap-2" aria-label="Example prompts">
                {EXAMPLES.map((ex) => (
                  <li key={ex}>
                    <button
                      type="button"
                      onClick={() => onPromptChange(ex)}
                      className="rounded-full border border-zinc-700 px-3 py-1.5 text-sm text-zinc-300 hover:border-brand-light hover:text-white"
                    >
                      {ex}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}

          <ol className="flex flex-col gap-8" aria-label="Videos" data-testid="job-list">
            {chat.videos.map((video, index) => (
              <li key={video.id}>
                <VideoJobCard
                  video={video}
                  preload={index >= chat.videos.length - EAGER_VIDEOS}
                  onCancel={(id) => void chat.cancel(id)}
                  onRetry={(id) => void chat.retry(id)}
                  onDelete={(id) => void chat.remove(id)}
                  busy={chat.pendingActionId === video.id}
                  actionError={chat.actionError?.id === video.id ? chat.actionError.message : null}
                />
              </li>
            ))}
          </ol>
        </div>
      </div>

      <div className="shrink-0 border-t border-zinc-800 bg-zinc-950 px-4 py-3 sm:px-6">
        <div className="mx-auto w-full max-w-4xl space-y-3">
          {submitError ? <SubmitError error={submitError} onDismiss={clearSubmitError} /> : null}
          <VideoInputArea
            prompt={prompt}
            onPromptChange={onPromptChange}
            onSubmit={chat.submit}
            isSubmitting={chat.isSubmitting}
            models={models.models}
            defaultModel={models.defaultModel}
          />
        </div>
      </div>
    </div>
  );
}
