import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for the browser test and the screenshots: Debian's `chromium` package (or KGAL_CHROMIUM)
 * driven by playwright-core, never a downloaded browser (scripts/browser/ensure-chromium.sh installs it).
 */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KGAL_CHROMIUM) {
    if (!existsSync(env.KGAL_CHROMIUM)) throw new Error(`KGAL_CHROMIUM=${env.KGAL_CHROMIUM} does not exist`);
    return env.KGAL_CHROMIUM;
  }
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('no Chromium: run scripts/browser/ensure-chromium.sh (installs Debian\'s chromium as root), or set KGAL_CHROMIUM');
  }
}

/**
 * No sandbox (CI runs as root in a container); WebGL through SwiftShader, Chromium's software renderer,
 * so sigma.js draws without a GPU.
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--disable-dev-shm-usage'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}
