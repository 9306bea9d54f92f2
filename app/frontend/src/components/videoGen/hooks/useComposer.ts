// The composer's state: the prompt box, the parameters (remembered across reloads), the
// reference image, and the queue that sends submits one at a time so that none is lost.
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { CreateVideoRequest } from '../api/videoGeneration';
import { defaultSettings, settingsForModel, settingsFromVideo } from '../params';
import { loadDraft, loadSettings, saveDraft, saveSettings } from '../settingsStore';
import { SubmitQueue, type PendingSubmit } from '../submitQueue';
import type { ReuseText } from '../CardActions';
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

/** The box holds an enhanced prompt: the person's own words it came from, sent as `original_prompt`. */
export interface Enhancement {
  original: string;
  /** The suggestion as it was put in the box (the person may have edited it since). */
  enhanced: string;
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
  /** Fill the composer from a video: its prompt (or, for an enhanced one, `text` 'original': its own words) and settings. */
  reuse: (video: Video, text?: ReuseText) => void;
  /** The enhanced prompt in the box and the words it came from; null when the box holds the person's own. */
  enhancement: Enhancement | null;
  /** Put an accepted (or to be edited) suggestion in the box, remembering the person's own words. */
  applyEnhancement: (original: string, enhanced: string) => void;
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
  const [enhancement, setEnhancement] = useState<Enhancement | null>(null);

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
          // Sent with its original words: the enhancement goes with it. (A failed send keeps it.)
          const original = item.params.original_prompt;
          if (original) setEnhancement((e) => (e?.original === original ? null : e));
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
    // An emptied box starts over: what is typed next is the person's own.
    if (!text.trim()) setEnhancement(null);
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
      // An enhanced prompt carries the person's own words (unless the box is back to them).
      const original = enhancement && text.trim() !== enhancement.original.trim() ? enhancement.original : null;
      queue.enqueue(text, original ? { ...params, original_prompt: original } : params);
    },
    [queue, enhancement],
  );

  const applyEnhancement = useCallback((original: string, enhanced: string) => {
    setPromptState(enhanced);
    setFailure(null);
    setEnhancement({ original, enhanced });
  }, []);

  const reuse = useCallback(
    (video: Video, text: ReuseText = 'prompt') => {
      const original = video.original_prompt ?? null;
      if (text === 'original' && original) {
        setPromptState(original);
        setEnhancement(null);
      } else {
        setPromptState(video.prompt);
        setEnhancement(original ? { original, enhanced: video.prompt } : null);
      }
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
    enhancement,
    applyEnhancement,
    focusRequest,
  };
}
