export * from './canonical-key.js';
export * from './entity-extractor.js';
export * from './gazetteer.js';
export * from './compromise-extractor.js';
