import { ArrowRight, Cpu, Video } from 'lucide-react';
import { Link } from 'react-router-dom';
import type { ModelCardData } from './data';
import { useModels } from '../videoGen/hooks/useVideoChat';
import { modelDisplayName } from '../videoGen/params';

function ProviderState() {
  const { defaultModel, anyReady, isLoading, unavailableReason } = useModels();
  if (isLoading) {
    return (
      <span className="inline-flex items-center gap-2 text-zinc-300">
        <span className="h-2 w-2 animate-pulse rounded-full bg-zinc-400" aria-hidden="true" />
        Checking providers…
      </span>
    );
  }
  if (anyReady && defaultModel) {
    return (
      <span className="inline-flex items-center gap-2 text-emerald-300" data-testid="provider-state" data-ready="true">
        <span className="h-2 w-2 rounded-full bg-emerald-400" aria-hidden="true" />
        Ready: {modelDisplayName(defaultModel)}
      </span>
    );
  }
  return (
    <span className="inline-flex items-start gap-2 text-amber-300" data-testid="provider-state" data-ready="false">
      <span className="mt-1.5 h-2 w-2 shrink-0 rounded-full bg-amber-400" aria-hidden="true" />
      {unavailableReason ?? 'No video provider is ready.'}
    </span>
  );
}

/** What the card says runs it: the model that will take a job now, not the card's default text. */
function useRunsOn(card: ModelCardData): { device: string; poweredBy: string } {
  const { defaultModel, anyReady } = useModels();
  if (!defaultModel || !anyReady) return { device: card.TTDevice, poweredBy: card.poweredByText };
  if (defaultModel.runs_on === 'tenstorrent') return { device: card.TTDevice, poweredBy: card.poweredByText };
  return {
    device: defaultModel.runs_on === 'this_machine' ? 'this machine' : 'remote API',
    poweredBy: defaultModel.label,
  };
}

export default function ModelCard({ card }: { card: ModelCardData }) {
  const runs = useRunsOn(card);
  return (
    <Link
      to={card.path}
      data-testid={`model-card-${card.id}`}
      className="group flex h-full flex-col overflow-hidden rounded-xl border border-zinc-800 bg-zinc-900 shadow-lg transition hover:-translate-y-0.5 hover:border-brand-light focus-visible:border-brand-light"
    >
      <div
        className="relative flex h-36 items-center justify-center"
        style={{
          backgroundColor: card.filter,
          backgroundImage:
            'radial-gradient(circle at 20% 20%, rgba(255,255,255,0.25), transparent 45%), radial-gradient(circle at 80% 70%, rgba(0,0,0,0.35), transparent 50%)',
        }}
      >
        <Video className="h-14 w-14 text-white/90 transition group-hover:scale-110" />
        <span className="absolute top-3 left-3 rounded-full bg-black/40 px-2 py-0.5 text-xs font-medium text-white">
          {card.modelType}
        </span>
        <span className="absolute top-3 right-3 inline-flex items-center gap-1 rounded-full bg-black/40 px-2 py-0.5 text-xs font-medium text-white">
          <Cpu className="h-3 w-3" />
          {runs.device}
        </span>
      </div>
      <div className="flex flex-1 flex-col gap-3 p-5">
        <h2 className="text-lg font-semibold">{card.title}</h2>
        <p className="text-sm text-zinc-400">{card.description}</p>
        <p className="text-sm">
          <ProviderState />
        </p>
        <div className="mt-auto flex items-center justify-between pt-2 text-xs text-zinc-400">
          <span data-testid="powered-by">{runs.poweredBy}</span>
          <span className="inline-flex items-center gap-1 text-sm font-medium text-brand-light group-hover:text-white">
            Open <ArrowRight className="h-4 w-4" aria-hidden="true" />
          </span>
        </div>
      </div>
    </Link>
  );
}
