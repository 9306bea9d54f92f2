import { CircleAlert, CircleCheck, Loader2, Video } from 'lucide-react';
import type { ModelsState } from './hooks/useVideoChat';
import { modelDisplayName } from './params';

interface HeaderProps {
  models: ModelsState;
  activeCount: number;
}

export default function Header({ models, activeCount }: HeaderProps) {
  const { defaultModel, anyReady, isLoading, unavailableReason } = models;
  return (
    <header className="flex shrink-0 flex-wrap items-center gap-x-4 gap-y-2 border-b border-zinc-800 bg-zinc-950/80 px-4 py-3 backdrop-blur sm:px-6">
      <h1 className="flex items-center gap-2 text-lg font-semibold sm:text-xl">
        <Video className="h-5 w-5 text-brand-light" aria-hidden="true" />
        Video Generation
      </h1>
      <div className="flex min-w-0 flex-1 flex-wrap items-center justify-end gap-2 text-xs sm:text-sm">
        {activeCount > 0 ? (
          <span className="rounded-full bg-zinc-800 px-2.5 py-1 text-zinc-300" data-testid="active-count">
            {activeCount} in progress
          </span>
        ) : null}
        {isLoading ? (
          <span className="inline-flex items-center gap-1.5 text-zinc-400">
            <Loader2 className="h-4 w-4 animate-spin" aria-hidden="true" /> Checking providers…
          </span>
        ) : anyReady && defaultModel ? (
          <span
            className="inline-flex min-w-0 items-center gap-1.5 rounded-full bg-emerald-500/10 px-2.5 py-1 whitespace-nowrap text-emerald-300"
            title={modelDisplayName(defaultModel)}
          >
            <CircleCheck className="h-4 w-4 shrink-0" aria-hidden="true" />
            {/* Phones get the short form; the full name is in the title and the parameters panel. */}
            <span className="sm:hidden">{defaultModel.preview ? 'Preview, not AI' : 'Ready'}</span>
            <span className="hidden sm:inline">{modelDisplayName(defaultModel)}</span>
          </span>
        ) : (
          <span
            className="inline-flex items-center gap-1.5 rounded-full bg-amber-500/10 px-2.5 py-1 whitespace-nowrap text-amber-300"
            title={unavailableReason ?? undefined}
          >
            <CircleAlert className="h-4 w-4" aria-hidden="true" /> No provider ready
          </span>
        )}
      </div>
    </header>
  );
}
