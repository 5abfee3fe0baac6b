import { execFileSync } from 'node:child_process';

/** The CLI tests run the built `kgal` binary as a user would: build it once before the run. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
}
