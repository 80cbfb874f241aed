/**
 * Debian's chromium driven by playwright-core, as this machine runs it: headless, no sandbox (root),
 * no background networking (the network is closed), a fresh profile per launch (playwright makes
 * one). `npx playwright install` cannot work here, so the browser must be /usr/bin/chromium; callers
 * skip with a clear message when it is missing. Used by the dashboard's browser tests and its bench.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}
