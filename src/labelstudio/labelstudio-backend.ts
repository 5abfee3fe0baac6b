/**
 * kgal as a Label Studio ML backend: the five calls of the protocol (health, setup, predict, webhook,
 * versions) over one store, plus the rounds that put kgal's batch first in the project.
 *
 * Order: Label Studio's "Uncertainty sampling" serves unlabeled tasks that hold a prediction of the project's
 * `model_version`, lowest score first (and, with more than one annotator, at random among those tasks). So each
 * round kgal selects a batch, imports one prediction per batch task under a new version `kgal-r<n>` (one
 * request: all or none), then points the project at that version: /next serves exactly kgal's batch, in rank
 * order for a single annotator. A failure leaves the project on the previous, complete version. A round runs
 * when the batch is done (every pick labeled or skipped) and on START_TRAINING.
 *
 * Leases: a round's picks are leased in kgal to `labelstudio:<project>` (no /v1/query annotator gets them);
 * Label Studio's own task lock keeps its annotators apart. A label from Label Studio ends the project's lease;
 * an item leased to a kgal annotator refuses it (409) like POST /v1/labels.
 */
import type { Logger } from 'pino';
import { embedderConfigFromEnv } from '../embeddings/embedder-config.js';
import type { TextEmbedder } from '../embeddings/text-embedder.js';
import { TransformersEmbedder } from '../embeddings/transformers-embedder.js';
import { CLIENT_LABEL_POLICY, ingestRows } from '../ingest/ingest-pool.js';
import type { ModelCache } from '../model/model-cache.js';
import { queryPool } from '../selector/query-pool.js';
import type { GraphStore } from '../store/graph-store.js';
import type { SerialQueue } from '../api/serial-queue.js';
import { LabelConfigError, parseLabelConfig, type LabelConfig } from './label-config.js';
import { LabelStudioClient, type PredictionImport } from './labelstudio-client.js';
import type { LabelStudioConfig } from './labelstudio-config.js';
import {
  annotationStateName,
  projectIdOf,
  readProjectState,
  updateProjectState,
  type AnnotationRecord,
  type ProjectState,
} from './project-state.js';
import { predictChoices } from './task-predictions.js';
import {
  annotatorOf,
  choicesResult,
  explanationText,
  itemIdOfTask,
  labelOfAnnotation,
  LabelStudioInputError,
  orderScore,
  textOfTask,
  type ChoicesResult,
  type LabelStudioAnnotation,
  type LabelStudioTask,
} from './task-mapping.js';

/** The version of predictions answered to /predict (pre-annotations); rounds write `kgal-r<n>`. */
export const PREDICT_VERSION = 'kgal';
export const roundVersion = (round: number): string => `kgal-r${round}`;
export const leaseHolder = (projectId: number): string => `labelstudio:${projectId}`;

export interface BackendDeps {
  store: GraphStore;
  config: LabelStudioConfig;
  /** KGAL_LABELS (the allowed labels of the whole server) and the lease length. */
  labels: readonly string[];
  leaseSeconds: number;
  logger: Logger;
  selectionQueue: SerialQueue;
  modelCache?: ModelCache;
}

export interface PredictResult {
  result: ChoicesResult[];
  score: number;
  model_version: string;
}

interface RoundRunner {
  running?: Promise<void>;
  /** Another round was asked for while one ran: run once more after it (if still due, or forced). */
  queued: boolean;
  force: boolean;
}

export class LabelStudioBackend {
  private readonly runners = new Map<number, RoundRunner>();
  private embedder?: Promise<TextEmbedder>;

  constructor(private readonly deps: BackendDeps) {}

  private labelConfig(state: Pick<ProjectState, 'labelConfig'>): LabelConfig {
    return parseLabelConfig(state.labelConfig, this.deps.config.choicesName ? { choicesName: this.deps.config.choicesName } : {});
  }

  private loadEmbedder(): Promise<TextEmbedder> {
    this.embedder ??= TransformersEmbedder.load(embedderConfigFromEnv()).catch((error: unknown) => {
      this.embedder = undefined;
      throw error;
    });
    return this.embedder;
  }

  /** POST /setup: reads the config (a config kgal cannot use is a 400 that Label Studio shows), remembers where Label Studio is. */
  async setup(body: { project: string; schema: string; hostname?: string | null; access_token?: string | null }): Promise<{ model_version: string }> {
    const projectId = projectIdOf(body.project);
    if (projectId === undefined) throw new LabelStudioInputError(`setup: "project" must be "<id>.<created_at>", got "${String(body.project)}"`);
    parseLabelConfig(body.schema, this.deps.config.choicesName ? { choicesName: this.deps.config.choicesName } : {});
    const state = await updateProjectState(this.deps.store, projectId, (current) => ({
      round: 0,
      batch: [],
      batchTasks: {},
      skipped: [],
      ...current,
      project: body.project,
      projectId,
      labelConfig: body.schema,
      ...(body.hostname ? { hostname: body.hostname.replace(/\/+$/, '') } : {}),
      ...(body.access_token ? { accessToken: body.access_token } : {}),
    }));
    // The first round as soon as kgal can write to the project (after this answer: Label Studio is waiting on it).
    if (state.round === 0 && this.canWrite(state)) this.requestRound(projectId, 'first round');
    return { model_version: PREDICT_VERSION };
  }

  private canWrite(state: ProjectState): boolean {
    return !!state.accessToken && !!(this.deps.config.url ?? state.hostname);
  }

  /** POST /predict: one result per task, in request order; a task kgal cannot map fails the whole request (nothing saved). */
  async predict(body: { tasks: LabelStudioTask[]; project?: string; label_config?: string }): Promise<{ results: Array<PredictResult | []>; model_version: string }> {
    const projectId = projectIdOf(body.project) ?? (body.tasks[0] as { project?: number } | undefined)?.project;
    const state = projectId === undefined ? undefined : await readProjectState(this.deps.store, projectId);
    const labelConfig = state?.labelConfig ?? body.label_config;
    if (!labelConfig || projectId === undefined) throw new LabelStudioInputError('predict: unknown project (Label Studio calls /setup first) and no label_config');
    const config = this.labelConfig({ labelConfig });
    const ids = await this.itemsForTasks(body.tasks, config, projectId);
    const { predictions } = await predictChoices({ store: this.deps.store, ...(this.deps.modelCache ? { modelCache: this.deps.modelCache } : {}), embedder: () => this.loadEmbedder() }, ids, config.choices);
    const rankOf = new Map((state?.batch ?? []).map((id, i) => [id, i + 1]));
    const results = ids.map((id, i): PredictResult | [] => {
      const prediction = predictions[i];
      // Not embedded yet: no prediction rather than an invented one (Label Studio saves nothing for []).
      if (!prediction) return [];
      const rank = rankOf.get(id);
      const why = rank !== undefined && state ? `kgal round ${state.round}, pick ${rank} of ${state.batch.length}` : undefined;
      return {
        result: [choicesResult(config, prediction.choice, why)],
        score: orderScore(rank, this.deps.config.batchSize, prediction.confidence),
        model_version: PREDICT_VERSION,
      };
    });
    return { results, model_version: PREDICT_VERSION };
  }

  /**
   * The kgal item of each task, importing the task's text as a new item when kgal has none (validated like
   * POST /v1/items, all or nothing). A task with neither is an error naming it; nothing is written.
   */
  private async itemsForTasks(tasks: readonly LabelStudioTask[], config: LabelConfig, projectId: number): Promise<string[]> {
    const ids = tasks.map((task) => itemIdOfTask(task, this.deps.config.idField, projectId));
    const known = new Set((await this.deps.store.getItems([...new Set(ids)])).map((item) => item.id));
    const missing = new Map<string, Record<string, unknown>>();
    const unknown: string[] = [];
    tasks.forEach((task, i) => {
      const id = ids[i]!;
      if (known.has(id) || missing.has(id)) return;
      const text = textOfTask(task, config);
      if (text === undefined) unknown.push(`task ${task.id}: no kgal item "${id}" and no text in data.${config.textField}`);
      else missing.set(id, { id, text, labelstudio_project: projectId, labelstudio_task: task.id });
    });
    if (unknown.length > 0) throw new LabelStudioInputError(`unknown task(s): ${unknown.slice(0, 5).join('; ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}; nothing written`, 'not-found');
    if (missing.size > 0) {
      await this.deps.selectionQueue.run(() => ingestRows(this.deps.store, [...missing.values()], { source: 'labelstudio tasks', allowedLabels: this.deps.labels }));
    }
    return ids;
  }

  /** POST /webhook: annotations become kgal labels (exactly once: a repeated event changes nothing); START_TRAINING runs a round. */
  async webhook(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const action = typeof body.action === 'string' ? body.action : '';
    const project = body.project as { id?: number; label_config?: string } | undefined;
    const projectId = typeof project?.id === 'number' ? project.id : projectIdOf(project);
    switch (action) {
      case 'ANNOTATION_CREATED':
      case 'ANNOTATION_UPDATED':
        return this.annotation(action, body, projectId);
      case 'ANNOTATIONS_DELETED':
        return this.annotationsDeleted(body, projectId);
      case 'START_TRAINING':
        if (projectId === undefined) throw new LabelStudioInputError('START_TRAINING without project.id');
        await this.requireState(projectId);
        this.requestRound(projectId, 'START_TRAINING');
        return { status: 'ok', action, round: 'scheduled' };
      case 'PROJECT_UPDATED':
        if (projectId !== undefined && typeof project?.label_config === 'string') await this.configChanged(projectId, project.label_config);
        return { status: 'ok', action };
      default:
        return { status: 'ignored', action };
    }
  }

  private async requireState(projectId: number): Promise<ProjectState> {
    const state = await readProjectState(this.deps.store, projectId);
    if (!state) throw new LabelStudioInputError(`project ${projectId} is not connected to kgal (Label Studio calls /setup when the ML backend is added)`, 'not-found');
    return state;
  }

  private async configChanged(projectId: number, labelConfig: string): Promise<void> {
    const state = await readProjectState(this.deps.store, projectId);
    if (!state || state.labelConfig === labelConfig) return;
    try {
      this.labelConfig({ labelConfig });
    } catch (error) {
      this.deps.logger.warn({ projectId, err: error }, 'label studio: the project\'s new labeling config cannot be used; keeping the old one');
      return;
    }
    await updateProjectState(this.deps.store, projectId, (current) => ({ ...(current ?? state), labelConfig }));
  }

  private async annotation(action: string, body: Record<string, unknown>, projectId: number | undefined): Promise<Record<string, unknown>> {
    const annotation = body.annotation as LabelStudioAnnotation | undefined;
    const task = body.task as LabelStudioTask | undefined;
    if (!annotation || typeof annotation.id !== 'number' || !task || typeof task.id !== 'number' || typeof task.data !== 'object' || task.data === null) {
      throw new LabelStudioInputError(`${action}: body.annotation (with id) and body.task (with id and data) are required`);
    }
    const pid = projectId ?? (typeof annotation.task === 'number' ? (task as { project?: number }).project : undefined);
    if (pid === undefined) throw new LabelStudioInputError(`${action}: body.project.id is required`);
    const state = await this.requireState(pid);
    const config = this.labelConfig(state);
    const given = labelOfAnnotation(annotation, config);
    const [id] = await this.itemsForTasks([task], config, pid);
    const itemId = id!;
    if ('skipped' in given) {
      await this.noteSkipped(pid, itemId);
      return { status: 'ok', action, item: itemId, skipped: given.skipped };
    }
    const annotator = annotatorOf(annotation);
    if (!annotator) throw new LabelStudioInputError(`annotation ${annotation.id} of task ${task.id}: completed_by is missing`);
    if (this.deps.labels.length > 0 && !this.deps.labels.includes(given.label)) {
      throw new LabelStudioInputError(`annotation ${annotation.id} of task ${task.id}: unknown label "${given.label}" (allowed: ${this.deps.labels.join(', ')}; KGAL_LABELS); nothing written`);
    }
    // The project's own lease ends with the label; a kgal annotator's lease still refuses it (409), as on /v1/labels.
    await this.deps.store.releaseLeases([itemId], leaseHolder(pid));
    const report = await this.deps.store.setLabels([{ id: itemId, label: given.label, annotator }], {
      ...CLIENT_LABEL_POLICY,
      // An annotator correcting their annotation relabels; a second annotator disagreeing is a conflict.
      onConflict: action === 'ANNOTATION_UPDATED' ? 'overwrite' : 'reject',
    });
    await this.deps.store.updateState<Record<string, AnnotationRecord>>(annotationStateName(pid), (current) => ({
      ...current,
      [String(annotation.id)]: { item: itemId, annotator, label: given.label },
    }));
    this.requestRound(pid, 'batch done');
    return { status: 'ok', action, item: itemId, label: given.label, annotator, written: report.written.length > 0 };
  }

  private async annotationsDeleted(body: Record<string, unknown>, projectId: number | undefined): Promise<Record<string, unknown>> {
    if (projectId === undefined) throw new LabelStudioInputError('ANNOTATIONS_DELETED: body.project.id is required');
    const deleted = Array.isArray(body.annotations) ? (body.annotations as Array<{ id?: unknown }>).map((a) => String(a.id)) : [];
    const records = ((await this.deps.store.getState(annotationStateName(projectId))) ?? {}) as Record<string, AnnotationRecord>;
    const undone: string[] = [];
    for (const annotationId of deleted) {
      const record = records[annotationId];
      if (!record) continue;
      const item = await this.deps.store.getItem(record.item);
      // Only while the item still carries this annotator's label (a later label by someone else stays).
      if (item?.label === record.label && item.annotator === record.annotator) {
        await this.deps.store.undoLabel(record.item, record.annotator);
        undone.push(record.item);
      }
    }
    await this.deps.store.updateState<Record<string, AnnotationRecord>>(annotationStateName(projectId), (current) =>
      Object.fromEntries(Object.entries(current ?? {}).filter(([k]) => !deleted.includes(k))),
    );
    return { status: 'ok', action: 'ANNOTATIONS_DELETED', undone };
  }

  private async noteSkipped(projectId: number, itemId: string): Promise<void> {
    const state = await updateProjectState(this.deps.store, projectId, (current) => {
      const s = current!;
      return s.batch.includes(itemId) && !s.skipped.includes(itemId) ? { ...s, skipped: [...s.skipped, itemId] } : s;
    });
    if (state.batch.includes(itemId)) this.requestRound(projectId, 'batch done');
  }

  /** Whether a round is due: none written yet, or every pick of the current one labeled or skipped. */
  private async roundDue(state: ProjectState): Promise<boolean> {
    if (state.round === 0) return true;
    const items = await this.deps.store.getItems(state.batch);
    return items.every((item) => item.label !== undefined || state.skipped.includes(item.id));
  }

  /**
   * Runs a round for the project after the one in progress (at most one more is queued). `START_TRAINING`
   * always runs one; other reasons only when a round is due when it starts.
   */
  requestRound(projectId: number, reason: 'first round' | 'batch done' | 'START_TRAINING'): void {
    const runner = this.runners.get(projectId) ?? { force: false, queued: false };
    this.runners.set(projectId, runner);
    runner.force ||= reason === 'START_TRAINING';
    if (runner.running) {
      runner.queued = true;
      return;
    }
    const loop = async (): Promise<void> => {
      do {
        const force = runner.force;
        runner.force = false;
        runner.queued = false;
        await this.runRound(projectId, force ? 'START_TRAINING' : reason, force);
      } while (runner.queued);
      runner.running = undefined;
    };
    runner.running = loop();
  }

  /** Resolves once no round is running or queued for the project (tests, the status route). */
  async idle(projectId: number): Promise<void> {
    while (this.runners.get(projectId)?.running) await this.runners.get(projectId)!.running;
  }

  isRunning(projectId: number): boolean {
    return !!this.runners.get(projectId)?.running;
  }

  /**
   * One round: list the project's tasks, select kgal's batch among them, write it as version `kgal-r<n>`
   * (delete leftovers of a failed attempt, import all picks in one request, point the project at it), then
   * record the round. Any failure: the project keeps its previous version, kgal releases the picks' leases,
   * records nothing and keeps the error in the project state (GET /labelstudio/status).
   */
  private async runRound(projectId: number, reason: string, force: boolean): Promise<void> {
    const t0 = performance.now();
    const state = await readProjectState(this.deps.store, projectId);
    if (!state || !this.canWrite(state)) return;
    if (!force && !(await this.roundDue(state))) return;
    const round = state.round + 1;
    const version = roundVersion(round);
    const holder = leaseHolder(projectId);
    let leased: string[] = [];
    try {
      const config = this.labelConfig(state);
      const client = new LabelStudioClient(this.deps.config.url ?? state.hostname!, state.accessToken!, this.deps.config.timeoutMs);
      const tasks = await client.listTasks(projectId);
      const open = tasks.filter((t) => !t.is_labeled);
      const ids = await this.itemsForTasks(open, config, projectId);
      const taskOfItem = new Map(ids.map((id, i) => [id, open[i]!.id]));
      // The previous round's picks are the project's no longer: they may be chosen again.
      await this.deps.store.releaseLeases(state.batch, holder);
      const result = await this.deps.selectionQueue.run(() =>
        queryPool(this.deps.store, {
          batchSize: this.deps.config.batchSize,
          record: false,
          lease: { holder, durationMs: this.deps.leaseSeconds * 1000 },
          ...(this.deps.modelCache ? { modelCache: this.deps.modelCache } : {}),
        }),
      );
      leased = result.picks.map((p) => p.id);
      const picks = result.picks.filter((p) => taskOfItem.has(p.id));
      const outsideProject = result.picks.length - picks.length;
      const { predictions } = await predictChoices(
        { store: this.deps.store, ...(this.deps.modelCache ? { modelCache: this.deps.modelCache } : {}), embedder: () => this.loadEmbedder() },
        picks.map((p) => p.id),
        config.choices,
      );
      const imports: PredictionImport[] = picks.flatMap((pick, k): PredictionImport[] => {
        const rank = k + 1;
        const choice = pick.prediction && config.choices.includes(pick.prediction.label) ? pick.prediction.label : predictions[k]?.choice;
        if (choice === undefined) return [];
        const why = explanationText({
          round,
          rank,
          batchSize: picks.length,
          strategy: pick.strategy,
          fills: pick.entities.filter((e) => e.coverageBefore === 0).map((e) => e.name),
          ...(pick.prediction ? { prediction: { label: pick.prediction.label, probability: pick.prediction.probability } } : {}),
        });
        return [{ task: taskOfItem.get(pick.id)!, model_version: version, score: orderScore(rank, picks.length, undefined), result: [choicesResult(config, choice, why)] }];
      });
      // Leftovers of a failed attempt at this round, then the round in one request, then the switch.
      await client.deleteModelVersion(projectId, version);
      if (imports.length > 0) {
        await client.importPredictions(projectId, imports);
        await client.setProjectModelVersion(projectId, version);
      }
      const batch = picks.slice(0, imports.length).map((p) => p.id);
      await this.deps.store.recordRound({
        strategy: result.strategy,
        at: new Date().toISOString(),
        annotator: holder,
        picks: picks.map((p) => ({
          itemId: p.id,
          rank: p.rank,
          score: p.score,
          components: Object.fromEntries(Object.entries(p.components).map(([name, c]) => [name, c.normalized])),
        })),
      });
      await updateProjectState(this.deps.store, projectId, (current) => {
        const { lastError: _cleared, ...rest } = current ?? state;
        return {
          ...rest,
          round,
          modelVersion: version,
          batch,
          batchTasks: Object.fromEntries(batch.map((id) => [id, taskOfItem.get(id)!])),
          skipped: [],
          lastRound: { round, at: new Date().toISOString(), tasks: tasks.length, picks: batch.length, strategy: result.strategy, coldStart: result.coldStart, millis: Math.round(performance.now() - t0), outsideProject },
        };
      });
      this.deps.logger.info({ projectId, round, version, picks: batch.length, reason }, 'label studio: round written');
    } catch (error) {
      if (leased.length > 0) await this.deps.store.releaseLeases(leased, holder).catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      this.deps.logger.error({ projectId, round, reason, err: error }, 'label studio: round failed');
      await updateProjectState(this.deps.store, projectId, (current) => ({ ...(current ?? state), lastError: { at: new Date().toISOString(), round, message } })).catch(() => undefined);
    }
  }

  /** GET /versions: the versions kgal has written into any project. */
  async versions(projectId?: number): Promise<{ versions: string[] }> {
    const state = projectId === undefined ? undefined : await readProjectState(this.deps.store, projectId);
    const rounds = state?.round ?? 0;
    return { versions: [PREDICT_VERSION, ...Array.from({ length: rounds }, (_, i) => roundVersion(i + 1))] };
  }
}

export { LabelConfigError };
