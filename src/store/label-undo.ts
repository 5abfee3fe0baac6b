import { KgalError } from '../errors/kgal-error.js';
import type { LabelEvent } from './graph-store.js';

/** What an undo changes: the label taken back, and the label the item falls back to (none: unlabeled). */
export interface UndoPlan {
  undone: LabelEvent;
  restored?: LabelEvent;
}

/** The result of `GraphStore.undoLabel`. */
export interface LabelUndoReport {
  id: string;
  /** The label taken back. */
  undone: string;
  /** The label the item carries again (an earlier one from its history), absent when it is unlabeled now. */
  restored?: { label: string; annotator?: string };
}

/** An undo that is not the annotator's to make (someone else labeled last, or nothing to take back); nothing written. */
export class LabelUndoError extends KgalError {
  constructor(
    readonly itemId: string,
    reason: string,
  ) {
    super('conflict', `cannot undo the label of "${itemId}": ${reason}; nothing written`);
    this.name = 'LabelUndoError';
  }
}

/**
 * The labels an item's history leaves standing, oldest first: each label event stacks a label, each undo
 * event takes the top one off. The top is the item's current label.
 */
export function standingLabels(history: readonly LabelEvent[]): LabelEvent[] {
  const stack: LabelEvent[] = [];
  for (const event of history) {
    if (event.undo) stack.pop();
    else stack.push(event);
  }
  return stack;
}

/**
 * The one rule for undo, shared by both stores: only the annotator whose label the item carries now (its
 * latest standing label event) may take it back, and the item then falls back to the label it had before
 * that (its history), or to none. An item whose label did not come through the history (or that has none)
 * has nothing to undo.
 */
export function planUndo(itemId: string, history: readonly LabelEvent[], currentLabel: string | undefined, annotator: string): UndoPlan {
  const standing = standingLabels(history);
  const top = standing.at(-1);
  if (currentLabel === undefined) throw new LabelUndoError(itemId, 'it has no label');
  if (!top || top.label !== currentLabel) throw new LabelUndoError(itemId, 'its label has no label event to take back');
  if (top.annotator !== annotator) {
    throw new LabelUndoError(itemId, `its label "${top.label}" was given by ${top.annotator === undefined ? 'no annotator' : `"${top.annotator}"`}, not "${annotator}"`);
  }
  const restored = standing.at(-2);
  return restored ? { undone: top, restored } : { undone: top };
}

/** The report of a plan. */
export function undoReport(itemId: string, plan: UndoPlan): LabelUndoReport {
  const report: LabelUndoReport = { id: itemId, undone: plan.undone.label };
  if (plan.restored) report.restored = plan.restored.annotator === undefined ? { label: plan.restored.label } : { label: plan.restored.label, annotator: plan.restored.annotator };
  return report;
}
