/// <reference lib="dom" />
/**
 * The labeling page in a real headless Chromium (Debian's package, WebGL through SwiftShader) against a real
 * `kgal serve` process on the embedded store with AG News and the real embedding model: two annotators in
 * two pages label 30 items by keyboard only (one skip, one undo); then the store holds exactly those
 * labels, no item was on both screens at once, the model left cold start and the pages showed its
 * predictions, and the graph view draws covered and gap entities in their colours.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../scripts/browser/chromium.js';
import { call } from './support/api.js';
import { runKgal } from './support/cli.js';
import { sharedData, tempDir } from './support/fixtures.js';
import { startKgalServe, type ServeProcess } from './support/serve.js';

const LABELS = ['World', 'Sports', 'Business', 'Sci/Tech'];
const POOL = 120;
const PER_ANNOTATOR = 15;
const news = readFileSync(sharedData('ag_news', 'ag_news_test.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .slice(0, POOL)
  .map((line) => JSON.parse(line) as { id: string; text: string; label: string });
const gold = new Map(news.map((n) => [n.id, n.label]));

interface PageEvent {
  type: 'shown' | 'left' | 'labeled' | 'skipped' | 'undone';
  id: string;
  at: number;
  annotator: string;
  prediction?: { label: string; probability: number };
}

const events = (page: Page): Promise<PageEvent[]> => page.evaluate(() => (window as unknown as { kgalPage: { events: PageEvent[] } }).kgalPage.events);

/** Waits until the page shows an item after `shownBefore` shown events, and returns that event. */
async function nextShown(page: Page, shownBefore: number): Promise<PageEvent> {
  try {
    await page.waitForFunction(
      (n) => (window as unknown as { kgalPage: { events: PageEvent[] } }).kgalPage.events.filter((e) => e.type === 'shown').length > n,
      shownBefore,
      { timeout: 60_000, polling: 50 },
    );
  } catch (error) {
    // Say what the page was doing: its last events and what it shows.
    const log = (await events(page)).slice(-6).map((e) => `${e.type} ${e.id}`);
    const text = (await page.locator('main').textContent())?.slice(0, 400);
    throw new Error(`no new item after ${shownBefore} shown: last events ${JSON.stringify(log)}; page: ${text}`, { cause: error });
  }
  const shown = (await events(page)).filter((e) => e.type === 'shown');
  const event = shown[shown.length - 1]!;
  // The item is on screen and the buttons are live again.
  await page.waitForSelector(`[data-testid=item][data-item-id="${event.id}"] button.label:not([disabled])`, { timeout: 30_000 });
  return event;
}

interface Plan {
  annotator: string;
  /** Step (0-based, counting items shown) at which to skip instead of labeling. */
  skipAt?: number;
  /** Step at which to label wrongly, then press U on the next item and label the undone item again. */
  undoAt?: number;
}

/**
 * One annotator's session, keyboard only: name typed into the form, then for each item the digit of its
 * label (or Enter alone when the model's preselected prediction is already right), S to skip, U to undo.
 * Returns the labels this page left in the store.
 */
async function annotate(page: Page, url: string, plan: Plan): Promise<Map<string, string>> {
  await page.goto(`${url}/#label`);
  await page.waitForSelector('[data-testid=annotator-form] input:focus');
  await page.keyboard.type(plan.annotator);
  await page.keyboard.press('Enter');
  const final = new Map<string, string>();
  let shownCount = 0;
  for (let step = 0; final.size < PER_ANNOTATOR; step += 1) {
    const shown = await nextShown(page, shownCount);
    shownCount += 1;
    const truth = gold.get(shown.id)!;
    if (step === plan.skipAt) {
      await page.keyboard.press('s');
      continue;
    }
    if (step === plan.undoAt) {
      const wrong = LABELS.find((l) => l !== truth)!;
      await page.keyboard.press(String(LABELS.indexOf(wrong) + 1));
      await page.keyboard.press('Enter');
      await nextShown(page, shownCount);
      shownCount += 1;
      await page.keyboard.press('u');
      const again = await nextShown(page, shownCount);
      shownCount += 1;
      expect(again.id).toBe(shown.id);
    }
    if (shown.prediction?.label !== truth) await page.keyboard.press(String(LABELS.indexOf(truth) + 1));
    await page.keyboard.press('Enter');
    final.set(shown.id, truth);
  }
  // Wait for the last label to be acknowledged (the page moves on to the next item, or to "nothing left").
  await page.waitForFunction(
    (n) => (window as unknown as { kgalPage: { events: PageEvent[] } }).kgalPage.events.filter((e) => e.type === 'labeled').length >= n,
    final.size + (plan.undoAt !== undefined ? 1 : 0),
    { timeout: 30_000 },
  );
  return final;
}

/** Time intervals each page had each item on screen. */
function screenIntervals(log: PageEvent[]): Array<{ id: string; from: number; to: number }> {
  const open = new Map<string, number>();
  const intervals: Array<{ id: string; from: number; to: number }> = [];
  for (const e of log) {
    if (e.type === 'shown') open.set(e.id, e.at);
    if (e.type === 'left' && open.has(e.id)) {
      intervals.push({ id: e.id, from: open.get(e.id)!, to: e.at });
      open.delete(e.id);
    }
  }
  for (const [id, from] of open) intervals.push({ id, from, to: Number.POSITIVE_INFINITY });
  return intervals;
}

describe('labeling page in headless Chromium: two annotators, keyboard only, real model', () => {
  let server: ServeProcess;
  let browser: Browser;

  beforeAll(async () => {
    const dataDir = await tempDir('kgal-browser-');
    const pool = join(dataDir, '..', `${dataDir.split('/').pop()}-pool.jsonl`);
    writeFileSync(pool, news.map(({ id, text }) => JSON.stringify({ id, text })).join('\n') + '\n');
    const env = { KGAL_DATA_DIR: dataDir, KGAL_ALLOW_REMOTE_MODELS: '0' };
    expect(runKgal(['ingest', pool], env).status).toBe(0);
    const embed = runKgal(['embed'], env);
    expect(embed.status, embed.stderr).toBe(0);
    server = await startKgalServe({ ...env, NEO4J_URI: '', KGAL_LABELS: LABELS.join(','), KGAL_LEASE_SECONDS: '30', KGAL_LOG_LEVEL: 'silent' });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  it('30 labels by two annotators (one skip, one undo): the store holds exactly them, no item on both screens at once, predictions after training', async () => {
    const [one, two] = await Promise.all([browser.newContext(), browser.newContext()]);
    const [pageOne, pageTwo] = await Promise.all([one.newPage(), two.newPage()]);
    const errors: string[] = [];
    for (const page of [pageOne, pageTwo]) page.on('pageerror', (e) => errors.push(e.message));

    const [labelsOne, labelsTwo] = await Promise.all([
      annotate(pageOne, server.url, { annotator: 'ann-1', skipAt: 2 }),
      annotate(pageTwo, server.url, { annotator: 'ann-2', undoAt: 4 }),
    ]);
    expect(errors).toEqual([]);
    const [logOne, logTwo] = await Promise.all([events(pageOne), events(pageTwo)]);

    // The store has exactly these 30 labels, each with its annotator (the undone wrong label is gone).
    const expected = new Map<string, { label: string; annotator: string }>();
    for (const [id, label] of labelsOne) expected.set(id, { label, annotator: 'ann-1' });
    for (const [id, label] of labelsTwo) expected.set(id, { label, annotator: 'ann-2' });
    expect(expected.size).toBe(30);
    const stats = (await call(server.url, 'GET', '/v1/stats')).body;
    expect(stats.labeledItems).toBe(30);
    for (const [id, want] of expected) {
      const item = (await call(server.url, 'GET', `/v1/items/${encodeURIComponent(id)}`)).body;
      expect({ id, label: item.label, annotator: item.annotator }).toEqual({ id, ...want });
    }
    // The skip released its item (it is unlabeled unless the other annotator labeled it later); the undo is in the history.
    const skipped = logOne.find((e) => e.type === 'skipped')!;
    expect(skipped).toBeDefined();
    expect(labelsOne.has(skipped.id)).toBe(false);
    const undone = logTwo.find((e) => e.type === 'undone')!;
    const history = (await call(server.url, 'GET', `/v1/items/${encodeURIComponent(undone.id)}`)).body.labelHistory;
    expect(history.map((e: { label: string; undo?: boolean }) => [e.label, e.undo === true])).toEqual([
      [LABELS.find((l) => l !== gold.get(undone.id))!, false],
      [LABELS.find((l) => l !== gold.get(undone.id))!, true],
      [gold.get(undone.id), false],
    ]);

    // No item was on both screens at the same time.
    const a = screenIntervals(logOne);
    const b = screenIntervals(logTwo);
    const overlaps = a.flatMap((x) => b.filter((y) => y.id === x.id && x.from < y.to && y.from < x.to).map((y) => ({ id: x.id, one: x, two: y })));
    expect(overlaps).toEqual([]);
    expect(new Set([...labelsOne.keys()].filter((id) => labelsTwo.has(id)))).toEqual(new Set());

    // The model left cold start, and the pages showed its predictions, preselected.
    const query = (await call(server.url, 'POST', '/v1/query', { batchSize: 1 })).body;
    expect(query).toMatchObject({ coldStart: false, uncertaintySource: 'model' });
    for (const page of [pageOne, pageTwo]) {
      // After its last label the page goes on to the next pick: read its log and its screen once that pick is up.
      await page.waitForFunction(() => {
        const shown = (window as unknown as { kgalPage: { events: PageEvent[] } }).kgalPage.events.filter((e) => e.type === 'shown');
        const label = shown[shown.length - 1]?.prediction?.label;
        return label !== undefined && (document.querySelector('[data-testid=prediction]')?.textContent ?? '').includes(label);
      }, undefined, { timeout: 30_000 });
      const shown = (await events(page)).filter((e) => e.type === 'shown');
      expect(shown[0]!.prediction).toBeUndefined();
      expect(shown.slice(-5).every((e) => e.prediction !== undefined)).toBe(true);
      const last = shown[shown.length - 1]!;
      expect(await page.locator('[data-testid=prediction]').textContent()).toContain(last.prediction!.label);
      expect(await page.locator('button.label.selected').getAttribute('data-label')).toBe(last.prediction!.label);
    }
    await Promise.all([one.close(), two.close()]);
  }, 300_000);

  it('the graph view draws the entity graph with sigma.js (WebGL): covered and gap entities in their own colours', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/#graph`);
    await page.waitForFunction(() => (window as unknown as { kgalPage: { graph?: { rendered: boolean } } }).kgalPage.graph?.rendered === true, null, { timeout: 60_000 });
    const state = await page.evaluate(() => (window as unknown as { kgalPage: { graph: { covered: number; gaps: number; nextBatch: number; nodes: number; colors: Record<string, string> } } }).kgalPage.graph);
    expect(state.nodes).toBeGreaterThan(50);
    expect(state.covered).toBeGreaterThan(0);
    expect(state.gaps + state.nextBatch).toBeGreaterThan(0);
    // The pixels: a screenshot of the canvas, decoded in the page, has both colours (sigma drew them).
    await page.waitForTimeout(300);
    const png = (await page.locator('[data-testid=graph]').screenshot()).toString('base64');
    const counts = await page.evaluate(
      async ({ png, colors }) => {
        const image = new Image();
        image.src = `data:image/png;base64,${png}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        const targets = Object.fromEntries(Object.entries(colors).map(([k, v]) => [k, rgb(v)]));
        const found: Record<string, number> = Object.fromEntries(Object.keys(colors).map((k) => [k, 0]));
        for (let p = 0; p < data.length; p += 4) {
          for (const [name, [r, g, b]] of Object.entries(targets)) {
            if (Math.abs(data[p]! - r!) + Math.abs(data[p + 1]! - g!) + Math.abs(data[p + 2]! - b!) < 30) found[name]! += 1;
          }
        }
        return found;
      },
      { png, colors: state.colors },
    );
    expect(counts.covered).toBeGreaterThan(30);
    expect(counts.gap).toBeGreaterThan(30);

    // Click-through: an entity's items, from the API the graph view calls.
    const graph = (await call(server.url, 'GET', '/v1/graph?limit=1')).body;
    const items = (await call(server.url, 'GET', `/v1/entities/${encodeURIComponent(graph.nodes[0].key)}/items`)).body;
    expect(items.total).toBeGreaterThan(0);

    // The lead's view renders the campaign: labels per class, the stop signal.
    await page.goto(`${server.url}/#lead`);
    await page.waitForSelector('[data-testid=labels-by-class] rect', { timeout: 30_000 });
    const classes = Object.keys((await call(server.url, 'GET', '/v1/stats')).body.labels);
    expect(await page.locator('[data-testid=labels-by-class] rect').count()).toBe(classes.length);
    expect((await page.locator('[data-testid=stop-signal]').textContent())?.length).toBeGreaterThan(20);
    await context.close();
  }, 120_000);
});
