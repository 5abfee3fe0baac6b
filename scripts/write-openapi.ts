/**
 * Writes the API's OpenAPI document (generated from the zod schemas that validate requests) to
 * docs/openapi.json. `npm run openapi`; tests/api-openapi.test.ts fails when the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../src/api/openapi.js';
import { packageRoot } from '../src/config/package-paths.js';

const target = join(packageRoot(), 'docs', 'openapi.json');
writeFileSync(target, JSON.stringify(buildOpenApiDocument(), null, 2) + '\n');
process.stdout.write(`wrote ${target}\n`);
