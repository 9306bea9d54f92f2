// Drop a studio MP4 on the prompt box (or pick one) and the composer takes its settings: prompt,
// negative prompt, seed, steps, size, length and model (POST /v1/videos/settings reads them).
import { FileVideo } from 'lucide-react';
import { type DragEvent, useRef, useState } from 'react';
import { ApiError } from './api/videoGeneration';
import { readSettingsFromFile } from './api/settingsFile';
import { restoreSettings } from './settingsFile';
import type { GenerationSettings, VideoModel } from './types/chat';

export interface SettingsNote {
  tone: 'ok' | 'error' | 'busy';
  text: string;
}

interface Target {
  models: VideoModel[];
  settings: GenerationSettings;
  setSettings: (settings: GenerationSettings) => void;
  setPrompt: (prompt: string) => void;
}

/** A video file by its type or, where the browser gives none, its name. */
export function isVideoFile(file: File): boolean {
  return file.type.startsWith('video/') || /\.(mp4|m4v|mov)$/i.test(file.name);
}

export function useSettingsFromFile(target: Target) {
  const [note, setNote] = useState<SettingsNote | null>(null);

  const read = async (file: File) => {
    if (!isVideoFile(file)) {
      setNote({ tone: 'error', text: `“${file.name}” is not a video: drop a studio MP4 to take its settings.` });
      return;
    }
    setNote({ tone: 'busy', text: `Reading the settings in “${file.name}”…` });
    try {
      const found = await readSettingsFromFile(file, file.name);
      if (!found.found) {
        setNote({ tone: 'error', text: `“${file.name}” carries no studio settings; nothing was changed.` });
        return;
      }
      // Fitted to the settings as they were when the file was dropped.
      const restored = restoreSettings(found.settings, target.models, target.settings, found.prompt_omitted);
      target.setSettings(restored.settings);
      if (restored.prompt != null) target.setPrompt(restored.prompt);
      setNote({ tone: 'ok', text: restored.message });
    } catch (err) {
      const text = err instanceof ApiError ? err.message : 'The file could not be read.';
      setNote({ tone: 'error', text });
    }
  };

  /** Handlers for the prompt box: only a dragged file is taken (dragged text drops as usual). */
  const dropTarget = {
    onDragOver: (e: DragEvent) => {
      if (Array.from(e.dataTransfer.types).includes('Files')) e.preventDefault();
    },
    onDrop: (e: DragEvent) => {
      const file = Array.from(e.dataTransfer.files).at(0);
      if (!file) return;
      e.preventDefault();
      void read(file);
    },
  };
  return { note, read, dropTarget, clear: () => setNote(null) };
}

export function SettingsFileButton({ onPick }: { onPick: (file: File) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        onClick={() => input.current?.click()}
        className="inline-flex min-h-11 items-center gap-1.5 rounded-md border border-zinc-700 px-3 text-xs text-zinc-300 hover:bg-zinc-800"
        data-testid="settings-file-button"
      >
        <FileVideo className="h-3.5 w-3.5" aria-hidden="true" /> Settings from a video…
      </button>
      <input
        ref={input}
        type="file"
        accept="video/mp4,.mp4"
        className="sr-only"
        tabIndex={-1}
        aria-label="Settings from a video file"
        data-testid="settings-file-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) onPick(file);
        }}
      />
    </>
  );
}

export function SettingsFileNote({ note }: { note: SettingsNote | null }) {
  const colour = note?.tone === 'error' ? 'text-red-300' : note?.tone === 'ok' ? 'text-emerald-300' : 'text-zinc-400';
  return (
    <p className={`text-xs ${colour}`} role="status" aria-live="polite" data-testid="settings-file-note">
      {note?.text ?? ''}
    </p>
  );
}
