export interface ScheduleOptions {
  /** Labeled items before the first query (0 = cold start). */
  initial: number;
  /** Labels bought per round. */
  batch: number;
  /** Total labels at the end (initial set included). */
  budget: number;
}

/**
 * Labeled-set size after each round: round 0 is the initial set, then `batch` more per round; the last
 * round is cut short so the campaign ends exactly at the budget (20, 70, ..., 970, 1000). The modAL script
 * follows the same schedule (campaign.json).
 */
export function labelSchedule(options: ScheduleOptions): number[] {
  const { initial, batch, budget } = options;
  if (!Number.isInteger(initial) || initial < 0) throw new RangeError(`initial must be a non-negative integer, got ${initial}`);
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a positive integer, got ${batch}`);
  if (!Number.isInteger(budget) || budget < initial) throw new RangeError(`budget must be an integer >= initial (${initial}), got ${budget}`);
  const sizes = [initial];
  while (sizes[sizes.length - 1]! < budget) sizes.push(Math.min(budget, sizes[sizes.length - 1]! + batch));
  return sizes;
}
