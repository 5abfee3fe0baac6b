import { describe, expect, it } from 'vitest';
import { ModelUnavailableError } from '../src/embeddings/text-embedder.js';
import { classifyError, ERROR_TABLE, EXIT, KgalError, UsageError } from '../src/errors/kgal-error.js';
import { HttpError } from '../src/api/errors.js';
import { InputValidationError } from '../src/pool/input-error.js';
import { DEFAULT_INPUT_LIMITS, inputLimitsFromEnv, metaProblem } from '../src/pool/input-limits.js';
import { parsePoolRow } from '../src/pool/pool-row.js';
import { LabelConflictError, LeaseConflictError, StoreUnavailableError, UnknownItemsError } from '../src/store/graph-store.js';
import { StoreDamagedError, StoreWriteError, toJsonText } from '../src/store/store-errors.js';

describe('one error model', () => {
  it('maps every error class to one kind, HTTP status and exit code', () => {
    const cases: Array<[unknown, string, number, number]> = [
      [new InputValidationError([{ file: 'f', line: 1, message: 'bad' }]), 'rejected', 400, EXIT.rejected],
      [new StoreWriteError('cannot store'), 'rejected', 400, EXIT.rejected],
      [new UnknownItemsError(['x']), 'not-found', 404, EXIT.rejected],
      [new LabelConflictError([{ id: 'x', current: 'A', given: 'B' }]), 'conflict', 409, EXIT.rejected],
      [new LeaseConflictError([{ id: 'x', holder: 'ann' }]), 'conflict', 409, EXIT.rejected],
      [new StoreUnavailableError('down'), 'store-unavailable', 503, EXIT.storeUnavailable],
      [new StoreDamagedError('damaged'), 'store-unavailable', 503, EXIT.storeUnavailable],
      [new ModelUnavailableError('no model'), 'model-unavailable', 503, EXIT.modelUnavailable],
      [new UsageError('bad flag'), 'usage', 400, EXIT.usage],
      [new HttpError(401, 'key'), 'rejected', 401, EXIT.rejected],
      [Object.assign(new Error('gone'), { code: 'ServiceUnavailable' }), 'store-unavailable', 503, EXIT.storeUnavailable],
      [Object.assign(new Error("Invalid input 'secret' (line 2, column 5 (offset: 9))"), { code: 'Neo.ClientError.Statement.SyntaxError' }), 'rejected', 400, EXIT.rejected],
      [Object.assign(new Error('ENOENT'), { code: 'ENOENT', path: '/x/y.jsonl' }), 'rejected', 400, EXIT.rejected],
      [new TypeError('a bug'), 'internal', 500, EXIT.internal],
      ['a string', 'internal', 500, EXIT.internal],
    ];
    for (const [error, kind, status, exitCode] of cases) {
      expect(classifyError(error), String(error)).toMatchObject({ kind, status, exitCode });
    }
    expect(classifyError(cases[11]![0]).message).toBe('Cypher syntax error at line 2, column 5');
    expect(new StoreUnavailableError('x', { cause: 'why' }).cause).toBe('why');
    expect(new KgalError('conflict', 'm')).toMatchObject({ code: 'conflict', status: 409, exitCode: 1 });
    expect(Object.keys(ERROR_TABLE).sort()).toEqual(['conflict', 'internal', 'model-unavailable', 'not-found', 'rejected', 'store-unavailable', 'too-large', 'usage']);
  });

  it('a store write that cannot be serialised is a rejected write (400, exit 1), not a bug', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toJsonText(cyclic, 'item "x" metadata')).toThrow(StoreWriteError);
    try {
      toJsonText(cyclic, 'item "x" metadata');
    } catch (error) {
      expect(classifyError(error)).toMatchObject({ kind: 'rejected', status: 400, exitCode: 1 });
      expect((error as Error).message).toContain('item "x" metadata');
    }
  });
});

describe('input limits', () => {
  it('depth is found without recursion, __proto__ is refused, size is bounded', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = { a: deep };
    expect(metaProblem({ meta: deep }, DEFAULT_INPUT_LIMITS)?.message).toContain('nested more than 32 levels deep');
    expect(metaProblem(JSON.parse('{"x":{"__proto__":{"p":1}}}'), DEFAULT_INPUT_LIMITS)).toMatchObject({ path: 'x.__proto__' });
    expect(metaProblem({ constructor: 'kept', prototype: 1, list: [[[1]]] }, DEFAULT_INPUT_LIMITS)).toBeUndefined();
    expect(metaProblem({ big: 'x'.repeat(70_000) }, DEFAULT_INPUT_LIMITS)?.message).toContain('over the limit of 65536');
  });

  it('a __proto__ column never becomes the prototype of the row metadata', () => {
    const parsed = parsePoolRow(JSON.parse('{"id":"p","text":"t","__proto__":{"polluted":true}}'), 'f.jsonl', 1);
    expect(parsed.row).toBeUndefined();
    expect(parsed.issues[0]).toMatchObject({ field: '__proto__', message: expect.stringContaining('not allowed') });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('limits come from the environment; nonsense keeps the default', () => {
    expect(inputLimitsFromEnv({ KGAL_MAX_TEXT_CHARS: '10', KGAL_MAX_META_DEPTH: 'abc', KGAL_MAX_META_BYTES: '-1' })).toEqual({ ...DEFAULT_INPUT_LIMITS, maxTextChars: 10 });
    const limits = inputLimitsFromEnv({ KGAL_MAX_TEXT_CHARS: '10' });
    expect(parsePoolRow({ id: 'a', text: 'x'.repeat(11) }, 'f', 3, limits).issues[0]).toMatchObject({ line: 3, field: 'text', message: expect.stringContaining('at most 10 characters') });
    expect(parsePoolRow({ id: 'a', text: 'x'.repeat(200_000) }, 'f', 1, DEFAULT_INPUT_LIMITS).row).toBeDefined();
  });
});
