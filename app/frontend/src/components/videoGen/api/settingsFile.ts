// Client for POST /v1/videos/settings (docs/api.md "Settings from a file"): the settings a studio
// MP4 carries (its Content Credentials, or its metadata), as POST /v1/videos's fields.
import type { Schema } from '../../../api/types';
import { API_BASE, requestJson } from './videoGeneration';

export type FileSettings = Schema<'SettingsOut'>;

// Reading a large clip's manifest takes a moment; a request stays bounded all the same.
const READ_TIMEOUT_MS = 120_000;

export function readSettingsFromFile(file: Blob, name = 'video.mp4'): Promise<FileSettings> {
  const form = new FormData();
  form.set('video', file, name);
  return requestJson<FileSettings>(`${API_BASE}/videos/settings`, {
    method: 'POST',
    body: form,
    signal: AbortSignal.timeout(READ_TIMEOUT_MS),
  });
}
