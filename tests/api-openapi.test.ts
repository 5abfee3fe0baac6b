import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.js';
import { buildOpenApiDocument } from '../src/api/openapi.js';
import { MemoryGraphStore } from '../src/store/memory-store.js';
import { call, startApi } from './support/api.js';
import { fixturesDir } from './support/fixtures.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` Express will answer, with OpenAPI's `{param}` spelling. */
function expressRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.sort();
}

describe('OpenAPI document', () => {
  const document = buildOpenApiDocument();

  it('docs/openapi.json is the document the app serves (run `npm run openapi` after changing a schema)', async () => {
    const committed = JSON.parse(readFileSync(join(fixturesDir, '..', '..', 'docs', 'openapi.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
    const store = await MemoryGraphStore.open();
    const api = await startApi(store);
    try {
      expect((await call(api.url, 'GET', '/openapi.json')).body).toEqual(committed);
    } finally {
      await api.close();
      await store.close();
    }
  });

  it('documents exactly the routes the app has', async () => {
    const store = await MemoryGraphStore.open();
    const app = createApp(store, { logger: pino({ level: 'silent' }) });
    const documented = Object.entries(document.paths ?? {})
      .flatMap(([path, operations]) => Object.keys(operations as object).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(expressRoutes(app)).toEqual(documented);
    expect(documented.length).toBeGreaterThanOrEqual(11);
    await store.close();
  });

  it('is OpenAPI 3 with the request schemas and the API key scheme', () => {
    expect(document.openapi).toMatch(/^3\./);
    const schemas = Object.keys(document.components?.schemas ?? {});
    expect(schemas).toEqual(expect.arrayContaining(['QueryRequest', 'QueryResponse', 'LabelsRequest', 'IngestRequest', 'Item', 'Error']));
    expect(document.components?.securitySchemes).toHaveProperty('apiKey');
  });
});
