/**
 * Positions of the labeled and the unlabeled items in an id-ordered item listing: the candidates of a
 * round, the coverage the labels give, the labeled set's entity lists. Kept per listing array
 * (listing-memo.ts): a label write makes a new listing, so they are recomputed exactly when labels change.
 */
import type { ItemSummary } from '../store/graph-store.js';
import { ListingMemo } from '../store/listing-memo.js';

export interface LabelPositions {
  /** Positions (into the listing) of items with a label, ascending. */
  labeled: Int32Array;
  /** Positions of items without one, ascending. */
  unlabeled: Int32Array;
}

const positionsByListing = new ListingMemo<readonly ItemSummary[], LabelPositions>();

/** Read-only: the arrays are shared by every caller of the same listing. */
export function labelPositions(items: readonly ItemSummary[]): LabelPositions {
  return positionsByListing.get(items, [], () => splitByLabel(items));
}

function splitByLabel(items: readonly ItemSummary[]): LabelPositions {
  let labeledCount = 0;
  for (const item of items) if (item.label !== undefined) labeledCount += 1;
  const labeled = new Int32Array(labeledCount);
  const unlabeled = new Int32Array(items.length - labeledCount);
  for (let p = 0, l = 0, u = 0; p < items.length; p += 1) {
    if (items[p]!.label !== undefined) labeled[l++] = p;
    else unlabeled[u++] = p;
  }
  return { labeled, unlabeled };
}
