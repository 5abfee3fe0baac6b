import { EXIT, logFailure, type ExitCode } from './exit-codes.js';
import { createOpsLogger, type OpsLogger } from './ops-log.js';

export interface ScriptContext<S extends object> {
  log: OpsLogger;
  argv: string[];
  /** Counts the script fills in as it goes; logged as the last line even when it fails half-way. */
  summary: S;
}

export interface ScriptDefinition<S extends object> {
  name: string;
  usage: string;
  summary: S;
  main(context: ScriptContext<S>): Promise<ExitCode>;
}

/**
 * Runs an ops script: `--help` prints the usage (plain text, exit 0); otherwise main runs, any failure is
 * mapped to its exit code, and a final `summary` line carries the counts, the exit code and the time.
 */
export async function runScript<S extends object>(definition: ScriptDefinition<S>, argv: string[] = process.argv.slice(2)): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(definition.usage.trimEnd() + '\n');
    return;
  }
  const log = createOpsLogger(definition.name);
  const started = Date.now();
  let exitCode: ExitCode;
  try {
    exitCode = await definition.main({ log, argv, summary: definition.summary });
  } catch (error) {
    exitCode = logFailure(log, error);
  }
  // Widened to a plain record: pino's typings cannot tell a generic S from a string message.
  const line: Record<string, unknown> = { event: 'summary', ...definition.summary, exitCode, millis: Date.now() - started };
  if (exitCode === EXIT.ok) log.info(line, 'done');
  else log.error(line, `finished with exit code ${exitCode}`);
  process.exitCode = exitCode;
}
