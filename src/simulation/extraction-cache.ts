import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntityExtractor, EntityMention } from '../entities/entity-extractor.js';

interface CacheFile {
  /** The extractor id the entries were made under (its version, options and KG gazetteer). */
  extractor: string;
  /** sha1 of the text → its mentions. */
  entries: Record<string, EntityMention[]>;
}

interface OpenFile {
  path: string;
  data: CacheFile;
  added: number;
}

/**
 * Entity mentions kept on disk per extractor id, so a later `kgal simulate` on the same texts skips
 * extraction (10-37 s on AG News / WebNLG, the largest part of preparing a dataset once embeddings are
 * cached). An extractor's id names its version, options and gazetteer (the same contract re-ingest
 * relies on), so a different extractor or KG reads and writes another file. Files are replaced
 * atomically; two runs saving at once can lose each other's new entries, which only costs a later miss.
 */
export class ExtractionCache {
  private readonly files = new Map<string, OpenFile>();
  hits = 0;
  misses = 0;

  constructor(private readonly dir: string) {}

  /**
   * The extractor with the cache in front of it. Its file is read here, synchronously: ingest creates the
   * extractor in a synchronous factory once the KG gazetteer is known.
   */
  wrap(extractor: EntityExtractor): EntityExtractor {
    const file = this.open(extractor.id);
    return {
      id: extractor.id,
      extract: (text) => {
        const key = createHash('sha1').update(text).digest('hex');
        const cached = file.data.entries[key];
        if (cached) {
          this.hits += 1;
          return cached.map((m) => ({ ...m }));
        }
        this.misses += 1;
        const mentions = extractor.extract(text);
        file.data.entries[key] = mentions.map((m) => ({ ...m }));
        file.added += 1;
        return mentions;
      },
    };
  }

  private open(extractorId: string): OpenFile {
    const known = this.files.get(extractorId);
    if (known) return known;
    const path = join(this.dir, 'extraction', `${createHash('sha256').update(extractorId).digest('hex').slice(0, 32)}.json`);
    let data: CacheFile = { extractor: extractorId, entries: {} };
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
      if (parsed.extractor === extractorId && typeof parsed.entries === 'object' && parsed.entries !== null) data = parsed;
    } catch {
      // No cache yet, or a damaged file: start empty (it is rewritten on save).
    }
    const file = { path, data, added: 0 };
    this.files.set(extractorId, file);
    return file;
  }

  /** Writes the files that gained entries. */
  async save(): Promise<void> {
    for (const file of this.files.values()) {
      if (file.added === 0) continue;
      await mkdir(join(this.dir, 'extraction'), { recursive: true });
      const temporary = `${file.path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(file.data));
      await rename(temporary, file.path);
      file.added = 0;
    }
  }
}
