import {
  Bell,
  BellOff,
  CircleAlert,
  CircleCheck,
  LayoutGrid,
  Loader2,
  MessagesSquare,
  Video,
  Webhook,
  WifiOff,
} from 'lucide-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { WEBHOOKS_PATH } from '../../routes/paths';
import { QueuePauseButton } from './QueuePause';
import { isTerminal } from './api/videoGeneration';
import type { QueuePause } from './hooks/useQueue';
import type { ModelsState } from './hooks/useVideoChat';
import { modelDisplayName } from './params';
import type { ViewMode } from './settingsStore';
import type { Video as VideoJob } from './types/chat';

interface HeaderProps {
  models: ModelsState;
  /** The caller's videos: the header counts those still in progress. */
  videos: readonly VideoJob[];
  view: ViewMode;
  onViewChange: (view: ViewMode) => void;
  attention: { notify: boolean; setNotify: (on: boolean) => Promise<void>; notifySupported: boolean };
  offline: boolean;
  /** The queue's pause; its button sits with the view toggles. */
  queue?: QueuePause;
}

interface ToggleProps {
  pressed: boolean;
  onClick: () => void;
  label: string;
  title: string;
  /** Its colours while pressed; unpressed ones are the same for all. */
  pressedClass: string;
  testId: string;
  children: ReactNode;
}

/** An icon-only toggle button of the header (view, notifications). */
function Toggle({ pressed, onClick, label, title, pressedClass, testId, children }: ToggleProps) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-pressed={pressed}
      aria-label={label}
      title={title}
      className={`flex h-11 w-11 items-center justify-center rounded-lg transition-colors ${pressed ? pressedClass : 'text-zinc-400 hover:bg-zinc-800'}`}
      data-testid={testId}
    >
      {children}
    </button>
  );
}

const VIEWS = [
  { view: 'chat', label: 'Conversation view', Icon: MessagesSquare },
  { view: 'grid', label: 'Grid view', Icon: LayoutGrid },
] as const;

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

export default function Header({ models, videos, view, onViewChange, attention, offline, queue }: HeaderProps) {
  const activeCount = videos.filter((v) => !isTerminal(v.status)).length;
  return (
    <header className="flex shrink-0 flex-wrap items-center gap-x-3 gap-y-1 border-b border-zinc-800 bg-zinc-950/80 px-4 py-2 backdrop-blur sm:px-6">
      <h1 className="flex items-center gap-2 text-base font-semibold sm:text-xl">
        <Video className="h-5 w-5 text-brand-light" aria-hidden="true" />
        Video Generation
      </h1>
      <div className="flex min-w-0 flex-1 flex-wrap items-center justify-end gap-2 text-xs max-sm:basis-full sm:text-sm">
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
        {queue ? <QueuePauseButton queue={queue} /> : null}
        <div className="flex items-center gap-1" role="group" aria-label="View">
          {VIEWS.map(({ view: mode, label, Icon }) => (
            <Toggle
              key={mode}
              pressed={view === mode}
              onClick={() => onViewChange(mode)}
              label={label}
              title={label}
              pressedClass="bg-zinc-800 text-white"
              testId={`view-${mode}`}
            >
              <Icon className="h-5 w-5" aria-hidden="true" />
            </Toggle>
          ))}
          {attention.notifySupported ? (
            <Toggle
              pressed={attention.notify}
              onClick={() => void attention.setNotify(!attention.notify)}
              label="Notify me when a video is ready"
              title={attention.notify ? 'Notifications on' : 'Notify me when a video is ready'}
              pressedClass="text-brand-light"
              testId="notify-toggle"
            >
              {attention.notify ? (
                <Bell className="h-5 w-5" aria-hidden="true" />
              ) : (
                <BellOff className="h-5 w-5" aria-hidden="true" />
              )}
            </Toggle>
          ) : null}
          <Link
            to={WEBHOOKS_PATH}
            aria-label="Webhooks"
            title="Webhooks: tell other apps when a video ends"
            className="flex h-11 w-11 items-center justify-center rounded-lg text-zinc-400 transition-colors hover:bg-zinc-800 hover:text-white"
            data-testid="webhooks-link"
          >
            <Webhook className="h-5 w-5" aria-hidden="true" />
          </Link>
        </div>
      </div>
    </header>
  );
}
