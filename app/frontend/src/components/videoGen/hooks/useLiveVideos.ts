// One live stream (GET /v1/videos/events, server-sent events) for all of the caller's
// unfinished jobs, open while the list shows at least one. Each `video` event is written into
// the list cache, each `deleted` event removes its job. While the stream is not open the
// caller polls each job instead (useVideoChat), so a refused or broken stream freezes nothing.
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { API_BASE, ApiError, getVideo, isTerminal } from '../api/videoGeneration';
import type { Video } from '../types/chat';
import { forgetVideo, updateVideo, upsertVideo } from './videoCache';
import { connection } from '../connection';

export const EVENTS_URL = `${API_BASE}/videos/events`;

/**
 * `off`: nothing to watch. `connecting`: opening (or reopening) the stream, for at most the
 * grace time. `open`: the stream reports every change. `down`: no stream (none in this browser,
 * refused, or not open after the grace time): poll each job.
 */
export type LiveState = 'off' | 'connecting' | 'open' | 'down';

export interface LiveVideosTimings {
  /** How long opening (or reopening) the stream may take before per-job polling takes over. */
  connectGraceMs?: number;
  /** How often unfinished jobs the stream has not reported are looked for. */
  reconcileMs?: number;
  /** After the server refused the stream (429) or it failed for good, when to try again. */
  reopenMs?: number;
}

export interface LiveVideosOptions extends LiveVideosTimings {
  /** The jobs the list shows unfinished; the stream is open while there is one. */
  activeIds: readonly string[];
  url?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The JSON object in an event's data, or null for anything else. */
function eventJson(event: Event): Record<string, unknown> | null {
  if (!(event instanceof MessageEvent) || typeof event.data !== 'string') return null;
  try {
    const value: unknown = JSON.parse(event.data);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function eventVideo(event: Event): Video | null {
  const body = eventJson(event);
  if (!body || body.object !== 'video' || typeof body.id !== 'string' || typeof body.status !== 'string') return null;
  return body as unknown as Video;
}

function eventDeletedId(event: Event): string | null {
  const id = eventJson(event)?.id;
  return typeof id === 'string' ? id : null;
}

/** The stream's state, readable by React without a state update inside an effect. */
class StateStore {
  private state: LiveState = 'off';
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly get = (): LiveState => this.state;

  set(next: LiveState): void {
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}

export function useLiveVideos({
  activeIds,
  url = EVENTS_URL,
  connectGraceMs = 3000,
  reconcileMs = 1000,
  reopenMs = 30_000,
}: LiveVideosOptions): LiveState {
  const client = useQueryClient();
  const [store] = useState(() => new StateStore());
  const state = useSyncExternalStore(store.subscribe, store.get, store.get);
  // Bumped to open a new stream some time after the server refused one.
  const [attempt, setAttempt] = useState(0);
  const wanted = activeIds.length > 0;

  // The stream's handlers read the current ids without reopening it when they change.
  const activeRef = useRef(activeIds);
  useEffect(() => {
    activeRef.current = activeIds;
  }, [activeIds]);

  useEffect(() => {
    if (!wanted) return;
    if (typeof globalThis.EventSource === 'undefined') {
      store.set('down');
      return;
    }
    const source = new EventSource(url);
    const aborter = new AbortController();
    store.set('connecting');

    // Per connection: the latest state the stream sent for each job, the ids that were already
    // unfinished and unreported at the previous look, and those fetched once since.
    let reported = new Map<string, Video>();
    let unreported = new Set<string>();
    const fetched = new Set<string>();
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    let reopenTimer: ReturnType<typeof setTimeout> | undefined;
    let reconcileTimer: ReturnType<typeof setInterval> | undefined;

    const waitForOpen = () => {
      clearTimeout(graceTimer);
      graceTimer = setTimeout(() => {
        if (source.readyState !== EventSource.OPEN) store.set('down');
      }, connectGraceMs);
    };

    // The stream sends every unfinished job when it opens and then each change, but a job that
    // finished while it was closed (or before it first opened) is no longer unfinished, so it is
    // never sent: fetch once each job the list still shows unfinished that the stream has not
    // reported for a whole look. A finished state the list could not take yet (the job's page
    // was still loading) is written again once the job is listed.
    const reconcile = () => {
      const active = activeRef.current;
      const next = new Set<string>();
      for (const id of active) {
        const last = reported.get(id);
        if (last) {
          if (isTerminal(last.status)) updateVideo(client, last);
          continue;
        }
        if (fetched.has(id)) continue;
        if (!unreported.has(id)) {
          next.add(id);
          continue;
        }
        fetched.add(id);
        getVideo(id, aborter.signal).then(
          (video) => {
            if (!reported.has(id)) updateVideo(client, video);
          },
          (err: unknown) => {
            if (err instanceof ApiError && err.status === 404) forgetVideo(client, id);
            else if (!aborter.signal.aborted) fetched.delete(id); // try again at the next look
          },
        );
      }
      unreported = next;
    };

    source.addEventListener('open', () => {
      clearTimeout(graceTimer);
      clearInterval(reconcileTimer);
      reported = new Map();
      unreported = new Set(activeRef.current);
      fetched.clear();
      reconcileTimer = setInterval(reconcile, reconcileMs);
      store.set('open');
    });
    source.addEventListener('error', () => {
      clearInterval(reconcileTimer);
      // A dropped stream is the first sign of a stopped studio: have it looked at now.
      connection.suspect();
      if (source.readyState === EventSource.CLOSED) {
        // Refused (429, 401, ...) or not an event stream: EventSource gives up; poll, and try
        // a new stream later.
        clearTimeout(graceTimer);
        store.set('down');
        clearTimeout(reopenTimer);
        reopenTimer = setTimeout(() => setAttempt((n) => n + 1), reopenMs);
      } else if (store.get() === 'open') {
        // Reconnecting by itself (the server ended the stream, or the network dropped it).
        store.set('connecting');
        waitForOpen();
      }
    });
    source.addEventListener('video', (event) => {
      const video = eventVideo(event);
      if (!video) return;
      reported.set(video.id, video);
      upsertVideo(client, video);
    });
    source.addEventListener('deleted', (event) => {
      const id = eventDeletedId(event);
      if (id) forgetVideo(client, id);
    });
    waitForOpen();

    return () => {
      source.close();
      aborter.abort();
      clearTimeout(graceTimer);
      clearTimeout(reopenTimer);
      clearInterval(reconcileTimer);
      // So that the next stream starts from nothing, not from this one's last state.
      store.set('off');
    };
  }, [wanted, url, attempt, client, store, connectGraceMs, reconcileMs, reopenMs]);

  return wanted ? state : 'off';
}
