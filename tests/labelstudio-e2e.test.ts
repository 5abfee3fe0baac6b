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
import { freshNeo4jStore, neo4jSkipped, neo4jTestUri } from './support/neo4j.js';
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

/** The first row nobody has labeled and nobody holds: not in the real project's current batch (leased to it). */
async function freeUnlabeledRow(): Promise<Row> {
  for (const row of rows) {
    const item = (await kgalCall('GET', `/v1/items/${encodeURIComponent(row.id)}`)).body;
    if (item.labelHistory.length === 0 && item.lease === undefined) return row;
  }
  throw new Error('no unlabeled, unleased row left');
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

/**
 * One project of the 100 tasks ordered by the kgal serve process `kgal`: connect, predictions for every task,
 * uncertainty sampling, `rounds` batches annotated through /next by two annotators (gold labels), each
 * batch served being kgal's batch of the round.
 */
async function orderProject(rounds: number): Promise<{ projectId: number; annotated: string[]; taskOfItem: Map<string, number>; userIds: number[] }> {
  const project = await admin<{ id: number }>('POST', '/api/projects', { title: `kgal e2e ${Date.now()}`, label_config: CONFIG });
  const projectId = project.id;
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
  for (let round = 1; round <= rounds; round += 1) {
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
  status = await settledStatus(projectId, rounds + 1);
  expect(status.round).toBe(rounds + 1);
  return { projectId, annotated, taskOfItem, userIds };
}

describe('Label Studio with kgal as its ML backend', () => {
  it('orders a real project by kgal rounds: predictions for every task, 30 annotations by two annotators through /next, each a kgal label exactly once', async () => {
    const flow = await orderProject(3);
    projectId = flow.projectId;
    const { annotated, taskOfItem, userIds } = flow;


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
    const unlabeled = await freeUnlabeledRow();
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

    const unlabeled = await freeUnlabeledRow();
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

describe('kgal labelstudio sync against real Label Studio files', () => {
  it("imports the project's JSON, JSON-MIN and CSV exports as the same 30 labels, and its task export is accepted by Label Studio with kgal's pre-annotations", async () => {
    const config = join(dataDir, 'config.xml');
    writeFileSync(config, CONFIG);
    const pool = join(dataDir, 'pool.jsonl');
    for (const [type, ext] of [['JSON', 'json'], ['JSON_MIN', 'json'], ['CSV', 'csv']] as const) {
      const response = await fetch(`${ls.url}/api/projects/${projectId}/export?exportType=${type}`, { headers: { authorization: `Token ${ls.token}` } });
      expect(response.ok).toBe(true);
      const file = join(dataDir, `export-${type}.${ext}`);
      writeFileSync(file, Buffer.from(await response.arrayBuffer()));
      const store = join(dataDir, `sync-${type}`);
      expect(runKgal(['ingest', pool], { KGAL_DATA_DIR: store }).status).toBe(0);
      const imported = runKgal(['labelstudio', 'sync', 'import', file, '--config', config, '--json'], { KGAL_DATA_DIR: store });
      expect(imported.status, imported.stderr).toBe(0);
      expect(JSON.parse(imported.stdout)).toEqual({ labeled: 30, relabeled: 0 });
      const labels = runKgal(['stats', '--json'], { KGAL_DATA_DIR: store });
      expect(JSON.parse(labels.stdout).labeledItems).toBe(30);
    }
    // A label outside the choices in an export: named by row and field, exit 1, nothing written.
    const minFile = join(dataDir, 'export-JSON_MIN.json');
    const rowsMin = JSON.parse(readFileSync(minFile, 'utf8')) as Array<Record<string, unknown>>;
    rowsMin[2]!.label = 'Cooking';
    const bad = join(dataDir, 'bad.json');
    writeFileSync(bad, JSON.stringify(rowsMin));
    const store = join(dataDir, 'sync-bad');
    expect(runKgal(['ingest', pool], { KGAL_DATA_DIR: store }).status).toBe(0);
    const refused = runKgal(['labelstudio', 'sync', 'import', bad, '--config', config], { KGAL_DATA_DIR: store });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('bad.json:3: field "label": "Cooking" is not a choice of <Choices name="label"> (World, Sports, Business, Sci/Tech)');
    expect(JSON.parse(runKgal(['stats', '--json'], { KGAL_DATA_DIR: store }).stdout).labeledItems).toBe(0);

    // The pool as tasks (read beside the running server), imported into a new project.
    const tasksFile = join(dataDir, 'tasks.json');
    const exported = runKgal(['labelstudio', 'sync', 'export', '--config', config, '--out', tasksFile, '--batch', '5'], { KGAL_DATA_DIR: join(dataDir, 'store') });
    expect(exported.status, exported.stderr).toBe(0);
    const tasks = JSON.parse(readFileSync(tasksFile, 'utf8')) as Array<{ data: Record<string, unknown>; predictions: any[] }>;
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.map((t) => t.data.kgal_priority)).toEqual(tasks.map((_, k) => k + 1));
    expect(tasks.slice(0, 5).every((t) => /^kgal pick \d of 5/.test(t.predictions[0].result[0].meta.text[0]))).toBe(true);
    const project = await admin<{ id: number }>('POST', '/api/projects', { title: `kgal sync ${Date.now()}`, label_config: CONFIG });
    expect((await admin<{ task_count: number }>('POST', `/api/projects/${project.id}/import`, tasks)).task_count).toBe(tasks.length);
    const listed = await admin<{ tasks: Array<{ data: { kgal_id: string }; predictions: Array<{ model_version: string; result: any[] }> }> }>('GET', `/api/tasks?project=${project.id}&page_size=200&fields=all`);
    expect(listed.tasks).toHaveLength(tasks.length);
    for (const task of listed.tasks) {
      expect(task.predictions).toHaveLength(1);
      expect(task.predictions[0]!.model_version).toBe('kgal');
      expect(CHOICES).toContain(task.predictions[0]!.result[0].value.choices[0]);
    }
  }, 300_000);
});

describe('Label Studio with a key on /labelstudio', () => {
  it('connects with BASIC_AUTH, takes annotations through a webhook with a Bearer header, and refuses calls without the key', async () => {
    const key = 'ls-key-0123456789';
    const store = join(dataDir, 'keyed');
    const pool = join(dataDir, 'keyed.jsonl');
    writeFileSync(pool, rows.slice(0, 12).map((r) => JSON.stringify({ id: r.id, text: r.text })).join('\n') + '\n');
    expect(runKgal(['ingest', pool], { KGAL_DATA_DIR: store }).status).toBe(0);
    expect(runKgal(['embed'], { KGAL_DATA_DIR: store }).status).toBe(0);
    const keyed = await startKgalServe({ NEO4J_URI: '', KGAL_DATA_DIR: store, KGAL_LOG_LEVEL: 'warn', KGAL_LABELSTUDIO_KEY: key, KGAL_LABELSTUDIO_BATCH: '3' });
    try {
      const open = await fetch(`${keyed.url}/labelstudio/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ project: '5.1', schema: CONFIG }) });
      expect(open.status).toBe(401);
      expect((await fetch(`${keyed.url}/labelstudio/health`)).status).toBe(200);
      const project = await admin<{ id: number }>('POST', '/api/projects', { title: `kgal keyed ${Date.now()}`, label_config: CONFIG });
      await admin('POST', `/api/projects/${project.id}/import`, rows.slice(0, 12).map((r) => ({ data: { text: r.text, kgal_id: r.id } })));
      const ml = await admin<{ state: string }>('POST', '/api/ml', {
        url: `${keyed.url}/labelstudio`,
        project: project.id,
        title: 'kgal',
        auth_method: 'BASIC_AUTH',
        basic_auth_user: 'kgal',
        basic_auth_pass: key,
      });
      expect(ml.state).toBe('CO');
      const hooks = await admin<Array<{ id: number; url: string }>>('GET', `/api/webhooks?project=${project.id}`);
      const hook = hooks.find((h) => h.url === `${keyed.url}/labelstudio/webhook`)!;
      await admin('PATCH', `/api/webhooks/${hook.id}`, { headers: { Authorization: `Bearer ${key}` } });
      const status = await fetch(`${keyed.url}/labelstudio/status?project=${project.id}`, { headers: { authorization: `Bearer ${key}` } });
      expect(status.status).toBe(200);
      await admin('PATCH', `/api/projects/${project.id}`, { sampling: 'Uncertainty sampling' });
      const deadline = Date.now() + 60_000;
      let body: any;
      do {
        body = await (await fetch(`${keyed.url}/labelstudio/status?project=${project.id}`, { headers: { authorization: `Bearer ${key}` } })).json();
        if (body.round >= 1) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      } while (Date.now() < deadline);
      expect(body.round).toBe(1);
      const next = await admin<{ id: number; data: { kgal_id: string } }>('GET', `/api/projects/${project.id}/next`);
      expect(body.batch).toContain(next.data.kgal_id);
      await admin('POST', `/api/tasks/${next.id}/annotations`, { result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['World'] } }] });
      const item = (await (await fetch(`${keyed.url}/v1/items/${next.data.kgal_id}`)).json()) as any;
      expect(item.label).toBe('World');
      expect(item.labelHistory).toHaveLength(1);
      // Deleting the annotation in Label Studio (ANNOTATIONS_DELETED, ids only) takes the label back.
      const [annotation] = await admin<Array<{ id: number }>>('GET', `/api/tasks/${next.id}/annotations`);
      await admin('DELETE', `/api/annotations/${annotation!.id}`);
      const undone = (await (await fetch(`${keyed.url}/v1/items/${next.data.kgal_id}`)).json()) as any;
      expect(undone.label).toBeUndefined();
      expect(undone.labelHistory.map((e: any) => [e.label, e.annotator, e.undo ?? false])).toEqual([
        ['World', item.labelHistory[0].annotator, false],
        ['World', item.labelHistory[0].annotator, true],
      ]);
    } finally {
      keyed.child.kill('SIGTERM');
      await keyed.exited;
    }
  }, 300_000);
});

describe.skipIf(neo4jSkipped())('Label Studio with kgal on Neo4j', () => {
  it('orders a project the same way when kgal keeps its store in Neo4j: two rounds through /next, each label once', async () => {
    const uri = neo4jTestUri()!;
    await (await freshNeo4jStore()).close();
    const pool = join(dataDir, 'pool.jsonl');
    const env = { NEO4J_URI: uri, NEO4J_DATABASE: process.env.NEO4J_DATABASE ?? 'neo4j' };
    expect(runKgal(['ingest', pool], env).status).toBe(0);
    expect(runKgal(['embed'], env).status).toBe(0);
    const embedded = kgal;
    kgal = await startKgalServe({ ...env, KGAL_LOG_LEVEL: 'warn', KGAL_LABELSTUDIO_BATCH: String(BATCH) });
    try {
      const { annotated } = await orderProject(2);
      expect(new Set(annotated).size).toBe(20);
      expect((await kgalCall('GET', '/v1/stats')).body.labeledItems).toBe(20);
      for (const id of annotated) expect(await labelHistory(id), id).toEqual([expect.objectContaining({ label: gold.get(id) })]);
    } finally {
      kgal.child.kill('SIGTERM');
      await kgal.exited;
      kgal = embedded;
      await (await freshNeo4jStore()).close();
    }
  }, 600_000);
});
