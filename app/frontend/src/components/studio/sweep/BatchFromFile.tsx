import { FileText } from 'lucide-react';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { createVideo, errorText } from '../../videoGen/api/videoGeneration';
import type { CreateVideoParams } from '../../videoGen/types/chat';

export interface LineResult {
  line: number;
  prompt: string;
  state: 'waiting' | 'sending' | 'queued' | 'failed';
  detail: string | null;
}

/** The prompts of a dropped text file: one a line, blank lines skipped. */
export function promptsOf(text: string): { line: number; prompt: string }[] {
  return text
    .split(/\r?\n/)
    .map((prompt, i) => ({ line: i + 1, prompt: prompt.trim() }))
    .filter((p) => p.prompt !== '');
}

/** Queue one job per prompt, one request at a time, reporting each line's outcome. */
export async function queueLines(
  prompts: { line: number; prompt: string }[],
  settings: Omit<CreateVideoParams, 'prompt'>,
  report: (results: LineResult[]) => void,
  create: (params: CreateVideoParams) => Promise<{ id: string }> = createVideo,
): Promise<LineResult[]> {
  const results: LineResult[] = prompts.map((p) => ({ ...p, state: 'waiting', detail: null }));
  report([...results]);
  for (let i = 0; i < results.length; i++) {
    results[i] = { ...results[i], state: 'sending' };
    report([...results]);
    try {
      const video = await create({ ...settings, prompt: results[i].prompt });
      results[i] = { ...results[i], state: 'queued', detail: video.id };
    } catch (err) {
      results[i] = { ...results[i], state: 'failed', detail: errorText(err) };
    }
    report([...results]);
  }
  return results;
}

const isText = (file: File) => file.name.toLowerCase().endsWith('.txt') || file.type === 'text/plain';

/**
 * A drop zone around `children`: a .txt file of prompts dropped on it queues a job per line.
 * `settings` null: the current settings do not check out, and the drop says so. Without `hint`
 * (the composer) nothing is shown until a batch starts, and other files are left to the zone
 * inside (a start image).
 */
export default function BatchFromFile({
  settings,
  children,
  hint = true,
}: {
  settings: Omit<CreateVideoParams, 'prompt'> | null;
  children: ReactNode;
  hint?: boolean;
}) {
  const [over, setOver] = useState(false);
  const [results, setResults] = useState<LineResult[]>([]);
  const [error, setError] = useState<string | null>(null);

  const take = async (file: File) => {
    setError(null);
    if (!isText(file)) {
      setError(`${file.name} is not a .txt file of prompts (one a line).`);
      return;
    }
    if (!settings) {
      setError('The settings have a problem: fix them, then drop the file again.');
      return;
    }
    const prompts = promptsOf(await file.text());
    if (prompts.length === 0) {
      setError(`${file.name} has no prompts.`);
      return;
    }
    await queueLines(prompts, settings, setResults);
  };

  const done = results.filter((r) => r.state === 'queued' || r.state === 'failed').length;
  return (
    <div
      data-testid="batch-drop"
      className={`min-w-0 rounded-lg ${over ? 'outline-2 outline-dashed outline-brand-light' : ''}`}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        const file = e.dataTransfer.files[0] as File | undefined;
        if (!file || e.defaultPrevented || (!hint && !isText(file))) return;
        e.preventDefault();
        setOver(false);
        void take(file);
      }}
    >
      {children}
      {hint ? (
        <p className="mt-2 flex items-center gap-1 text-xs text-zinc-300">
          <FileText className="h-4 w-4" aria-hidden="true" /> Drop a .txt file of prompts (one a line) here to queue a
          video per line with these settings.
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="text-xs text-red-300">
          {error}
        </p>
      ) : null}
      {results.length > 0 ? (
        <div className="mt-2" data-testid="batch-results">
          <p className="text-xs text-zinc-300" role="status">
            Batch: {done} of {results.length} sent
          </p>
          <ol className="max-h-48 overflow-y-auto text-xs">
            {results.map((r) => (
              <li key={r.line} className={r.state === 'failed' ? 'text-red-300' : 'text-zinc-300'}>
                Line {r.line}: {r.prompt.slice(0, 60)} — {r.state}
                {r.detail && r.state === 'failed' ? `: ${r.detail}` : ''}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </div>
  );
}
