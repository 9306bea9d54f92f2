// Steering the queue (docs/api.md, "Steering the queue"): pause and resume it (GET/POST
// /v1/queue), and move or edit a queued video (POST /v1/videos/{id}). Answers go into the job
// list at once; the live stream (useLiveVideos) keeps positions current afterwards.
import { useCallback, useMemo } from 'react';
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorText, getQueue, getVideo, setQueuePaused, updateQueuedVideo } from '../api/videoGeneration';
import type { QueueState, Video, VideoModel, VideoUpdate } from '../types/chat';
import { findInList, updateVideo, videoKeys } from './videoCache';
import { modelKeys } from './useVideoChat';

export const queueKeys = { all: ['queue'] as const };

/** Where "Move to end" puts a video: past the end of any queue. */
export const LAST_POSITION = 100_000;

/** A move: `{queue_position: 1}` runs next, LAST_POSITION last; `{before: id}` ahead of another. */
export type QueuePlace = { queue_position: number } | { before: string };

/**
 * The queue's order into the job list: each listed video still queued there gets its position
 * (and ETA). One that has started meanwhile keeps the newer state the list already has.
 */
function writePositions(client: QueryClient, queue: QueueState): void {
  for (const video of queue.data) {
    if (findInList(client, video.id)?.status === 'queued') updateVideo(client, video);
  }
}

export interface QueuePause {
  /** The whole queue is paused; null until known. */
  paused: boolean | null;
  /** Models whose own queue is paused while the whole is not (their ids). */
  pausedModels: string[];
  /** A pause or resume is on its way. */
  isChanging: boolean;
  /** Why the last pause or resume was refused (a 403 for someone who is not an admin). */
  error: string | null;
  dismissError: () => void;
  setPaused: (paused: boolean) => void;
}

/** The queue's pause state (GET /v1/queue, else /v1/models' queue_paused) and the control that flips it. */
export function useQueuePause(models: readonly VideoModel[]): QueuePause {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: queueKeys.all,
    queryFn: async ({ signal }) => {
      const queue = await getQueue(signal);
      if (!signal.aborted) writePositions(client, queue);
      return queue;
    },
    // Another tab or an admin may pause it; the models list (every 30 s) says so too.
    refetchInterval: 15_000,
    staleTime: 5_000,
  });
  const mutation = useMutation({
    mutationFn: (paused: boolean) => setQueuePaused(paused),
    onSuccess: (queue) => {
      client.setQueryData(queueKeys.all, queue);
      writePositions(client, queue);
      void client.invalidateQueries({ queryKey: modelKeys.all });
    },
  });
  const { mutate, reset } = mutation;
  const data = query.data;
  return useMemo(() => {
    let paused: boolean | null = data?.paused ?? null;
    let pausedModels: string[] = data?.models.filter((m) => m.paused).map((m) => m.model) ?? [];
    if (!data && models.length > 0) {
      // No /v1/queue answer (yet): what /v1/models says.
      paused = models.every((m) => m.queue_paused);
      pausedModels = paused ? [] : models.filter((m) => m.queue_paused).map((m) => m.id);
    }
    return {
      paused,
      pausedModels: paused ? [] : pausedModels,
      isChanging: mutation.isPending,
      error: mutation.error ? errorText(mutation.error) : null,
      dismissError: reset,
      setPaused: (next: boolean) => mutate(next),
    };
  }, [data, models, mutation.isPending, mutation.error, mutate, reset]);
}

export interface QueueSteering {
  /** Move a queued video (run next, move to end, before another). */
  move: (id: string, place: QueuePlace) => Promise<Video>;
  /** Change a queued video's parameters (prompt, negative_prompt, seed, num_inference_steps, ...). */
  edit: (id: string, changes: VideoUpdate) => Promise<Video>;
}

/** Move and edit queued videos; the answer replaces the card's state at once. */
export function useQueueSteering(): QueueSteering {
  const client = useQueryClient();
  const change = useCallback(
    async (id: string, body: VideoUpdate): Promise<Video> => {
      let video: Video;
      try {
        video = await updateQueuedVideo(id, body);
      } catch (err) {
        // 409 not_queued: it has started (or ended) meanwhile; show its real state.
        if (err instanceof ApiError && err.status === 409) {
          void getVideo(id)
            .then((v) => updateVideo(client, v))
            .catch(() => undefined);
        }
        throw err;
      }
      // A poll or a queue read already on its way would write the state from before the change back.
      await client.cancelQueries({ queryKey: videoKeys.unfinishedPoll() });
      await client.cancelQueries({ queryKey: queueKeys.all });
      updateVideo(client, video);
      // The others' positions moved too: the queue's order brings them.
      void client.invalidateQueries({ queryKey: queueKeys.all });
      return video;
    },
    [client],
  );
  return useMemo(
    () => ({
      move: (id: string, place: QueuePlace) => change(id, place),
      edit: (id: string, changes: VideoUpdate) => change(id, changes),
    }),
    [change],
  );
}
