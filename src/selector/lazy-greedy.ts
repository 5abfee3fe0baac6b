/**
 * Lazy greedy maximisation (Minoux 1978) for batch selection. The batch objective is a weighted sum of
 * per-item terms (uncertainty, density: modular) and terms whose marginal value can only shrink as the
 * batch grows (coverage of entity gaps: submodular; the similarity penalty to picked items: growing). So a
 * candidate's last computed marginal score is an upper bound on its current one, and only the top of a
 * max-heap of stale bounds needs re-evaluation: for weighted coverage the 1 − 1/e guarantee of greedy holds,
 * at a fraction of the evaluations.
 */
export interface GreedyObjective {
  /** Number of candidates, indexed 0..count-1. */
  readonly count: number;
  /** Current marginal score of candidate i given the picks committed so far. */
  marginal(i: number): number;
  /** Records candidate i as picked (updates coverage, similarity state). */
  commit(i: number): void;
}

export interface GreedyPick {
  index: number;
  /** Marginal score when picked. */
  score: number;
}

export interface GreedyResult {
  picks: GreedyPick[];
  /** Calls to marginal(): the cost measure lazy evaluation saves on. */
  evaluations: number;
}

/**
 * Picks up to k candidates. Ties are broken by lower index (deterministic). Candidates whose score is
 * not finite are never picked.
 */
export function lazyGreedy(objective: GreedyObjective, k: number): GreedyResult {
  const heap = new BoundHeap(objective.count);
  let evaluations = 0;
  for (let i = 0; i < objective.count; i += 1) {
    const score = objective.marginal(i);
    evaluations += 1;
    if (Number.isFinite(score)) heap.append(i, score);
  }
  heap.heapify();
  // stamp[i] = number of picks when i's bound was last computed; fresh when it equals picks.length.
  const stamp = new Int32Array(objective.count);
  const picks: GreedyPick[] = [];
  while (picks.length < k && heap.size > 0) {
    const top = heap.peekIndex();
    if (stamp[top] === picks.length) {
      heap.pop();
      picks.push({ index: top, score: heap.lastPoppedScore });
      objective.commit(top);
      continue;
    }
    const score = objective.marginal(top);
    evaluations += 1;
    stamp[top] = picks.length;
    if (Number.isFinite(score)) heap.replaceTop(score);
    else heap.pop();
  }
  return { picks, evaluations };
}

/** Max-heap of (score, index) over typed arrays; ties favour the lower index. */
class BoundHeap {
  private readonly indices: Int32Array;
  private readonly scores: Float64Array;
  size = 0;
  lastPoppedScore = Number.NaN;

  constructor(capacity: number) {
    this.indices = new Int32Array(capacity);
    this.scores = new Float64Array(capacity);
  }

  private above(a: number, b: number): boolean {
    const sa = this.scores[a]!;
    const sb = this.scores[b]!;
    return sa > sb || (sa === sb && this.indices[a]! < this.indices[b]!);
  }

  private swap(a: number, b: number): void {
    const i = this.indices[a]!;
    this.indices[a] = this.indices[b]!;
    this.indices[b] = i;
    const s = this.scores[a]!;
    this.scores[a] = this.scores[b]!;
    this.scores[b] = s;
  }

  /** Adds an entry without restoring the heap order: call `heapify` once after the last one (O(n) for all). */
  append(index: number, score: number): void {
    this.indices[this.size] = index;
    this.scores[this.size] = score;
    this.size += 1;
  }

  heapify(): void {
    for (let at = (this.size >> 1) - 1; at >= 0; at -= 1) this.siftDown(at);
  }

  peekIndex(): number {
    return this.indices[0]!;
  }

  pop(): void {
    this.lastPoppedScore = this.scores[0]!;
    this.size -= 1;
    if (this.size > 0) {
      this.indices[0] = this.indices[this.size]!;
      this.scores[0] = this.scores[this.size]!;
      this.siftDown(0);
    }
  }

  replaceTop(score: number): void {
    this.scores[0] = score;
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    let at = start;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let best = at;
      if (left < this.size && this.above(left, best)) best = left;
      if (right < this.size && this.above(right, best)) best = right;
      if (best === at) return;
      this.swap(at, best);
      at = best;
    }
  }
}
