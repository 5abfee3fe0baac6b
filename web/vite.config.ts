import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The labeling page: web/ bundled into dist/web, which `kgal serve` serves at / (everything local, no CDN).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // sigma + graphology are most of the bundle; one file is fine for a page served from localhost.
    chunkSizeWarningLimit: 1024,
  },
});
