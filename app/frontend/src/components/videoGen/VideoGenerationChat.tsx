import { ChevronUp, Clapperboard, Loader2 } from 'lucide-react';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import CloseButton from './CloseButton';
import Gallery from './Gallery';
import Notice from './Notice';
import SelectionBar from './SelectionBar';
import UndoToast from './UndoToast';
import VideoInputArea from './VideoInputArea';
import VideoJobCard from './VideoJobCard';
import ComposerBatchDrop from '../studio/sweep/ComposerBatchDrop';
import type { CardHandlers } from './CardActions';
import { ApiError, errorText, isTerminal } from './api/videoGeneration';
import { useComposer, type SubmitFailure } from './hooks/useComposer';
import { usePromptEnhancer } from './hooks/usePromptEnhancer';
import { useQueueSteering } from './hooks/useQueue';
import { usePendingDeletes } from './hooks/usePendingDeletes';
import { wasRestarted } from './hooks/videoCache';
import type { ModelsState, VideoChat } from './hooks/useVideoChat';
import type { ViewMode } from './settingsStore';
import { EXAMPLE_PROMPT, type Video, type VideoStatus } from './types/chat';

// A long history would otherwise open one metadata request per video on every page load.
const EAGER_VIDEOS = 6;

const EXAMPLES = [EXAMPLE_PROMPT, 'A paper boat drifting down a rainy street', 'Northern lights over a snowy forest'];

interface VideoGenerationChatProps {
  chat: VideoChat;
  models: ModelsState;
  view: ViewMode;
  /** The studio is unreachable: what the cards show is the last known state. */
  stale: boolean;
}

function SubmitError({
  failure,
  inBox,
  onDismiss,
  onRestore,
}: {
  failure: SubmitFailure;
  inBox: boolean;
  onDismiss: () => void;
  onRestore: () => void;
}) {
  const { error } = failure;
  const raw = error instanceof ApiError ? error.message : null;
  const friendly = errorText(error);
  return (
    <Notice
      tone="error"
      rounded="rounded-xl"
      testId="submit-error"
      message={
        <>
          Not sent{inBox ? '' : `: “${failure.text.length > 60 ? `${failure.text.slice(0, 57)}…` : failure.text}”`}.{' '}
          {friendly}
        </>
      }
      details={raw && raw !== friendly ? raw : null}
      action={
        <CloseButton
          label="Dismiss error"
          onClick={onDismiss}
          className="flex shrink-0 rounded text-red-300 hover:bg-red-500/20"
        />
      }
    >
      {inBox ? null : (
        <button
          type="button"
          onClick={onRestore}
          className="mt-1 min-h-11 text-xs font-medium text-red-100 underline underline-offset-2"
          data-testid="restore-prompt"
        >
          Put it back in the prompt box
        </button>
      )}
    </Notice>
  );
}

export default function VideoGenerationChat({ chat, models, view, stale }: VideoGenerationChatProps) {
  const client = useQueryClient();
  const composer = useComposer(chat.submit, models.models, models.defaultModel);
  const deletes = usePendingDeletes(chat.removeMany, chat.cancel);
  const steering = useQueueSteering();
  const enhancer = usePromptEnhancer();
  const [selectedIds, setSelectedIds] = useState<ReadonlySet<string>>(() => new Set());
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  const videos = useMemo(() => chat.videos.filter((v) => !deletes.hidden.has(v.id)), [chat.videos, deletes.hidden]);
  // The cards are drawn from a deferred copy: a new list (the history arriving, a status from the
  // live stream) first renders the rest of the page, then the cards in a render that yields to the
  // browser every few milliseconds, instead of one long task for every card (a phone's TBT).
  const shown = useDeferredValue(videos);
  const newestFirst = useMemo(() => [...shown].reverse(), [shown]);
  const lastId = shown.at(-1)?.id;

  // Follow the conversation: jump to the newest job on load and after each submission, and
  // keep the newest finished video in view while the user is at the bottom.
  // The grid is newest first: it starts at the top and is left where the user scrolls it.
  // In the coming frame, before it paints: reading scrollHeight in the commit itself would lay
  // the whole page out inside React's task (one long task on a phone, at load and at every update).
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const frame = requestAnimationFrame(() => {
      if (view === 'grid') el.scrollTop = 0;
      else if (lastId) el.scrollTop = el.scrollHeight;
    });
    return () => cancelAnimationFrame(frame);
  }, [lastId, view]);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || view !== 'chat' || !atBottom.current) return;
    const frame = requestAnimationFrame(() => (el.scrollTop = el.scrollHeight));
    return () => cancelAnimationFrame(frame);
  }, [shown, view]);
  const onScroll = () => {
    const el = scrollRef.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 120;
  };

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

  const { failure, dismissFailure } = composer;

  const onSelect = useCallback((id: string, on: boolean) => {
    setSelectedIds((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  const selected = videos.filter((v) => selectedIds.has(v.id));
  const { remove: removeLater } = deletes;
  const { setReference } = composer;
  const imageModel = models.models.some((m) => m.ready && m.capabilities.image_to_video);
  const onUseFrame = useCallback((frame: Blob) => setReference(frame, 'frame.png'), [setReference]);

  const handlers: CardHandlers = {
    onCancel: (id) => void chat.cancel(id),
    onRetry: (id) => void chat.retry(id),
    onDelete: (video: Video) => removeLater([video]),
    onReuse: composer.reuse,
    onFavorite: (id, on) => void chat.favorite(id, on).catch(() => undefined),
    onRemix: chat.remix,
    onExtend: chat.extend,
    onMove: steering.move,
    onEditQueued: steering.edit,
  };
  const modelOf = (id: string) => models.models.find((m) => m.id === id);
  const capsOf = (id: string) => modelOf(id)?.capabilities;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <p className="sr-only" aria-live="polite" data-testid="announcer">
        {announcement}
      </p>
      <SelectionBar
        selected={selected}
        onDelete={() => {
          removeLater(selected);
          setSelectedIds(new Set());
        }}
        onClear={() => setSelectedIds(new Set())}
      />
      <div ref={scrollRef} onScroll={onScroll} className="min-h-0 flex-1 overflow-y-auto" data-testid="chat-scroll">
        {view === 'grid' ? (
          <Gallery
            videos={newestFirst}
            hidden={deletes.hidden}
            models={models.models}
            selected={selectedIds}
            onSelect={onSelect}
            {...handlers}
          />
        ) : (
          <div className="mx-auto flex w-full max-w-4xl flex-col gap-6 px-4 py-6 sm:px-6">
            {!models.isLoading && !models.anyReady ? (
              <Notice
                tone="warning"
                rounded="rounded-xl"
                testId="provider-unavailable"
                message={models.unavailableReason}
              >
                {models.models.length > 0 ? (
                  <ul className="mt-2 space-y-1 text-xs text-amber-200/80">
                    {models.models.map((m) => (
                      <li key={m.id} className="break-words">
                        <span className="font-medium text-amber-100">{m.label}:</span> {m.detail}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </Notice>
            ) : null}

            {chat.hasOlder ? (
              <button
                type="button"
                onClick={chat.loadOlder}
                disabled={chat.isLoadingOlder}
                className="mx-auto inline-flex min-h-11 items-center gap-1.5 rounded-full border border-zinc-700 px-4 text-sm text-zinc-300 hover:bg-zinc-800"
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

            {!chat.isLoading && !chat.historyError && videos.length === 0 ? (
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
                        onClick={() => composer.setPrompt(ex)}
                        className="min-h-11 rounded-full border border-zinc-700 px-3 text-sm text-zinc-300 hover:border-brand-light hover:text-white"
                      >
                        {ex}
                      </button>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}

            <ol className="flex flex-col gap-8" aria-label="Videos" data-testid="job-list">
              {shown.map((video, index) => (
                <li key={video.id}>
                  <VideoJobCard
                    video={video}
                    preload={index >= shown.length - EAGER_VIDEOS}
                    caps={capsOf(video.model)}
                    typicalTime={modelOf(video.model)?.typical_time}
                    stale={stale}
                    restarted={wasRestarted(client, video.id)}
                    onUseFrame={imageModel ? onUseFrame : undefined}
                    selected={selectedIds.has(video.id)}
                    onSelect={onSelect}
                    busy={chat.pendingActionId === video.id}
                    actionError={chat.actionError?.id === video.id ? chat.actionError.message : null}
                    {...handlers}
                  />
                </li>
              ))}
            </ol>
          </div>
        )}
      </div>

      <div className="shrink-0 border-t border-zinc-800 bg-zinc-950 px-4 py-3 sm:px-6">
        <div className="mx-auto w-full max-w-4xl space-y-3">
          {failure ? (
            <SubmitError
              failure={failure}
              inBox={composer.prompt === failure.text}
              onDismiss={dismissFailure}
              onRestore={composer.restoreFailed}
            />
          ) : null}
          <ComposerBatchDrop settings={composer.settings} models={models.models} defaultModel={models.defaultModel}>
            <VideoInputArea
              composer={composer}
              models={models.models}
              defaultModel={models.defaultModel}
              enhance={{ enhancer, enhancement: composer.enhancement, apply: composer.applyEnhancement }}
            />
          </ComposerBatchDrop>
        </div>
      </div>
      <UndoToast deletes={deletes} />
    </div>
  );
}
