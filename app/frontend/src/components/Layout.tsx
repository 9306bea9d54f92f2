import { Loader2 } from 'lucide-react';
import { Suspense } from 'react';
import { Outlet } from 'react-router-dom';
import NavBar from './NavBar';
import LoginPage from '../auth/LoginPage';
import { useAuth } from '../auth/useAuth';

export default function Layout() {
  const { isLoading, mustSignIn } = useAuth();
  const loading = (
    <p className="flex flex-1 items-center justify-center gap-2 text-zinc-400" role="status">
      <Loader2 className="h-5 w-5 animate-spin" aria-hidden="true" /> Loading…
    </p>
  );
  let content;
  if (isLoading) {
    content = loading;
  } else if (mustSignIn) {
    content = <LoginPage />;
  } else {
    // The pages are chunks of their own (routes/route-config.tsx): the same note while one loads.
    content = (
      <Suspense fallback={loading}>
        <Outlet />
      </Suspense>
    );
  }
  return (
    <div className="flex h-full flex-col md:flex-row">
      <a
        href="#main"
        onClick={(e) => {
          // On a page with a prompt box, skip straight to it; elsewhere to the main content.
          const target = document.querySelector<HTMLElement>('[data-skip-target]') ?? document.getElementById('main');
          if (target) {
            e.preventDefault();
            target.focus();
          }
        }}
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-brand focus:px-3 focus:py-2"
      >
        Skip to the prompt
      </a>
      {mustSignIn ? null : <NavBar />}
      <main id="main" tabIndex={-1} className="flex min-h-0 min-w-0 flex-1 flex-col overflow-y-auto">
        {content}
      </main>
    </div>
  );
}
