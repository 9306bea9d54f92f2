// Shapes of the studio's HTTP API, generated from its OpenAPI document (src/api/openapi.json ->
// src/api/schema.d.ts by `npm run gen:api`), plus the UI's own view of a chat turn.
import type { PostBody, Schema } from '../../../api/types';

/** The video object of GET /v1/videos/{id}. */
export type Video = Schema<'Video'>;
export type VideoStatus = Video['status'];
export type VideoErrorInfo = Schema<'VideoError'>;
/** What the finished file really is, measured by decoding it. */
export type VideoMetadata = Schema<'VideoMetadata'>;
export type VideoList = Schema<'VideoList'>;
export type VideoDeleted = Schema<'Deleted'>;
export type ModelCapabilities = Schema<'ModelCapabilities'>;
/** An entry of GET /v1/models. */
export type VideoModel = Schema<'Model'>;
export type ModelList = Schema<'ModelList'>;
/** Body of POST /v1/videos (VideoCreate). Only `prompt` is required; a field left out or null takes the default. */
export type CreateVideoParams = PostBody<'/v1/videos'>;
/** Body of POST /v1/videos/{id}: favorite, and while queued its parameters and place (docs/api.md, Steering the queue). */
export type VideoUpdate = PostBody<'/v1/videos/{video_id}'>;
/** GET and POST /v1/queue: the pauses and the caller's queued videos in run order. */
export type QueueState = Schema<'QueueOut'>;
/** Body of POST /v1/queue: pause or resume all of the queue, or one model's. */
export type QueueUpdate = PostBody<'/v1/queue'>;
/** POST /v1/prompts/enhance: a suggested rewrite of a prompt (nothing is stored). */
export type PromptEnhancement = Schema<'PromptEnhancement'>;
/** GET /v1/prompts/enhance: whether a chat model is configured for it, and which. */
export type PromptEnhancerState = Schema<'PromptEnhancerState'>;
/** Body of POST /v1/prompts/enhance. */
export type EnhanceRequest = PostBody<'/v1/prompts/enhance'>;
export type EnhanceMode = PromptEnhancement['mode'];
/** The error envelope every 4xx/5xx answer carries. */
export type ApiErrorBody = Schema<'ErrorOut'>;

export const TERMINAL_STATUSES: readonly VideoStatus[] = ['completed', 'failed', 'cancelled'];

/** The parameters panel's state: strings while editing, parsed on submit. */
export interface GenerationSettings {
  model: string;
  negativePrompt: string;
  steps: string;
  /** Sent only while `lockSeed` is on; otherwise the server draws a random seed per video. */
  seed: string;
  lockSeed: boolean;
  /** "WxH", or empty for the model's default. */
  size: string;
  /** Whole seconds, or empty for the model's default. */
  seconds: string;
  /** Variations per submit, 1 to MAX_VARIATIONS. */
  variations: number;
  /** Ask for a soundtrack; sent only to a model whose capabilities say `sound`. */
  sound?: boolean;
}

export const DEFAULT_NEGATIVE_PROMPT = 'low quality';
export const DEFAULT_STEPS = 12;
export const DEFAULT_SEED = 0;
export const MAX_SEED = 4294967295;
export const MAX_PROMPT_LENGTH = 2000;
export const MAX_VARIATIONS = 4;
export const EXAMPLE_PROMPT = 'Volcano on a beach';
