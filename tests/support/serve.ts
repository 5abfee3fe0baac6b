import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { kgalBin } from './cli.js';

/** A TCP port nothing listens on right now (for a child server). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** What the server wrote to stderr so far. */
  stderr: () => string;
}

/** `kgal serve` (the built CLI, or `cli`) as a child process with `env` over this one's, once /ready answers. */
export async function startKgalServe(env: Record<string, string>, cli = kgalBin): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const headers: Record<string, string> = env.KGAL_API_KEY ? { authorization: `Bearer ${env.KGAL_API_KEY}` } : {};
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/ready`, { headers })).ok) return { url, child, exited, stderr: () => stderr };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`kgal serve did not become ready: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
