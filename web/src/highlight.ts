/** Splits a text into plain and entity segments, so the entities an item mentions can be highlighted. */

export interface Segment {
  text: string;
  /** The entity key when the segment names an entity. */
  entity?: string;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Finds each entity's name in the text (case-insensitive, words separated by any run of spaces or
 * punctuation: "Gov James E McGreevey" finds "Gov. James E. McGreevey"), longest names first so "New York City" wins over "York"; overlapping matches keep the first.
 */
export function highlightEntities(text: string, entities: ReadonlyArray<{ key: string; name: string }>): Segment[] {
  const spans: Array<{ start: number; end: number; key: string }> = [];
  const byLength = [...entities].sort((a, b) => b.name.length - a.name.length);
  for (const entity of byLength) {
    const words = entity.name.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
    if (words.length === 0) continue;
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${words.map(escape).join('[^\\p{L}\\p{N}]+')}(?![\\p{L}\\p{N}])`, 'giu');
    for (const match of text.matchAll(pattern)) {
      const start = match.index ?? 0;
      const end = start + match[0].length;
      if (spans.some((s) => start < s.end && end > s.start)) continue;
      spans.push({ start, end, key: entity.key });
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const segments: Segment[] = [];
  let at = 0;
  for (const span of spans) {
    if (span.start > at) segments.push({ text: text.slice(at, span.start) });
    segments.push({ text: text.slice(span.start, span.end), entity: span.key });
    at = span.end;
  }
  if (at < text.length) segments.push({ text: text.slice(at) });
  return segments;
}
