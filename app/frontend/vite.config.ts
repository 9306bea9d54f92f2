/// <reference types="vitest/config" />
import { defineConfig, type Plugin, type Rollup } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { STORYBOARD_PATH, SWEEP_PATH, VIDEO_GENERATION_PATH, WEBHOOKS_PATH } from './src/routes/paths.ts';

// Each working page is a chunk of its own (src/routes/route-config.tsx), asked for only once the
// first script runs. The studio names the page's chunks in index.html's head for the path asked
// (studio/frontend.py), so the browser fetches them beside the first script, not after it.
const PAGE_MODULES: Record<string, string> = {
  [VIDEO_GENERATION_PATH]: 'src/pages/VideoGenPage.tsx',
  [WEBHOOKS_PATH]: 'src/pages/WebhooksPage.tsx',
  [STORYBOARD_PATH]: 'src/pages/StoryboardPage.tsx',
  [SWEEP_PATH]: 'src/pages/SweepPage.tsx',
};
// Read by studio/frontend.py (ROUTE_PRELOADS there).
const ROUTE_PRELOADS = '.vite/route-preloads.json';

function routePreloads(): Plugin {
  return {
    name: 'studio-route-preloads',
    apply: 'build',
    generateBundle(_options, bundle: Rollup.OutputBundle) {
      const chunks = Object.values(bundle).filter((item): item is Rollup.OutputChunk => item.type === 'chunk');
      const entryFiles = new Set(
        chunks.filter((chunk) => chunk.isEntry).flatMap((chunk) => [chunk.fileName, ...chunk.imports]),
      );
      const byFile = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
      // The router's table (route-config.tsx) and PAGE_MODULES must name the same pages.
      const unlisted = chunks.filter(
        (chunk) =>
          chunk.isDynamicEntry &&
          chunk.facadeModuleId?.includes('/src/pages/') &&
          !Object.values(PAGE_MODULES).some((module) => chunk.facadeModuleId?.endsWith(`/${module}`)),
      );
      if (unlisted.length > 0)
        throw new Error(`route-preloads: add ${unlisted.map((c) => c.name).join(', ')} to PAGE_MODULES`);
      const preloads: Record<string, string[]> = {};
      for (const [path, module] of Object.entries(PAGE_MODULES)) {
        const page = chunks.find((chunk) => chunk.facadeModuleId?.endsWith(`/${module}`));
        if (!page) throw new Error(`route-preloads: no chunk for ${module}`);
        const files: string[] = [];
        const visit = (file: string) => {
          // The first script and what it imports are in index.html already.
          if (entryFiles.has(file) || files.includes(file)) return;
          files.push(file);
          byFile.get(file)?.imports.forEach(visit);
        };
        visit(page.fileName);
        preloads[path] = files.map((file) => `/${file}`);
      }
      this.emitFile({ type: 'asset', fileName: ROUTE_PRELOADS, source: JSON.stringify(preloads) });
    },
  };
}

// The backend (Django) serves dist/index.html for SPA routes and dist/assets/* from the
// same origin, so the app is built for '/' and calls the API with relative URLs.
export default defineConfig({
  base: '/',
  plugins: [react(), tailwindcss(), routePreloads()],
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
