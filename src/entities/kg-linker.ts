import type { EntityType } from './entity-extractor.js';
import type { NameSpan } from './name-spans.js';

export interface LinkedSpan {
  key: string;
  name: string;
  type: EntityType;
}

export interface KgLinker {
  readonly fingerprint: string;
  link(text: string, spans: readonly NameSpan[]): LinkedSpan[];
}
