import { readFile } from 'node:fs/promises';
import type { InputIssue } from './input-error.js';

export interface TextLine {
  /** 1-based line number. */
  line: number;
  text: string;
}

const NEWLINE = 0x0a;

/**
 * Reads a UTF-8 text file into lines, strictly: bytes that are not valid UTF-8 are reported with the
 * line they sit on instead of being silently replaced by U+FFFD.
 */
export async function readUtf8Lines(file: string, displayName = file): Promise<{ lines: TextLine[]; issues: InputIssue[] }> {
  const bytes = await readFile(file);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const lines: TextLine[] = [];
  const issues: InputIssue[] = [];
  let start = 0;
  let lineNo = 1;
  while (start <= bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end === -1) end = bytes.length;
    const chunk = bytes.subarray(start, end);
    try {
      let text = decoder.decode(chunk);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      lines.push({ line: lineNo, text });
    } catch {
      issues.push({ file: displayName, line: lineNo, message: 'not valid UTF-8 (re-encode the file as UTF-8)' });
    }
    start = end + 1;
    lineNo += 1;
  }
  return { lines, issues };
}

/** Decodes a whole file strictly as UTF-8, naming the first line that is not valid UTF-8. */
export async function readUtf8Text(file: string, displayName = file): Promise<{ text: string; issues: InputIssue[] }> {
  const { lines, issues } = await readUtf8Lines(file, displayName);
  return { text: lines.map((l) => l.text).join('\n'), issues };
}
