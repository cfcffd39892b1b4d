import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The portal is served by the embedded process at `/` (and by nginx in distributed mode), so all
 * asset URLs are absolute. `npm run dev` proxies /api to a platform started with `npm start`.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  resolve: {
    // Pure enumeration tables of the directory standard, shared with the services (no Node imports).
    alias: { '@standard': here('../../libs/shared/src/standard') },
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
    // dist/.vite/manifest.json: scripts/size.mjs reads the entry's static imports from it.
    manifest: true,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
