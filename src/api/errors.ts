import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { InputValidationError } from '../pool/input-error.js';
import { LabelConflictError, LeaseConflictError, StoreUnavailableError, UnknownItemsError } from '../store/graph-store.js';

export interface FieldIssue {
  /** Where: `body.labels[2].label`, `query.limit`, `params.id`. */
  field: string;
  message: string;
}

/** A client error with its HTTP status; the message is safe to show. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: { issues?: FieldIssue[]; ids?: string[]; conflicts?: Array<Record<string, string>> } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A 400 that lists each bad field in its message and in `issues`. */
export function invalidRequest(issues: FieldIssue[], what = 'invalid request', suffix = ''): HttpError {
  return new HttpError(400, `${what}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}${suffix}`, { issues });
}

/** Parses a request part with a schema, or throws a 400 naming each bad field. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.output<S> {
  const parsed = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : `${path}.${part}`)),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  throw invalidRequest(issues);
}

/** Maps pool-row issues (file `items`, line n = the n-th row) to request fields. */
function ingestIssues(error: InputValidationError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: `body.items[${issue.line - 1}]${issue.field ? `.${issue.field}` : ''}`,
    message: issue.message,
  }));
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * The one error middleware: known errors become 4xx/503 with a clear message (no stack traces to
 * clients); anything else is logged with its stack and answered 500.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const send = (status: number, body: Record<string, unknown>): void => {
      res.status(status).json(body);
    };
    const http = error instanceof InputValidationError ? invalidRequest(ingestIssues(error), 'invalid items', '; nothing written') : error;
    if (http instanceof HttpError) return send(http.status, { error: http.message, ...http.details });
    if (error instanceof UnknownItemsError) return send(404, { error: error.message, ids: error.ids });
    if (error instanceof LabelConflictError || error instanceof LeaseConflictError) {
      return send(409, { error: error.message, conflicts: error.conflicts.map((c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)]))) });
    }
    // A Neo4j connection lost after startup surfaces as a driver error, not StoreUnavailableError.
    const code = (error as { code?: unknown })?.code;
    if (error instanceof StoreUnavailableError || code === 'ServiceUnavailable' || code === 'SessionExpired') {
      logger.error({ err: error, url: req.originalUrl }, 'store unavailable');
      return send(503, { error: 'store unavailable' });
    }
    const parserError = error as BodyParserError;
    if (parserError?.type === 'entity.too.large') return send(413, { error: `request body too large (limit ${parserError.limit} bytes)` });
    if (parserError?.type === 'entity.parse.failed') return send(400, { error: 'malformed JSON body' });
    if (parserError?.type === 'charset.unsupported' || parserError?.type === 'encoding.unsupported') return send(415, { error: 'unsupported body encoding' });
    if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return send(parserError.status, { error: 'bad request' });
    }
    logger.error({ err: error, url: req.originalUrl }, 'unhandled error');
    return send(500, { error: 'internal error' });
  };
}
