import { readFile } from 'node:fs/promises';

/**
 * Splits a .cypher file into statements: `//` comment lines are dropped and a statement ends with a
 * semicolon at the end of a line (so semicolons inside strings mid-line are safe).
 */
export function splitCypherStatements(source: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const rawLine of source.split('\n')) {
    const line = rawLine.trimEnd();
    if (line.trimStart().startsWith('//') || line.trim() === '') continue;
    if (line.endsWith(';')) {
      current.push(line.slice(0, -1));
      statements.push(current.join('\n').trim());
      current = [];
    } else current.push(line);
  }
  const rest = current.join('\n').trim();
  if (rest !== '') statements.push(rest);
  return statements;
}

export async function readCypherStatements(path: string): Promise<string[]> {
  return splitCypherStatements(await readFile(path, 'utf8'));
}
