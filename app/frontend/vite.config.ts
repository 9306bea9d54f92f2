/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// The backend (Django) serves dist/index.html for SPA routes and dist/assets/* from the
// same origin, so the app is built for '/' and calls the API with relative URLs.
export default defineConfig({
  base: '/',
  plugins: [react(), tailwindcss()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    // `npm run dev` against a backend on :8000 (STUDIO_API to override).
    proxy: {
      '/v1': process.env.STUDIO_API ?? 'http://127.0.0.1:8000',
      '/healthz': process.env.STUDIO_API ?? 'http://127.0.0.1:8000',
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
