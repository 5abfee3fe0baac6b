import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { KgalError } from '../errors/kgal-error.js';
import { collectExport } from '../export/export-store.js';
import { EXPORT_FORMATS, exportStream, type ExportFormat } from '../export/export-writers.js';
import type { GraphStore } from '../store/graph-store.js';

interface StoreFlags {
  neo4j?: string;
  dataDir?: string;
}

/** The store helpers of program.ts (passed in, so the two modules do not import each other). */
export interface StoreCommandHelpers {
  addStoreOptions: (command: Command) => Command;
  withStore: <T>(flags: StoreFlags, readOnly: boolean, work: (store: GraphStore) => Promise<T>) => Promise<T>;
}

/** `--format`, else the output file's extension (.csv), else JSONL. */
export function exportFormatFor(format: ExportFormat | undefined, out: string | undefined): ExportFormat {
  if (format) return format;
  return out !== undefined && extname(out).toLowerCase() === '.csv' ? 'csv' : 'jsonl';
}

/**
 * `kgal export`: every labeled item (label, annotator, time, history, metadata) and with --predictions the
 * model's prediction for the unlabeled rest, as JSONL or CSV that `kgal ingest` reads back. A file is
 * written to a temporary name, synced and renamed, so exit 0 means the whole export is on disk.
 */
export function registerExportCommand(program: Command, { addStoreOptions, withStore }: StoreCommandHelpers): void {
  addStoreOptions(
    program
      .command('export')
      .description('export labeled items with annotator, time and label history (JSONL/CSV, valid input for kgal ingest)')
      .addOption(new Option('--format <format>', 'jsonl or csv (default: from --out, else jsonl)').choices([...EXPORT_FORMATS]))
      .option('--out <file>', 'write to this file (default: stdout)')
      .option('--predictions', "also the unlabeled items with the model's predicted label and probability"),
  ).action(async (flags: StoreFlags & { format?: ExportFormat; out?: string; predictions?: boolean }) => {
    const format = exportFormatFor(flags.format, flags.out);
    await withStore(flags, true, async (store) => {
      const collected = await collectExport(store, { predictions: flags.predictions === true });
      const stream = exportStream(collected.rows, format, flags.predictions === true);
      if (flags.out === undefined) {
        await pipeline(stream, process.stdout, { end: false });
      } else {
        await writeFileDurably(flags.out, stream);
      }
      const predicted = collected.predictions
        ? 'reason' in collected.predictions
          ? `; no predictions: ${collected.predictions.reason}`
          : `, ${collected.predictions.predicted} unlabeled items with predictions (model trained on ${collected.predictions.trainedOn})`
        : '';
      process.stderr.write(`exported ${collected.labeled} labeled items${predicted} as ${format}${flags.out ? ` to ${flags.out}` : ''}\n`);
    });
  });
}

async function writeFileDurably(path: string, stream: NodeJS.ReadableStream): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await pipeline(stream, createWriteStream(temporary));
    const file = await open(temporary, 'r+');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw code ? new KgalError('rejected', `cannot write ${path}: ${code}`, { cause: error }) : error;
  }
  await rename(temporary, path);
  // The rename itself durable too (best effort: not every file system syncs a directory).
  const folder = await open(dirname(path), 'r').catch(() => undefined);
  await folder?.sync().catch(() => undefined);
  await folder?.close();
}
