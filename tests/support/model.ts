import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { embedderConfigFromEnv } from '../../src/embeddings/embedder-config.js';

/**
 * The embedding tests use the real model, prepared by `npm run model` (scripts/test.sh does it). If it is
 * missing they fail with the command to run; KGAL_SKIP_MODEL=1 leaves them out locally, never in CI.
 */
export function modelSkipped(): boolean {
  const config = embedderConfigFromEnv();
  if (existsSync(join(config.modelDir, config.model, 'onnx', 'model.onnx'))) return false;
  if (process.env.KGAL_SKIP_MODEL === '1' && process.env.CI !== 'true') return true;
  throw new Error(`embedding model not found under ${config.modelDir}: run \`npm run model\` (or bash scripts/test.sh)`);
}
