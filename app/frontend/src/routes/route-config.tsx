import { type ComponentType, lazy, useState } from 'react';
import type { RouteObject } from 'react-router-dom';
import Layout from '../components/Layout';
import HomePage from '../pages/HomePage';
import NotFoundPage from '../pages/NotFoundPage';
import { STORYBOARD_PATH, SWEEP_PATH, VIDEO_GENERATION_PATH, WEBHOOKS_PATH } from './paths';

// Each working page is its own chunk, loaded when its route is first shown (Layout's Suspense):
// the home page, the first a person sees, does not parse and run the video page, the storyboard
// and the sweep grid (docs/performance.md, Lighthouse).
type PageModule = { default: ComponentType };
const importers: Partial<Record<string, () => Promise<PageModule>>> = {
  [VIDEO_GENERATION_PATH]: () => import('../pages/VideoGenPage'),
  [WEBHOOKS_PATH]: () => import('../pages/WebhooksPage'),
  [STORYBOARD_PATH]: () => import('../pages/StoryboardPage'),
  [SWEEP_PATH]: () => import('../pages/SweepPage'),
};
// The pages whose chunk has arrived: rendered at once, without suspending (React reveals a
// suspended page up to 300 ms late, to batch reveals).
const loaded = new Map<string, ComponentType>();

function load(path: string): Promise<PageModule> | undefined {
  return importers[path]?.().then((module) => {
    loaded.set(path, module.default);
    return module;
  });
}

/** Fetch the chunk of the page at `path`, if it has one (main.tsx: while the first answers come,
 * so that the first render finds it there). */
export function preloadPage(path: string): Promise<unknown> {
  return load(path) ?? Promise.resolve();
}

function page(path: string) {
  const Lazy = lazy(() => load(path) ?? Promise.reject(new Error(`no page chunk for ${path}`)));
  function Page() {
    // Decided once per visit: switching from Lazy to the loaded page later would remount it.
    const [Loaded] = useState(() => loaded.get(path));
    return Loaded ? <Loaded /> : <Lazy />;
  }
  return <Page />;
}

export const routes: RouteObject[] = [
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <HomePage /> },
      { path: VIDEO_GENERATION_PATH, element: page(VIDEO_GENERATION_PATH) },
      { path: WEBHOOKS_PATH, element: page(WEBHOOKS_PATH) },
      { path: STORYBOARD_PATH, element: page(STORYBOARD_PATH) },
      { path: SWEEP_PATH, element: page(SWEEP_PATH) },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
