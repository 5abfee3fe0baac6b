/**
 * Embedding throughput of kgal's embedder (TransformersEmbedder: @xenova/transformers 2.17.2 on
 * onnxruntime-node 1.14), fp32 and int8, on the first N AG News test texts. The Python side
 * (sentence-transformers, ONNX Runtime Python) is scripts/bench-embed.py; scripts/bench-embed.sh runs
 * all of them in one go and prints the comparison table (docs/benchmarks.md).
 *
 *   node dist/scripts/bench-embed.js [--variants fp32,int8] [--texts 2000] [--batch 32] [--file <jsonl>]
 *                                    [--vectors-dir DIR] [--no-sort] [--threads N] [--opt-level LEVEL]
 *
 * Each variant runs in its own child process (this script with --child), so its peak RSS
 * (process.resourceUsage().maxRSS: the kernel's high-water mark) is its own. One JSON line per variant
 * on stdout: {engine, variant, modelFile, texts, batchSize, seconds, textsPerSecond, peakRssMB, ...};
 * cpuSeconds is this process's CPU time while timed, otherCpuCores the average number of cores that
 * other processes kept busy meanwhile (from /proc/stat: a shared machine's noise, made visible).
 *
 * Texts are embedded the way `embedPendingItems` does it: sorted by token count, batches of --batch texts,
 * `embedder.embed(batch)` per batch. One warm-up batch (the first --batch texts in file order) runs
 * before the clock starts; loading the model is timed separately (loadSeconds).
 *
 * Experiment switches (not kgal's defaults, which the embedder does not expose): --no-sort (batches in
 * file order), --threads N / --opt-level disabled|basic|extended|all (onnxruntime-node session options,
 * injected by wrapping onnxruntime-node's `InferenceSession.create`: transformers.js 2.17 passes none, and
 * onnxruntime-node 1.14 would ignore them anyway for the model bytes transformers.js hands it, so the
 * wrapper loads the same file by path).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/config/package-paths.js';
import { embedderConfigFromEnv } from '../src/embeddings/embedder-config.js';
import { TransformersEmbedder } from '../src/embeddings/transformers-embedder.js';

const { values } = parseArgs({
  options: {
    variants: { type: 'string', default: 'fp32,int8' },
    texts: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '32' },
    file: { type: 'string', default: join(packageRoot(), '..', 'shared', 'data', 'ag_news', 'ag_news_test.jsonl') },
    'vectors-dir': { type: 'string' },
    'no-sort': { type: 'boolean', default: false },
    threads: { type: 'string' },
    'opt-level': { type: 'string' },
    label: { type: 'string' },
    child: { type: 'string' },
  },
});

function readTexts(file: string, count: number): string[] {
  const texts: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (texts.length >= count) break;
    if (line.trim() === '') continue;
    texts.push((JSON.parse(line) as { text: string }).text);
  }
  if (texts.length < count) throw new Error(`${file} has only ${texts.length} texts, ${count} requested`);
  return texts;
}

interface OrtModule {
  InferenceSession: { create: (...args: unknown[]) => Promise<unknown> };
}

async function runChild(variant: string): Promise<void> {
  if (variant !== 'fp32' && variant !== 'int8') throw new Error(`unknown variant ${variant} (fp32|int8)`);
  const batchSize = Number(values.batch);
  const texts = readTexts(values.file!, Number(values.texts));

  const sessionOptions: Record<string, unknown> = {};
  if (values.threads !== undefined) sessionOptions.intraOpNumThreads = Number(values.threads);
  if (values['opt-level'] !== undefined) sessionOptions.graphOptimizationLevel = values['opt-level'];
  const config = { ...embedderConfigFromEnv(), quantized: variant === 'int8', batchSize };
  const modelFile = join(config.modelDir, config.model, 'onnx', config.quantized ? 'model_quantized.onnx' : 'model.onnx');
  if (Object.keys(sessionOptions).length > 0) {
    // transformers.js 2.17 creates its session from the model bytes with `{ executionProviders: ['cpu',
    // 'wasm'] }` only, and onnxruntime-node 1.14 ignores every session option when given a buffer (even
    // that 'wasm', which it rejects with a path). So: the same file by path, with our options added.
    // The backend is `onnxruntime-node` (hoisted); `env.backends.onnx` is only that module's `env`.
    const ortModule = (await import('onnxruntime-node')) as unknown as { default?: OrtModule } & OrtModule;
    const session = (ortModule.default ?? ortModule).InferenceSession;
    const create = session.create.bind(session);
    session.create = (_model: unknown, options?: unknown) =>
      create(modelFile, { ...(options as object), executionProviders: ['cpu'], ...sessionOptions });
  }
  const loadStart = performance.now();
  const embedder = await TransformersEmbedder.load(config);
  const loadSeconds = (performance.now() - loadStart) / 1000;

  await embedder.embed(texts.slice(0, batchSize)); // warm-up

  const vectors = new Float32Array(texts.length * embedder.dimension);
  const busy0 = machineBusySeconds();
  const cpu0 = ownCpuSeconds();
  const start = performance.now();
  // As embedPendingItems: sorted by token count (counting is timed too).
  const order = texts.map((_, i) => i);
  if (!values['no-sort']) {
    const tokens = embedder.countTokens(texts);
    order.sort((a, b) => tokens[a]! - tokens[b]!);
  }
  for (let b = 0; b < order.length; b += batchSize) {
    const rows = order.slice(b, b + batchSize);
    const out = await embedder.embed(rows.map((i) => texts[i]!));
    rows.forEach((i, r) => vectors.set(out.data.subarray(r * out.cols, (r + 1) * out.cols), i * out.cols));
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = ownCpuSeconds() - cpu0;
  const busy1 = machineBusySeconds();
  await embedder.dispose();

  if (values['vectors-dir']) {
    mkdirSync(values['vectors-dir'], { recursive: true });
    writeFileSync(join(values['vectors-dir'], `kgal-${variant}.f32`), vectors);
  }
  const result = {
    engine: 'kgal',
    variant,
    label: values.label ?? `kgal ${variant}`,
    modelFile,
    texts: texts.length,
    batchSize,
    sorted: !values['no-sort'],
    sessionOptions,
    loadSeconds: round(loadSeconds, 3),
    seconds: round(seconds, 3),
    textsPerSecond: round(texts.length / seconds, 1),
    // CPU time of this process while timed, and the cores other processes kept busy meanwhile
    cpuSeconds: round(cpuSeconds, 2),
    otherCpuCores: busy0 === undefined || busy1 === undefined ? null : round(Math.max(0, busy1 - busy0 - cpuSeconds) / seconds, 2),
    // maxRSS is in kilobytes (getrusage ru_maxrss)
    peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Busy CPU time of the whole machine (all processes), from /proc/stat; undefined where there is none. */
function machineBusySeconds(): number | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0); // idle + iowait
    return (cpu.slice(0, 8).reduce((a, b) => a + b, 0) - idle) / 100; // USER_HZ = 100
  } catch {
    return undefined;
  }
}

function ownCpuSeconds(): number {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

async function runParent(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const passOn = process.argv.slice(2).filter((a, i, all) => a !== '--variants' && all[i - 1] !== '--variants' && !a.startsWith('--variants='));
  for (const variant of values.variants!.split(',').map((v) => v.trim()).filter(Boolean)) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [self, '--child', variant, ...passOn], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kgal ${variant} exited with ${code}`))));
    });
  }
}

if (values.child !== undefined) await runChild(values.child);
else await runParent();
