/**
 * The README's dashboard screenshots, photographed in Debian's chromium into docs/screenshots/.
 * By default the demo's site (solar-home: inverter, meter and heat pump on one 9,600-baud bus) runs
 * with the optimizer on its default schedule for simulated days in virtual time, so history,
 * evaluations, success rates and the learned intervals have something to show; `--live MINUTES` runs
 * the real-time demo of `npm start` instead.
 * Usage: npm run build && node dist/scripts/screenshots.js [--days 2 | --live 7]
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumMissing, launchChromium } from '../bench/browser.js';
import { simulatedDashboard } from '../bench/webFixture.js';
import { createApp } from '../src/app.js';
import { resolveOptions } from '../src/config/resolve.js';
import { createSystemClock, sleep } from '../src/core/clock.js';
import { createMemoryLogger } from '../src/core/logger.js';
import { startDemo } from '../src/sim/demo.js';
import { solarHome } from '../src/sim/sites.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = path.join(root, 'docs', 'screenshots');
const VIEWS = ['overview', 'entities', 'plan', 'optimization', 'actions'];
const DAY_MS = 86_400_000;

/** The real-time demo, run for `minutes`. */
async function liveDemo(minutes: number): Promise<{ url: string; stop(): Promise<void> }> {
  const clock = createSystemClock();
  const demo = await startDemo(clock, 1);
  const resolved = resolveOptions(demo.options);
  const app = createApp({
    clock, random: Math.random, logger: createMemoryLogger(), statusEveryMs: 0,
    connections: resolved.connections, entities: resolved.entities, optimizer: resolved.optimizer,
    web: { port: 0, host: '127.0.0.1', ingressOnly: false },
  });
  await app.start();
  console.log(`demo running; waiting ${minutes} min`);
  await sleep(clock, minutes * 60_000);
  return {
    url: app.web?.url() ?? '',
    async stop() {
      await app.stop();
      await demo.stop();
    },
  };
}

async function photograph(url: string): Promise<void> {
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
  }
}

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(`cannot take screenshots: ${missing}`);
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : Number(process.argv[i + 1]);
  };
  const live = arg('--live');
  const days = arg('--days') ?? 2;
  const site = live !== undefined ? await liveDemo(live)
    : await simulatedDashboard(solarHome(), { warmupMs: days * DAY_MS, optimizer: {}, sampleEveryMs: 300_000 });
  console.log(`dashboard at ${site.url}`);
  try {
    await photograph(site.url);
  } finally {
    await site.stop();
  }
  console.log(`screenshots in ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
