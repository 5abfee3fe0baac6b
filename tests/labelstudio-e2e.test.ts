/**
 * kgal as the active-learning brain of a real Label Studio (1.23.2 from PyPI, started by
 * scripts/labelstudio/start.sh): a text-classification project of 100 AG News tasks, kgal serve connected
 * as its ML backend, predictions for every task, uncertainty sampling, 30 annotations through /next by two
 * annotators; then the failure cases.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKgal } from './support/cli.js';
import { sharedData, tempDir } from './support/fixtures.js';
import { labelStudioApi, labelStudioForTest, signUpUser, type LabelStudio } from './support/labelstudio.js';
import { freePort, startKgalServe, type ServeProcess } from './support/serve.js';

const CHOICES = ['World', 'Sports', 'Business', 'Sci/Tech'];
const CONFIG = `<View>
  <Text name="text" value="$text"/>
  <Choices name="label" toName="text" choice="single">
${CHOICES.map((c) => `    <Choice value="${c}"/>`).join('\n')}
  </Choices>
</View>`;
const BATCH = 10;

interface Row {
  id: string;
  text: string;
  label: string;
}
const rows: Row[] = readFileSync(sharedData('ag_news', 'ag_news_test.jsonl'), 'utf8')
  .split('\n')
  .slice(0, 100)
  .map((line) => JSON.parse(line) as Row);
const gold = new Map(rows.map((r) => [r.id, r.label]));

let ls: LabelStudio;
let kgal: ServeProcess;
let dataDir: string;
let admin: ReturnType<typeof labelStudioApi>;
let projectId: number;

async function kgalCall(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${kgal.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

/** kgal's state of the project once no round is being written. */
async function settledStatus(project: number, round: number): Promise<any> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { status, body } = await kgalCall('GET', `/labelstudio/status?project=${project}`);
    if (status === 200 && !body.running && (body.round >= round || body.lastError)) return body;
    if (Date.now() > deadline) throw new Error(`round ${round} of project ${project} not written: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function labelHistory(id: string): Promise<Array<{ label: string; annotator?: string }>> {
  return (await kgalCall('GET', `/v1/items/${encodeURIComponent(id)}`)).body.labelHistory;
}

beforeAll(async () => {
  ls = await labelStudioForTest();
  admin = labelStudioApi(ls.url, ls.token);
  dataDir = await tempDir('kgal-ls-e2e-');
  const pool = join(dataDir, 'pool.jsonl');
  writeFileSync(pool, rows.map((r) => JSON.stringify({ id: r.id, text: r.text })).join('\n') + '\n');
  const store = join(dataDir, 'store');
  expect(runKgal(['ingest', pool], { KGAL_DATA_DIR: store }).status).toBe(0);
  expect(runKgal(['embed'], { KGAL_DATA_DIR: store }).status).toBe(0);
  kgal = await startKgalServe({ NEO4J_URI: '', KGAL_DATA_DIR: store, KGAL_LOG_LEVEL: 'warn', KGAL_LABELSTUDIO_BATCH: String(BATCH) });
}, 900_000);

afterAll(async () => {
  kgal?.child.kill('SIGTERM');
  await kgal?.exited;
  ls?.stop();
});

describe('Label Studio with kgal as its ML backend', () => {
  it('orders a real project by kgal rounds: predictions for every task, 30 annotations by two annotators through /next, each a kgal label exactly once', async () => {
    const project = await admin<{ id: number }>('POST', '/api/projects', { title: `kgal e2e ${Date.now()}`, label_config: CONFIG });
    projectId = project.id;
    const imported = await admin<{ task_count: number }>('POST', `/api/projects/${projectId}/import`, rows.map((r) => ({ data: { text: r.text, kgal_id: r.id } })));
    expect(imported.task_count).toBe(100);

    // Connect kgal: Label Studio calls /health and /setup, and registers <url>/webhook for every action.
    const ml = await admin<{ state: string }>('POST', '/api/ml', { url: `${kgal.url}/labelstudio`, project: projectId, is_interactive: false, title: 'kgal' });
    expect(ml.state).toBe('CO');

    // Predictions for every task: one /predict call with all 100.
    await admin('POST', `/api/dm/actions?id=retrieve_tasks_predictions&project=${projectId}`, { selectedItems: { all: true, excluded: [] } });
    const listed = await admin<{ tasks: Array<{ id: number; data: { kgal_id: string }; predictions: Array<{ model_version: string; score: number; result: any[] }> }> }>(
      'GET',
      `/api/tasks?project=${projectId}&page_size=200&fields=all`,
    );
    expect(listed.tasks).toHaveLength(100);
    for (const task of listed.tasks) {
      const predicted = task.predictions.find((p) => p.model_version === 'kgal');
      expect(predicted, `task ${task.id}`).toBeDefined();
      expect(predicted!.result).toHaveLength(1);
      expect(CHOICES).toContain(predicted!.result[0].value.choices[0]);
      expect(predicted!.result[0]).toMatchObject({ from_name: 'label', to_name: 'text', type: 'choices' });
    }
    const taskOfItem = new Map(listed.tasks.map((t) => [t.data.kgal_id, t.id]));

    // Round 1 (cold start) was written on connect: the project orders by its version, only the batch holds it.
    let status = await settledStatus(projectId, 1);
    expect(status.lastError).toBeUndefined();
    expect(status.round).toBe(1);
    expect(status.batch).toHaveLength(BATCH);
    expect(status.lastRound.coldStart).toBe(true);
    const projectNow = await admin<{ model_version: string }>('GET', `/api/projects/${projectId}`);
    expect(projectNow.model_version).toBe('kgal-r1');
    const firstPick = await admin<any>('GET', `/api/tasks/${taskOfItem.get(status.batch[0])}`);
    const r1 = firstPick.predictions.find((p: any) => p.model_version === 'kgal-r1');
    expect(r1.result[0].meta.text[0]).toMatch(/^kgal round 1, pick 1 of 10 \(cold-start\); fills: /);

    await admin('PATCH', `/api/projects/${projectId}`, { sampling: 'Uncertainty sampling' });
    const secondToken = await signUpUser(ls.url, `annotator-${Date.now()}@example.com`, 'annotator-pass-123');
    const annotators = [admin, labelStudioApi(ls.url, secondToken)];
    const userIds = await Promise.all(annotators.map(async (api) => (await api<{ id: number }>('GET', '/api/current-user/whoami')).id));

    const annotated: string[] = [];
    for (let round = 1; round <= 3; round += 1) {
      status = await settledStatus(projectId, round);
      expect(status.lastError).toBeUndefined();
      expect(status.round).toBe(round);
      if (round > 1) expect(status.lastRound.coldStart).toBe(false); // the model left cold start with the first labels
      const served: string[] = [];
      for (let i = 0; i < BATCH; i += 1) {
        const api = annotators[i % 2]!;
        const next = await api<{ id: number; data: { kgal_id: string } }>('GET', `/api/projects/${projectId}/next`);
        served.push(next.data.kgal_id);
        await api('POST', `/api/tasks/${next.id}/annotations`, {
          result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: [gold.get(next.data.kgal_id)] } }],
          lead_time: 1.5,
        });
      }
      // What /next served this round is kgal's batch of the round, as a set.
      expect([...served].sort(), `round ${round}`).toEqual([...status.batch].sort());
      annotated.push(...served);
    }
    status = await settledStatus(projectId, 4);
    expect(status.round).toBe(4);

    // Every annotation reached kgal once, with its annotator.
    expect(new Set(annotated).size).toBe(30);
    const stats = (await kgalCall('GET', '/v1/stats')).body;
    expect(stats.labeledItems).toBe(30);
    const seen = new Set<string>();
    for (const id of annotated) {
      const history = await labelHistory(id);
      expect(history, id).toHaveLength(1);
      expect(history[0]!.label).toBe(gold.get(id));
      seen.add(history[0]!.annotator!);
    }
    expect([...seen].sort()).toEqual(userIds.map((u) => `labelstudio:${u}`).sort());
    const model = (await kgalCall('GET', '/v1/model')).body;
    expect(model.status).toBe('trained');

    // A retried delivery of the same event changes nothing.
    const item = annotated[0]!;
    const task = await admin<any>('GET', `/api/tasks/${taskOfItem.get(item)}`);
    const annotation = (await admin<any[]>('GET', `/api/tasks/${task.id}/annotations`))[0];
    const retry = await kgalCall('POST', '/labelstudio/webhook', { action: 'ANNOTATION_CREATED', annotation, task, project: { id: projectId } });
    expect(retry.status).toBe(200);
    expect(retry.body.written).toBe(false);
    expect(await labelHistory(item)).toHaveLength(1);
  }, 600_000);

  it('refuses a label outside the choices and an unknown task, writing nothing', async () => {
    const before = (await kgalCall('GET', '/v1/stats')).body;
    const unlabeled = (await Promise.all(rows.map(async (r) => ({ r, h: await labelHistory(r.id) })))).find((x) => x.h.length === 0)!.r;
    const outside = await kgalCall('POST', '/labelstudio/webhook', {
      action: 'ANNOTATION_CREATED',
      annotation: { id: 900001, task: 900001, completed_by: 1, result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['Cooking'] } }] },
      task: { id: 900001, data: { text: unlabeled.text, kgal_id: unlabeled.id } },
      project: { id: projectId },
    });
    expect(outside.status).toBe(400);
    expect(outside.body.error).toBe(
      'annotation 900001 of task 900001: "Cooking" is not a choice of <Choices name="label"> (World, Sports, Business, Sci/Tech); nothing written',
    );
    expect(await labelHistory(unlabeled.id)).toHaveLength(0);

    const unknown = await kgalCall('POST', '/labelstudio/webhook', {
      action: 'ANNOTATION_CREATED',
      annotation: { id: 900002, task: 900002, completed_by: 1, result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['World'] } }] },
      task: { id: 900002, data: { kgal_id: 'no-such-item' } },
      project: { id: projectId },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/^unknown task\(s\): task 900002: no kgal item "no-such-item" and no text in data\.text; nothing written$/);
    const after = (await kgalCall('GET', '/v1/stats')).body;
    expect(after.items).toBe(before.items);
    expect(after.labeledItems).toBe(before.labeledItems);
    expect((await kgalCall('GET', '/v1/items/no-such-item')).status).toBe(404);
  });

  it('refuses a labeling config without Choices at setup, and remembers nothing', async () => {
    const noChoices = '<View><Text name="text" value="$text"/><Labels name="ner" toName="text"><Label value="PER"/></Labels></View>';
    const setup = await kgalCall('POST', '/labelstudio/setup', { project: '424242.1796644781', schema: noChoices, hostname: ls.url, access_token: ls.token });
    expect(setup.status).toBe(400);
    expect(setup.body.error).toBe('label config: no <Choices> tag: kgal labels each text with one of a set of choices (text classification)');
    expect((await kgalCall('GET', '/labelstudio/status?project=424242')).status).toBe(404);
    // Through Label Studio too: connecting such a project leaves the backend in an error state.
    const ner = await admin<{ id: number }>('POST', '/api/projects', { title: `kgal ner ${Date.now()}`, label_config: noChoices });
    const ml = await admin<{ state: string; error_message?: string }>('POST', '/api/ml', { url: `${kgal.url}/labelstudio`, project: ner.id, title: 'kgal' }).catch((error: Error) => ({ state: 'refused', error_message: error.message }));
    expect(ml.state).not.toBe('CO');
    expect((await kgalCall('GET', `/labelstudio/status?project=${ner.id}`)).status).toBe(404);
  });

  it('keeps a label acknowledged when Label Studio is unreachable for the round it triggers: the error is reported, no round half-written', async () => {
    const deadPort = await freePort(); // nothing listens there
    const fake = 424243;
    const setup = await kgalCall('POST', '/labelstudio/setup', { project: `${fake}.1796644781`, schema: CONFIG, hostname: `http://127.0.0.1:${deadPort}`, access_token: 'f'.repeat(40) });
    expect(setup.status).toBe(200);
    let status = await settledStatus(fake, 1);
    expect(status.round).toBe(0);
    expect(status.lastError.message).toMatch(new RegExp(`^Label Studio GET http://127\\.0\\.0\\.1:${deadPort}/api/tasks\\?project=${fake}.*: unreachable \\(ECONNREFUSED\\)$`));
    const before = (await kgalCall('GET', '/v1/stats')).body;

    const unlabeled = (await Promise.all(rows.map(async (r) => ({ r, h: await labelHistory(r.id) })))).find((x) => x.h.length === 0)!.r;
    const hook = await kgalCall('POST', '/labelstudio/webhook', {
      action: 'ANNOTATION_CREATED',
      annotation: { id: 910001, task: 910001, completed_by: 7, result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: [gold.get(unlabeled.id)] } }] },
      task: { id: 910001, data: { text: unlabeled.text, kgal_id: unlabeled.id } },
      project: { id: fake },
    });
    expect(hook.status).toBe(200);
    expect(hook.body).toMatchObject({ item: unlabeled.id, written: true, annotator: 'labelstudio:7' });
    status = await settledStatus(fake, 1);
    expect(status.round).toBe(0);
    expect(status.modelVersion).toBeUndefined();
    expect(status.lastError.message).toMatch(/unreachable \(ECONNREFUSED\)$/);
    const after = (await kgalCall('GET', '/v1/stats')).body;
    expect(after.rounds).toBe(before.rounds); // no round recorded for the failed write
    expect(after.labeledItems).toBe(before.labeledItems + 1); // the acknowledged label is kept
    expect(await labelHistory(unlabeled.id)).toEqual([expect.objectContaining({ label: gold.get(unlabeled.id), annotator: 'labelstudio:7' })]);
    // The real project still orders by its last complete round.
    const real = await admin<{ model_version: string }>('GET', `/api/projects/${projectId}`);
    expect(real.model_version).toBe('kgal-r4');
  });
});
