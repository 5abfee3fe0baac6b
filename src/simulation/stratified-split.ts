import { createRandom, shuffled } from '../model/seeded-random.js';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * How many of `size` draws each class gets when drawing in proportion to the class sizes: the floor of
 * each exact share, then the remaining draws to the largest fractional parts (ties: larger class, then
 * class name). Never more than a class holds.
 */
export function proportionalAllocation(classSizes: ReadonlyMap<string, number>, size: number): Map<string, number> {
  const total = [...classSizes.values()].reduce((a, b) => a + b, 0);
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`sample size must be a non-negative integer, got ${size}`);
  if (size > total) throw new RangeError(`cannot draw ${size} items from ${total}`);
  const classes = [...classSizes.keys()].sort(byString);
  const allocation = new Map<string, number>();
  const remainders: Array<{ name: string; fraction: number; size: number }> = [];
  let given = 0;
  for (const name of classes) {
    const exact = total === 0 ? 0 : (size * classSizes.get(name)!) / total;
    const whole = Math.floor(exact);
    allocation.set(name, whole);
    given += whole;
    remainders.push({ name, fraction: exact - whole, size: classSizes.get(name)! });
  }
  remainders.sort((a, b) => b.fraction - a.fraction || b.size - a.size || byString(a.name, b.name));
  for (const r of remainders) {
    if (given >= size) break;
    if (allocation.get(r.name)! < r.size) {
      allocation.set(r.name, allocation.get(r.name)! + 1);
      given += 1;
    }
  }
  return allocation;
}

/**
 * A stratified random sample of `size` indices into `labels` (class proportions kept, see
 * proportionalAllocation), deterministic given the seed; returned in ascending index order.
 */
export function stratifiedSample(labels: readonly string[], size: number, seed: number | string): number[] {
  const byClass = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const members = byClass.get(label);
    if (members) members.push(i);
    else byClass.set(label, [i]);
  });
  const allocation = proportionalAllocation(new Map([...byClass].map(([name, members]) => [name, members.length])), size);
  const rng = createRandom(seed);
  const picked: number[] = [];
  for (const name of [...byClass.keys()].sort(byString)) {
    picked.push(...shuffled(rng, byClass.get(name)!).slice(0, allocation.get(name)!));
  }
  return picked.sort((a, b) => a - b);
}

/**
 * Splits items into a pool and an evaluation part, stratified by label: `round(fraction · N)` items go to
 * evaluation, drawn per class in proportion. Both parts keep the input order.
 */
export function stratifiedSplit<T extends { label: string }>(items: readonly T[], options: { fraction: number; seed: number }): { pool: T[]; eval: T[] } {
  if (!(options.fraction > 0 && options.fraction < 1)) throw new RangeError(`eval fraction must be in (0, 1), got ${options.fraction}`);
  const evalIndices = new Set(stratifiedSample(items.map((i) => i.label), Math.round(options.fraction * items.length), `split:${options.seed}`));
  return { pool: items.filter((_, i) => !evalIndices.has(i)), eval: items.filter((_, i) => evalIndices.has(i)) };
}
