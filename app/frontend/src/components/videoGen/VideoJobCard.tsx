import { AlertTriangle, Ban, Clock, Download, Loader2, RotateCcw, Trash2, X } from 'lucide-react';
import type { ReactNode } from 'react';
import { contentUrl, downloadUrl, friendlyMessage, isTerminal, thumbnailUrl } from './api/videoGeneration';
import { formatBytes, formatDuration, formatTime, queueText } from './format';
import type { Video } from './types/chat';

interface VideoJobCardProps {
  video: Video;
  onCancel: (id: string) => void;
  onRetry: (id: string) => void;
  onDelete: (id: string) => void;
  busy: boolean;
  actionError: string | null;
  /** Fetch the video's metadata up front (recent jobs); older ones wait for a click on play. */
  preload?: boolean;
}

const buttonBase =
  'inline-flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-50';
const secondaryButton = `${buttonBase} border border-zinc-700 text-zinc-200 hover:bg-zinc-800`;

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

function Waiting({ video }: { video: Video }) {
  const queued = video.status === 'queued';
  // What the running job is doing now ("denoising step 5/12"), as the worker last reported it.
  const step = video.status === 'in_progress' ? video.status_message : null;
  let headline: string;
  if (video.cancel_requested) headline = 'Cancelling…';
  else if (queued) headline = queueText(video.queue_position);
  else headline = `Generating… ${Math.round(video.progress)}%`;
  return (
    <div className="space-y-3" data-testid="job-waiting">
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
          {video.eta_seconds != null ? `ETA about ${formatDuration(video.eta_seconds)}` : 'ETA: estimating…'}
        </span>
        {queued || video.preview ? null : (
          <span>
            {video.model === 'tt-cloud'
              ? 'The cloud model usually takes 2–3 minutes.'
              : 'Real models can take a few minutes.'}
          </span>
        )}
      </p>
    </div>
  );
}

function Finished({ video, preload }: { video: Video; preload: boolean }) {
  const meta = video.metadata;
  const total =
    video.completed_at != null ? video.completed_at - (video.started_at ?? video.created_at) : video.elapsed_seconds;
  return (
    <div className="space-y-2">
      <video
        controls
        playsInline
        preload={preload ? 'metadata' : 'none'}
        src={contentUrl(video)}
        poster={thumbnailUrl(video)}
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
      </p>
    </div>
  );
}

function Failed({ video }: { video: Video }) {
  const code = video.error?.code ?? null;
  const raw = video.error?.message ?? 'The generation failed.';
  const friendly = friendlyMessage(code, raw);
  return (
    <div
      role="alert"
      className="flex gap-3 rounded-lg border border-red-500/40 bg-red-500/10 p-3 text-sm"
      data-testid="job-error"
    >
      <AlertTriangle className="mt-0.5 h-5 w-5 shrink-0 text-red-400" aria-hidden="true" />
      <div className="min-w-0">
        <p className="font-medium text-red-200">{friendly}</p>
        {friendly !== raw ? <p className="mt-1 break-words text-xs text-red-300/80">Details: {raw}</p> : null}
      </div>
    </div>
  );
}

export default function VideoJobCard({
  video,
  onCancel,
  onRetry,
  onDelete,
  busy,
  actionError,
  preload = true,
}: VideoJobCardProps) {
  const active = !isTerminal(video.status);
  let body: ReactNode;
  if (active) body = <Waiting video={video} />;
  else if (video.status === 'completed') body = <Finished video={video} preload={preload} />;
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
      aria-label={`Video: ${video.prompt}`}
      data-testid="job"
      data-status={video.status}
      data-video-id={video.id}
    >
      {/* The prompt, as the user's side of the conversation. */}
      <div className="ml-auto w-fit max-w-[90%] rounded-2xl rounded-br-sm bg-brand px-4 py-3 text-white sm:max-w-[75%]">
        <p className="break-words whitespace-pre-wrap" data-testid="job-prompt">
          {video.prompt}
        </p>
        <ParamChips video={video} />
      </div>

      {/* The studio's answer. */}
      <div className="w-full max-w-2xl rounded-2xl rounded-bl-sm border border-zinc-800 bg-zinc-900 p-4">
        <div className="mb-3 flex flex-wrap items-center gap-2 text-xs text-zinc-400">
          <time dateTime={new Date(video.created_at * 1000).toISOString()}>{formatTime(video.created_at)}</time>
          <PreviewBadge video={video} />
        </div>
        {body}
        {actionError ? (
          <p role="alert" className="mt-3 text-sm text-red-300">
            {actionError}
          </p>
        ) : null}
        <div className="mt-3 flex flex-wrap gap-2">
          {video.status === 'completed' ? (
            <a
              href={downloadUrl(video)}
              download
              className={`${buttonBase} bg-brand text-white hover:bg-brand-light`}
              data-testid="job-download"
            >
              <Download className="h-4 w-4" aria-hidden="true" /> Download
            </a>
          ) : null}
          {active ? (
            <button
              type="button"
              onClick={() => onCancel(video.id)}
              // Once asked, the worker stops the job at its next step; asking again changes nothing.
              disabled={busy || video.cancel_requested}
              className={secondaryButton}
              data-testid="job-cancel"
            >
              <X className="h-4 w-4" aria-hidden="true" /> {video.cancel_requested ? 'Cancelling…' : 'Cancel'}
            </button>
          ) : (
            <button
              type="button"
              onClick={() => onRetry(video.id)}
              disabled={busy}
              className={secondaryButton}
              data-testid="job-retry"
            >
              <RotateCcw className="h-4 w-4" aria-hidden="true" />{' '}
              {video.status === 'completed' ? 'Generate again' : 'Retry'}
            </button>
          )}
          <button
            type="button"
            onClick={() => onDelete(video.id)}
            disabled={busy}
            aria-label={`Delete “${video.prompt}”`}
            className={`${secondaryButton} hover:border-red-500/60 hover:text-red-300`}
            data-testid="job-delete"
          >
            <Trash2 className="h-4 w-4" aria-hidden="true" /> Delete
          </button>
        </div>
      </div>
    </article>
  );
}
