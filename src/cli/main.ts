#!/usr/bin/env node
import { buildProgram, describeFailure } from './program.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  const { message, exitCode } = describeFailure(error);
  if (message) process.stderr.write(message + '\n');
  process.exitCode = exitCode;
}
