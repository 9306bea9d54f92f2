import type { RouteObject } from 'react-router-dom';
import Layout from '../components/Layout';
import HomePage from '../pages/HomePage';
import VideoGenPage from '../pages/VideoGenPage';
import NotFoundPage from '../pages/NotFoundPage';
import StoryboardPage from '../pages/StoryboardPage';
import SweepPage from '../pages/SweepPage';
import { STORYBOARD_PATH, SWEEP_PATH } from './paths';
import WebhooksPage from '../pages/WebhooksPage';
import { WEBHOOKS_PATH } from './paths';

export const routes: RouteObject[] = [
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <HomePage /> },
      { path: '/video-generation', element: <VideoGenPage /> },
      { path: WEBHOOKS_PATH, element: <WebhooksPage /> },
      { path: STORYBOARD_PATH, element: <StoryboardPage /> },
      { path: SWEEP_PATH, element: <SweepPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
