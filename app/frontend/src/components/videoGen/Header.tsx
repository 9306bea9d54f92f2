import {
  Bell,
  BellOff,
  CircleAlert,
  CircleCheck,
  LayoutGrid,
  Loader2,
  MessagesSquare,
  Video,
  WifiOff,
} from 'lucide-react';
import type { ModelsState } from './hooks/useVideoChat';
import { modelDisplayName } from './params';
import type { ViewMode } from './settingsStore';

interface HeaderProps {
  models: ModelsState;
  activeCount: number;
  view: ViewMode;
  onViewChange: (view: ViewMode) => void;
  attention: { notify: boolean; setNotify: (on: boolean) => Promise<void>; notifySupported: boolean };
  offline: boolean;
}

const toggleBase = 'flex h-11 w-11 items-center justify-center rounded-lg transition-colors';

function ModelPill({ models, offline }: { models: ModelsState; offline: boolean }) {
  const { defaultModel, anyReady, isLoading, unavailableReason } = models;
  if (offline) {
    return (
      <span className="inline-flex items-center gap-1.5 rounded-full bg-zinc-800 px-2.5 py-1 whitespace-nowrap text-zinc-300">
        <WifiOff className="h-4 w-4" aria-hidden="true" /> Studio unreachable
      </span>
    );
  }
  if (isLoading) {
    return (
      <span className="inline-flex items-center gap-1.5 text-zinc-400">
        <Loader2 className="h-4 w-4 animate-spin" aria-hidden="true" /> Checking providers…
      </span>
    );
  }
  if (anyReady && defaultModel) {
    return (
      <span
        className="inline-flex min-w-0 items-center gap-1.5 rounded-full bg-emerald-500/10 px-2.5 py-1 whitespace-nowrap text-emerald-300"
        title={modelDisplayName(defaultModel)}
        data-testid="model-pill"
      >
        <CircleCheck className="h-4 w-4 shrink-0" aria-hidden="true" />
        {/* Phones get the short form; the full name is in the title and the parameters panel. */}
        <span className="sm:hidden">{defaultModel.preview ? 'Preview, not AI' : 'Ready'}</span>
        <span className="hidden sm:inline">{modelDisplayName(defaultModel)}</span>
      </span>
    );
  }
  return (
    <span
      className="inline-flex items-center gap-1.5 rounded-full bg-amber-500/10 px-2.5 py-1 whitespace-nowrap text-amber-300"
      title={unavailableReason ?? undefined}
    >
      <CircleAlert className="h-4 w-4" aria-hidden="true" /> No provider ready
    </span>
  );
}

export default function Header({ models, activeCount, view, onViewChange, attention, offline }: HeaderProps) {
  return (
    <header className="flex shrink-0 flex-wrap items-center gap-x-3 gap-y-1 border-b border-zinc-800 bg-zinc-950/80 px-4 py-2 backdrop-blur sm:px-6">
      <h1 className="flex items-center gap-2 text-base font-semibold sm:text-xl">
        <Video className="h-5 w-5 text-brand-light" aria-hidden="true" />
        Video Generation
      </h1>
      <div className="flex min-w-0 flex-1 flex-wrap items-center justify-end gap-2 text-xs sm:text-sm">
        {activeCount > 0 ? (
          // On phones the tab title and the cards say it; the header keeps to one or two rows.
          <span
            className="hidden rounded-full bg-zinc-800 px-2.5 py-1 text-zinc-300 sm:inline"
            data-testid="active-count"
          >
            {activeCount} in progress
          </span>
        ) : null}
        <ModelPill models={models} offline={offline} />
        <div className="flex items-center gap-1" role="group" aria-label="View">
          <button
            type="button"
            onClick={() => onViewChange('chat')}
            aria-pressed={view === 'chat'}
            aria-label="Conversation view"
            title="Conversation view"
            className={`${toggleBase} ${view === 'chat' ? 'bg-zinc-800 text-white' : 'text-zinc-400 hover:bg-zinc-800'}`}
            data-testid="view-chat"
          >
            <MessagesSquare className="h-5 w-5" aria-hidden="true" />
          </button>
          <button
            type="button"
            onClick={() => onViewChange('grid')}
            aria-pressed={view === 'grid'}
            aria-label="Grid view"
            title="Grid view"
            className={`${toggleBase} ${view === 'grid' ? 'bg-zinc-800 text-white' : 'text-zinc-400 hover:bg-zinc-800'}`}
            data-testid="view-grid"
          >
            <LayoutGrid className="h-5 w-5" aria-hidden="true" />
          </button>
          {attention.notifySupported ? (
            <button
              type="button"
              onClick={() => void attention.setNotify(!attention.notify)}
              aria-pressed={attention.notify}
              aria-label="Notify me when a video is ready"
              title={attention.notify ? 'Notifications on' : 'Notify me when a video is ready'}
              className={`${toggleBase} ${attention.notify ? 'text-brand-light' : 'text-zinc-400 hover:bg-zinc-800'}`}
              data-testid="notify-toggle"
            >
              {attention.notify ? (
                <Bell className="h-5 w-5" aria-hidden="true" />
              ) : (
                <BellOff className="h-5 w-5" aria-hidden="true" />
              )}
            </button>
          ) : null}
        </div>
      </div>
    </header>
  );
}
