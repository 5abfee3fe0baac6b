import cliProgress from 'cli-progress';
import type { Progress } from '../ingest/progress.js';

/** A progress bar on a TTY; on pipes and CI logs, one line every 10 %. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? barProgress(stream) : lineProgress(stream);
}

function barProgress(stream: NodeJS.WriteStream): Progress {
  const bar = new cliProgress.SingleBar(
    { stream, format: '{label} [{bar}] {percentage}% | {value}/{total} | {speed}/s | ETA {eta_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = 0;
  let value = 0;
  return {
    start(label, total) {
      started = Date.now();
      value = 0;
      bar.start(total, 0, { label, speed: 0 });
    },
    advance(by) {
      value += by;
      const seconds = Math.max((Date.now() - started) / 1000, 1e-3);
      bar.update(value, { speed: Math.round(value / seconds) });
    },
    stop() {
      bar.stop();
    },
  };
}

function lineProgress(stream: NodeJS.WriteStream): Progress {
  let label = '';
  let total = 0;
  let value = 0;
  let nextReport = 0;
  let started = 0;
  return {
    start(newLabel, newTotal) {
      label = newLabel;
      total = newTotal;
      value = 0;
      nextReport = 0.1;
      started = Date.now();
    },
    advance(by) {
      value += by;
      if (total > 0 && value / total >= nextReport) {
        const seconds = (Date.now() - started) / 1000;
        stream.write(`${label}: ${value}/${total} (${Math.round((100 * value) / total)}%, ${Math.round(value / Math.max(seconds, 1e-3))}/s)\n`);
        while (value / total >= nextReport) nextReport += 0.1;
      }
    },
    stop() {
      const seconds = (Date.now() - started) / 1000;
      stream.write(`${label}: done, ${value} in ${seconds.toFixed(1)} s\n`);
    },
  };
}
