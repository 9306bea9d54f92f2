import type { RouteObject } from 'react-router-dom';
import Layout from '../components/Layout';
import HomePage from '../pages/HomePage';
import VideoGenPage from '../pages/VideoGenPage';
import NotFoundPage from '../pages/NotFoundPage';

export const routes: RouteObject[] = [
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <HomePage /> },
      { path: '/video-generation', element: <VideoGenPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
