import type { RouteObject } from 'react-router-dom';
import Layout from '../components/Layout';
import HomePage from '../pages/HomePage';
import VideoGenPage from '../pages/VideoGenPage';
import NotFoundPage from '../pages/NotFoundPage';
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
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
