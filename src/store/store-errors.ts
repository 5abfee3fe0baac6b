import { KgalError } from '../errors/kgal-error.js';
import { StoreUnavailableError } from './graph-store.js';

/**
 * The embedded store's file is damaged, incomplete or not a kgal store: it is refused rather than
 * opened as an empty (or partial) store. A StoreUnavailableError, so the CLI and the ops scripts exit 2
 * with the message and the API answers 503.
 */
export class StoreDamagedError extends StoreUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'StoreDamagedError';
  }
}

/**
 * A write the embedded store cannot put on disk as given (metadata or a state that is not
 * JSON-serialisable, e.g. nested so deeply that JSON.stringify overflows the stack). Raised before
 * anything is applied: the store is unchanged and stays usable. A rejected request (HTTP 400, exit 1), not a bug: validation
 * (pool-row.ts) refuses such metadata first, this is the store's last line of defence.
 */
export class StoreWriteError extends KgalError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('rejected', message, options);
    this.name = 'StoreWriteError';
  }
}

/** JSON text of a value, or a StoreWriteError naming `what` when it cannot be serialised. */
export function toJsonText(value: unknown, what: string): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (error) {
    const reason = error instanceof RangeError ? `nested too deeply (${error.message})` : (error as Error).message;
    throw new StoreWriteError(`cannot store ${what}: it is not serialisable as JSON: ${reason}; nothing written`, { cause: error });
  }
}
