// Prompt enhancement: whether the studio has a chat model to suggest rewrites (GET
// /v1/prompts/enhance), and one suggestion at a time (POST). Nothing here touches the prompt
// box: the person accepts, edits or discards the suggestion (PromptEnhancer.tsx).
import { useMemo } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { ApiError, errorText } from '../api/videoGeneration';
import { enhancePrompt, getEnhancerState } from '../api/promptEnhancer';
import type { EnhanceMode, PromptEnhancement } from '../types/chat';

export const enhancerKeys = { state: ['prompt-enhancer'] as const };

export type EnhanceStatus =
  | { kind: 'idle' }
  | { kind: 'waiting'; prompt: string }
  | { kind: 'suggested'; suggestion: PromptEnhancement }
  | { kind: 'failed'; message: string };

export interface PromptEnhancer {
  /** A chat model is configured (the Enhance button is offered only then). */
  configured: boolean;
  model: string | null;
  status: EnhanceStatus;
  /** Ask for a suggestion; ignored while one is on its way. */
  enhance: (prompt: string, mode: EnhanceMode) => void;
  /** Drop the suggestion or the error. */
  dismiss: () => void;
}

/** The studio's words for a failed suggestion (its 502, 503 or 504 say what went wrong). */
function failureText(err: unknown): string {
  return err instanceof ApiError ? err.message : errorText(err);
}

export function usePromptEnhancer(): PromptEnhancer {
  const state = useQuery({
    queryKey: enhancerKeys.state,
    queryFn: ({ signal }) => getEnhancerState(signal),
    // Configured in the studio's environment: it changes with a restart, not from one minute to the next.
    staleTime: 5 * 60_000,
    retry: false,
  });
  const mutation = useMutation({ mutationFn: (body: { prompt: string; mode: EnhanceMode }) => enhancePrompt(body) });
  const { mutate, reset, isPending, data, error, variables } = mutation;
  return useMemo(() => {
    let status: EnhanceStatus = { kind: 'idle' };
    if (isPending) status = { kind: 'waiting', prompt: variables.prompt };
    else if (error) status = { kind: 'failed', message: failureText(error) };
    else if (data) status = { kind: 'suggested', suggestion: data };
    return {
      configured: state.data?.configured === true,
      model: state.data?.model ?? null,
      status,
      enhance: (prompt: string, mode: EnhanceMode) => {
        if (!isPending && prompt.trim()) mutate({ prompt: prompt.trim(), mode });
      },
      dismiss: reset,
    };
  }, [state.data, isPending, error, data, variables, mutate, reset]);
}
