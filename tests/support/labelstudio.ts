import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './serve.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LabelStudio {
  url: string;
  token: string;
  /** Stops it when this test started it (scripts/test.sh starts one for the whole run and stops it itself). */
  stop: () => void;
}

/**
 * The real Label Studio of the run: LABEL_STUDIO_URL/LABEL_STUDIO_TOKEN from scripts/test.sh, or one this test
 * starts with the project's launcher (scripts/labelstudio/start.sh; installs into the cached venv on first use).
 */
export async function labelStudioForTest(): Promise<LabelStudio> {
  if (process.env.LABEL_STUDIO_URL && process.env.LABEL_STUDIO_TOKEN) {
    return { url: process.env.LABEL_STUDIO_URL, token: process.env.LABEL_STUDIO_TOKEN, stop: () => undefined };
  }
  const home = mkdtempSync(join(tmpdir(), 'kgal-ls-'));
  const env = { ...process.env, KGAL_LS_HOME: home, KGAL_LS_PORT: String(await freePort()) };
  const out = execFileSync('bash', [join(root, 'scripts/labelstudio/start.sh')], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 });
  const value = (name: string): string => new RegExp(`^${name}=(.*)$`, 'm').exec(out)![1]!;
  return {
    url: value('LABEL_STUDIO_URL'),
    token: value('LABEL_STUDIO_TOKEN'),
    stop: () => execFileSync('bash', [join(root, 'scripts/labelstudio/stop.sh')], { env, stdio: 'inherit' }),
  };
}

/** Label Studio's REST API with one user's token; a non-2xx answer throws with its body. */
export function labelStudioApi(url: string, token: string) {
  return async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Label Studio ${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** Signs a second user up through Label Studio's own form (same organisation) and returns their API token. */
export async function signUpUser(url: string, email: string, password: string): Promise<string> {
  const cookies = new Map<string, string>();
  const keep = (response: Response): void => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      cookies.set(name!.trim(), rest.join('='));
    }
  };
  const cookieHeader = (): string => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  keep(await fetch(`${url}/user/signup/`, { redirect: 'manual' }));
  const form = new URLSearchParams({ csrfmiddlewaretoken: cookies.get('csrftoken') ?? '', email, password });
  const signup = await fetch(`${url}/user/signup/`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookieHeader(), referer: `${url}/user/signup/`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  keep(signup);
  if (signup.status !== 302) throw new Error(`Label Studio sign-up failed: HTTP ${signup.status}`);
  const token = await fetch(`${url}/api/current-user/token`, { headers: { cookie: cookieHeader() } });
  if (!token.ok) throw new Error(`Label Studio token of ${email}: HTTP ${token.status}`);
  return ((await token.json()) as { token: string }).token;
}
