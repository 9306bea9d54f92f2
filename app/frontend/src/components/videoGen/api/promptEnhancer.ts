// Client for prompt enhancement (GET/POST /v1/prompts/enhance, docs/api.md "Prompt
// enhancement"): a chat model's suggested rewrite of a prompt; nothing is stored. Errors come as
// the API's usual envelope (ApiError): 503 enhancer_not_configured, 502 from the chat model,
// 504 enhancer_timeout.
import type { EnhanceMode, EnhanceRequest, PromptEnhancement, PromptEnhancerState } from '../types/chat';
import { API_BASE, requestJson } from './videoGeneration';

const ENHANCE_PATH = `${API_BASE}/prompts/enhance`;

// The studio gives the chat model 30 s by default (PROMPT_ENHANCER_TIMEOUT) and then answers
// 504 itself; the page waits a little longer so that the studio's own answer is the one shown.
export const ENHANCE_TIMEOUT_MS = 65_000;

export function getEnhancerState(signal?: AbortSignal): Promise<PromptEnhancerState> {
  return requestJson<PromptEnhancerState>(ENHANCE_PATH, { signal });
}

/** A suggestion for `prompt`: `mode` picks the instructions (a scene to film, or motion for a start image). */
export function enhancePrompt(
  body: { prompt: string; mode: EnhanceMode; language?: string },
  signal?: AbortSignal,
): Promise<PromptEnhancement> {
  const payload: EnhanceRequest = { prompt: body.prompt, mode: body.mode };
  if (body.language) payload.language = body.language;
  return requestJson<PromptEnhancement>(ENHANCE_PATH, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
    signal: signal ?? AbortSignal.timeout(ENHANCE_TIMEOUT_MS),
  });
}
