// Shapes of the studio's HTTP API (docs/api.md) plus the UI's own view of a chat turn.

export type VideoStatus = 'queued' | 'in_progress' | 'completed' | 'failed' | 'cancelled';

export const TERMINAL_STATUSES: readonly VideoStatus[] = ['completed', 'failed', 'cancelled'];

export interface VideoErrorInfo {
  code: string;
  message: string;
}

export interface VideoMetadata {
  duration: number;
  frames: number;
  width: number;
  height: number;
  codec: string;
  fps: number;
  bytes: number;
}

/** The video object of GET /v1/videos/{id}. */
export interface Video {
  id: string;
  object: 'video';
  model: string;
  status: VideoStatus;
  progress: number;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  seconds: string | null;
  size: string | null;
  prompt: string;
  negative_prompt: string | null;
  num_inference_steps: number | null;
  seed: number | null;
  num_frames: number | null;
  has_reference_image?: boolean;
  preview: boolean;
  label: string | null;
  queue_position: number | null;
  eta_seconds: number | null;
  elapsed_seconds: number | null;
  error: VideoErrorInfo | null;
  metadata: VideoMetadata | null;
  content_url: string | null;
  thumbnail_url: string | null;
}

export interface VideoList {
  object: 'list';
  data: Video[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export interface VideoDeleted {
  id: string;
  object: 'video.deleted';
  deleted: boolean;
}

export interface ModelCapabilities {
  steps_range?: readonly number[];
  default_steps?: number;
  /** "WxH", or null when the upstream decides. */
  default_size?: string | null;
  /** The allowed "WxH" sizes, or null: any size the model takes. */
  sizes?: readonly string[] | null;
  accepts_size?: boolean;
  accepts_frames?: boolean;
  frames_range?: readonly number[];
  image_to_video?: boolean;
  fps?: number;
}

/** An entry of GET /v1/models. */
export interface VideoModel {
  id: string;
  object: 'model';
  owned_by?: string;
  label: string;
  ready: boolean;
  detail: string;
  preview: boolean;
  default: boolean;
  capabilities: ModelCapabilities;
}

export interface ModelList {
  object: 'list';
  data: VideoModel[];
}

/** Body of POST /v1/videos. Only `prompt` is required; the server fills in the rest. */
export interface CreateVideoParams {
  prompt: string;
  model?: string;
  negative_prompt?: string;
  num_inference_steps?: number;
  seed?: number;
  size?: string;
}

/** The error envelope every 4xx/5xx answer carries. */
export interface ApiErrorBody {
  error: {
    message: string;
    type?: string | null;
    param?: string | null;
    code?: string | null;
  };
}

/** The parameters panel's state: strings while editing, parsed on submit. */
export interface GenerationSettings {
  model: string;
  negativePrompt: string;
  steps: string;
  seed: string;
  size: string;
}

export const DEFAULT_NEGATIVE_PROMPT = 'low quality';
export const DEFAULT_STEPS = 12;
export const DEFAULT_SEED = 0;
export const MAX_SEED = 4294967295;
export const MAX_PROMPT_LENGTH = 2000;
export const EXAMPLE_PROMPT = 'Volcano on a beach';
