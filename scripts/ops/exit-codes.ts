import { ModelUnavailableError } from '../../src/embeddings/text-embedder.js';
import { formatIssue, InputValidationError } from '../../src/pool/input-error.js';
import { StoreUnavailableError } from '../../src/store/graph-store.js';
import type { OpsLogger } from './ops-log.js';

/** Exit codes of the ops scripts (docs/operations.md). Distinct so a pipeline can branch on them. */
export const EXIT = {
  /** Done, or nothing to do. */
  ok: 0,
  /** Some input was rejected (bad rows, bad KG/lexicon file); the rest was processed. */
  rejected: 1,
  /** The store could not be reached or opened (Neo4j down, embedded data directory locked). */
  storeUnavailable: 2,
  /** The embedding model is missing (`npm run model`). */
  modelUnavailable: 3,
  /** Bad flags or arguments (BSD sysexits EX_USAGE). */
  usage: 64,
  /** A bug or an unexpected environment failure (EX_SOFTWARE); logged with its stack. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad command line: logged without a stack, exit 64. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** neo4j-driver's errors for a connection lost after the store was opened. */
const NEO4J_UNAVAILABLE = new Set(['ServiceUnavailable', 'SessionExpired']);

function isNeo4jUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NEO4J_UNAVAILABLE.has(code);
}

/** Logs one rejection: a record per problem, each with file, line, field and the `file:line: ...` text. */
export function logRejection(log: OpsLogger, error: InputValidationError, context: Record<string, unknown> = {}): void {
  for (const issue of error.issues) {
    log.error({ event: 'rejected', ...context, ...issue }, formatIssue(issue));
  }
}

/**
 * Maps an error that ended a script to its exit code and logs it. Expected failures get one clear line
 * (no stack trace); anything else is a bug and keeps its stack for the report.
 */
export function logFailure(log: OpsLogger, error: unknown): ExitCode {
  if (error instanceof UsageError) {
    log.error({ event: 'usage' }, `${error.message} (--help for usage)`);
    return EXIT.usage;
  }
  if (error instanceof InputValidationError) {
    logRejection(log, error);
    return EXIT.rejected;
  }
  if (error instanceof StoreUnavailableError || isNeo4jUnavailable(error)) {
    log.error({ event: 'store-unavailable' }, `store unavailable: ${(error as Error).message}`);
    return EXIT.storeUnavailable;
  }
  if (error instanceof ModelUnavailableError) {
    // The embedder's message already says how to get the model; add the hint only if it does not.
    const hint = error.message.includes('npm run model') ? '' : ' (run `npm run model` to build it offline)';
    log.error({ event: 'model-unavailable' }, error.message + hint);
    return EXIT.modelUnavailable;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  log.error({ event: 'internal-error', err }, `unexpected error: ${err.message}`);
  return EXIT.internal;
}
