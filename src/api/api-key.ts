import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

/**
 * Requires the API key on a route when one is configured (KGAL_API_KEY): `Authorization: Bearer <key>` or
 * `X-API-Key: <key>`. Compared in constant time (over hashes, so lengths do not leak either).
 */
export function requireApiKey(apiKey: string | undefined): RequestHandler {
  if (!apiKey) return (_req, _res, next) => next();
  const expected = createHash('sha256').update(apiKey).digest();
  return (req, _res, next) => {
    const header = req.get('authorization');
    const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : req.get('x-api-key');
    if (given === undefined || !timingSafeEqual(createHash('sha256').update(given).digest(), expected)) {
      next(new HttpError(401, 'this route needs the API key (Authorization: Bearer <key> or X-API-Key)'));
      return;
    }
    next();
  };
}
