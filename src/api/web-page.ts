import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import { packageRoot } from '../config/package-paths.js';

/** Where `npm run build` puts the labeling page (vite, from web/). */
export function webPageDir(): string {
  return join(packageRoot(), 'dist', 'web');
}

/**
 * The labeling page at `/` and its assets, from the build (no CDN: everything it loads is served here).
 * Open without the API key: the page holds no data; it asks for the key when the API answers 401.
 */
export function webPageRoutes(dir = webPageDir()): Router {
  const router = Router();
  if (existsSync(join(dir, 'index.html'))) {
    // Asset names carry a content hash (vite), so they may be cached for good; index.html is always revalidated.
    router.use(
      express.static(dir, {
        index: 'index.html',
        setHeaders: (res, path) => res.setHeader('Cache-Control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable'),
      }),
    );
  } else {
    router.get('/', (_req, res) => {
      res.status(404).type('text/plain').send(`the labeling page is not built (${dir} is missing): run npm run build`);
    });
  }
  return router;
}
