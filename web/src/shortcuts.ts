/** The annotator's keyboard: 1–9 pick a label, Enter confirms, S skips, U undoes the last label. */

export type Shortcut = { kind: 'select'; index: number } | { kind: 'confirm' } | { kind: 'skip' } | { kind: 'undo' };

/** The parts of a KeyboardEvent that decide a shortcut. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

export function shortcutOf(event: KeyPress): Shortcut | undefined {
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  if (/^[1-9]$/.test(event.key)) return { kind: 'select', index: Number(event.key) - 1 };
  if (event.key === 'Enter') return { kind: 'confirm' };
  if (event.key === 's' || event.key === 'S') return { kind: 'skip' };
  if (event.key === 'u' || event.key === 'U') return { kind: 'undo' };
  return undefined;
}

/** The label set shown: the configured labels (KGAL_LABELS) first, then the model's classes and labels seen so far. */
export function labelSet(configured: readonly string[], modelClasses: readonly string[], seen: readonly string[]): string[] {
  const ordered = [...configured];
  for (const label of [...modelClasses, ...[...seen].sort()]) if (!ordered.includes(label)) ordered.push(label);
  return ordered;
}
