/**
 * Evidence, from the labeled items alone, that the entities a text mentions tell something about its label:
 * the chance-corrected label purity of entities mentioned by two or more labeled items.
 *
 *   purity(e)  = (largest class count among the labeled items mentioning e) / n(e)          for n(e) ≥ 2
 *   P          = Σ_e n(e)·purity(e) / Σ_e n(e)
 *   P₀         = the same with the labels shuffled among the labeled items (mean of `permutations` draws):
 *                what purity chance alone gives with these class frequencies and entity counts
 *   signal     = clamp((P − P₀) / (1 − P₀), 0, 1) · m / (m + m₀)
 *
 * m = number of entities with n(e) ≥ 2: with little evidence the signal shrinks towards 0 (m₀ = `prior`), so
 * the knowledge term has to earn its weight. 1 = every shared entity is pure in its label (WebNLG's DBpedia
 * categories), 0 = entities say nothing about labels beyond chance (intents, questions) or no evidence yet.
 * The same idea as an adjusted mutual information between entity and label, in a form that stays stable at
 * a few dozen labels.
 */
import type { ItemEntityLists } from '../../graph/entity-index.js';
import { createRandom, shuffled } from '../model/seeded-random.js';

export interface EntityLabelSignalOptions {
  permutations?: number;
  /** m₀: how many shared entities count as half the evidence. Default 10. */
  prior?: number;
  seed?: number;
}

export interface EntityLabelSignal {
  signal: number;
  purity: number;
  chancePurity: number;
  /** Entities mentioned by at least two labeled items. */
  sharedEntities: number;
}

/** `items`: entity lists of the labeled items; `labels`: their class indices (same order). */
export function entityLabelSignal(items: ItemEntityLists, labels: Int32Array, options: EntityLabelSignalOptions = {}): EntityLabelSignal {
  if (labels.length !== items.count) throw new RangeError(`${labels.length} labels for ${items.count} items`);
  // Items per entity (entities are small ints; only those mentioned matter).
  const byEntity = new Map<number, number[]>();
  for (let i = 0; i < items.count; i += 1) {
    for (let p = items.offsets[i]!; p < items.offsets[i + 1]!; p += 1) {
      const e = items.entities[p]!;
      let list = byEntity.get(e);
      if (!list) byEntity.set(e, (list = []));
      if (list[list.length - 1] !== i) list.push(i);
    }
  }
  const shared = [...byEntity.values()].filter((list) => list.length >= 2);
  if (shared.length === 0) return { signal: 0, purity: 0, chancePurity: 0, sharedEntities: 0 };
  const purityOf = (y: ArrayLike<number>): number => {
    let weighted = 0;
    let total = 0;
    const counts = new Map<number, number>();
    for (const list of shared) {
      counts.clear();
      let best = 0;
      for (const i of list) {
        const c = (counts.get(y[i]!) ?? 0) + 1;
        counts.set(y[i]!, c);
        if (c > best) best = c;
      }
      weighted += best;
      total += list.length;
    }
    return weighted / total;
  };
  const purity = purityOf(labels);
  const rng = createRandom(options.seed ?? 1);
  const permutations = options.permutations ?? 10;
  let chance = 0;
  for (let r = 0; r < permutations; r += 1) chance += purityOf(shuffled(rng, Array.from(labels)));
  chance /= permutations;
  const corrected = chance < 1 ? Math.min(1, Math.max(0, (purity - chance) / (1 - chance))) : 0;
  const prior = options.prior ?? 10;
  return { signal: corrected * (shared.length / (shared.length + prior)), purity, chancePurity: chance, sharedEntities: shared.length };
}
