import { format } from 'node:util';
import { pino, type Logger } from 'pino';
import type { Progress } from '../../src/ingest/progress.js';

export type OpsLogger = Logger;

/**
 * One JSON object per line on stdout, for log shippers and `jq`: ISO time, level as a word, the script's
 * name, and an `event` field on every line (start, file, embed, refresh, summary, error, ...).
 * Synchronous writes, so nothing is lost when the process exits right after an error.
 */
export function createOpsLogger(script: string, env: NodeJS.ProcessEnv = process.env): OpsLogger {
  const log = pino(
    {
      level: env.KGAL_LOG_LEVEL || 'info',
      base: { script, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 1, sync: true }),
  );
  captureConsole(log);
  return log;
}

/**
 * Libraries that print with console.log (transformers.js, onnxruntime) would break the one-JSON-per-line
 * contract of stdout: their lines become log records instead.
 */
function captureConsole(log: OpsLogger): void {
  const forward =
    (level: 'info' | 'warn') =>
    (...args: unknown[]): void => {
      log[level]({ event: 'console' }, format(...args));
    };
  console.log = forward('info');
  console.info = forward('info');
  console.warn = forward('warn');
}

/** Progress as log lines: one every `every` items (no bars, no carriage returns: cron and CI logs). */
export function logProgress(log: OpsLogger, every: number): Progress {
  let label = '';
  let total = 0;
  let done = 0;
  let next = every;
  let started = 0;
  return {
    start(newLabel, newTotal) {
      label = newLabel;
      total = newTotal;
      done = 0;
      next = every;
      started = Date.now();
    },
    advance(by) {
      done += by;
      if (done < next) return;
      const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
      log.info({ event: 'progress', stage: label, done, total, perSecond: Math.round(done / seconds) }, `${label}: ${done}/${total}`);
      while (next <= done) next += every;
    },
    stop() {
      // The step's own result line follows; a final progress line would repeat it.
    },
  };
}
