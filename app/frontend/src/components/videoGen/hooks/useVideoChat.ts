// The video "chat" state, backed by the jobs API through TanStack Query so that a reload
// (or a second tab) shows the same history: the paginated list is the single source of
// truth. Unfinished jobs are kept current by one live stream (useLiveVideos); while it is not
// open, one list request for the unfinished jobs is polled (with backoff) and written back instead.
import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { infiniteQueryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  ApiError,
  cancelVideo,
  createVideo,
  type CreateVideoRequest,
  deleteVideo,
  errorText,
  extendVideo,
  getVideo,
  isTerminal,
  listModels,
  listVideos,
  remixVideo,
  retryVideo,
  setFavorite,
} from '../api/videoGeneration';
import { backoffDelay, connection } from '../connection';
import type { Video, VideoList, VideoModel } from '../types/chat';
import { type LiveVideosTimings, useLiveVideos } from './useLiveVideos';
import { findInList, forgetVideo, galleryKeys, patchList, updateVideo, upsertVideo, videoKeys } from './videoCache';

export { videoKeys } from './videoCache';
export const modelKeys = { all: ['models'] as const };

const UNFINISHED = 'queued,in_progress';

export interface ModelsState {
  models: VideoModel[];
  /** The model the server uses when none is named; falls back to the first ready one. */
  defaultModel: VideoModel | undefined;
  /** True when at least one model can take jobs. */
  anyReady: boolean;
  isLoading: boolean;
  /** Why no provider can be used, for the nav tooltip and the page banner; null when one is ready. */
  unavailableReason: string | null;
}

export function useModels(): ModelsState {
  const query = useQuery({
    queryKey: modelKeys.all,
    queryFn: ({ signal }) => listModels(signal),
    staleTime: 10_000,
    // Providers can come up later (a cloud endpoint warming up), so look again now and then.
    refetchInterval: 30_000,
  });
  return useMemo(() => {
    const models = query.data?.data ?? [];
    const defaultModel =
      models.find((m) => m.default && m.ready) ?? models.find((m) => m.ready) ?? models.find((m) => m.default);
    const anyReady = models.some((m) => m.ready);
    let unavailableReason: string | null = null;
    // While the first answer is pending nothing is known to be wrong: do not block navigation.
    if (query.isLoading) unavailableReason = null;
    else if (query.error) unavailableReason = `Cannot check the video providers: ${errorText(query.error)}`;
    else if (!anyReady) {
      unavailableReason =
        'No video provider is ready. Set CLOUD_VIDEO_GENERATION_URL in app/.env or enable the preview engine (VIDEO_PREVIEW_ENABLED=true), then restart the studio.';
    }
    return { models, defaultModel, anyReady, isLoading: query.isLoading, unavailableReason };
  }, [query.data, query.isLoading, query.error]);
}

export interface UseVideoChatOptions {
  /** How often the unfinished jobs are polled (one request for all) while the live stream is not open. */
  pollIntervalMs?: number;
  /** Timings of the live stream (useLiveVideos). */
  live?: LiveVideosTimings;
  pageSize?: number;
  /** Pages of history fetched without asking; more come with loadOlder(). */
  autoLoadPages?: number;
}

export interface VideoChat {
  /** Every known video, oldest first (chat order). */
  videos: Video[];
  isLoading: boolean;
  historyError: string | null;
  hasOlder: boolean;
  isLoadingOlder: boolean;
  loadOlder: () => void;
  submit: (params: CreateVideoRequest) => Promise<Video>;
  /** A new job from a finished one with a new prompt (POST /v1/videos/{id}/remix). */
  remix: (id: string, prompt: string) => Promise<Video>;
  /** The video continued for `seconds` more (POST /v1/videos/extensions). */
  extend: (id: string, prompt: string, seconds?: string | null) => Promise<Video>;
  favorite: (id: string, favorite: boolean) => Promise<void>;
  /** Delete several at once (jobs still running are cancelled by the server first). */
  removeMany: (ids: readonly string[]) => Promise<void>;
  isSubmitting: boolean;
  submitError: unknown;
  clearSubmitError: () => void;
  cancel: (id: string) => Promise<void>;
  retry: (id: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
  /** Error of the last cancel/retry/delete, with the id it was about. */
  actionError: { id: string; message: string } | null;
  pendingActionId: string | null;
}

/** The history's query (newest first, `pageSize` a page): the hook's, and main.tsx's, which asks
 * for its first page while the video page's code is still on its way. */
export function historyQuery(pageSize = 20) {
  return infiniteQueryOptions({
    queryKey: videoKeys.list(),
    queryFn: ({ pageParam, signal }) => listVideos({ after: pageParam, limit: pageSize, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: VideoList) => (last.has_more && last.last_id ? last.last_id : undefined),
  });
}

export function useVideoChat(options: UseVideoChatOptions = {}): VideoChat {
  const { pollIntervalMs = 1000, pageSize = 20, autoLoadPages = 5, live } = options;
  const client = useQueryClient();

  const history = useInfiniteQuery({
    ...historyQuery(pageSize),
    // The stream (or polling) keeps unfinished jobs fresh; refetching every page on focus would only race it.
    refetchOnWindowFocus: false,
  });

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = history;
  const pageCount = history.data?.pages.length ?? 0;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && pageCount < autoLoadPages) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, pageCount, autoLoadPages, fetchNextPage]);

  const newestFirst = useMemo(() => {
    const seen = new Set<string>();
    const out: Video[] = [];
    for (const page of history.data?.pages ?? []) {
      for (const v of page.data) {
        if (!seen.has(v.id)) {
          seen.add(v.id);
          out.push(v);
        }
      }
    }
    return out;
  }, [history.data]);

  const activeIds = useMemo(() => newestFirst.filter((v) => !isTerminal(v.status)).map((v) => v.id), [newestFirst]);

  const liveState = useLiveVideos({ activeIds, ...live });
  // Poll only while there is no stream; while it is still opening, wait for it.
  const polling = liveState === 'down';
  const online = useSyncExternalStore(connection.subscribe, connection.get, connection.get) === 'online';

  // While there is no stream: one request for all unfinished jobs (20 running jobs cost what
  // one does), then one look at each job that left the unfinished set, to see how it ended.
  const activeRef = useRef(activeIds);
  useEffect(() => {
    activeRef.current = activeIds;
  }, [activeIds]);
  useQuery({
    queryKey: videoKeys.unfinishedPoll(),
    queryFn: async ({ signal }) => {
      const asked = activeRef.current;
      const list = await listVideos({ filters: { status: UNFINISHED }, limit: 100, signal });
      // Cancelled by a cancel/delete that already wrote a newer state: do not undo it.
      if (signal.aborted) return list.data.length;
      const listed = new Set(list.data.map((v) => v.id));
      for (const v of list.data) updateVideo(client, v);
      await Promise.all(
        asked
          .filter((id) => !listed.has(id))
          .map(async (id) => {
            try {
              const video = await getVideo(id, signal);
              if (!signal.aborted) updateVideo(client, video);
            } catch (err) {
              if (err instanceof ApiError && err.status === 404) forgetVideo(client, id);
            }
          }),
      );
      return list.data.length;
    },
    // While the studio is away the connection probe (with backoff) stands in for the polls.
    enabled: polling && online && activeIds.length > 0,
    refetchInterval: (query) =>
      query.state.fetchFailureCount > 0
        ? backoffDelay(query.state.fetchFailureCount - 1, pollIntervalMs)
        : pollIntervalMs,
    refetchIntervalInBackground: true,
    // A transient failure should not stop the polling; the next tick tries again.
    retry: false,
    staleTime: 0,
  });

  // Variations answer with the first job only: list the batch so every sibling shows at once.
  const addCreated = useCallback(
    async (video: Video): Promise<Video> => {
      // The live stream may have brought the new job (and a later state of it) already.
      upsertVideo(client, video);
      if (video.batch_id) {
        const batch = await listVideos({ filters: { batch_id: video.batch_id }, limit: 20 }).catch(() => null);
        for (const v of [...(batch?.data ?? [])].reverse()) upsertVideo(client, v);
      }
      return video;
    },
    [client],
  );

  const createMutation = useMutation({
    mutationFn: async (params: CreateVideoRequest) => addCreated(await createVideo(params)),
  });

  const actionMutation = useMutation({
    mutationFn: async ({ id, action }: { id: string; action: 'cancel' | 'retry' | 'delete' }) => {
      if (action === 'cancel') {
        const video = await cancelVideo(id);
        // A poll already in flight would write the pre-cancel state back over this one.
        await client.cancelQueries({ queryKey: videoKeys.unfinishedPoll() });
        updateVideo(client, video);
      } else if (action === 'retry') {
        upsertVideo(client, await retryVideo(id));
      } else {
        await deleteVideo(id);
        await client.cancelQueries({ queryKey: videoKeys.unfinishedPoll() });
        // Also keeps a live event or poll already on its way from bringing it back.
        forgetVideo(client, id);
      }
    },
    onError: (_err, { id, action }) => {
      // The job may have moved on (finished before the cancel arrived): show its real state.
      if (action !== 'retry') {
        void getVideo(id)
          .then((v) => updateVideo(client, v))
          .catch(() => undefined);
      }
    },
  });

  const { mutateAsync: createAsync, reset: resetCreate } = createMutation;
  const { mutateAsync: actionAsync } = actionMutation;

  const submit = useCallback((params: CreateVideoRequest) => createAsync(params), [createAsync]);
  const remix = useCallback(
    async (id: string, prompt: string) => addCreated(await remixVideo(id, prompt)),
    [addCreated],
  );
  const extend = useCallback(
    async (id: string, prompt: string, seconds?: string | null) => addCreated(await extendVideo(id, prompt, seconds)),
    [addCreated],
  );
  const favorite = useCallback(
    async (id: string, value: boolean) => {
      const current = findInList(client, id);
      if (current) patchList(client, id, { ...current, favorite: value }); // at once; the answer confirms
      try {
        updateVideo(client, await setFavorite(id, value));
      } catch (err) {
        if (current) patchList(client, id, current);
        throw err;
      }
      void client.invalidateQueries({ queryKey: galleryKeys.all });
    },
    [client],
  );
  const removeMany = useCallback(
    async (ids: readonly string[]) => {
      await Promise.all(
        ids.map(async (id) => {
          try {
            await deleteVideo(id);
          } catch (err) {
            if (!(err instanceof ApiError && err.status === 404)) throw err;
          }
          await client.cancelQueries({ queryKey: videoKeys.unfinishedPoll() });
          forgetVideo(client, id);
        }),
      );
      void client.invalidateQueries({ queryKey: galleryKeys.all });
    },
    [client],
  );
  const act = useCallback(
    async (id: string, action: 'cancel' | 'retry' | 'delete') => {
      try {
        await actionAsync({ id, action });
      } catch {
        // Shown through actionError; callers need not handle it.
      }
    },
    [actionAsync],
  );

  const lastAction = actionMutation.variables;
  return {
    videos: useMemo(() => [...newestFirst].reverse(), [newestFirst]),
    isLoading: history.isLoading,
    historyError: history.error ? errorText(history.error) : null,
    hasOlder: hasNextPage,
    isLoadingOlder: isFetchingNextPage,
    loadOlder: () => void fetchNextPage(),
    submit,
    remix,
    extend,
    favorite,
    removeMany,
    isSubmitting: createMutation.isPending,
    submitError: createMutation.error,
    clearSubmitError: resetCreate,
    cancel: (id) => act(id, 'cancel'),
    retry: (id) => act(id, 'retry'),
    remove: (id) => act(id, 'delete'),
    actionError:
      actionMutation.error && lastAction ? { id: lastAction.id, message: errorText(actionMutation.error) } : null,
    pendingActionId: actionMutation.isPending && lastAction ? lastAction.id : null,
  };
}
