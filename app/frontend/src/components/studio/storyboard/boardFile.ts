// Saving a board as a JSON file (GET ?format=board) and loading one back.
import type { StoryboardCreate } from '../api';

export function downloadJson(name: string, body: unknown): void {
  const blob = new Blob([JSON.stringify(body, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The create body in a board file's text; throws a plain-words Error when it is not one. */
export function parseBoardFile(text: string): StoryboardCreate {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error('That file is not JSON.');
  }
  if (typeof data !== 'object' || data === null || !Array.isArray((data as { shots?: unknown }).shots)) {
    throw new Error('That file is not a storyboard: it has no "shots" list.');
  }
  const board = data as StoryboardCreate;
  if (!board.shots.every((s) => typeof s === 'object' && typeof s.prompt === 'string')) {
    throw new Error('Every shot in the file needs a "prompt".');
  }
  return board;
}
