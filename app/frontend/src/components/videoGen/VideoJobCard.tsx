import { Ban, Camera, Clock, History, Loader2 } from 'lucide-react';
import { type ReactNode, useRef } from 'react';
import { type CardHandlers } from './CardActions';
import CardControls from './CardControls';
import CredentialsMark from './CredentialsMark';
import Notice from './Notice';
import PromptText from './PromptText';
import SelectCheckbox from './SelectCheckbox';
import SoundBadge from './SoundBadge';
import { friendlyMessage, isTerminal, thumbnailUrl } from './api/videoGeneration';
import { formatBytes, formatDuration, formatTime, queueText } from './format';
import { useNearViewport } from './hooks/useNearViewport';
import { usePlayerSource } from './hooks/usePlayerSource';
import type { ModelCapabilities, Video } from './types/chat';

interface VideoJobCardProps extends CardHandlers {
  video: Video;
  busy: boolean;
  actionError: string | null;
  /** Fetch the video's metadata up front (recent jobs); older ones wait for a click on play. */
  preload?: boolean;
  /** The capabilities of the model that made it (what remix/extend may offer). */
  caps?: ModelCapabilities;
  /** How long a clip of its model usually takes ("2–3 minutes"), when the model says. */
  typicalTime?: string | null;
  /** The studio is unreachable: progress and ETA are the last known. */
  stale?: boolean;
  /** The job started over after a studio restart (seen by the page). */
  restarted?: boolean;
  /** Take the player's current frame as the reference image; absent when no model takes images. */
  onUseFrame?: (frame: Blob) => void;
  selected?: boolean;
  onSelect?: (id: string, selected: boolean) => void;
}

export const RESUMED_MESSAGE = /resumed after the studio restart|handed back when the studio stopped/i;

/** The player's current frame as a PNG (same-origin video, so the canvas is readable). */
export function captureFrame(el: HTMLVideoElement): Promise<Blob | null> {
  const canvas = document.createElement('canvas');
  canvas.width = el.videoWidth;
  canvas.height = el.videoHeight;
  const ctx = canvas.getContext('2d');
  if (!ctx || !canvas.width) return Promise.resolve(null);
  ctx.drawImage(el, 0, 0);
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
}

function PreviewBadge({ video }: { video: Video }) {
  if (!video.preview) return null;
  return (
    <span
      className="inline-flex items-center rounded-full border border-amber-500/60 bg-amber-500/10 px-2 py-0.5 text-xs font-medium text-amber-300"
      title="Drawn procedurally by the built-in preview engine, not by an AI model"
      data-testid="preview-label"
    >
      {video.label ?? 'preview, not AI'}
    </span>
  );
}

function ParamChips({ video }: { video: Video }) {
  const chips: [string, string][] = [
    ['model', video.model],
    ['steps', String(video.num_inference_steps)],
    ['seed', String(video.seed)],
  ];
  if (video.size) chips.push(['size', video.size]);
  if (video.num_frames != null) chips.push(['frames', String(video.num_frames)]);
  return (
    <dl className="mt-2 flex flex-wrap gap-1.5 text-xs" aria-label="Parameters">
      {chips.map(([k, v]) => (
        <div key={k} className="flex rounded bg-black/20 px-1.5 py-0.5">
          <dt className="text-white/60">{k}</dt>
          <dd className="ml-1 font-medium">{v}</dd>
        </div>
      ))}
      {video.negative_prompt ? (
        <div className="flex max-w-full rounded bg-black/20 px-1.5 py-0.5">
          <dt className="shrink-0 text-white/60">negative</dt>
          <dd className="ml-1 truncate font-medium">{video.negative_prompt}</dd>
        </div>
      ) : null}
    </dl>
  );
}

function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      className="h-2 w-full overflow-hidden rounded-full bg-zinc-800"
    >
      <div
        className="h-full rounded-full bg-brand-light transition-[width] duration-500"
        style={{ width: `${pct}%` }}
      />
    </div>
  );
}

function Waiting({
  video,
  stale,
  restarted,
  typicalTime,
}: {
  video: Video;
  stale: boolean;
  restarted: boolean;
  typicalTime?: string | null;
}) {
  const queued = video.status === 'queued';
  const resumed = restarted || (video.status_message != null && RESUMED_MESSAGE.test(video.status_message));
  // What the running job is doing now ("denoising step 5/12"), as the worker last reported it.
  const step = video.status === 'in_progress' && !resumed ? video.status_message : null;
  let headline: string;
  if (video.cancel_requested) headline = 'Cancelling…';
  else if (queued) headline = queueText(video.queue_position);
  else headline = `Generating… ${Math.round(video.progress)}%`;
  return (
    <div className="space-y-3" data-testid="job-waiting" data-stale={stale ? 'true' : undefined}>
      {resumed ? (
        <p
          className="flex items-center gap-2 rounded-md bg-sky-500/10 px-2 py-1 text-xs text-sky-200"
          data-testid="job-resumed"
        >
          <History className="h-4 w-4" aria-hidden="true" /> Started again: the studio restarted while this video was
          being made.
        </p>
      ) : null}
      <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
        {queued ? (
          <Clock className="h-4 w-4 text-zinc-400" aria-hidden="true" />
        ) : (
          <Loader2 className="h-4 w-4 animate-spin text-brand-light" aria-hidden="true" />
        )}
        {headline}
        {step && !video.cancel_requested ? (
          <span className="font-normal text-zinc-400" data-testid="job-status-message">
            · {step}
          </span>
        ) : null}
      </p>
      <ProgressBar value={video.progress} label={`Progress of “${video.prompt}”`} />
      <p className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-400">
        <span data-testid="job-elapsed">Elapsed {formatDuration(video.elapsed_seconds)}</span>
        <span data-testid="job-eta">
          {stale
            ? 'ETA unknown while the studio is unreachable (last known state)'
            : video.eta_seconds != null
              ? `ETA about ${formatDuration(video.eta_seconds)}`
              : 'ETA: estimating…'}
        </span>
        {queued || video.preview ? null : (
          <span>
            {typicalTime ? `This model usually takes ${typicalTime}.` : 'Real models can take a few minutes.'}
          </span>
        )}
      </p>
    </div>
  );
}

function Finished({
  video,
  preload,
  onUseFrame,
}: {
  video: Video;
  preload: boolean;
  onUseFrame?: (frame: Blob) => void;
}) {
  const player = useRef<HTMLVideoElement>(null);
  const near = useNearViewport(player);
  const source = usePlayerSource(video, preload && near);
  const meta = video.metadata;
  const total =
    video.completed_at != null ? video.completed_at - (video.started_at ?? video.created_at) : video.elapsed_seconds;
  return (
    <div className="space-y-2">
      <video
        ref={player}
        controls
        muted={false} // the open player plays the clip's sound (the grid's previews are muted)
        playsInline
        preload={preload && near ? 'metadata' : 'none'}
        src={preload && !near ? undefined : source.src} // an eager player's link waits for it to be near
        onError={source.fallBack}
        poster={near ? thumbnailUrl(video) : undefined}
        aria-label={`Generated video: ${video.prompt}`}
        className="aspect-video w-full rounded-lg bg-black object-contain"
        data-testid="job-video"
      />
      <p className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-400">
        {meta ? (
          <>
            <span>{formatDuration(meta.duration)}</span>
            <span>
              {meta.width}×{meta.height}
            </span>
            <span>{meta.fps} fps</span>
            <span>{meta.codec}</span>
            <span>{formatBytes(meta.bytes)}</span>
          </>
        ) : video.seconds ? (
          <span>{video.seconds}s</span>
        ) : null}
        <span>made in {formatDuration(total)}</span>
        {onUseFrame ? (
          <button
            type="button"
            onClick={() => {
              const el = player.current;
              if (el) void captureFrame(el).then((b) => b && onUseFrame(b));
            }}
            className="inline-flex min-h-11 items-center gap-1 text-zinc-300 underline-offset-2 hover:text-white hover:underline sm:min-h-0"
            data-testid="use-frame"
          >
            <Camera className="h-3.5 w-3.5" aria-hidden="true" /> Use this frame as the start image
          </button>
        ) : null}
      </p>
    </div>
  );
}

function Failed({ video }: { video: Video }) {
  const code = video.error?.code ?? null;
  const raw = video.error?.message ?? 'The generation failed.';
  const friendly = friendlyMessage(code, raw);
  return (
    <Notice
      tone="error"
      rounded="rounded-lg"
      testId="job-error"
      message={friendly}
      details={friendly !== raw ? raw : null}
    />
  );
}

export default function VideoJobCard({
  video,
  busy,
  actionError,
  preload = true,
  caps,
  typicalTime,
  stale = false,
  restarted = false,
  onUseFrame,
  selected = false,
  onSelect,
  ...handlers
}: VideoJobCardProps) {
  const active = !isTerminal(video.status);
  let body: ReactNode;
  if (active) body = <Waiting video={video} stale={stale} restarted={restarted} typicalTime={typicalTime} />;
  else if (video.status === 'completed') body = <Finished video={video} preload={preload} onUseFrame={onUseFrame} />;
  else if (video.status === 'failed') body = <Failed video={video} />;
  else
    body = (
      <p className="flex items-center gap-2 text-sm text-zinc-400" data-testid="job-cancelled">
        <Ban className="h-4 w-4" aria-hidden="true" /> Cancelled.
      </p>
    );

  return (
    <article
      className="space-y-3"
      aria-label={`Video: ${video.prompt.length > 80 ? `${video.prompt.slice(0, 77)}…` : video.prompt}`}
      data-testid="job"
      data-status={video.status}
      data-video-id={video.id}
      data-seed={video.seed}
    >
      {/* The prompt, as the user's side of the conversation. */}
      <div className="ml-auto w-fit max-w-[90%] rounded-2xl rounded-br-sm bg-brand px-4 py-3 text-white sm:max-w-[75%]">
        <PromptText text={video.prompt} />
        <ParamChips video={video} />
      </div>

      {/* The studio's answer. */}
      <div
        className={`w-full max-w-2xl rounded-2xl rounded-bl-sm border bg-zinc-900 p-4 ${selected ? 'border-brand-light' : 'border-zinc-800'}`}
      >
        <div className="mb-3 flex flex-wrap items-center gap-2 text-xs text-zinc-400">
          {onSelect ? (
            <label className="-my-2 -ml-2 inline-flex min-h-11 cursor-pointer items-center gap-1.5 px-2">
              <SelectCheckbox video={video} selected={selected} onSelect={onSelect} />
            </label>
          ) : null}
          <time dateTime={new Date(video.created_at * 1000).toISOString()}>{formatTime(video.created_at)}</time>
          <PreviewBadge video={video} />
          <SoundBadge video={video} />
          {video.status === 'completed' ? <CredentialsMark videoId={video.id} /> : null}
          {video.operation !== 'generate' ? (
            <span className="rounded-full bg-zinc-800 px-2 py-0.5">
              {video.operation === 'extend' ? 'extended' : 'edited'}
            </span>
          ) : null}
          {video.remixed_from_video_id ? <span className="rounded-full bg-zinc-800 px-2 py-0.5">remix</span> : null}
          {video.batch_id ? <span className="rounded-full bg-zinc-800 px-2 py-0.5">variation</span> : null}
          {video.original_prompt ? (
            <span
              className="rounded-full bg-zinc-800 px-2 py-0.5"
              title={`Prompt enhanced from your words: “${video.original_prompt}”`}
              data-testid="enhanced-label"
            >
              enhanced
            </span>
          ) : null}
        </div>
        {body}
        {actionError ? (
          <p role="alert" className="mt-3 text-sm text-red-300">
            {actionError}
          </p>
        ) : null}
        <CardControls video={video} caps={caps} busy={busy} className="mt-3" {...handlers} />
      </div>
    </article>
  );
}
