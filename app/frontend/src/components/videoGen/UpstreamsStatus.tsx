// Several tt-media-servers used as one model: what each is running and whether it takes jobs,
// shown only where there is something to say (more than one server, or one not ready).
import { Server } from 'lucide-react';
import type { VideoModel } from './types/chat';
import { modelDisplayName } from './params';

type Upstream = NonNullable<VideoModel['upstreams']>[number];

const STATE_TEXT: Record<Upstream['state'], string> = {
  ready: 'ready',
  warming_up: 'warming up',
  down: 'down, checked again shortly',
};

const STATE_DOT: Record<Upstream['state'], string> = {
  ready: 'bg-emerald-400',
  warming_up: 'bg-amber-400',
  down: 'bg-red-400',
};

function worthShowing(model: VideoModel): boolean {
  const upstreams = model.upstreams ?? [];
  return upstreams.length > 1 || upstreams.some((u) => u.state !== 'ready');
}

function UpstreamRow({ upstream }: { upstream: Upstream }) {
  const runner = upstream.runner ?? 'runner not reported';
  return (
    <li className="flex flex-wrap items-center gap-x-2 gap-y-0.5" data-testid={`upstream-${upstream.name}`}>
      <span className={`h-2 w-2 shrink-0 rounded-full ${STATE_DOT[upstream.state]}`} aria-hidden="true" />
      <span className="font-medium text-zinc-100">{upstream.name}</span>
      <span className="text-zinc-300">
        {upstream.label} ({runner}
        {upstream.known ? '' : ', unknown runner'})
      </span>
      <span className="text-zinc-300">· {STATE_TEXT[upstream.state]}</span>
      <span className="text-zinc-300">
        · {upstream.in_flight} of {upstream.concurrency} here, {upstream.queue_size} in its queue
      </span>
    </li>
  );
}

/** Each upstream of each model that has several (or one not ready): name, runner, state and load. */
export default function UpstreamsStatus({ models }: { models: readonly VideoModel[] }) {
  const shown = models.filter(worthShowing);
  if (shown.length === 0) return null;
  return (
    <div className="shrink-0 px-4 pt-3 sm:px-6">
      {shown.map((model) => {
        const upstreams = model.upstreams ?? [];
        const ready = upstreams.filter((u) => u.state === 'ready').length;
        return (
          <details
            key={model.id}
            className="mx-auto w-full max-w-4xl rounded-xl border border-zinc-800 bg-zinc-900 px-3 py-2 text-sm"
            data-testid={`upstreams-${model.id}`}
          >
            <summary className="flex cursor-pointer items-center gap-2 text-zinc-200">
              <Server className="h-4 w-4 shrink-0" aria-hidden="true" />
              {modelDisplayName(model)}: {ready} of {upstreams.length} servers ready
            </summary>
            <ul className="mt-2 space-y-1 text-xs">
              {upstreams.map((upstream) => (
                <UpstreamRow key={upstream.name} upstream={upstream} />
              ))}
            </ul>
          </details>
        );
      })}
    </div>
  );
}
