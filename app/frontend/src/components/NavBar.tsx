import { Clapperboard, Grid3x3, Home, LogOut, Video } from 'lucide-react';
import type { LucideIcon } from 'lucide-react';
import { NavLink } from 'react-router-dom';
import Tooltip from './Tooltip';
import { useModels } from './videoGen/hooks/useVideoChat';
import { STORYBOARD_PATH, SWEEP_PATH, VIDEO_GENERATION_PATH } from '../routes/paths';
import { useAuth } from '../auth/useAuth';

interface NavItem {
  label: string;
  to: string;
  icon: LucideIcon;
  testId: string;
  /** A reason to show instead of navigating; null when the item is usable. */
  disabledReason: string | null;
}

const itemBase = 'flex h-11 w-11 items-center justify-center rounded-lg transition-colors md:h-12 md:w-12';

export default function NavBar() {
  const { unavailableReason } = useModels();
  const { user, logout } = useAuth();
  const items: NavItem[] = [
    { label: 'AI Playground', to: '/', icon: Home, testId: 'nav-home', disabledReason: null },
    {
      label: 'Video Generation',
      to: VIDEO_GENERATION_PATH,
      icon: Video,
      testId: 'nav-video-generation',
      disabledReason: unavailableReason,
    },
    {
      label: 'Storyboard',
      to: STORYBOARD_PATH,
      icon: Clapperboard,
      testId: 'nav-storyboard',
      disabledReason: unavailableReason,
    },
    { label: 'Sweep grid', to: SWEEP_PATH, icon: Grid3x3, testId: 'nav-sweep', disabledReason: unavailableReason },
  ];

  return (
    <nav
      aria-label="Main"
      className="flex shrink-0 items-center gap-2 border-b border-zinc-800 bg-zinc-900 px-3 py-2 md:h-full md:w-20 md:flex-col md:border-r md:border-b-0 md:px-0 md:py-4"
    >
      <span className="mr-auto flex items-center gap-2 md:mr-0 md:mb-4" aria-hidden="true">
        <span className="flex h-9 w-9 items-center justify-center rounded-lg bg-brand text-sm font-bold">VS</span>
        <span className="text-sm font-semibold md:hidden">Video Studio</span>
      </span>
      <ul className="flex items-center gap-2 md:flex-col">
        {items.map(({ label, to, icon: Icon, testId, disabledReason }) => (
          <li key={to}>
            {disabledReason ? (
              <Tooltip text={`${label} is unavailable: ${disabledReason}`} side="nav">
                {(describedBy) => (
                  // Still focusable so keyboard users can read why it is disabled.
                  <span
                    role="link"
                    aria-disabled="true"
                    aria-label={label}
                    aria-describedby={describedBy}
                    tabIndex={0}
                    data-testid={testId}
                    className={`${itemBase} cursor-not-allowed text-zinc-600`}
                  >
                    <Icon aria-hidden="true" className="h-5 w-5" />
                  </span>
                )}
              </Tooltip>
            ) : (
              <Tooltip text={label} side="nav">
                {(describedBy) => (
                  <NavLink
                    to={to}
                    end
                    aria-label={label}
                    aria-describedby={describedBy}
                    data-testid={testId}
                    className={({ isActive }) =>
                      `${itemBase} ${isActive ? 'bg-brand text-white' : 'text-zinc-300 hover:bg-zinc-800 hover:text-white'}`
                    }
                  >
                    <Icon aria-hidden="true" className="h-5 w-5" />
                  </NavLink>
                )}
              </Tooltip>
            )}
          </li>
        ))}
      </ul>
      {user ? (
        <div className="flex items-center gap-2 md:mt-auto md:flex-col">
          <span className="max-w-24 truncate text-xs text-zinc-400 md:max-w-16" title={`Signed in as ${user}`}>
            {user}
          </span>
          <Tooltip text={`Sign out (${user})`} side="nav">
            {(describedBy) => (
              <button
                type="button"
                onClick={() => logout.mutate()}
                aria-label="Sign out"
                aria-describedby={describedBy}
                className={`${itemBase} text-zinc-300 hover:bg-zinc-800 hover:text-white`}
              >
                <LogOut aria-hidden="true" className="h-5 w-5" />
              </button>
            )}
          </Tooltip>
        </div>
      ) : null}
    </nav>
  );
}
