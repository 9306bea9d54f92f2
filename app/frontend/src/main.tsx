import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, useRoutes } from 'react-router-dom';
import { preloadPage, routes } from './routes/route-config';
import { ApiError, listModels } from './components/videoGen/api/videoGeneration';
import { historyQuery, modelKeys } from './components/videoGen/hooks/useVideoChat';
import { VIDEO_GENERATION_PATH } from './routes/paths';
import { getMe } from './auth/api';
import { authKey } from './auth/useAuth';
import './index.css';

// A 401 anywhere means the session ended (or never began): ask /auth/me again, which
// shows the sign-in form when the studio requires one.
const onError = (err: unknown) => {
  if (err instanceof ApiError && err.status === 401) void queryClient.invalidateQueries({ queryKey: authKey });
};
const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // Retrying a refusal (4xx) cannot help; a flaky connection may.
      retry: (count, err) => count < 1 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
    },
  },
});
// The declarative router: the page uses no loaders, actions or fetchers, and the data router's
// code would be a third of react-router's share of the first script.
function Pages() {
  return useRoutes(routes);
}

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
const FIRST_ANSWERS_MS = 3_000;

function render(element: HTMLElement) {
  // As a transition, the first render yields to the browser every few milliseconds instead of
  // holding the main thread for the whole tree (Lighthouse's Total Blocking Time on a phone).
  startTransition(() => {
    createRoot(element).render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <Pages />
          </BrowserRouter>
        </QueryClientProvider>
      </StrictMode>,
    );
  });
}

// Who is signed in and which models are ready decide what every page shows: ask both (and fetch
// the page's chunk) first, and render once they answered (or after FIRST_ANSWERS_MS), so that the
// first render, the time-sliced one, draws the page itself rather than a "Loading…" that a
// blocking re-render then replaces. index.html's loading line stays on screen meanwhile.
const firstAnswers = Promise.allSettled([
  preloadPage(window.location.pathname),
  queryClient.query({ queryKey: authKey, queryFn: ({ signal }) => getMe(signal), retry: false }),
  queryClient.query({ queryKey: modelKeys.all, queryFn: ({ signal }) => listModels(signal) }),
]);
// The video page's history too: not waited for (its page says "Loading your videos…"), but asked
// now rather than once the page's code has arrived and rendered.
if (window.location.pathname === VIDEO_GENERATION_PATH)
  queryClient.infiniteQuery(historyQuery()).catch(() => undefined);
void Promise.race([firstAnswers, new Promise((resolve) => setTimeout(resolve, FIRST_ANSWERS_MS))]).then(() =>
  render(root),
);
