// The composer's state: the prompt box, the parameters (remembered across reloads), the
// reference image, and the queue that sends submits one at a time so that none is lost.
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { CreateVideoRequest } from '../api/videoGeneration';
import { defaultSettings, settingsForModel, settingsFromVideo } from '../params';
import { loadDraft, loadSettings, saveDraft, saveSettings } from '../settingsStore';
import { SubmitQueue, type PendingSubmit } from '../submitQueue';
import type { GenerationSettings, Video, VideoModel } from '../types/chat';

export interface ReferenceImage {
  blob: Blob;
  /** An object URL for the preview; revoked when the image is replaced or removed. */
  url: string;
  name: string;
}

export interface SubmitFailure {
  error: unknown;
  /** The prompt that was not sent. */
  text: string;
}

export interface Composer {
  prompt: string;
  /** Also drops the error of a failed submit once the box holds another prompt. */
  setPrompt: (text: string) => void;
  settings: GenerationSettings;
  setSettings: (next: GenerationSettings) => void;
  reference: ReferenceImage | null;
  setReference: (blob: Blob | null, name?: string) => void;
  /** Queue a validated submit; the box is cleared once it is sent, if it still holds `text`. */
  submit: (text: string, params: CreateVideoRequest) => void;
  pending: readonly PendingSubmit<CreateVideoRequest>[];
  failure: SubmitFailure | null;
  dismissFailure: () => void;
  /** Put a failed prompt back into the box. */
  restoreFailed: () => void;
  /** Fill the composer from a video: its prompt and settings. */
  reuse: (video: Video) => void;
  /** Bumped when something outside wants the prompt box focused (reuse, use this frame). */
  focusRequest: number;
}

export function useComposer(
  send: (params: CreateVideoRequest) => Promise<unknown>,
  models: VideoModel[],
  defaultModel: VideoModel | undefined,
): Composer {
  const [prompt, setPromptState] = useState(loadDraft);
  const [stored, setStored] = useState<GenerationSettings | null>(() => loadSettings());
  const [reference, setReferenceState] = useState<ReferenceImage | null>(null);
  const [failure, setFailure] = useState<SubmitFailure | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);

  // Stored settings for a model that is gone (or none yet) give way to the default model's.
  const settings = useMemo(() => {
    if (stored && models.some((m) => m.id === stored.model)) return stored;
    if (stored && models.length === 0) return stored;
    if (stored) return settingsForModel(stored, defaultModel);
    return defaultSettings(defaultModel);
  }, [stored, models, defaultModel]);

  const setSettings = useCallback((next: GenerationSettings) => {
    setStored(next);
    saveSettings(next);
  }, []);

  // The queue lives as long as the page; it sends through the latest `send`.
  const [queue] = useState(
    () =>
      new SubmitQueue<CreateVideoRequest, unknown>(send, {
        onSent: (item) => {
          setPromptState((p) => (p === item.text ? '' : p));
          setFailure((f) => (f?.text === item.text ? null : f));
        },
        onFailed: (item, error) => {
          // Keep the text: back into an empty box; offered back when the box holds a newer one.
          setPromptState((p) => (p.trim() === '' ? item.text : p));
          setFailure({ error, text: item.text });
        },
      }),
  );
  useEffect(() => {
    queue.setSender(send);
  }, [queue, send]);
  const pending = useSyncExternalStore(queue.subscribe, queue.pending);

  // What is typed and not sent yet survives a reload.
  useEffect(() => {
    saveDraft(prompt);
  }, [prompt]);

  const setPrompt = useCallback((text: string) => {
    setPromptState(text);
    // A stale error should not linger once the user edits the prompt it was about.
    setFailure((f) => (text && f && text !== f.text ? null : f));
  }, []);

  const setReference = useCallback((blob: Blob | null, name = 'reference.png') => {
    setReferenceState((old) => {
      if (old) URL.revokeObjectURL(old.url);
      return blob ? { blob, url: URL.createObjectURL(blob), name } : null;
    });
    if (blob) setFocusRequest((n) => n + 1);
  }, []);

  useEffect(
    () => () => {
      // Unmounting: the last preview URL is no longer shown.
      setReferenceState((old) => {
        if (old) URL.revokeObjectURL(old.url);
        return null;
      });
    },
    [],
  );

  const submit = useCallback(
    (text: string, params: CreateVideoRequest) => {
      setFailure(null);
      queue.enqueue(text, params);
    },
    [queue],
  );

  const reuse = useCallback(
    (video: Video) => {
      setPromptState(video.prompt);
      const model = models.find((m) => m.id === video.model);
      setSettings(settingsFromVideo(video, model, settings));
      setFocusRequest((n) => n + 1);
      if (video.has_reference_image) {
        // The image it was made from comes along; a failed fetch leaves the composer as it was.
        void fetch(`/v1/videos/${video.id}/content?variant=reference`)
          .then((response) => (response.ok ? response.blob() : null))
          .then((blob) => {
            if (blob) setReference(blob, `reference-${video.id}`);
          })
          .catch(() => undefined);
      }
    },
    [models, settings, setSettings, setReference],
  );

  return {
    prompt,
    setPrompt,
    settings,
    setSettings,
    reference,
    setReference,
    submit,
    pending,
    failure,
    dismissFailure: () => setFailure(null),
    restoreFailed: () => {
      if (failure) setPromptState(failure.text);
      setFailure(null);
      setFocusRequest((n) => n + 1);
    },
    reuse,
    focusRequest,
  };
}
