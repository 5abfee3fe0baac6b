/**
 * The k best candidates of a modular objective (a fixed score per item: uncertainty, density), highest
 * score first, ties to the lower index, non-finite scores never picked: exactly the order lazy greedy
 * gives when no term depends on earlier picks, in O(N log k) instead of a heap over all N.
 */
export function topK(scores: ArrayLike<number>, k: number): Int32Array {
  const size = Math.max(0, Math.min(k, scores.length));
  // Min-heap of the best `size` so far; its root is the worst kept (lowest score, then highest index).
  const heap = new Int32Array(size);
  let count = 0;
  const worse = (a: number, b: number): boolean => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    return sa < sb || (sa === sb && a > b);
  };
  const siftDown = (start: number): void => {
    let at = start;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let worst = at;
      if (left < count && worse(heap[left]!, heap[worst]!)) worst = left;
      if (right < count && worse(heap[right]!, heap[worst]!)) worst = right;
      if (worst === at) return;
      const t = heap[at]!;
      heap[at] = heap[worst]!;
      heap[worst] = t;
      at = worst;
    }
  };
  for (let i = 0; i < scores.length && size > 0; i += 1) {
    if (!Number.isFinite(scores[i]!)) continue;
    if (count < size) {
      let at = count;
      heap[count] = i;
      count += 1;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(heap[at]!, heap[parent]!)) break;
        const t = heap[at]!;
        heap[at] = heap[parent]!;
        heap[parent] = t;
        at = parent;
      }
    } else if (worse(heap[0]!, i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap.slice(0, count).sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}
