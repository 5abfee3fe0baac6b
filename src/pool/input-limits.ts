/**
 * Limits on one pool row, the same for files, `POST /v1/items` and the library (`ingestRows`): checked
 * in validation, before anything is written. Each is documented (docs/api.md "Limits") and can be set
 * per process through the environment.
 */
export interface InputLimits {
  /** Characters of `text` (KGAL_MAX_TEXT_CHARS, default 1,000,000). */
  maxTextChars: number;
  /** Nesting depth of the metadata: `{"a": 1}` is depth 1, `{"a": {"b": [1]}}` depth 3 (KGAL_MAX_META_DEPTH, default 32). */
  maxMetaDepth: number;
  /** Size of the metadata as JSON, in UTF-8 bytes (KGAL_MAX_META_BYTES, default 65,536). */
  maxMetaBytes: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = { maxTextChars: 1_000_000, maxMetaDepth: 32, maxMetaBytes: 65_536 };

const ENV_NAMES: Record<keyof InputLimits, string> = {
  maxTextChars: 'KGAL_MAX_TEXT_CHARS',
  maxMetaDepth: 'KGAL_MAX_META_DEPTH',
  maxMetaBytes: 'KGAL_MAX_META_BYTES',
};

/** The limits from the environment (a value that is not a positive integer is ignored: the default holds). */
export function inputLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): InputLimits {
  const limits = { ...DEFAULT_INPUT_LIMITS };
  for (const key of Object.keys(ENV_NAMES) as Array<keyof InputLimits>) {
    const raw = env[ENV_NAMES[key]];
    const n = raw === undefined ? NaN : Number(raw);
    if (Number.isSafeInteger(n) && n > 0) limits[key] = n;
  }
  return limits;
}

export function limitEnvName(key: keyof InputLimits): string {
  return ENV_NAMES[key];
}

/** Keys that would reach an object's prototype if copied with plain assignment: refused in metadata. */
const PROTOTYPE_KEYS = new Set(['__proto__']);

/**
 * What is wrong with a metadata value, or undefined: too deep (found without recursion, so a 100,000-deep
 * value cannot overflow the stack), a `__proto__` key anywhere, or too large as JSON. `path` names the
 * deepest point reached, for the error message (at most the first levels).
 */
export function metaProblem(value: unknown, limits: InputLimits): { path: string; message: string } | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value: node, depth, path } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > limits.maxMetaDepth) {
      return { path, message: `nested more than ${limits.maxMetaDepth} levels deep (limit ${ENV_NAMES.maxMetaDepth})` };
    }
    if (Array.isArray(node)) {
      node.forEach((child, i) => stack.push({ value: child, depth: depth + 1, path: `${path}[${i}]` }));
      continue;
    }
    for (const key of Object.keys(node)) {
      const childPath = path ? `${path}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) return { path: childPath, message: `the key "${key}" is not allowed in metadata` };
      stack.push({ value: (node as Record<string, unknown>)[key], depth: depth + 1, path: childPath });
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  if (bytes > limits.maxMetaBytes) return { path: '', message: `metadata is ${bytes} bytes as JSON, over the limit of ${limits.maxMetaBytes} (${ENV_NAMES.maxMetaBytes})` };
  return undefined;
}
