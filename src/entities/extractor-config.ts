import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputValidationError } from '../pool/input-error.js';
import { aliasMap } from './canonical-key.js';
import type { CompromiseExtractorOptions } from './compromise-extractor.js';

/**
 * Reads the user's extraction tuning from JSON files: a compromise lexicon (`{"federal mogul":
 * "Organization"}`) and aliases (`{"U.S.": "United States"}`, alias -> canonical name).
 */
export async function readExtractorConfig(files: { lexicon?: string; aliases?: string }): Promise<CompromiseExtractorOptions> {
  const options: CompromiseExtractorOptions = {};
  if (files.lexicon) options.lexicon = await readStringMap(files.lexicon);
  if (files.aliases) options.aliases = aliasMap(Object.entries(await readStringMap(files.aliases)));
  return options;
}

async function readStringMap(file: string): Promise<Record<string, string>> {
  const display = basename(file);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    throw new InputValidationError([{ file: display, line: 1, message: `invalid JSON (${(error as Error).message})` }]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputValidationError([{ file: display, line: 1, message: 'expected a JSON object of "phrase": "value" pairs' }]);
  }
  const bad = Object.entries(value).filter(([, v]) => typeof v !== 'string' || v.trim() === '');
  if (bad.length > 0) {
    throw new InputValidationError(
      bad.map(([key]) => ({ file: display, line: 1, field: key, message: 'must be a non-empty string' })),
    );
  }
  return value as Record<string, string>;
}
