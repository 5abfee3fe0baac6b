#!/usr/bin/env node
// Checks the local model folder built by prepare-model.sh through transformers.js itself:
// tokenisation (token ids) and pooled, normalised embeddings against reference-vectors.json
// (computed with sentence-transformers from the original weights).
//
//   node scripts/model/verify-transformersjs.mjs [--models-dir DIR] [--reference FILE]
//
// Needs @xenova/transformers resolvable from this file's location (the repo's node_modules,
// or copy this file into a scratch project that has it). Exit code 1 if a check fails.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: {
    'models-dir': { type: 'string' },
    reference: { type: 'string', default: join(here, 'reference-vectors.json') },
  },
});
const modelsDir =
  opts['models-dir'] ??
  process.env.KGAL_MODEL_DIR ??
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kgal', 'models');
const MODEL = 'Xenova/all-MiniLM-L6-v2';
const ref = JSON.parse(readFileSync(opts.reference, 'utf8'));

const { env, pipeline, mean_pooling } = await import('@xenova/transformers');
env.localModelPath = modelsDir;
env.allowRemoteModels = false;
env.allowLocalModels = true;

const cosine = (a, b) => {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return d / Math.sqrt(na * nb);
};

let failed = false;
for (const [quantized, need] of [[false, 0.9999], [true, 0.99]]) {
  const t0 = performance.now();
  const extractor = await pipeline('feature-extraction', MODEL, { quantized });
  const tLoad = performance.now() - t0;

  let tokenMismatches = 0;

  const t1 = performance.now();
  const out = await extractor(ref.sentences, { pooling: 'mean', normalize: true });
  const tRun = performance.now() - t1;
  const [n, dim] = out.dims;
  const cos = [];
  for (let i = 0; i < n; i++) cos.push(cosine(out.data.subarray(i * dim, (i + 1) * dim), ref.vectors[i]));
  const min = Math.min(...cos);

  // transformers.js 2.17.2 truncates *after* adding [CLS]/[SEP], so a text longer than
  // model_max_length (256) loses its final [SEP]; sentence-transformers keeps it. Same
  // embedding with the [SEP] put back (what kgal's embedder should do for long texts):
  const enc = extractor.tokenizer(ref.sentences, { padding: true, truncation: true });
  const sep = extractor.tokenizer.sep_token_id;
  const [rows, cols] = enc.input_ids.dims;
  let fixed = 0;
  for (let r = 0; r < rows; r++) {
    const full = extractor.tokenizer(ref.sentences[r], { truncation: false }).input_ids.dims[1];
    if (full > cols) { enc.input_ids.data[r * cols + cols - 1] = BigInt(sep); fixed++; }
  }
  const { last_hidden_state } = await extractor.model(enc);
  const pooled = mean_pooling(last_hidden_state, enc.attention_mask).normalize(2, -1);
  const cosFixed = [];
  for (let i = 0; i < n; i++) cosFixed.push(cosine(pooled.data.subarray(i * dim, (i + 1) * dim), ref.vectors[i]));
  if (!quantized && ref.token_ids) {
    tokenMismatches = 0;
    for (let r = 0; r < rows; r++) {
      const ids = Array.from(enc.input_ids.data.subarray(r * cols, (r + 1) * cols), Number).filter((_, c) => enc.attention_mask.data[r * cols + c]);
      if (JSON.stringify(ids) !== JSON.stringify(ref.token_ids[r])) tokenMismatches++;
    }
  }
  const minFixed = Math.min(...cosFixed);
  const ok = dim === ref.dimension && n === ref.sentences.length && minFixed >= need && tokenMismatches === 0;
  failed ||= !ok;
  const fmt = (a) => `[${a.map((c) => c.toFixed(6)).join(', ')}]`;
  console.log(
    `${quantized ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx'} (need >= ${need}): ${ok ? 'OK' : 'FAIL'}\n` +
      `  pipeline as is:           min cosine ${min.toFixed(6)} ${fmt(cos)}\n` +
      `  [SEP] kept on truncation: min cosine ${minFixed.toFixed(6)} ${fmt(cosFixed)} (${fixed} truncated)\n` +
      (quantized ? '' : `  token ids vs sentence-transformers (with [SEP] kept): ${tokenMismatches ? tokenMismatches + ' mismatch(es)' : 'all equal'}\n`) +
      `  load ${tLoad.toFixed(0)} ms, ${n} sentences ${tRun.toFixed(0)} ms`,
  );
  await extractor.dispose?.();
}
process.exit(failed ? 1 : 0);
