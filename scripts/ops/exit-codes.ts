import { classifyError, EXIT, type ExitCode } from '../../src/errors/kgal-error.js';
import { formatIssue, InputValidationError } from '../../src/pool/input-error.js';
import type { OpsLogger } from './ops-log.js';

/** Exit codes: the one table of src/errors/kgal-error.ts, shared with `kgal` (docs/operations.md). */
export { EXIT, UsageError, type ExitCode } from '../../src/errors/kgal-error.js';

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
  if (error instanceof InputValidationError) {
    logRejection(log, error);
    return EXIT.rejected;
  }
  const known = classifyError(error);
  switch (known.kind) {
    case 'usage':
      log.error({ event: 'usage' }, `${known.message} (--help for usage)`);
      break;
    case 'store-unavailable':
      log.error({ event: 'store-unavailable' }, known.message.startsWith('store unavailable') ? known.message : `store unavailable: ${known.message}`);
      break;
    case 'model-unavailable': {
      // The embedder's message already says how to get the model; add the hint only if it does not.
      const hint = known.message.includes('npm run model') ? '' : ' (run `npm run model` to build it offline)';
      log.error({ event: 'model-unavailable' }, known.message + hint);
      break;
    }
    case 'internal': {
      const err = error instanceof Error ? error : new Error(String(error));
      log.error({ event: 'internal-error', err }, `unexpected error: ${err.message}`);
      break;
    }
    default:
      log.error({ event: 'rejected', kind: known.kind }, known.message);
  }
  return known.exitCode;
}
