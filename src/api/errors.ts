import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { classifyError, KgalError, type ErrorKind } from '../errors/kgal-error.js';
import { InputValidationError } from '../pool/input-error.js';
import { LabelConflictError, LeaseConflictError, UnknownItemsError } from '../store/graph-store.js';

export interface FieldIssue {
  /** Where: `body.labels[2].label`, `query.limit`, `params.id`. */
  field: string;
  message: string;
}

function kindOfStatus(status: number): ErrorKind {
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too-large';
  if (status === 503) return 'store-unavailable';
  return status >= 500 ? 'internal' : 'rejected';
}

/** A client error with its HTTP status (a KgalError of the matching kind); the message is safe to show. */
export class HttpError extends KgalError {
  constructor(
    status: number,
    message: string,
    readonly details: { issues?: FieldIssue[]; ids?: string[]; conflicts?: Array<Record<string, string>> } = {},
  ) {
    super(kindOfStatus(status), message, { status });
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
    if (http instanceof HttpError) return send(http.status, { error: http.message, code: http.code, ...http.details });
    if (error instanceof UnknownItemsError) return send(error.status, { error: error.message, code: error.code, ids: error.ids });
    if (error instanceof LabelConflictError || error instanceof LeaseConflictError) {
      return send(error.status, {
        error: error.message,
        code: error.code,
        conflicts: error.conflicts.map((c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)]))),
      });
    }
    // Everything else through the one table (src/errors/kgal-error.ts); a Neo4j connection lost after
    // startup surfaces as a driver error and is classified as store-unavailable there.
    const known = classifyError(error);
    if (known.kind === 'store-unavailable' || known.kind === 'model-unavailable') {
      logger.error({ err: error, url: req.originalUrl }, known.kind);
      return send(known.status, { error: known.kind === 'store-unavailable' ? 'store unavailable' : 'embedding model unavailable', code: known.kind });
    }
    if (known.kind !== 'internal') return send(known.status, { error: known.message, code: known.kind });
    const parserError = error as BodyParserError;
    if (parserError?.type === 'entity.too.large') return send(413, { error: `request body too large (limit ${parserError.limit} bytes)`, code: 'too-large' });
    if (parserError?.type === 'entity.parse.failed') return send(400, { error: 'malformed JSON body', code: 'rejected' });
    if (parserError?.type === 'charset.unsupported' || parserError?.type === 'encoding.unsupported') return send(415, { error: 'unsupported body encoding', code: 'rejected' });
    if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return send(parserError.status, { error: 'bad request', code: 'rejected' });
    }
    logger.error({ err: error, url: req.originalUrl }, 'unhandled error');
    return send(500, { error: 'internal error', code: 'internal' });
  };
}
