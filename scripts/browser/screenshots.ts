/**
 * `npm run screenshots`: the labeling page's three views in headless Chromium, written to docs/ui/*.png.
 * A throw-away embedded store with 200 AG News items, embedded by the real model and labeled over a few
 * rounds through the API (AG News's own labels as the annotators' answers), then `kgal serve` on it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/config/package-paths.js';
import { launchChromium } from './chromium.js';

const LABELS = ['World', 'Sports', 'Business', 'Sci/Tech'];
const POOL = 200;
const ROUNDS = 6;
const BATCH = 5;

const root = packageRoot();
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const out = join(root, 'docs', 'ui');

function kgal(args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`kgal ${args.join(' ')} exited ${result.status}`);
}

async function json<T>(url: string, init?: { method: string; body: unknown }): Promise<T> {
  const response = await fetch(url, init ? { method: init.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) } : undefined);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function main(): Promise<void> {
  const dataFile = join(root, '..', 'shared', 'data', 'ag_news', 'ag_news_test.jsonl');
  const news = readFileSync(process.env.KGAL_AG_NEWS ?? dataFile, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .slice(0, POOL)
    .map((line) => JSON.parse(line) as { id: string; text: string; label: string });
  const gold = new Map(news.map((n) => [n.id, n.label]));
  const work = mkdtempSync(join(tmpdir(), 'kgal-screenshots-'));
  const env = { ...process.env, KGAL_DATA_DIR: join(work, 'store'), NEO4J_URI: '', KGAL_LABELS: LABELS.join(','), KGAL_LOG_LEVEL: 'warn' };
  const pool = join(work, 'pool.jsonl');
  writeFileSync(pool, news.map(({ id, text }) => JSON.stringify({ id, text })).join('\n') + '\n');
  console.log(`screenshots: ${POOL} AG News items into ${work}`);
  kgal(['ingest', pool], env);
  kgal(['embed'], env);

  const port = 18_000 + Math.floor(Math.random() * 2_000);
  const server = spawn(process.execPath, [cli, 'serve', '--port', String(port)], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let tries = 0; ; tries += 1) {
      if (await fetch(`${url}/ready`).then((r) => r.ok, () => false)) break;
      if (tries > 600) throw new Error('kgal serve did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A few rounds of labeling by two annotators, so the lead's view has a campaign to show.
    for (let round = 0; round < ROUNDS; round += 1) {
      const annotator = round % 2 === 0 ? 'alice' : 'bob';
      const query = await json<{ picks: Array<{ id: string }> }>(`${url}/v1/query`, { method: 'POST', body: { batchSize: BATCH, annotator } });
      const labels = query.picks.map((p) => ({ id: p.id, label: gold.get(p.id)!, annotator }));
      await json(`${url}/v1/labels`, { method: 'POST', body: { labels } });
    }
    await json(`${url}/v1/query`, { method: 'POST', body: { batchSize: 1 } });

    mkdirSync(out, { recursive: true });
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
      await context.addInitScript(() => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('kgal.annotator', 'alice'));
      const page = await context.newPage();
      await page.goto(`${url}/#label`);
      await page.waitForSelector('[data-testid=item] button.label:not([disabled])');
      await page.screenshot({ path: join(out, 'annotator.png') });
      await page.goto(`${url}/#lead`);
      await page.waitForSelector('[data-testid=coverage-chart]');
      await page.screenshot({ path: join(out, 'lead.png'), fullPage: true });
      await page.goto(`${url}/#graph`);
      await page.waitForFunction(() => (globalThis as unknown as { kgalPage: { graph?: { rendered: boolean } } }).kgalPage.graph?.rendered === true);
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(out, 'graph.png') });
      console.log(`screenshots: wrote ${['annotator', 'lead', 'graph'].map((n) => join('docs', 'ui', `${n}.png`)).join(', ')}`);
    } finally {
      await browser.close();
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`screenshots: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
