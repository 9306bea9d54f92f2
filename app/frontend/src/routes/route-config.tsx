import { type ComponentType, lazy } from 'react';
import type { RouteObject } from 'react-router-dom';
import Layout from '../components/Layout';
import HomePage from '../pages/HomePage';
import NotFoundPage from '../pages/NotFoundPage';
import { STORYBOARD_PATH, SWEEP_PATH, VIDEO_GENERATION_PATH, WEBHOOKS_PATH } from './paths';

// Each working page is its own chunk, loaded when its route is first shown (Layout's Suspense):
// the home page, the first a person sees, does not parse and run the video page, the storyboard
// and the sweep grid (docs/performance.md, Lighthouse).
const pages: Partial<Record<string, () => Promise<{ default: ComponentType }>>> = {
  [VIDEO_GENERATION_PATH]: () => import('../pages/VideoGenPage'),
  [WEBHOOKS_PATH]: () => import('../pages/WebhooksPage'),
  [STORYBOARD_PATH]: () => import('../pages/StoryboardPage'),
  [SWEEP_PATH]: () => import('../pages/SweepPage'),
};

/** Start fetching the chunk of the page at `path`, if it has one (main.tsx: while the first
 * answers come, instead of after them). */
export function preloadPage(path: string): void {
  void pages[path]?.();
}

const page = (path: string) => {
  const load = pages[path];
  if (!load) throw new Error(`no page chunk for ${path}`);
  const Page = lazy(load);
  return <Page />;
};

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
