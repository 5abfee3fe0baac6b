import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { cypherFile } from '../config/package-paths.js';
import { KgalError, UsageError } from '../errors/kgal-error.js';
import { splitCypherStatements } from '../store/cypher-statements.js';

/** A `.cypher` exploration file: its description, declared parameters with defaults, and result columns. */
export interface ExplorationQuery {
  name: string;
  description: string;
  /** From `// @param name <JSON default>` lines. */
  defaults: Record<string, unknown>;
  /** From the `// @columns a, b, c` line: what the query returns, in order. */
  columns: string[];
  statement: string;
}

export const EXPLORATION_DIR = 'explore';

export async function listExplorationQueries(): Promise<string[]> {
  const files = await readdir(cypherFile(EXPLORATION_DIR));
  return files.filter((f) => f.endsWith('.cypher')).map((f) => f.replace(/\.cypher$/, '')).sort();
}

/**
 * Reads an exploration file by bare name (`top-gaps`) from cypher/explore, or by a path ending in
 * `.cypher`; anything else is refused before any file is read, so `kgal cypher` cannot be pointed at
 * /etc/hostname (and errors never quote the file's content).
 */
export async function readExplorationQuery(nameOrPath: string): Promise<ExplorationQuery> {
  let path: string;
  if (nameOrPath.endsWith('.cypher')) path = nameOrPath;
  else if (/^[A-Za-z0-9][\w.-]*$/.test(nameOrPath)) path = join(cypherFile(EXPLORATION_DIR), `${nameOrPath}.cypher`);
  else throw new UsageError(`not an exploration query: "${nameOrPath}" (a name from cypher/explore, see \`kgal cypher\`, or a path ending in .cypher)`);
  const source = await readFile(path, 'utf8');
  const description: string[] = [];
  const defaults: Record<string, unknown> = {};
  let columns: string[] = [];
  for (const line of source.split('\n')) {
    const comment = /^\s*\/\/\s?(.*)$/.exec(line)?.[1];
    if (comment === undefined) continue;
    const param = /^@param\s+(\w+)\s+(.+)$/.exec(comment);
    if (param) defaults[param[1]!] = parseParameterValue(param[2]!);
    else if (comment.startsWith('@columns')) columns = comment.slice('@columns'.length).split(',').map((c) => c.trim()).filter(Boolean);
    else description.push(comment);
  }
  const statements = splitCypherStatements(source);
  if (statements.length !== 1) throw new KgalError('rejected', `${path}: expected one Cypher statement, found ${statements.length}`);
  return { name: basename(path, '.cypher'), description: description.join(' ').trim(), defaults, columns, statement: statements[0]! };
}

/** `20` -> 20, `"x"` -> "x", `true` -> true; anything that is not JSON is taken as a plain string. */
export function parseParameterValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `key=value` pairs from the command line, values parsed like @param defaults. */
export function parseParameterAssignments(assignments: readonly string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const at = assignment.indexOf('=');
    if (at <= 0) throw new UsageError(`--param expects name=value, got "${assignment}"`);
    params[assignment.slice(0, at)] = parseParameterValue(assignment.slice(at + 1));
  }
  return params;
}
