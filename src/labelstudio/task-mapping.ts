/**
 * Label Studio tasks and annotations <-> kgal items and labels, as pure functions: which kgal item a task
 * is (a data field, `kgal_id` by default, else an id made from the project and task), its text (the field
 * the config's `<Text>` shows), the label an annotation gives (one choice of the config's `<Choices>`), and
 * the prediction result kgal answers with.
 */
import { KgalError } from '../errors/kgal-error.js';
import type { LabelConfig } from './label-config.js';

/** The part of a Label Studio task kgal reads (tasks carry much more; the rest is ignored). */
export interface LabelStudioTask {
  id: number;
  data: Record<string, unknown>;
}

/** The part of a Label Studio annotation kgal reads. */
export interface LabelStudioAnnotation {
  id: number;
  task: number;
  completed_by?: number | { id?: number; email?: string } | null;
  was_cancelled?: boolean;
  result?: unknown;
}

/** A choices result as Label Studio stores it; `meta.text` is free text kept with the result. */
export interface ChoicesResult {
  from_name: string;
  to_name: string;
  type: 'choices';
  value: { choices: string[] };
  meta?: { text: string[] };
}

/** An annotation or task kgal cannot turn into a label or an item; nothing is written. */
export class LabelStudioInputError extends KgalError {
  constructor(message: string, kind: 'rejected' | 'not-found' = 'rejected') {
    super(kind, message);
    this.name = 'LabelStudioInputError';
  }
}

/** The kgal item id of a task: its `idField` value when it has one, else `ls-<project>-<task id>`. */
export function itemIdOfTask(task: LabelStudioTask, idField: string, projectId: number): string {
  const value = task.data[idField];
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return `ls-${projectId}-${task.id}`;
}

/** The text the config's `<Text>` tag shows, or undefined when the task has none. */
export function textOfTask(task: LabelStudioTask, config: LabelConfig): string | undefined {
  const value = task.data[config.textField];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The annotator as kgal records it: `labelstudio:<user id>` (Label Studio sends the user id only). */
export function annotatorOf(annotation: LabelStudioAnnotation): string | undefined {
  const by = annotation.completed_by;
  const id = typeof by === 'number' ? by : typeof by === 'object' && by ? by.id : undefined;
  return id === undefined ? undefined : `labelstudio:${id}`;
}

export type AnnotationLabel = { label: string } | { skipped: string };

/**
 * The label an annotation gives: the one choice of the config's `<Choices>` in its result. A cancelled
 * (skipped) annotation or one without that choice gives none (`skipped` says why); a choice outside the
 * config, or several, is an error naming the annotation and task.
 */
export function labelOfAnnotation(annotation: LabelStudioAnnotation, config: LabelConfig): AnnotationLabel {
  const where = `annotation ${annotation.id} of task ${annotation.task}`;
  if (annotation.was_cancelled) return { skipped: `${where} was skipped (cancelled) by the annotator` };
  const results = Array.isArray(annotation.result) ? (annotation.result as unknown[]) : [];
  const mine = results.filter(
    (r): r is { from_name: string; type?: string; value?: { choices?: unknown } } =>
      typeof r === 'object' && r !== null && (r as { from_name?: unknown }).from_name === config.fromName,
  );
  if (mine.length === 0) return { skipped: `${where} has no choice of <Choices name="${config.fromName}">` };
  if (mine.length > 1) throw new LabelStudioInputError(`${where}: ${mine.length} results for <Choices name="${config.fromName}">, expected one`);
  const choices = mine[0]!.value?.choices;
  if (!Array.isArray(choices) || choices.length === 0) return { skipped: `${where} has no choice of <Choices name="${config.fromName}">` };
  if (choices.length > 1) throw new LabelStudioInputError(`${where}: ${choices.length} choices (${choices.map(String).join(', ')}); kgal takes one label per text`);
  const label = choices[0];
  if (typeof label !== 'string' || !config.choices.includes(label)) {
    throw new LabelStudioInputError(`${where}: "${String(label)}" is not a choice of <Choices name="${config.fromName}"> (${config.choices.join(', ')}); nothing written`);
  }
  return { label };
}

/** The result kgal predicts for a task: its choice, with the explanation kept as the result's meta text. */
export function choicesResult(config: LabelConfig, choice: string, explanation?: string): ChoicesResult {
  const result: ChoicesResult = { from_name: config.fromName, to_name: config.toName, type: 'choices', value: { choices: [choice] } };
  if (explanation) result.meta = { text: [explanation] };
  return result;
}

/**
 * The prediction score Label Studio orders by ("Uncertainty sampling" serves the lowest first): the pick
 * of rank r among kgal's batch of n scores (r - 1) / n · 0.01, below every other task; the others score
 * 0.01 + 0.99 · the model's confidence in its predicted class (1 without a model), so once the batch is
 * done the least certain come next.
 */
export function orderScore(rank: number | undefined, batchSize: number, confidence: number | undefined): number {
  if (rank !== undefined) return ((rank - 1) / Math.max(1, batchSize)) * 0.01;
  const c = confidence === undefined || !Number.isFinite(confidence) ? 1 : Math.min(1, Math.max(0, confidence));
  return 0.01 + 0.99 * c;
}

/** One line for the annotator: why kgal picked the task (its rank, the gaps it fills) and its prediction. */
export function explanationText(pick: {
  round: number;
  rank: number;
  batchSize: number;
  strategy: string;
  fills: readonly string[];
  prediction?: { label: string; probability: number };
}): string {
  const parts = [`kgal round ${pick.round}, pick ${pick.rank} of ${pick.batchSize} (${pick.strategy})`];
  parts.push(pick.fills.length > 0 ? `fills: ${pick.fills.join(', ')}` : 'fills: no uncovered entity');
  if (pick.prediction) parts.push(`model: ${pick.prediction.label} (${Math.round(pick.prediction.probability * 100)}%)`);
  return parts.join('; ');
}
