// Attention while the tab is elsewhere: the title counts running and newly finished videos,
// and (when the user turned it on) a browser notification says when one finishes.
import { useEffect, useRef, useState } from 'react';
import { isTerminal } from '../api/videoGeneration';
import type { Video } from '../types/chat';

const BASE_TITLE = 'Video Studio';
const NOTIFY_KEY = 'video-studio.notify.v1';

export function titleFor(running: number, finishedUnseen: number): string {
  const parts: string[] = [];
  if (running > 0) parts.push(`${running} running`);
  if (finishedUnseen > 0) parts.push(`${finishedUnseen} ready`);
  return parts.length > 0 ? `(${parts.join(', ')}) ${BASE_TITLE}` : BASE_TITLE;
}

function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export function useAttention(videos: readonly Video[]) {
  const [notify, setNotifyState] = useState(
    () =>
      notificationsSupported() && localStorage.getItem(NOTIFY_KEY) === 'on' && Notification.permission === 'granted',
  );
  const last = useRef(new Map<string, Video['status']>());
  // Finished while the tab was hidden; cleared when it is shown again.
  const unseen = useRef(0);
  const running = videos.filter((v) => !isTerminal(v.status)).length;

  useEffect(() => {
    const seen = last.current;
    for (const v of videos) {
      const before = seen.get(v.id);
      if (before && !isTerminal(before) && v.status === 'completed' && document.hidden) {
        unseen.current += 1;
        if (notify) {
          try {
            new Notification('Video ready', { body: v.prompt, tag: v.id });
          } catch {
            // some browsers only allow notifications from a service worker
          }
        }
      }
      seen.set(v.id, v.status);
    }
    document.title = titleFor(running, unseen.current);
  }, [videos, notify, running]);

  useEffect(() => {
    const onVisible = () => {
      if (document.hidden) return;
      unseen.current = 0;
      document.title = titleFor(running, 0);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [running]);

  useEffect(
    () => () => {
      document.title = BASE_TITLE;
    },
    [],
  );

  const setNotify = async (on: boolean) => {
    if (!notificationsSupported()) return;
    if (on && Notification.permission !== 'granted') {
      const answer = await Notification.requestPermission();
      if (answer !== 'granted') return;
    }
    localStorage.setItem(NOTIFY_KEY, on ? 'on' : 'off');
    setNotifyState(on);
  };

  return { notify, setNotify, notifySupported: notificationsSupported() };
}
