/**
 * The one error model of kgal: every failure a user can act on is a KgalError with a kind, and this
 * module's table maps each kind to the HTTP status the API answers and the exit code the CLI and the ops
 * scripts end with. Anything that is not a KgalError (and not one of the few foreign errors mapped in
 * classifyError) is a bug: HTTP 500, exit 70, logged with its stack.
 */

/** Exit codes of `kgal` and of the ops scripts (README "Exit codes", docs/operations.md). */
export const EXIT = {
  /** Done, or nothing to do. */
  ok: 0,
  /** The input or the request was rejected (bad rows, conflicts, unknown ids, a busy port); nothing written. */
  rejected: 1,
  /** The store could not be reached or opened (Neo4j down, data directory locked, store file damaged). */
  storeUnavailable: 2,
  /** The embedding model is missing (`npm run model`). */
  modelUnavailable: 3,
  /** Bad flags or arguments (BSD sysexits EX_USAGE). */
  usage: 64,
  /** A bug or an unexpected environment failure (EX_SOFTWARE); reported with its stack. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type ErrorKind =
  | 'usage'
  | 'rejected'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'store-unavailable'
  | 'model-unavailable'
  | 'internal';

/** The table: kind -> HTTP status and exit code. */
export const ERROR_TABLE: Readonly<Record<ErrorKind, { status: number; exitCode: ExitCode }>> = {
  usage: { status: 400, exitCode: EXIT.usage },
  rejected: { status: 400, exitCode: EXIT.rejected },
  'not-found': { status: 404, exitCode: EXIT.rejected },
  conflict: { status: 409, exitCode: EXIT.rejected },
  'too-large': { status: 413, exitCode: EXIT.rejected },
  'store-unavailable': { status: 503, exitCode: EXIT.storeUnavailable },
  'model-unavailable': { status: 503, exitCode: EXIT.modelUnavailable },
  internal: { status: 500, exitCode: EXIT.internal },
};

/** An expected failure: its message is safe to show to a user (no stack, no file contents). */
export class KgalError extends Error {
  readonly kind: ErrorKind;
  /** HTTP status: the table's, unless the error names a more precise one (e.g. 401, 415). */
  readonly status: number;

  constructor(kind: ErrorKind, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KgalError';
    this.kind = kind;
    this.status = options.status ?? ERROR_TABLE[kind].status;
  }

  /** Machine-readable code: the kind (`rejected`, `conflict`, ...). */
  get code(): ErrorKind {
    return this.kind;
  }

  get exitCode(): ExitCode {
    return ERROR_TABLE[this.kind].exitCode;
  }
}

/** A bad command line or option value. */
export class UsageError extends KgalError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('usage', message, options);
    this.name = 'UsageError';
  }
}

/** neo4j-driver's codes for a connection lost after the store was opened. */
const NEO4J_UNAVAILABLE = new Set(['ServiceUnavailable', 'SessionExpired', 'Neo.TransientError.General.DatabaseUnavailable']);

export interface Classified {
  kind: ErrorKind;
  status: number;
  exitCode: ExitCode;
  /** Safe to show (for `internal`: the error's own message, for logs and the CLI only, never HTTP). */
  message: string;
}

/**
 * The kind of any thrown value: a KgalError's own, a few foreign errors by their code (a Neo4j connection
 * lost mid-command, a Cypher syntax error, a missing file), anything else `internal`.
 */
export function classifyError(error: unknown): Classified {
  const result = (kind: ErrorKind, message: string, status = ERROR_TABLE[kind].status): Classified => ({ kind, status, exitCode: ERROR_TABLE[kind].exitCode, message });
  if (error instanceof KgalError) return result(error.kind, error.message, error.status);
  const err = error as (NodeJS.ErrnoException & { code?: unknown }) | null | undefined;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (code !== undefined && NEO4J_UNAVAILABLE.has(code)) return result('store-unavailable', `store unavailable: ${err?.message ?? code}`);
  if (code !== undefined && code.startsWith('Neo.ClientError.Statement.')) return result('rejected', neo4jStatementMessage(code, err?.message ?? ''));
  if (code === 'ENOENT' && err?.path) return result('rejected', `no such file: ${err.path}`);
  if (code === 'EISDIR') return result('rejected', `is a directory, not a file${err?.path ? `: ${err.path}` : ''}`);
  const message = error instanceof Error ? error.message : String(error);
  return result('internal', message);
}

/**
 * A Neo4j statement error without the statement text or the offending token (the statement may hold the
 * content of a file the user did not mean to show): only the kind and the position.
 */
export function neo4jStatementMessage(code: string, message: string): string {
  const kind = code.split('.').pop() ?? 'Error';
  const position = /\(line (\d+), column (\d+)/.exec(message);
  return `Cypher ${kind === 'SyntaxError' ? 'syntax error' : kind}${position ? ` at line ${position[1]}, column ${position[2]}` : ''}`;
}
