/**
 * The README's dashboard screenshots: runs the demo (what `npm start` runs: the simulated solar-home
 * gateway on loopback, polled in real time with the demo's compressed optimizer schedule) for a few
 * minutes so the charts, the learned rates and the optimization history have something to show,
 * then photographs every view in Debian's chromium into docs/screenshots/.
 * Usage: npm run build && node dist/scripts/screenshots.js [minutes, default 7]
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumMissing, launchChromium } from '../bench/browser.js';
import { createApp } from '../src/app.js';
import { resolveOptions } from '../src/config/resolve.js';
import { createSystemClock, sleep } from '../src/core/clock.js';
import { createMemoryLogger } from '../src/core/logger.js';
import { startDemo } from '../src/sim/demo.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = path.join(root, 'docs', 'screenshots');
const VIEWS = ['overview', 'entities', 'plan', 'optimization', 'actions'];

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(`cannot take screenshots: ${missing}`);
  const minutes = Number(process.argv[2] ?? 7);
  const clock = createSystemClock();
  const demo = await startDemo(clock, 1);
  const resolved = resolveOptions(demo.options);
  const app = createApp({
    clock, random: Math.random, logger: createMemoryLogger(), statusEveryMs: 0,
    connections: resolved.connections, entities: resolved.entities, optimizer: resolved.optimizer,
    web: { port: 0, host: '127.0.0.1', ingressOnly: false },
  });
  await app.start();
  const url = app.web?.url();
  console.log(`demo running, dashboard at ${url}; waiting ${minutes} min`);
  await sleep(clock, minutes * 60_000);
  await mkdir(out, { recursive: true });
  const browser = await launchChromium();
  try {
    const shoot = async (view: string, file: string, options: { dark?: boolean; phone?: boolean; full?: boolean } = {}) => {
      const page = await browser.newPage({
        viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
        colorScheme: options.dark ? 'dark' : 'light', isMobile: options.phone ?? false,
      });
      await page.goto(`${url}#${view}`);
      await page.locator('#status.live').waitFor();
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(out, file), fullPage: options.full ?? false });
      await page.close();
    };
    for (const view of VIEWS) await shoot(view, `${view}.png`, { full: view !== 'entities' });
    await shoot('overview', 'overview-dark.png', { dark: true });
    await shoot('entities', 'entities-phone.png', { phone: true });
  } finally {
    await browser.close();
    await app.stop();
    await demo.stop();
  }
  console.log(`screenshots in ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
