import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

/**
 * Requires the API key on a route when one is configured (KGAL_API_KEY): `Authorization: Bearer <key>` or
 * `X-API-Key: <key>`. Compared in constant time (over hashes, so lengths do not leak either).
 */
export function requireApiKey(apiKey: string | undefined, ...alsoAccepted: Array<string | undefined>): RequestHandler {
  if (!apiKey) return (_req, _res, next) => next();
  const expected = [apiKey, ...alsoAccepted].filter((k): k is string => !!k).map((k) => createHash('sha256').update(k).digest());
  return (req, _res, next) => {
    const header = req.get('authorization');
    const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : req.get('x-api-key');
    const digest = given === undefined ? undefined : createHash('sha256').update(given).digest();
    // Every key is compared (no early exit), each in constant time.
    const matches = digest !== undefined && expected.map((e) => timingSafeEqual(digest, e)).reduce((a, b) => a || b, false);
    if (!matches) {
      next(new HttpError(401, 'this route needs the API key (Authorization: Bearer <key> or X-API-Key)'));
      return;
    }
    next();
  };
}

/** Routes anyone may call even when a key is set: liveness, readiness and the OpenAPI document. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/openapi.json']);

/**
 * When KGAL_API_KEY is set, reads need a key too: the write key or, if set, KGAL_READ_KEY (a key that can
 * read but not write). Item texts, annotators and label history are not public data.
 */
export function requireReadKey(apiKey: string | undefined, readKey: string | undefined): RequestHandler {
  const guard = requireApiKey(apiKey, readKey);
  return (req, res, next) => (OPEN_PATHS.has(req.path) ? next() : guard(req, res, next));
}

/** Request headers as logged: credentials replaced by "[redacted]". */
export function redactHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!headers) return headers;
  const copy: Record<string, unknown> = { ...headers };
  for (const name of ['authorization', 'x-api-key', 'cookie', 'proxy-authorization']) if (name in copy) copy[name] = '[redacted]';
  return copy;
}
